"""The server's door: who a request is (its join code, and nothing else), how often one computer may guess
codes or create games, how large a body it may send, and the headers and JSON of every answer."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from urllib.parse import parse_qs

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
FAILED_LIMIT, FAILED_WINDOW = 100, 300.0   # unknown codes per client per 5 minutes before 429
CREATE_LIMIT = 20                    # games one computer may create in an hour

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The after-action report is one self-contained file (its images embedded, its style inline) and runs no
# script: it may style itself, and nothing else.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


# ---------------------------------------------------------------------------------------------- who

def host_of(request: Request) -> str:
    """The computer a request comes from (throttles count per computer)."""
    return request.client.host if request.client else "?"


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


class Gate:
    """Who each request is: (game id, role) from its code, throttled per computer for unknown codes."""

    def __init__(self, store: GameStore):
        self.store = store
        self.failed = Throttle(FAILED_LIMIT, FAILED_WINDOW)
        self.created = Throttle(CREATE_LIMIT, 3600.0)    # a runaway script cannot fill memory with games

    def who(self, request: Request) -> tuple[str, str]:
        """(game id, role) from the request's code: the X-Game-Code header, else the cookie."""
        code = request.headers.get("x-game-code") or request.cookies.get(COOKIE)
        host = host_of(request)
        found = authenticate(self.store, code) if code else None
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

async def read_body(request: Request) -> dict:
    """A JSON object or a url-encoded form (the pages' plain forms) as a dict; HTTPException 400 if it is
    neither, 413 if it is larger than MAX_BODY. Repeated form fields (checkboxes) become lists."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise HTTPException(413, "request too large")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v if len(v) > 1 or k in ("humans",) else v[0] for k, v in fields.items()}
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the request body must be a JSON object { ... }")
    return body


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


def bad_request(problems: list[str]) -> JSON:
    return JSON({"errors": problems}, status_code=400)


class SecurityHeaders:
    """Pure ASGI wrapper: every response gets the CSP (no asset from anywhere but here), no framing, no
    referrer, and no caching of pages and API answers (a shared classroom laptop keeps no team's data)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                policy = REPORT_CSP if scope["path"] == "/instructor/report" else CSP
                headers += [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY"),
                            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
