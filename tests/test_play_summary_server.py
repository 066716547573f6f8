"""The turn summary through the classroom server: at the top of the team's page after a turn, its own
summaries on /api/summaries, the white cell's injects and every team's summary in the debrief, and never
another team's summary whatever route or trick a team tries."""

from __future__ import annotations

import html

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

from tests.test_play_server import HUMANS, as_code, create_game, new_client, team_routes
from wargame.web.app import make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("summary-server") / "games.sqlite")


@pytest.fixture(scope="module")
def resolved(app):
    """A game whose first turn is resolved, the rebels attacking, after an Israeli strike."""
    game = create_game(app)
    client = new_client(app)
    codes = game["codes"]
    r = as_code(client, codes["instructor"]).post("/api/instructor/inject",
                                                  json={"kind": "israeli_strike", "params": {"target": "leadership"}})
    assert r.status_code == 200, r.text
    orders = {"rebels": {"tempo": "all_out", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}}}
    for team in HUMANS:
        assert as_code(client, codes[team]).post("/api/orders", json=orders.get(team, {})).status_code == 200
    return game


def summary_of(app, game, team) -> dict:
    return as_code(new_client(app), game["codes"][team]).get("/api/view").json()["summary"]


def test_the_team_page_opens_with_the_summary_of_the_turn(app, resolved):
    client = new_client(app)
    for team in HUMANS:
        page = html.unescape(as_code(client, resolved["codes"][team]).get("/team").text)
        summary = summary_of(app, resolved, team)
        assert 'id="turn-summary"' in page and "What happened in turn 1" in page
        assert page.index('id="turn-summary"') < page.index('id="map"')          # at the top
        for section in summary["sections"]:
            assert section["title"] in page and all(line in page for line in section["lines"])
        assert "/api/view" not in page
        mine = as_code(client, resolved["codes"][team]).get("/api/summaries")
        assert mine.status_code == 200 and mine.json() == [summary]
    rebels = summary_of(app, resolved, "rebels")
    assert any(s["topic"] == "enemy_broke" for s in rebels["sections"])


def test_no_route_gives_a_team_another_teams_summary(app, resolved):
    """The regime's code, on every route, with every trick of naming the rebels: nothing of the rebels'
    summary that the regime does not learn itself (its will, its losses, the enemies it broke)."""
    client = new_client(app)
    codes = resolved["codes"]
    rebels = summary_of(app, resolved, "rebels")
    regime_text = str(summary_of(app, resolved, "regime"))
    secret = [line for s in rebels["sections"] if s["topic"] in ("will", "losses", "enemy_broke")
              for line in s["lines"] if line not in regime_text]
    assert len(secret) >= 3
    tricks = {"team": "rebels", "role": "rebels", "game": resolved["id"], "turn": "0", "as": "rebels"}
    for method, path in team_routes(app):
        if path == "/join":
            continue
        for kwargs in ({}, {"params": tricks, "headers": {"X-Team": "rebels"}}):
            r = as_code(client, codes["regime"]).request(method, path, **kwargs)
            body = html.unescape(r.text) if r.headers.get("content-type", "").startswith(("text", "application/json")) \
                else ""
            for line in secret:
                assert line not in body, (method, path, line)
    # and with no code, or the projector's, the summaries are refused
    assert as_code(client, None).get("/api/summaries").status_code == 401
    assert as_code(client, codes["projector"]).get("/api/summaries").status_code == 403


def test_the_debrief_shows_the_injects_who_they_reached_and_each_teams_summary(app, resolved):
    client = as_code(new_client(app), resolved["codes"]["instructor"])
    debrief = client.get("/api/instructor/debrief").json()
    strike = next(x for x in debrief[0]["injects"] if x["kind"] == "israeli_strike")
    # Iran's, whose militia was struck, and its allies' (the regime's, Russia's): every team of the struck side
    assert strike["teams"][0] == "iran" and "regime" in strike["teams"] and strike["text"].startswith("Israeli strike")
    page = html.unescape(client.get("/debrief").text)
    assert "The white cell" in page and strike["text"] in page and "reached: Iran and its militias" in page
    for team in HUMANS:
        assert f"What {team_name(team)} was told" in page
    iran = summary_of(app, resolved, "iran")
    assert strike["text"] in str(iran)


def team_name(team: str) -> str:
    from wargame.play.teams import TEAMS

    return TEAMS[team].name
