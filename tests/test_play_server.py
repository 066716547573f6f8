"""The classroom web server (wargame.web) through its HTTP interface: who may see and do what,
how bad orders are refused, and a turn played by every human team.

The join code is the only credential; these tests try every route the app exposes with one team's code
and look for anything of another team's in the answers."""

from __future__ import annotations

import html
import json
import re
import time

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from tests.conftest import DATA
from wargame.web.app import make_app
from wargame.web.security import COOKIE

HUMANS = ("regime", "rebels", "iran")
ACTIONS = ("resolve", "pause", "resume", "rewind", "inject", "override", "adjudicate")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("server") / "games.sqlite")
    yield app
    app.state.reports.close()                  # a report some test asked for is not waited for at exit


def new_client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def as_code(client: TestClient, code: str | None) -> TestClient:
    """The client sends this code's cookie and nothing else (cookies set by earlier answers are dropped)."""
    client.cookies.clear()
    if code is not None:
        client.cookies.set(COOKIE, code)
    return client


def create_game(app) -> dict:
    """A game created through the new-game form; its id and every code."""
    client = new_client(app)
    r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": list(HUMANS), "seed": "3",
                                    "turn_hours": ""})
    assert r.status_code == 303 and r.headers["location"] == "/instructor/codes", r.text   # POST/redirect/GET
    instructor = r.cookies.get(COOKIE)
    shown = client.get("/instructor/codes").text
    assert instructor and instructor in shown                   # the creator is logged in and sees the codes
    iv = as_code(client, instructor).get("/api/instructor/view").json()
    codes = iv["codes"]
    assert set(codes) == {"instructor", "projector", *HUMANS}
    for team in HUMANS:
        assert codes[team] in shown
    return {"id": iv["status"]["game"], "codes": codes, "store": app.state.hub.store}


@pytest.fixture
def game(app):
    return create_game(app)


@pytest.fixture(scope="module")
def shared_game(app):
    """One game for the checks that each leave it as they found it (refused orders)."""
    return create_game(app)


def team_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route the app exposes, path parameters filled with each value they take."""
    out = []
    for route in app.routes:
        if isinstance(route, Mount):
            out += [("GET", f"{route.path}/play.js"), ("GET", f"{route.path}/play.css"),
                    ("GET", f"{route.path}/../server.py")]
            continue
        assert isinstance(route, Route)
        paths = [route.path.replace("{action:str}", a).replace("{action}", a) for a in ACTIONS + ("view", "x")] \
            if "{" in route.path else [route.path]
        for method in sorted(route.methods - {"HEAD"}):
            out += [(method, p) for p in paths]
    return out


def test_join_sets_a_strict_httponly_cookie_and_sends_each_role_to_its_page(app, game):
    client = new_client(app)
    r = as_code(client, None).post("/join", data={"code": game["codes"]["regime"].lower()})
    assert r.status_code == 303 and r.headers["location"] == "/team"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    r = as_code(client, None).post("/join", data={"code": game["codes"]["instructor"]})
    assert r.status_code == 303 and r.headers["location"] == "/instructor"
    r = as_code(client, None).post("/join", data={"code": "NOSUCH"})
    assert r.status_code == 401 and "set-cookie" not in r.headers
    assert "No game has the code" in r.text


def test_reloading_the_page_of_a_new_games_codes_makes_no_second_game(app):
    """POST/redirect/GET: the new-game form's answer is a redirect to a GET page of the codes, behind the
    instructor's code; loading that page again creates nothing (a reload of the old answer re-sent the form)."""
    client = new_client(app)
    games = len(app.state.hub.store._rows("SELECT id FROM games", ()))
    r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": ["regime"], "turn_hours": ""})
    assert r.status_code == 303 and r.headers["location"] == "/instructor/codes"
    instructor = r.cookies.get(COOKIE)
    for _ in range(2):
        page_ = client.get("/instructor/codes")
        assert page_.status_code == 200 and instructor in page_.text and 'id="team-codes"' in page_.text
    assert len(app.state.hub.store._rows("SELECT id FROM games", ())) == games + 1
    codes = as_code(client, instructor).get("/api/instructor/view").json()["codes"]
    assert as_code(client, codes["regime"]).get("/instructor/codes").status_code == 403      # a team's code: no
    assert as_code(client, codes["projector"]).get("/instructor/codes").status_code == 403


def test_unknown_and_missing_codes_are_refused_everywhere(app, game):
    client = new_client(app)
    public = {("GET", "/"), ("GET", "/favicon.ico"), ("POST", "/join"), ("POST", "/logout"), ("POST", "/games")}
    for method, path in team_routes(app):
        if (method, path) in public or path.startswith("/static"):
            continue
        for code in (None, "WRONG9", "", game["codes"]["regime"] + "X"):
            r = as_code(client, code).request(method, path)
            if path.endswith("/x") or (path.startswith("/api/instructor/") and path.endswith("/view")
                                       and method == "POST"):
                assert r.status_code in (401, 404, 405), (method, path, code, r.status_code)
                continue
            assert r.status_code == 401, (method, path, code, r.status_code)
        # the header API clients use is held to the same rule
        r = as_code(client, None).request(method, path, headers={"X-Game-Code": "WRONG9"})
        assert r.status_code in (401, 404, 405), (method, path)


def test_instructor_routes_refuse_team_codes(app, game):
    client = new_client(app)
    instructor_paths = [(m, p) for m, p in team_routes(app)
                        if p.startswith("/api/instructor/") or p in ("/instructor", "/debrief")]
    assert len(instructor_paths) >= 10
    for method, path in instructor_paths:
        if path.endswith("/x") or (path.endswith("/view") and method == "POST"):
            continue
        for team in HUMANS:
            r = as_code(client, game["codes"][team]).request(method, path, json={})
            assert r.status_code == 403, (method, path, team, r.status_code)
            r = as_code(client, None).request(method, path, json={}, headers={"X-Game-Code": game["codes"][team]})
            assert r.status_code == 403, (method, path, team, r.status_code)
    # and the instructor reaches them
    assert as_code(client, game["codes"]["instructor"]).get("/instructor").status_code == 200
    assert as_code(client, game["codes"]["instructor"]).get("/api/instructor/view").status_code == 200


def test_a_team_can_never_reach_another_teams_units_or_orders(app, game):
    """Team A (regime) tries every route with every trick of naming team B (rebels) or its game in the
    query, the body and headers: no answer carries B's own units that A does not legitimately see, nor
    B's submitted orders, nor B's messages (sent or received); nothing A does changes B's orders, and no
    message A sends is taken as B's."""
    client = new_client(app)
    codes, gid, store = game["codes"], game["id"], game["store"]
    assert as_code(client, codes["instructor"]).post("/api/instructor/pause", json={}).status_code == 200
    b_orders = {"tempo": "cautious", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}}
    assert as_code(client, codes["rebels"]).post("/api/orders", json=b_orders).status_code == 200
    stored_b = store.orders(gid, 0)["rebels"]
    b_talks = {"rebels": ("white_cell", "pomegranate offer"), "iran": ("rebels", "quince deal")}
    for sender, (to, text) in b_talks.items():
        r = as_code(client, codes[sender]).post("/api/messages", json={"to": to, "text": text})
        assert r.status_code == 200, r.text
    r = as_code(client, codes["instructor"]).post("/api/instructor/messages", json={"to": "rebels", "text": "medlar terms"})
    assert r.status_code == 200, r.text

    b_view = as_code(client, codes["rebels"]).get("/api/view").json()
    a_view_text = as_code(client, codes["regime"]).get("/api/view").text
    a_status_text = as_code(client, codes["regime"]).get("/api/status").text
    secret = {u["unit"] for u in b_view["own"]} - set(re.findall(r'"unit":"([^"]+)"', a_view_text))
    secret = {k for k in secret if k not in a_status_text}
    assert len(secret) >= 5, "the rebels should have units the regime does not see"
    b_orders_text = ("cautious", "pomegranate", "quince", "medlar")   # the rebels' orders and talks only

    tricks_query = {"team": "rebels", "role": "rebels", "game": gid, "picture": "rebels", "turn": "0",
                    "area": "all", "as": "instructor"}
    tricks_body = {"team": "rebels", "role": "instructor", "game": gid, "code": codes["regime"],
                   "kind": "note", "params": {"text": "x"}, "from": "rebels", "sender": "rebels", "to": "white_cell",
                   "text": "sent by the regime"}
    tricks_headers = {"X-Team": "rebels", "X-Role": "instructor", "X-Game": gid}
    checked = 0
    for method, path in team_routes(app):
        if path == "/join":
            continue                     # the join form takes a code: a code is the team (tested above)
        for variant in range(3):
            kwargs = {}
            if variant >= 1:
                kwargs["params"] = tricks_query
                kwargs["headers"] = tricks_headers
            if variant == 2 and method == "POST":
                kwargs["json"] = tricks_body
            r = as_code(client, codes["regime"]).request(method, path, **kwargs)
            body = r.content
            for key in secret:
                assert key.encode() not in body, (method, path, variant, key)
            for word in b_orders_text:
                assert word.encode() not in body.lower(), (method, path, variant, word)
            assert b'"tempo"' not in body, (method, path, variant)
            checked += 1
    assert checked > 40
    # the game is untouched where it matters: B's orders, the turn
    assert store.orders(gid, 0)["rebels"] == stored_b
    talks = store.messages(gid)
    assert [m["text"] for m in talks if m["from"] == "rebels"] == ["pomegranate offer"]
    assert {m["from"] for m in talks if m["text"] == "sent by the regime"} == {"regime"}
    assert as_code(client, codes["regime"]).get("/api/status").json()["turn"] == 0
    # and the regime's own view never lists another team's units as its own
    own = as_code(client, codes["regime"]).get("/api/view").json()["own"]
    assert own and {u["faction"] for u in own} == {"saa"}


def test_the_projector_shows_public_information_only(app, game):
    client = new_client(app)
    codes = game["codes"]
    keys = set()
    for team in HUMANS:
        keys |= {u["unit"] for u in as_code(client, codes[team]).get("/api/view").json()["own"]}
    as_code(client, codes["regime"]).post("/api/orders", json={"sectors": {"aleppo": {"stance": "hold"}}})
    for code in (codes["regime"], codes["rebels"], codes["instructor"]):
        r = as_code(client, code).get("/projector")
        assert r.status_code == 200
        assert "Turn <b>1</b> of" in r.text and "The Assad regime" in r.text and "orders in" in r.text
        assert not any(k in r.text for k in keys)
        assert "hold" not in r.text                   # who has submitted, never what
    assert as_code(client, None).get("/projector").status_code == 401


@pytest.mark.parametrize("payload, words", [
    ("{not json", ["not valid JSON"]),
    ("[1, 2]", ["JSON object"]),
    ({"sectors": {"narnia": {"stance": "hold"}}}, ["sector 'narnia'", "no such sector", "Aleppo"]),
    ({"sectors": {"aleppo": {"stance": "charge"}}}, ["Aleppo sector, stance", "must be one of", "withdraw"]),
    ({"sectors": {"aleppo": {"stance": "hold", "axis": "saraqib"}}}, ["Aleppo sector, axis", "attack"]),
    ({"sectors": {"aleppo": {"stance": "attack", "axis": "atlantis"}}}, ["'atlantis' is not a place"]),
    ({"sectors": {"aleppo": "attack"}}, ["Aleppo sector", "must be a table"]),
    ({"reserves_to": 5}, ["reserves to", "text string"]),
    ({"reserves_to": "mars"}, ["reserves to: 'mars' is not a sector"]),
    ({"tempo": "all_out"}, ["tempo", "unknown key"]),                       # the rebels' lever, not the regime's
    ({"sectors": {"aleppo": {"stance": "hold"}}, "team": "rebels"}, ["team", "unknown key"]),
])
def test_malformed_orders_get_a_400_naming_the_problem_and_change_nothing(app, shared_game, payload, words):
    game = shared_game
    client = as_code(new_client(app), game["codes"]["regime"])
    store, gid = game["store"], game["id"]
    good = {"sectors": {"hama": {"stance": "hold"}}}
    assert client.post("/api/orders", json=good).status_code == 200
    before = (store.orders(gid, 0), client.get("/api/status").json())
    if isinstance(payload, str):
        r = client.post("/api/orders", content=payload, headers={"Content-Type": "application/json"})
    else:
        r = client.post("/api/orders", json=payload)
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert isinstance(errors, list) and errors
    text = " ".join(errors)
    for word in words:
        assert word in text, (word, errors)
    after = (store.orders(gid, 0), client.get("/api/status").json())
    assert after[0] == before[0] and after[0]["regime"] == good
    assert after[1]["turn"] == before[1]["turn"] == 0 and after[1]["submitted"] == before[1]["submitted"]


@pytest.mark.parametrize("payload, words", [
    ({"commitment": 1.5}, ["commitment", "less than or equal to 1"]),
    ({"recruits_per_week": -3}, ["recruits per week", "greater than or equal to 0"]),
    ({"recruits_per_week": "many"}, ["recruits per week", "must be a number"]),
    ({"iraqi_militias": True}, ["iraqi militias"]),
])
def test_levers_out_of_range_or_of_the_wrong_type_are_refused(app, shared_game, payload, words):
    game = shared_game
    client = as_code(new_client(app), game["codes"]["iran"])
    r = client.post("/api/orders", json=payload)
    assert r.status_code == 400
    text = " ".join(r.json()["errors"])
    for word in words:
        assert word in text, (word, text)
    assert "iran" not in game["store"].orders(game["id"], 0)


def test_orders_of_every_human_team_resolve_the_turn_and_each_sees_its_own_new_view(app, game):
    client = new_client(app)
    codes = game["codes"]
    views0 = {t: as_code(client, codes[t]).get("/api/view").json() for t in HUMANS}
    orders = {"regime": {"sectors": {"aleppo": {"stance": "hold"}}, "reserves_to": "aleppo"},
              "rebels": {"tempo": "all_out", "sectors": {"aleppo": {"stance": "attack", "axis": "aleppo"}}},
              "iran": {"commitment": 0.9, "sectors": {"aleppo": {"stance": "attack"}}}}
    for i, team in enumerate(HUMANS):
        r = as_code(client, codes[team]).post("/api/orders", json=orders[team])
        assert r.status_code == 200, r.text
        assert r.json()["turn_resolved"] is (i == len(HUMANS) - 1)
        if i < len(HUMANS) - 1:
            assert team in r.json()["status"]["submitted"]
    factions = {"regime": {"saa"}, "rebels": {"hts", "moc_allies"}, "iran": {"iran_axis"}}
    for team in HUMANS:
        view = as_code(client, codes[team]).get("/api/view").json()
        assert view["team"] == team and view["status"]["turn"] == 1
        assert view["orders_submitted"] is None                     # a new turn: nothing sent yet
        assert view["day"] > views0[team]["day"]
        assert {u["faction"] for u in view["own"]} <= factions[team] and view["own"]
        page = as_code(client, codes[team]).get("/team")
        assert page.status_code == 200 and "Turn <b>2</b> of" in page.text
        assert "Orders for turn 2" in page.text
        other = next(t for t in HUMANS if t != team)
        others_own = {u["unit"] for u in as_code(client, codes[other]).get("/api/view").json()["own"]}
        seen = set(re.findall(r'"unit":"([^"]+)"', json.dumps(view, separators=(",", ":"))))
        assert not ({u["unit"] for u in view["own"]} & others_own)
        assert seen >= {u["unit"] for u in view["own"]}
    # the record: turn 0 resolved with every team's orders, as the debrief shows them
    debrief = as_code(client, codes["instructor"]).get("/api/instructor/debrief").json()
    assert len(debrief) == 1 and debrief[0]["orders"]["rebels"] == orders["rebels"]
    assert set(debrief[0]["views"]) == {"russia", "iran", "regime", "rebels", "turkey"}
    page = as_code(client, codes["instructor"]).get("/debrief")
    assert page.status_code == 200 and "Turn 1" in page.text and "tempo: all out" in page.text   # in words
    png = as_code(client, codes["instructor"]).get("/api/instructor/debrief/map.png?turn=0&picture=rebels")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def test_the_white_cell_acts_and_bad_requests_are_explained(app, game):
    client = as_code(new_client(app), game["codes"]["instructor"])
    ok = [("pause", {}), ("resume", {}), ("inject", {"kind": "weather", "params": {"weather": "bad"}}),
          ("inject", {"kind": "note", "params": {"text": "The UN calls for a ceasefire"}}),
          ("inject", {"kind": "russian_aircraft", "params": {"aircraft": "6"}}),
          ("override", {"kind": "city", "params": {"city": "idlib", "side": "regime"}}),
          ("resolve", {}), ("rewind", {"turn": "0"})]
    for action, body in ok:
        r = client.post(f"/api/instructor/{action}", json=body)
        assert r.status_code == 200, (action, r.text)
    bad = [("inject", {"kind": "russian_aircraft", "params": {"aircraft": "lots"}}, "not a whole number"),
           ("inject", {"kind": "city", "params": {}}, "kind must be one of"),
           ("override", {"kind": "unit", "params": {"unit": "nobody", "morale": 2}}, "between 0 and 1"),
           ("override", {"kind": "unit", "params": {"unit": "nobody", "morale": 0.5}}, "no unit 'nobody'"),
           ("rewind", {"turn": 7}, "rewind: turn must be between 0 and 0"),
           ("inject", {"kind": "weather", "params": {"weather": "snow"}}, "bad or clear")]
    log_before = len(client.get("/api/instructor/view").json()["interventions"])
    for action, body, words in bad:
        r = client.post(f"/api/instructor/{action}", json=body)
        assert r.status_code == 400, (action, body, r.text)
        assert words in " ".join(r.json()["errors"]), (words, r.json())
    assert len(client.get("/api/instructor/view").json()["interventions"]) == log_before
    assert client.post("/api/instructor/explode", json={}).status_code == 404
    # resume resolves a turn every human team had finished while the game was paused
    client.post("/api/instructor/pause", json={})
    for team in HUMANS:
        assert as_code(client, game["codes"][team]).post("/api/orders", json={}).status_code == 200
    as_code(client, game["codes"]["instructor"])
    assert client.get("/api/status").json()["turn"] == 0
    r = client.post("/api/instructor/resume", json={})
    assert r.status_code == 200 and r.json()["status"]["turn"] == 1


def test_pages_load_nothing_from_elsewhere(app, game):
    """Every page works on a network with no internet: no external URL, a CSP of 'self', local assets."""
    client = new_client(app)
    pages = [(None, "/"), (game["codes"]["regime"], "/team"), (game["codes"]["instructor"], "/instructor"),
             (game["codes"]["instructor"], "/debrief"), (game["codes"]["rebels"], "/projector")]
    for code, path in pages:
        r = as_code(client, code).get(path)
        assert r.status_code == 200, path
        assert not re.search(r"(src|href|action)=\"(https?:)?//", r.text), path
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert "<script>" not in r.text and " style=" not in r.text      # the CSP allows neither inline
    for asset in ("/static/play.css", "/static/play.js"):
        r = client.get(asset)
        assert r.status_code == 200 and "http://" not in r.text and "https://" not in r.text
    assert client.get("/static/../server.py").status_code == 404


def test_orders_and_resolves_meant_for_a_resolved_turn_are_refused_with_409(app, game):
    client = new_client(app)
    codes = game["codes"]
    as_code(client, codes["instructor"])
    assert client.post("/api/instructor/resolve", json={}, headers={"X-Game-Turn": "0"}).status_code == 200
    again = client.post("/api/instructor/resolve", json={}, headers={"X-Game-Turn": "0"})    # a double click
    assert again.status_code == 409 and "already been resolved" in again.json()["errors"][0]
    team = next(iter(HUMANS))
    late = as_code(client, codes[team]).post("/api/orders", json={}, headers={"X-Game-Turn": "0"})
    assert late.status_code == 409
    assert game["store"].orders(game["id"], 1) == {}                      # nothing stored for the new turn


def test_guessing_codes_never_locks_out_a_valid_code(app, game):
    client = new_client(app)
    for k in range(120):
        as_code(client, f"WRONG{k:03d}").get("/api/status")
    assert as_code(client, "WRONG999").get("/api/status").status_code == 429
    assert as_code(client, game["codes"]["instructor"]).get("/api/status").status_code == 200
    app.state.gate.failed.clear()


def test_the_instructor_gets_the_after_action_report_of_the_game_and_teams_do_not(app, game):
    client = new_client(app)
    team = next(iter(HUMANS))
    assert as_code(client, game["codes"][team]).get("/instructor/report").status_code == 403
    r = as_code(client, game["codes"]["instructor"]).get("/instructor/report")
    assert r.status_code == 202 and "being drawn" in r.text          # by the report worker (test_play_reports.py)
    given_up = time.monotonic() + 600
    while r.status_code == 202 and time.monotonic() < given_up:
        time.sleep(0.5)
        r = as_code(client, game["codes"]["instructor"]).get("/instructor/report")
    assert r.status_code == 200 and "After-action report" in r.text and 'id="why"' in r.text
    assert "style-src 'unsafe-inline'" in r.headers["content-security-policy"]
    assert "script-src" not in r.headers["content-security-policy"]          # a report runs no script


def test_games_evicted_from_memory_come_back_as_they_were(app, monkeypatch):
    from wargame.web import hub

    monkeypatch.setattr(hub, "MAX_LOADED", 1)
    first, second = create_game(app), create_game(app)
    client = new_client(app)
    team = next(iter(HUMANS))
    assert as_code(client, first["codes"][team]).post("/api/orders", json={"sectors": {"aleppo": {"stance": "hold"}}}
                                                      ).status_code == 200
    as_code(client, second["codes"]["instructor"]).get("/api/instructor/view")   # the first game leaves memory
    assert first["id"] not in app.state.hub.games
    status = as_code(client, first["codes"]["instructor"]).get("/api/instructor/view").json()
    assert status["orders"][team]["sectors"]["aleppo"]["stance"] == "hold"  # replayed from the file


def test_the_projector_code_opens_the_public_view_and_nothing_else(app, game):
    client = as_code(new_client(app), game["codes"]["projector"])
    assert client.get("/projector").status_code == 200
    assert client.get("/api/status").status_code == 200
    for path in ("/api/view", "/api/map.png", "/api/instructor/view", "/instructor/report", "/api/messages",
                 "/api/instructor/messages"):
        assert client.get(path).status_code == 403, path
    assert client.post("/api/orders", json={}).status_code == 403
    assert client.post("/api/messages", json={"to": "regime", "text": "hi"}).status_code == 403
    assert "inbox" not in client.get("/api/status").json()
    assert client.get("/team", follow_redirects=False).headers["location"] == "/projector"


# ---------------------------------------------------------------------------------------------- hardening:
# no path from the network, no 500 on any input, bodies capped as they stream, origins checked

SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")
NESTED = "[" * 31_000 + "]" * 31_000                   # 62 KB: under the size limit, deeper than Python recurses


def page_text(r) -> str:
    return html.unescape(r.text)


@pytest.mark.parametrize("scenario", ["/etc/shadow", "/etc/passwd", "/root", "../../../etc/passwd", "hts_2024.toml",
                                      "wargame/scenarios/hts_2024.toml", str(DATA / "duel.toml"), "HTS_2024"])
def test_a_new_game_takes_a_built_in_scenario_by_name_and_never_opens_a_path(app, scenario, monkeypatch):
    from wargame.core.scenario import loader

    def no_files(path):
        raise AssertionError(f"the server read {path}")

    monkeypatch.setattr(loader, "read_toml", no_files)
    games = len(app.state.hub.store._rows("SELECT id FROM games", ()))
    r = new_client(app).post("/games", data={"humans": "russia", "scenario": scenario})
    assert r.status_code == 400
    text = page_text(r)
    assert f"scenario: {scenario!r} is not a built-in scenario" in text and "hts_2024_classroom" in text
    for leak in ("not valid TOML", "directory", "cannot be read", "Permission", "root:"):
        assert leak not in text, leak
    assert len(app.state.hub.store._rows("SELECT id FROM games", ())) == games


def upload(client, text: str | bytes, name: str = "our idlib.toml", **fields):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/games", data={"humans": ["regime", "rebels"], **fields},
                       files={"scenario_file": (name, data, "application/octet-stream")})


def test_an_uploaded_scenario_makes_a_game_kept_in_the_record_that_replays_after_a_restart(tmp_path):
    db = tmp_path / "games.sqlite"
    text = 'extends = "hts_2024_classroom"\n\n[meta]\ntitle = "Our own Idlib offensive"\n'
    client = new_client(make_app(db))
    r = upload(client, text, scenario="/etc/passwd")       # the file wins over the (ignored) name
    assert r.status_code == 303, page_text(r)
    code = r.cookies.get(COOKIE)
    assert "our_idlib (uploaded)" in page_text(client.get("/instructor/codes"))
    status = client.get("/api/status", headers={"X-Game-Code": code}).json()
    assert status["title"] == "Our own Idlib offensive" and status["scenario"] == "our_idlib"
    from wargame.play.store import GameStore

    store = GameStore(db)
    assert store.scenario_text(status["game"]) == text             # the text, in the game's own record
    assert store.config(status["game"])["uploaded"] is True
    assert as_code(client, code).post("/api/instructor/resolve", json={}).status_code == 200
    restarted = new_client(make_app(db))                             # a new server on the same file
    again = restarted.get("/api/status", headers={"X-Game-Code": code}).json()
    assert again["title"] == "Our own Idlib offensive" and again["turn"] == 1
    assert restarted.get("/api/instructor/map.png", headers={"X-Game-Code": code}).content[:4] == b"\x89PNG"


UNITS_3000 = 'extends = "hts_2024_classroom"\n' + "".join(
    f'[units.extra{i}]\nfaction = "hts"\nname = "x"\nlat = 36.0\nlon = 36.9\ncount = 100\npersonnel = 100\n'
    for i in range(30))


def _classroom_units() -> int:
    from wargame.core.scenario import load_scenario

    return sum(u.count for u in load_scenario("hts_2024_classroom").scenario.units.values())


@pytest.mark.parametrize("text, status, words", [
    ('extends = "/etc/passwd"\n', 400, ["extends", "'/etc/passwd'", "built-in scenario only"]),
    ('extends = "../wargame/scenarios/hts_2024.toml"\n', 400, ["built-in scenario only"]),
    (UNITS_3000, 400, [f"{3000 + _classroom_units():,} ground units", "2,000 at most"]),   # the scenario's own too
    ('extends = "hts_2024_classroom"\n[theatre]\ncell_km = 2.0\nsouth = 29.0\nnorth = 40.0\nwest = 33.0\n'
     'east = 44.0\n', 400, ["hexes", "50,000 at most"]),
    ("a = " + "[" * 1000 + "]" * 1000, 400, ["not valid TOML", "too deeply"]),
    ("a = " + "[" * 100 + "]" * 100, 400, ["more than 32 deep"]),
    ("a = 1" + "1" * 5000, 400, ["not valid TOML", "digits"]),
    (b"\xff\xfe[meta]", 400, ["not UTF-8"]),
    ("[meta]\ntitle = 1\n", 400, ["our_idlib (uploaded): meta.title"]),
    ("x" * 260_000, 400, ["260,000 bytes", "256,000 at most"]),
    ("x" * 300_000, 413, ["request too large"]),
])
def test_an_uploaded_scenario_that_cannot_be_played_is_refused_naming_why(app, text, status, words):
    r = upload(new_client(app), text)
    assert r.status_code == status, page_text(r)[:2000]
    for word in words:
        assert word in page_text(r), word


def test_a_script_may_send_a_scenarios_text_instead_of_a_file(app):
    r = new_client(app).post("/games", json={"humans": ["regime"], "scenario_name": "from a script",
                                             "scenario_file": 'extends = "/root"\n'})
    assert r.status_code == 400 and "from_a_script (uploaded): extends" in page_text(r)


def post_json_text(client, path: str, text: str, **headers):
    return client.post(path, content=text, headers={"Content-Type": "application/json", **headers})


def test_the_reported_500s_are_each_a_4xx_with_a_message_and_the_security_headers(app, shared_game):
    client = new_client(app)
    codes = shared_game["codes"]
    instructor, regime = {"X-Game-Code": codes["instructor"]}, {"X-Game-Code": codes["regime"]}
    answers = [
        (post_json_text(client, "/join", NESTED), 400, "more than 32 deep"),
        (post_json_text(client, "/api/orders", NESTED, **regime), 400, "more than 32 deep"),
        (client.post("/games", json={"humans": 5}), 400, "humans: give the teams played by students as a list"),
        (client.post("/games", json={"humans": [{}], "seed": [1]}), 400, "humans: give the teams"),
        (client.post("/games", data={"humans": "regime", "seed": "99999999999999999999"}), 400,
         "seed: must lie between"),
        (client.post("/games", data={"humans": "regime", "turn_hours": "inf"}), 400, "turn hours: 'inf' is not a"),
        (post_json_text(client, "/api/instructor/rewind", '{"turn": 1e400}', **instructor), 400,
         "the number 1e400 is too large"),
        (post_json_text(client, "/api/instructor/rewind", '{"turn": NaN}', **instructor), 400,
         "NaN is not a number JSON allows"),
        (post_json_text(client, "/api/instructor/inject",
                        '{"kind": "russian_aircraft", "params": {"aircraft": Infinity}}', **instructor), 400,
         "Infinity is not a number JSON allows"),
        (client.post("/api/instructor/inject", json={"kind": "russian_aircraft", "params": {"aircraft": 10**30}},
                     headers=instructor), 400, "is too large"),
        (client.post("/api/instructor/inject", data={"kind": "russian_aircraft", "params": "x"},
                     headers=instructor), 400, "params must be a JSON object"),
        (client.post("/api/instructor/inject", json={"kind": "parameter", "params": {
            "path": "rules.combat.reference_power", "value": NESTED[:20_000]}}, headers=instructor), 400, ""),
        (client.get("/api/instructor/debrief/map.png?turn=99999999999999999999", headers=instructor), 400,
         "must lie between 0 and 100000"),
        (client.get("/api/instructor/debrief/map.png?turn=%C2%B2", headers=instructor), 400, "not a whole number"),
        (client.get("/static/play.css%00.py"), 404, ""),
        (client.post("/api/orders", json={}, headers={**regime, "X-Game-Turn": "²".encode()}), 200, ""),
    ]
    for r, status, words in answers:
        assert r.status_code == status, (r.request.url, r.status_code, r.text[:300])
        assert words in page_text(r), (r.request.url, page_text(r)[:3000])
        for header in SECURITY_HEADERS:
            assert header in r.headers, (r.request.url, header)


def test_a_text_plain_body_is_not_taken_for_json(app, shared_game):
    client = new_client(app)
    regime = {"X-Game-Code": shared_game["codes"]["regime"]}
    before = shared_game["store"].orders(shared_game["id"], 0).get("regime")
    r = client.post("/api/orders", content='{"sectors": {"aleppo": {"stance": "withdraw"}}}',
                    headers={"Content-Type": "text/plain", **regime})
    assert r.status_code == 415 and "send JSON (Content-Type: application/json)" in r.json()["errors"][0]
    assert shared_game["store"].orders(shared_game["id"], 0).get("regime") == before
    assert client.post("/join", content='{"code": "X"}', headers={"Content-Type": "text/plain"}).status_code == 415


def asgi_post(app, path: str, headers: dict, chunks: int, chunk: bytes) -> tuple[int, int]:
    """POST a body of `chunks` chunks straight to the ASGI app: (the answer's status, chunks it read)."""
    import asyncio

    read, answer = 0, []

    async def receive():
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < chunks}

    async def send(message):
        answer.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 40000), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    return answer[0]["status"], read


def test_a_body_is_refused_as_it_streams_in_past_the_limit_not_after(app, shared_game):
    from wargame.web.security import MAX_BODY

    headers = {"Content-Type": "application/json", "X-Game-Code": shared_game["codes"]["regime"]}
    status, read = asgi_post(app, "/api/orders", headers, chunks=10_000, chunk=b" " * 10_000)   # 100 MB offered
    assert status == 413 and read <= MAX_BODY // 10_000 + 1
    status, read = asgi_post(app, "/api/orders", {**headers, "Content-Length": str(10**8)}, 10_000, b" " * 10_000)
    assert status == 413 and read == 0                                 # a declared length over the limit: none
    status, read = asgi_post(app, "/join", {"Content-Type": "application/x-www-form-urlencoded"}, 10_000, b"a" * 10_000)
    assert status == 413 and read <= MAX_BODY // 10_000 + 1


def test_an_unexpected_error_is_a_bare_500_with_the_security_headers(app, shared_game, monkeypatch):
    from wargame.play.game import Game

    def broken(self, team):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Game, "view", broken)
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    for path in ("/api/view", "/team"):
        r = client.get(path, headers={"X-Game-Code": shared_game["codes"]["regime"]})
        assert r.status_code == 500, path
        assert "a bug" not in r.text and "Traceback" not in r.text and "internal error" in r.text.lower()
        for header in SECURITY_HEADERS:
            assert header in r.headers, (path, header)


def test_changes_from_another_sites_pages_are_refused(app, shared_game):
    client = new_client(app)
    codes, store, gid = shared_game["codes"], shared_game["store"], shared_game["id"]
    before = store.orders(gid, 0).get("regime")
    order = {"sectors": {"aleppo": {"stance": "withdraw"}}}
    evil = [{"Origin": "http://evil.example"}, {"Origin": "http://testserver.evil.example"},
            {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site", "Origin": "null"}, {"Origin": "http://["}]
    for headers in evil:
        for path in ("/api/orders", "/join", "/games", "/logout", "/api/instructor/pause"):
            r = client.post(path, json=order, headers={"X-Game-Code": codes["regime"], **headers})
            assert r.status_code == 403 and "another site" in page_text(r), (path, headers, r.status_code)
    # the browser's cookie on a form with no Origin (an old browser, or a forged post) is refused
    as_code(client, codes["regime"])
    r = client.post("/api/orders", data={"tempo": "x"})
    assert r.status_code == 403 and "no Origin header" in r.json()["errors"][0]
    r = client.post("/api/orders", content=b"")                    # no body, no type: a form can send that
    assert r.status_code == 403
    r = client.post("/api/orders", data={"tempo": "x"}, headers={"Origin": "null"})
    assert r.status_code == 403
    assert store.orders(gid, 0).get("regime") == before
    # ... and the pages' own requests pass: Origin this server, or "null" that the browser says is same-origin
    as_code(client, codes["instructor"])
    for headers in ({"Origin": "http://testserver"}, {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
                    {"Sec-Fetch-Site": "same-origin"}):
        assert client.post("/api/instructor/pause", data={}, headers=headers).status_code == 200, headers
    assert client.post("/api/instructor/resume", json={}).status_code == 200          # JSON: a script's, as before
    client.cookies.clear()
    assert client.post("/api/instructor/pause", data={}, headers={"X-Game-Code": codes["instructor"]}).status_code \
        == 200                                                       # the header: never sent by another site
    assert client.post("/api/instructor/resume", json={}, headers={"X-Game-Code": codes["instructor"]}).status_code \
        == 200
    assert client.get("/").headers["referrer-policy"] == "same-origin"   # so browsers send the Origin here


def test_the_code_throttle_counts_the_socket_peer_never_x_forwarded_for(app, tmp_path, monkeypatch):
    from wargame.web.app import serve
    from wargame.web.security import FAILED_LIMIT

    client = new_client(app)
    app.state.gate.failed.clear()
    answers = [as_code(client, None).get("/api/status", headers={"X-Game-Code": f"WRONG{k:03d}",
                                                                 "X-Forwarded-For": f"10.0.{k // 250}.{k % 250}"})
               for k in range(FAILED_LIMIT + 2)]
    assert answers[-1].status_code == 429
    app.state.gate.failed.clear()
    import uvicorn

    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: ran.update(kwargs))
    serve(tmp_path / "games.sqlite", host="127.0.0.1", port=8000)
    assert ran["proxy_headers"] is False         # uvicorn would otherwise take the client from that header


def _will_section(page: str) -> str:
    match = re.search(r'<section class="card willcol" id="will">(.*?)</section>', page, flags=re.S)
    assert match, "no will card on the page"
    return html.unescape(match.group(1))


def test_a_team_page_shows_its_own_will_and_not_the_enemys(app, game):
    client = new_client(app)
    codes = game["codes"]
    assert as_code(client, codes["instructor"]).post("/api/instructor/resolve", json={}).status_code == 200
    regime = as_code(client, codes["regime"]).get("/team")
    rebels = as_code(client, codes["rebels"]).get("/team")
    mine = _will_section(regime.text)
    assert "Your will to fight" in mine and "Syrian Arab Army" in mine and "The regime's leadership" in mine
    assert "Your regime collapses if its leadership's will falls below 0.15" in mine
    view = as_code(client, codes["regime"]).get("/api/view").json()["will"]
    lead = next(x for x in view["entries"] if x["id"] == "regime_leadership")
    change = f"{lead['change']:+.2f}" if abs(lead["change"]) > 0.005 else "0.00"      # never "-0.00"
    assert f"{lead['value']:.2f}" in mine and f">{change}<" in mine and ">-0.00<" not in mine
    theirs = _will_section(rebels.text)
    assert "HTS-led Military Operations Command" in theirs
    assert "Syrian Arab Army" not in theirs and "leadership" not in theirs
    assert "regime_leadership" not in as_code(client, codes["rebels"]).get("/api/view").text
    # the instructor sees every will
    console = as_code(client, codes["instructor"]).get("/instructor").text
    assert "The will to fight" in console and "The regime&#x27;s leadership" in console
    assert "HTS-led Military Operations Command" in console.split('id="will"')[1]
    debrief = as_code(client, codes["instructor"]).get("/debrief").text
    assert "Will to fight at the end of the turn: The regime&#x27;s leadership" in debrief


# ---------------------------------------------------------------------------------------------- talks

def test_messages_reach_their_addressee_only_are_refused_clearly_and_survive_a_restart(app, game, tmp_path):
    client = new_client(app)
    codes = game["codes"]
    r = as_code(client, codes["regime"]).post("/api/messages", json={"to": "HTS-led rebels", "text": "Leave Saraqib."})
    assert r.status_code == 200 and r.json()["to"] == "rebels" and r.json()["turn"] == 0
    assert r.json()["result"] == "message sent to HTS-led rebels"
    r = as_code(client, codes["instructor"]).post("/api/instructor/messages", json={"to": "all", "text": "Talks now."})
    assert r.status_code == 200
    r = as_code(client, codes["iran"]).post("/api/messages", json={"to": "white_cell", "text": "<script>alert(1)</script>"})
    assert r.status_code == 200
    console = as_code(client, codes["instructor"]).get("/instructor").text
    assert "<script>alert(1)" not in console and "&lt;script&gt;alert(1)&lt;/script&gt;" in console
    rebels = as_code(client, codes["rebels"]).get("/api/messages").json()
    assert [(m["from"], m["to"], m["text"]) for m in rebels] == [("regime", "rebels", "Leave Saraqib."),
                                                                 ("white_cell", "all", "Talks now.")]
    assert [m["text"] for m in as_code(client, codes["iran"]).get("/api/messages").json()] == [
        "Talks now.", "<script>alert(1)</script>"]
    assert len(as_code(client, codes["instructor"]).get("/api/instructor/messages").json()) == 3
    # a team's status says how many it was sent (its page polls it); the instructor's carries no inbox
    assert as_code(client, codes["rebels"]).get("/api/status").json()["inbox"] == 2
    assert as_code(client, codes["regime"]).get("/api/status").json()["inbox"] == 1
    assert "inbox" not in as_code(client, codes["instructor"]).get("/api/status").json()

    bad = [({"to": "narnia", "text": "x"}, ["to:", "'narnia' is not someone you can write to"]),
           ({"to": "regime", "text": "x"}, ["to:", "yourself"]),
           ({"to": "all", "text": "x"}, ["to:", "'all' is not someone"]),
           ({"text": "x"}, ["to:", "say whom"]),
           ({"to": "rebels", "text": ""}, ["text:", "empty"]),
           ({"to": "rebels", "text": 5}, ["text:", "must be text"]),
           ({"to": "rebels", "text": "x" * 1001}, ["text:", "1,000 at most"]),
           ("[1, 2]", ["JSON object"])]
    for body, words in bad:
        kwargs = {"content": body, "headers": {"Content-Type": "application/json"}} if isinstance(body, str) \
            else {"json": body}
        r = as_code(client, codes["regime"]).post("/api/messages", **kwargs)
        assert r.status_code == 400, (body, r.text)
        for word in words:
            assert word in " ".join(r.json()["errors"]), (word, r.json())
    assert len(game["store"].messages(game["id"])) == 3

    # the pages: the addressee's page shows it, another team's does not; the console and the debrief show all
    page = page_text(as_code(client, codes["rebels"]).get("/team"))
    assert "Leave Saraqib." in page and 'id="message-form"' in page and 'data-inbox="2"' in page
    assert "Leave Saraqib." not in page_text(as_code(client, codes["iran"]).get("/team"))
    console = page_text(as_code(client, codes["instructor"]).get("/instructor"))
    assert "Leave Saraqib." in console and "Talks now." in console and "A local surrender" in console
    assert "Leave Saraqib." in page_text(as_code(client, codes["instructor"]).get("/debrief"))

    # a server started again on the same file has them
    again = new_client(make_app(game["store"].path))
    assert [m["text"] for m in as_code(again, codes["rebels"]).get("/api/messages").json()] == ["Leave Saraqib.",
                                                                                                "Talks now."]


def test_the_white_cell_adjudicates_a_surrender_and_a_freeze_and_bad_requests_are_explained(app, game):
    client = as_code(new_client(app), game["codes"]["instructor"])
    bad = [({"kind": "weather", "params": {}}, "kind must be one of surrender, freeze"),
           ({"kind": "surrender", "params": {"place": "atlantis", "side": "regime", "to": "opposition"}},
            "'atlantis' is not a place"),
           ({"kind": "surrender", "params": {"place": "", "sector": "", "side": "regime", "to": "opposition"}},
            "give the town (place) or the sector"),
           ({"kind": "surrender", "params": {"place": "saraqib", "side": "regime", "to": "regime"}}, "not at war"),
           ({"kind": "surrender", "params": "saraqib"}, "params must be a JSON object")]
    for body, words in bad:
        r = client.post("/api/instructor/adjudicate", json=body)
        assert r.status_code == 400, (body, r.text)
        assert words in " ".join(r.json()["errors"]), (words, r.json())
    assert client.get("/api/instructor/view").json()["interventions"] == []
    r = client.post("/api/instructor/adjudicate", json={"kind": "surrender", "params": {
        "place": "saraqib", "sector": "", "side": "regime", "to": "opposition"}})
    assert r.status_code == 200 and "surrender negotiated at Saraqib" in r.json()["result"]
    r = client.post("/api/instructor/adjudicate", json={"kind": "freeze", "params": {}})
    assert r.status_code == 200 and "freeze the north-west" in r.json()["result"]
    assert [x["kind"] for x in client.get("/api/instructor/view").json()["interventions"]] == ["surrender", "freeze"]
    assert "The north-west is frozen already." in page_text(client.get("/instructor"))
    assert client.post("/api/instructor/resolve", json={}).status_code == 200
    for team in HUMANS:
        page = page_text(as_code(client, game["codes"][team]).get("/team"))
        assert "surrender negotiated at Saraqib" in page and "freeze the north-west" in page, team
    debrief = page_text(as_code(client, game["codes"]["instructor"]).get("/debrief"))
    assert "surrender negotiated at Saraqib" in debrief and "Saraqib taken by" in debrief
