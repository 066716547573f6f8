"""The server's door: who a request is (its join code, and nothing else), how often one computer may guess
codes or create games, how large a body it may send, and the headers and JSON of every answer."""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import numpy as np
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from wargame.core.errors import ScenarioError
from wargame.play.game import authenticate
from wargame.play.store import GameStore

COOKIE = "wargame_code"
COOKIE_HOURS = 24                    # a class day: a laptop that sleeps over lunch stays logged in
MAX_BODY = 64_000                    # orders and injects are small; refuse anything larger
MAX_SCENARIO = 256_000               # an uploaded scenario file (the largest built-in one is 33 KB)
MAX_FORM = MAX_SCENARIO + 16_000     # the new-game form with its scenario file
MAX_FIELDS = 100                     # fields of a form
MAX_DEPTH = 32                       # arrays and objects nested in a JSON body (orders nest 3 deep)
MAX_INT = 2**53                      # the largest whole number a browser's JSON keeps exactly
FAILED_LIMIT, FAILED_WINDOW = 100, 300.0   # unknown codes per client per 5 minutes before 429
CREATE_LIMIT = 20                    # games one computer may create in an hour

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The after-action report is one self-contained file (its images embedded, its style inline) and runs no
# script: it may style itself, and nothing else.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


# ---------------------------------------------------------------------------------------------- who

def host_of(request: Request) -> str:
    """The computer a request comes from (throttles count per computer): the socket's peer, never a header
    such as X-Forwarded-For that the client writes itself (serve() also tells uvicorn not to trust one)."""
    return request.client.host if request.client else "?"


STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def same_origin(headers) -> bool | None:
    """Whether the browser says a request comes from one of this server's own pages: True, False (another
    site's page), or None when nothing says (a script, or an old browser). The Origin header must name the
    host the request came to; a page whose referrer policy withholds it sends "null", and then a browser's
    Sec-Fetch-Site (which no page can set) says whether the request is same-origin."""
    site = headers.get("sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return False
    origin = headers.get("origin")
    if origin and origin != "null":
        try:
            netloc = urlsplit(origin).netloc
        except ValueError:
            return False
        return netloc.lower() == headers.get("host", "").lower()
    return True if site == "same-origin" else None


class SameOrigin:
    """Pure ASGI wrapper: a state-changing request (POST, ...) that a browser says comes from another site's
    page is refused (403) before any route sees it: `refuse(request, HTTPException)` answers it. Defence in
    depth beside the SameSite=Strict cookie; the Gate refuses a cookie sent with no Origin at all."""

    def __init__(self, app, refuse):
        self.app, self.refuse = app, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in STATE_CHANGING:
            request = Request(scope)
            if same_origin(request.headers) is False:
                refusal = HTTPException(403, "refused: this request comes from a page of another site (its Origin "
                                             "is not this server)")
                response = await self.refuse(request, refusal)
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


class Throttle:
    """What each computer did within the last `window` seconds: `limit` times at most."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self.times: dict[str, deque] = {}

    def exceeded(self, host: str) -> bool:
        times = self.times.get(host)
        if not times:
            return False
        while times and times[0] < time.monotonic() - self.window:
            times.popleft()
        return len(times) >= self.limit

    def note(self, host: str) -> None:
        self.times.setdefault(host, deque()).append(time.monotonic())

    def admit(self, host: str) -> bool:
        """Count one more for this computer, unless it has reached the limit (False then)."""
        if self.exceeded(host):
            return False
        self.note(host)
        return True

    def clear(self) -> None:
        self.times.clear()


def forged(request: Request) -> bool:
    """Whether a state-changing request carrying the join cookie might have been sent by another site's
    page: the browser does not vouch for its origin (`same_origin`), and it is a body another site's page
    can send without asking first (a form, or no body). A JSON body (Content-Type: application/json) or an
    X-Game-Code header makes a browser ask this server first (a CORS preflight), which it never grants."""
    if request.method not in STATE_CHANGING or same_origin(request.headers):
        return False
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind != "application/json"


class Gate:
    """Who each request is: (game id, role) from its code, throttled per computer for unknown codes."""

    def __init__(self, store: GameStore):
        self.store = store
        self.failed = Throttle(FAILED_LIMIT, FAILED_WINDOW)
        self.created = Throttle(CREATE_LIMIT, 3600.0)    # a runaway script cannot fill memory with games

    def who(self, request: Request) -> tuple[str, str]:
        """(game id, role) from the request's code: the X-Game-Code header, else the cookie. A change (POST)
        with the cookie must come from this server's pages (see `forged`)."""
        header = request.headers.get("x-game-code")
        code = header or request.cookies.get(COOKIE)
        host = host_of(request)
        found = authenticate(self.store, code) if code else None
        if found is not None and not header and forged(request):
            raise HTTPException(403, "refused: a change sent with this browser's join cookie but from no page of "
                                     "this server (no Origin header): use the game's pages, or send the code "
                                     "in an X-Game-Code header")
        if found is not None:                   # a valid code is never locked out by someone's guessing
            return found
        if self.failed.exceeded(host):
            raise HTTPException(429, "too many unknown codes from this computer: wait a few minutes")
        if code:
            self.failed.note(host)
        raise HTTPException(401, "no valid join code: join the game with your code first" if not code
                            else "that join code is not known here")

    def team(self, request: Request) -> tuple[str, str]:
        gid, role = self.who(request)
        if role == "instructor":
            raise HTTPException(403, "this is a team's page: the instructor has the console at /instructor")
        if role == "projector":
            raise HTTPException(403, "the projector's code opens the public view only")
        return gid, role

    def instructor(self, request: Request) -> tuple[str, str]:
        gid, role = self.who(request)
        if role != "instructor":
            raise HTTPException(403, "only the instructor may do this")
        return gid, role

    def cookie_role(self, request: Request) -> tuple[str, str] | None:
        """(game id, role) of the browser's cookie, None if it has none that is known (not counted as a guess)."""
        code = request.cookies.get(COOKIE)
        return authenticate(self.store, code) if code else None


# ---------------------------------------------------------------------------------------------- in and out

@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart form: its name as the browser gave it, and its bytes."""

    filename: str
    data: bytes


class BadJSON(ValueError):
    """Text that is not JSON this server takes: malformed, nested too deeply, or with a number out of bounds."""


STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > len(str(MAX_INT)) or abs(value := int(text)) > MAX_INT:
        raise BadJSON(f"the number {text[:24]}{'...' if len(text) > 24 else ''} is too large "
                      f"(whole numbers lie within +/-{MAX_INT:,})")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON(f"the number {text[:24]} is too large")
    return value


def _no_constant(name: str):
    raise BadJSON(f"{name} is not a number JSON allows")


def loads(text: str | bytes):
    """JSON as this server takes it (BadJSON if not): nested MAX_DEPTH deep at most (checked before parsing,
    which recurses), numbers finite, whole numbers within +/-MAX_INT, text valid Unicode."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadJSON(f"it is not UTF-8 text (byte {exc.start})") from None
    depth = 0
    for brackets in NOT_BRACKET.split(STRING.sub("", text)):    # the brackets outside strings, in order
        for bracket in brackets:
            depth += 1 if bracket in "[{" else -1
            if depth > MAX_DEPTH:
                raise BadJSON(f"it nests arrays or objects more than {MAX_DEPTH} deep")
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant)
    except BadJSON:
        raise
    except (ValueError, RecursionError) as exc:
        raise BadJSON(str(exc)) from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadJSON("it has a string that is not valid Unicode (a lone surrogate)") from None
    return value


async def read_raw(request: Request, limit: int) -> bytes:
    """The request's body, read as it streams in and refused (413) as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and not re.fullmatch(r"[0-9]{1,18}", declared.strip()):
        raise HTTPException(400, "the Content-Length header is not a number")
    if declared is not None and int(declared) > limit:
        raise HTTPException(413, f"request too large: {limit:,} bytes at most")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request too large: {limit:,} bytes at most")
        chunks.append(chunk)
    return b"".join(chunks)


def _fields(pairs) -> dict:
    """Form fields as a dict; repeated ones (checkboxes) as lists."""
    fields: dict[str, list] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    return {k: v if len(v) > 1 or k in ("humans",) else v[0] for k, v in fields.items()}


def multipart_fields(raw: bytes, content_type: str) -> dict:
    """The fields of a multipart/form-data body (RFC 7578): text as str, files as Upload; 400 if malformed."""
    found = re.search(r'boundary=(?:"([^"]{1,70})"|([^";,\s]{1,70}))', content_type, re.IGNORECASE)
    if found is None:
        raise HTTPException(400, "the multipart form has no boundary")
    delimiter = b"--" + (found.group(1) or found.group(2)).encode("latin-1", "replace")
    pieces = raw.split(delimiter)
    if len(pieces) < 3:
        raise HTTPException(400, "the multipart form has no parts")
    pairs = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):                       # the closing delimiter
            break
        if len(pairs) >= MAX_FIELDS:
            raise HTTPException(400, f"the form has more than {MAX_FIELDS} fields")
        head, blank, data = piece.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not blank:
            raise HTTPException(400, "a part of the multipart form has no headers")
        head = head.decode("utf-8", "replace")
        disposition = next((line.partition(":")[2] for line in head.split("\r\n")
                            if line.partition(":")[0].strip().lower() == "content-disposition"), "")
        name = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        filename = re.search(r';\s*filename="([^"]*)"', disposition)
        if name is None:
            raise HTTPException(400, "a part of the multipart form has no name")
        data = data.removesuffix(b"\r\n")
        pairs.append((name.group(1), Upload(filename.group(1), data) if filename else data.decode("utf-8", "replace")))
    return _fields(pairs)


async def read_body(request: Request, limit: int = MAX_BODY, files: bool = False) -> dict:
    """A JSON object or a form (url-encoded; multipart too where `files`, the new-game form with its
    scenario file) as a dict, read up to `limit` bytes (413 past it). 400 for a body that does not parse
    (see `loads`), 415 for any other kind of body: a text/plain one is never taken for JSON. Repeated form
    fields (checkboxes) become lists."""
    raw = await read_raw(request, limit)
    if not raw.strip():
        return {}
    header = request.headers.get("content-type", "")
    kind = header.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = loads(raw)
        except BadJSON as exc:
            raise HTTPException(400, f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise HTTPException(400, "the request body must be a JSON object { ... }")
        return body
    if kind == "application/x-www-form-urlencoded":
        try:
            return _fields(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True,
                                     max_num_fields=MAX_FIELDS))
        except ValueError:
            raise HTTPException(400, f"the form has more than {MAX_FIELDS} fields") from None
    if kind == "multipart/form-data" and files:
        return multipart_fields(raw, header)
    forms = "a form (application/x-www-form-urlencoded" + (" or multipart/form-data)" if files else ")")
    raise HTTPException(415, f"send JSON (Content-Type: application/json) or {forms}, not {kind or 'no type'}")


def _json_default(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _finite(value):
    """NaN and infinities as null: JSON has no such numbers and a browser's JSON.parse rejects them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class JSON(JSONResponse):
    """A JSON answer: numpy values as numbers, compact, never a NaN."""

    def render(self, content) -> bytes:
        try:
            text = json.dumps(content, default=_json_default, allow_nan=False, separators=(",", ":"))
        except ValueError:
            text = json.dumps(_finite(content), default=_json_default, separators=(",", ":"))
        return text.encode("utf-8")


def errors_of(exc: Exception) -> list[str]:
    if isinstance(exc, ScenarioError):
        return [str(p) for p in exc.problems]
    return [str(exc)]


class SecurityHeaders:
    """Pure ASGI wrapper: every response gets the CSP (no asset from anywhere but here), no framing, no
    referrer beyond this server (within it, browsers then send the Origin that SameOrigin checks), and no
    caching of pages and API answers (a shared classroom laptop keeps no team's data); an unhandled error
    too, answered here as a bare 500."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")
        started = False

        async def sending(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                policy = REPORT_CSP if scope["path"] == "/instructor/report" else CSP
                headers += [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY"),
                            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            # a bug: answer 500 here, with the headers above and no traceback, then let the server log it
            if not started:
                api = scope["path"].startswith("/api/")
                body = (b'{"errors":["internal error: the server\'s log says more"]}' if api
                        else b"Internal error: the server's log says more.")
                kind = b"application/json" if api else b"text/plain; charset=utf-8"
                await sending({"type": "http.response.start", "status": 500,
                               "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
                await sending({"type": "http.response.body", "body": body})
            raise
