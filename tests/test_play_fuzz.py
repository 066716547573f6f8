"""Every route of the classroom server under generated malformed requests (hypothesis): JSON of any shape
and depth, non-finite and huge numbers, wrong types, random bytes, wrong content types, oversized bodies,
forged origins, with valid and invalid credentials. No answer may be a 500, and every answer carries the
security headers.

The routes are read from the app (`app.routes`), so a route added later is fuzzed too. CI runs a small,
fixed set of examples; `WARGAME_FUZZ_EXAMPLES=1000` runs that many random ones (with `-s` the answers are
counted by status at the end, and by route with `WARGAME_FUZZ_ROUTES=1`)."""

from __future__ import annotations

import json
import os
from collections import Counter
from urllib.parse import quote, urlencode

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

from hypothesis import HealthCheck, example, given, settings  # noqa: E402  (after the skips)
from hypothesis import strategies as st  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from tests import report_jobs  # noqa: E402
from wargame.web.app import make_app  # noqa: E402
from wargame.web.security import COOKIE  # noqa: E402

EXAMPLES = int(os.environ.get("WARGAME_FUZZ_EXAMPLES", "150"))
HUMANS = ("regime", "rebels")
SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")
# words the API's bodies, queries and path parameters use, so that generated requests reach past the first
# check of a route as often as they fail it
FIELDS = ("code", "humans", "scenario", "scenario_file", "scenario_name", "seed", "turn_hours", "turn", "kind",
          "params", "sectors", "stance", "axis", "tempo", "reserves_to", "commitment", "recruits_per_week",
          "aircraft", "wing", "weather", "unit", "morale", "path", "value", "text", "city", "side", "target", "to",
          "place", "sector")
WORDS = ("resolve", "pause", "resume", "rewind", "inject", "override", "view", "debrief", "map.png", "note",
         "russian_aircraft", "weather", "parameter", "unit", "city", "defection", "israeli_strike", "aleppo",
         "hama", "idlib", "hold", "attack", "saraqib", "all_out", "regime", "rebels", "truth", "front", "all",
         "hts_2024_classroom", "/etc/passwd", "../../etc/passwd", "play.css", "play.js", "\x00", "%00", "adjudicate",
         "surrender", "freeze", "white_cell", "messages", "opposition")
# path parameters no route expects: a NUL byte, a way up, a name far too long
HOSTILE = ("\x00", "play.css\x00.py", "..", "../../wargame/web/app.py", "%00", "a" * 5000, "\ud800", "\\..\\x")
# who a request says it is: (the cookie's code, the X-Game-Code header's), by role ("team": a human team's)
CREDENTIALS = {"none": (None, None), "unknown cookie": ("NOSUCH1", None), "unknown header": (None, "NOSUCH2"),
               "team cookie": ("team", None), "team header": (None, "team"), "instructor cookie": ("instructor", None),
               "instructor header": (None, "instructor"), "projector header": (None, "projector"),
               "team cookie, instructor header": ("team", "instructor")}
COUNTS: Counter = Counter()
ROUTES: Counter = Counter()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The app over one game (two human teams), its codes, and a client that returns 500s as answers."""
    app = make_app(tmp_path_factory.mktemp("fuzz") / "games.sqlite")
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": list(HUMANS), "turn_hours": "6"})
    assert r.status_code == 303, r.text
    codes = client.get("/api/instructor/view", headers={"X-Game-Code": r.cookies.get(COOKIE)}).json()["codes"]
    client.cookies.clear()
    # the after-action report takes half a minute to draw (in the report worker) and reads no input: a
    # stand-in keeps the run short
    app.state.reports.job = report_jobs.quick_report
    yield app, client, codes
    app.state.reports.close()
    print(f"\nfuzzed {sum(COUNTS.values())} requests; answers by status: {dict(sorted(COUNTS.items()))}")
    if os.environ.get("WARGAME_FUZZ_ROUTES"):
        for (method, template, status), n in sorted(ROUTES.items()):
            print(f"  {method:5} {template:40} {status}: {n}")


def endpoints(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path template, its parameters) of every route of the app; a mount's files as GET."""
    out = []
    for route in app.routes:
        if isinstance(route, Mount):
            out += [("GET", route.path + "/{file}", ("file",)), ("POST", route.path + "/{file}", ("file",))]
            continue
        assert isinstance(route, Route), route
        params = tuple(route.param_convertors)
        out += [(method, route.path, params) for method in sorted(route.methods - {"HEAD"})]
    return out


# ---------------------------------------------------------------------------------------------- bodies

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10**15, max_value=10**400)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40) | st.sampled_from(WORDS))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), inner, max_size=5),
                           max_leaves=25)
# objects with the API's field names, whatever their values
api_objects = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


def nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def text_fields(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, allow_nan=True)


@st.composite
def bodies(draw, plausible: bool) -> tuple[bytes, str | None]:
    """(body, Content-Type) of a malformed or odd request; `plausible`: with the type its body claims to be."""
    kind = draw(st.sampled_from(["json", "api-json", "api-json", "api-json", "deep", "numbers", "numbers", "bytes",
                                 "form", "form", "multipart", "big", "empty"]))
    if kind in ("json", "api-json"):
        value = draw(json_values if kind == "json" else api_objects)
        body = json.dumps(value, allow_nan=True).encode()
    elif kind == "deep":
        body = nested(draw(st.integers(1, 40_000)), draw(st.sampled_from(["array", "object"]))).encode()
    elif kind == "numbers":
        number = draw(st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9" * 5000,
                                       "99999999999999999999", "1e-400", "-0", "0.0000001e999"]))
        body = json.dumps({draw(st.sampled_from(FIELDS)): "X"}).replace('"X"', number).encode()
    elif kind == "bytes":
        body = draw(st.binary(max_size=3000))
    elif kind == "form":
        fields = draw(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=6))
        body = urlencode({k: text_fields(v) for k, v in fields.items()}).encode()
    elif kind == "multipart":
        boundary = draw(st.sampled_from(["b0undary", "x", ""]))
        fields = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4))
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{text_fields(v)}\r\n'.encode()
                 for k, v in fields.items()]
        if draw(st.booleans()):
            data = draw(st.sampled_from([b'extends = "/etc/passwd"', b"a = " + b"[" * 600 + b"]" * 600,
                                         b"\xff\xfe\x00", b"[meta]\ntitle = 1", b'extends = "hts_2024"\nx = nan']))
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="scenario_file"; '
                         f'filename="{draw(st.text(max_size=20))}"\r\n\r\n'.encode("utf-8", "replace") + data + b"\r\n")
        if draw(st.booleans()):
            parts.append(draw(st.binary(max_size=200)))
        body = b"".join(parts) + (f"--{boundary}--\r\n".encode() if draw(st.booleans()) else b"")
        return body, draw(st.sampled_from([f"multipart/form-data; boundary={boundary}", "multipart/form-data",
                                           f'multipart/form-data; boundary="{boundary}"']))
    elif kind == "big":
        body = b"[" + b"1," * draw(st.integers(30_000, 160_000)) + b"1]"
    else:
        body = b""
    if plausible:
        return body, "application/x-www-form-urlencoded" if kind == "form" else "application/json"
    content_type = draw(st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain",
                                         "application/x-www-form-urlencoded", "multipart/form-data",
                                         "application/xml", "", None]))
    return body, content_type


@st.composite
def requests(draw, routes):
    """A request to one of the routes. Half are `plausible`: sent as the pages or a script would (an existing
    action, the credential the route wants, no foreign origin, the body's own content type), so that their
    bodies reach the route's own checks; the others are anything at all."""
    plausible = draw(st.booleans())
    # the routes that change things take bodies: drawn three times as often
    method, template, params = draw(st.sampled_from([r for r in routes for _ in range(3 if r[0] != "GET" else 1)]))
    path = template
    for name in params:
        value = draw(st.sampled_from(WORDS[:6]) if plausible else st.sampled_from(HOSTILE) | st.sampled_from(WORDS)
                     | st.text(max_size=12))
        value = quote(value, safe="", errors="surrogatepass")  # "\x00" travels as %00, "%00" as %2500
        path = path.replace("{" + name + "}", value).replace("{" + name + ":path}", value)
        path = path.replace("{" + name + ":str}", value)
    query = draw(st.dictionaries(st.sampled_from(("turn", "area", "picture", "v")) | st.text(max_size=6),
                                 st.sampled_from(WORDS) | st.text(max_size=12)
                                 | st.integers().map(str) | st.sampled_from(["99999999999999999999", "-1", "1e400",
                                                                             "nan", "٣", "²"]),
                                 max_size=3))
    body, content_type = draw(bodies(plausible))
    if plausible:
        who = "instructor header" if "instructor" in template or "debrief" in template else "team header"
        origin = draw(st.sampled_from([None, "http://testserver"]))
        site = draw(st.sampled_from([None, "same-origin"]))
        turn = None
    else:
        who = draw(st.sampled_from(sorted(CREDENTIALS)))
        origin = draw(st.sampled_from([None, "http://testserver", "null", "http://evil.example", "http://[",
                                       "garbage"]))
        site = draw(st.sampled_from([None, "same-origin", "cross-site", "same-site", "none"]))
        turn = draw(st.sampled_from([None, "0", "1", "99999999999999999999", "-1", "²", "x"]))
    return method, template, path, query, body, content_type, who, origin, site, turn


def reproductions(test):
    """Issue 12's reproductions, tried first on every run (each was a 500)."""
    deep = ("[" * 31_000 + "]" * 31_000).encode()
    for request in [
        ("GET", "/static/{file}", "/static/play.css%00.py", {}, b"", None, "none", None, None, None),
        ("POST", "/join", "/join", {}, deep, "application/json", "none", None, None, None),
        ("POST", "/api/orders", "/api/orders", {}, deep, "application/json", "team header", None, None, None),
        ("POST", "/games", "/games", {}, b'{"humans": 5}', "application/json", "none", None, None, None),
        ("POST", "/api/instructor/{action:str}", "/api/instructor/rewind", {}, b'{"turn": 1e400}',
         "application/json", "instructor header", None, None, None),
        ("POST", "/api/instructor/{action:str}", "/api/instructor/inject", {},
         b'{"kind": "russian_aircraft", "params": {"aircraft": Infinity}}', "application/json", "instructor header",
         None, None, None),
        ("GET", "/api/instructor/debrief/map.png", "/api/instructor/debrief/map.png",
         {"turn": "99999999999999999999"}, b"", None, "instructor header", None, None, None),
    ]:
        test = example(request)(test)
    return test


# ---------------------------------------------------------------------------------------------- the test

def test_no_route_answers_malformed_input_with_a_500(world):
    app, client, codes = world
    routes = endpoints(app)
    assert len({t for _, t, _ in routes}) >= 18          # every route the app had when this test was written

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 150,
              suppress_health_check=list(HealthCheck))
    @given(requests(routes))
    @reproductions
    def check(request):
        method, template, path, query, body, content_type, who, origin, site, turn = request
        client.cookies.clear()
        app.state.gate.failed.clear()             # unknown codes are throttled: keep every example reaching the routes
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        for name, value in (("Origin", origin), ("Sec-Fetch-Site", site), ("X-Game-Turn", turn)):
            if value is not None:
                headers[name] = value.encode("utf-8")       # as a client may send it: bytes, not only ASCII
        cookie, header = CREDENTIALS[who]
        team = HUMANS[len(path) % 2]
        if cookie:
            client.cookies.set(COOKIE, codes.get(team if cookie == "team" else cookie, cookie))
        if header:
            headers["X-Game-Code"] = codes.get(team if header == "team" else header, header)
        r = client.request(method, path, params=query, content=body if method != "GET" or body else None,
                           headers=headers)
        COUNTS[r.status_code] += 1
        ROUTES[(method, template, r.status_code)] += 1
        assert r.status_code < 500, (method, path, query, body[:300], content_type, who, r.status_code, r.text[:300])
        for header in SECURITY_HEADERS:
            assert header in r.headers, (method, path, r.status_code, header)
        if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
            assert r.json()["errors"], (method, path, r.text[:300])      # a refusal says why

    check()
