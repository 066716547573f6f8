"""The classroom web server (wargame.web) through its HTTP interface: who may see and do what,
how bad orders are refused, and a turn played by every human team.

The join code is the only credential; these tests try every route the app exposes with one team's code
and look for anything of another team's in the answers."""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from wargame.web.app import make_app
from wargame.web.security import COOKIE

HUMANS = ("regime", "rebels", "iran")
ACTIONS = ("resolve", "pause", "resume", "rewind", "inject", "override")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("server") / "games.sqlite")


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
    assert r.status_code == 200, r.text
    instructor = r.cookies.get(COOKIE)
    assert instructor and instructor in r.text                  # the creator sees the codes and is logged in
    iv = as_code(client, instructor).get("/api/instructor/view").json()
    codes = iv["codes"]
    assert set(codes) == {"instructor", "projector", *HUMANS}
    for team in HUMANS:
        assert codes[team] in r.text
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


def test_unknown_and_missing_codes_are_refused_everywhere(app, game):
    client = new_client(app)
    public = {("GET", "/"), ("POST", "/join"), ("POST", "/logout"), ("POST", "/games")}
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
    B's submitted orders; nothing A does changes B's orders."""
    client = new_client(app)
    codes, gid, store = game["codes"], game["id"], game["store"]
    assert as_code(client, codes["instructor"]).post("/api/instructor/pause", json={}).status_code == 200
    b_orders = {"tempo": "cautious", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}}
    assert as_code(client, codes["rebels"]).post("/api/orders", json=b_orders).status_code == 200
    stored_b = store.orders(gid, 0)["rebels"]

    b_view = as_code(client, codes["rebels"]).get("/api/view").json()
    a_view_text = as_code(client, codes["regime"]).get("/api/view").text
    a_status_text = as_code(client, codes["regime"]).get("/api/status").text
    secret = {u["unit"] for u in b_view["own"]} - set(re.findall(r'"unit":"([^"]+)"', a_view_text))
    secret = {k for k in secret if k not in a_status_text}
    assert len(secret) >= 5, "the rebels should have units the regime does not see"
    b_orders_text = ("cautious",)                   # rebels-only word: the regime's page never shows it

    tricks_query = {"team": "rebels", "role": "rebels", "game": gid, "picture": "rebels", "turn": "0",
                    "area": "all", "as": "instructor"}
    tricks_body = {"team": "rebels", "role": "instructor", "game": gid, "code": codes["regime"],
                   "kind": "note", "params": {"text": "x"}}
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
    ({"sectors": {"narnia": {"stance": "hold"}}}, ["sectors.narnia", "no such sector", "aleppo"]),
    ({"sectors": {"aleppo": {"stance": "charge"}}}, ["sectors.aleppo.stance", "must be one of", "withdraw"]),
    ({"sectors": {"aleppo": {"stance": "hold", "axis": "saraqib"}}}, ["sectors.aleppo.axis", "attack"]),
    ({"sectors": {"aleppo": {"stance": "attack", "axis": "atlantis"}}}, ["'atlantis' is not a place"]),
    ({"sectors": {"aleppo": "attack"}}, ["sectors.aleppo", "must be a table"]),
    ({"reserves_to": 5}, ["reserves_to", "text string"]),
    ({"reserves_to": "mars"}, ["reserves_to", "'mars' is not a sector"]),
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
    ({"recruits_per_week": -3}, ["recruits_per_week", "greater than or equal to 0"]),
    ({"recruits_per_week": "many"}, ["recruits_per_week", "must be a number"]),
    ({"iraqi_militias": True}, ["iraqi_militias"]),
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
    assert page.status_code == 200 and "Turn 1" in page.text and "all_out" in page.text
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
    for path in ("/api/view", "/api/map.png", "/api/instructor/view", "/instructor/report"):
        assert client.get(path).status_code == 403, path
    assert client.post("/api/orders", json={}).status_code == 403
    assert client.get("/team", follow_redirects=False).headers["location"] == "/projector"
