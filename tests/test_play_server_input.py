"""The classroom server's side of what students type and read (issue 16, deliverables 5 and 7): join codes
as typed, one turn number, orders that carry over, confirmations of the instructor's irreversible actions,
a refused no-op override and the favicon."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

from tests.test_play_server import as_code, create_game, new_client
from wargame.web.app import make_app
from wargame.web.security import COOKIE

SAME_ORIGIN = {"Origin": "http://testserver"}          # what a browser sends with a form of this server's page


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("server_input") / "games.sqlite")


@pytest.fixture
def game(app):
    return create_game(app)


def test_a_join_code_typed_with_spaces_and_in_lower_case_joins(app, game):
    code = game["codes"]["rebels"]
    r = as_code(new_client(app), None).post("/join", data={"code": f" {code[:3].lower()} {code[3:]} "})
    assert r.status_code == 303 and r.headers["location"] == "/team" and r.cookies.get(COOKIE) == code


def test_the_favicon_is_served_locally_and_every_page_links_it(app, game):
    client = new_client(app)
    for path in ("/favicon.ico", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml") and b"<svg" in r.content
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").text


def turn_shown(text: str) -> int:
    return int(re.search(r'id="s-turn">Turn <b>(\d+)</b>', text).group(1))


def test_one_turn_number_and_orders_that_stand_unless_changed(app, game):
    client = new_client(app)
    codes = game["codes"]
    orders = {"sectors": {"Idlib": {"stance": "attack", "axis": "Aleppo airport"}}, "tempo": "steady"}
    assert as_code(client, codes["rebels"]).post("/api/orders", json=orders).status_code == 200
    assert as_code(client, codes["instructor"]).post("/api/instructor/resolve", json={}).status_code == 200
    status = as_code(client, codes["rebels"]).get("/api/status").json()
    page = as_code(client, codes["rebels"]).get("/team").text
    assert status["turn_number"] == turn_shown(page) == 2 and "Orders for turn 2" in page
    assert "Your orders from turn 1 stand unless you change them" in page
    assert re.search(r'<tr data-sector="idlib">.*?<option value="attack" selected>.*?value="Aleppo airport"', page,
                     re.S)                                        # the form shows them, as the page will send them
    assert re.search(r'<option value="steady" selected>', page)
    log = as_code(client, codes["instructor"]).get("/api/instructor/view").json()["log"]
    assert [x["detail"]["turn_number"] for x in log if x["action"] == "turn resolved"] == [1]
    console = as_code(client, codes["instructor"]).get("/instructor").text
    assert turn_shown(console) == 2 and "1 units" not in page + console


def test_resolve_and_rewind_ask_for_confirmation_and_work_without_javascript(app, game):
    client = as_code(new_client(app), game["codes"]["instructor"])
    store, gid = game["store"], game["id"]
    console = client.get("/instructor").text
    resolve_form = re.search(r'<form class="api inline" data-endpoint="/api/instructor/resolve"[^>]*>', console).group(0)
    assert 'action="/instructor/confirm"' in resolve_form and "data-confirm=" in resolve_form
    asked = client.get("/instructor/confirm", params={"action": "resolve", "at": "0"})
    assert asked.status_code == 200 and "Resolve turn 1 now?" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert len(store.turns(gid)) == 0                              # asking does nothing
    refused = client.post("/instructor/confirm", data={"action": "resolve", "at": "0"}, headers=SAME_ORIGIN)
    assert refused.status_code == 400 and "not confirmed" in refused.text and len(store.turns(gid)) == 0
    done = client.post("/instructor/confirm", data={"action": "resolve", "at": "0", "confirm": "yes"},
                       headers=SAME_ORIGIN)
    assert done.status_code == 303 and done.headers["location"] == "/instructor" and len(store.turns(gid)) == 1
    again = client.post("/instructor/confirm", data={"action": "resolve", "at": "0", "confirm": "yes"},
                        headers=SAME_ORIGIN)                       # the same page sent twice: a stale turn
    assert again.status_code == 409 and len(store.turns(gid)) == 1
    asked = client.get("/instructor/confirm", params={"action": "rewind", "at": "1", "turn": "0"})
    assert "Rewind to the start of turn 1?" in asked.text
    done = client.post("/instructor/confirm", data={"action": "rewind", "at": "1", "turn": "0", "confirm": "yes"},
                       headers=SAME_ORIGIN)
    assert done.status_code == 303 and len(store.turns(gid)) == 0
    assert client.get("/instructor/confirm", params={"action": "delete", "at": "0"}).status_code == 404
    forged = client.post("/instructor/confirm", data={"action": "resolve", "at": "0", "confirm": "yes"})
    assert forged.status_code == 403 and len(store.turns(gid)) == 0   # a form from no page of this server
    team = as_code(new_client(app), game["codes"]["rebels"])
    assert team.get("/instructor/confirm", params={"action": "resolve", "at": "0"}).status_code == 403
    assert team.post("/instructor/confirm", data={"action": "resolve", "at": "0", "confirm": "yes"},
                     headers=SAME_ORIGIN).status_code == 403


def test_giving_a_city_to_its_holder_is_refused_with_a_clear_message(app, game):
    client = as_code(new_client(app), game["codes"]["instructor"])
    model = app.state.hub.games[game["id"]].model
    holder = model.side_ids[int(model.control[model.theatre.cities["hama"].cells[0]])]
    r = client.post("/api/instructor/override", json={"kind": "city", "params": {"city": "hama", "side": holder}})
    assert r.status_code == 400 and re.match(r"city: Hama is already held by .+; choose another side",
                                             r.json()["errors"][0])
    assert client.get("/api/instructor/view").json()["interventions"] == []


def test_a_tap_on_the_map_is_answered_with_its_sector_for_any_code_and_bad_points_are_refused(app, game):
    client = new_client(app)
    spot = {"area": "front", "x": "0.574", "y": "0.441"}
    assert as_code(client, None).get("/api/map/sector", params=spot).status_code == 401
    for who in ("rebels", "instructor", "projector"):
        r = as_code(client, game["codes"][who]).get("/api/map/sector", params=spot)
        assert r.status_code == 200 and r.json()["sector"] == "idlib" and r.json()["place_name"] == "Saraqib", who
    for bad in ({"x": "left", "y": "0.5"}, {"x": "0.5"}, {"x": "2", "y": "0.5"}, {"x": "nan", "y": "0.5"},
                {"x": "0.005", "y": "0.005"}):
        r = as_code(client, game["codes"]["rebels"]).get("/api/map/sector", params=bad)
        assert r.status_code == 400 and re.search(r"fraction|outside the theatre", r.json()["errors"][0]), bad
