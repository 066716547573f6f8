"""The classroom pages after the user trial of issue 16 (its web items): the console offers nothing that
cannot be done (no resolve or pause once the game is over, no rewind to a turn that does not exist), speaks
in names and words (the Russian wings by name, units chosen from a list, the interventions and the log
without JSON, turns counted from 1), asks before it gives a city away; a team page leads to its order
form at once and puts a place's name, not its id, in the axis box; the debrief's orders are in words; the
projector's end page puts the result first and links to the debrief, which every code then opens.

A one-turn game (test_play_briefing.ONE_TURN) reaches the end in one resolve."""

from __future__ import annotations

import html
import re

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402
from test_play_briefing import ONE_TURN  # noqa: E402

from wargame.web.app import make_app  # noqa: E402
from wargame.web.security import COOKIE  # noqa: E402


@pytest.fixture
def one_turn(tmp_path):
    """A one-turn game with the regime and the rebels played by students: (client, codes, get)."""
    app = make_app(tmp_path / "games.sqlite")
    client = TestClient(app, follow_redirects=False)
    r = client.post("/games", data={"humans": ["regime", "rebels"], "turn_hours": "60"},
                    files={"scenario_file": ("one turn.toml", ONE_TURN.encode(), "application/octet-stream")})
    assert r.status_code == 303, r.text
    codes = client.get("/api/instructor/view", headers={"X-Game-Code": r.cookies.get(COOKIE)}).json()["codes"]

    def get(path: str, who: str):
        client.cookies.clear()
        return client.get(path, headers={"X-Game-Code": codes[who]})

    def post(path: str, who: str, body: dict):
        client.cookies.clear()
        return client.post(path, json=body, headers={"X-Game-Code": codes[who]})

    yield get, post, app
    app.state.reports.close()


def select(page: str, name: str, within: str = "") -> list[tuple[str, str]]:
    """(value, text) of every option of the first <select name=...> after `within` in the page."""
    start = page.index(within) if within else 0
    block = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page[start:], re.S).group(1)
    return [(html.unescape(v), html.unescape(t)) for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)', block)]


def test_the_console_names_things_and_offers_only_what_can_be_done(one_turn):
    get, post, _ = one_turn
    console = get("/instructor", "instructor").text
    # the Russian aircraft reach Russian wings only, named; no Syrian wing under the Russian heading
    wings = select(console, "wing")
    assert wings and all(v.startswith("ru_") for v, _ in wings), wings
    assert all(text and text != value for value, text in wings)                 # by name, not the key
    # the Israeli strike's targets say what each hits
    targets = dict(select(console, "target"))
    assert set(targets) == {"leadership", "depot", "convoy"} and "pipeline" in targets["convoy"]
    assert all(len(text) > len(value) + 10 for value, text in targets.items())
    # a unit is chosen by name from a list (defection, override), never typed as an id
    assert "Unit id" not in console
    units = select(console, "unit", 'data-kind="defection"')
    assert len(units) > 100 and units[0][0] == ""
    unit, unit_name = units[1]
    assert unit_name and unit_name != unit
    # "give a city" asks first, as resolve, rewind and the outcomes do
    assert re.search(r'data-kind="city" data-confirm="Give this city', console)
    # the interventions and the log in words: names, turns from 1, no JSON
    assert post("/api/instructor/inject", "instructor", {"kind": "defection", "params": {"unit": unit}}).status_code == 200
    assert post("/api/instructor/override", "instructor",
                {"kind": "city", "params": {"city": "saraqib", "side": "opposition"}}).status_code == 200
    assert post("/api/messages", "rebels", {"to": "regime", "text": "Walk out of Saraqib."}).status_code == 200
    console = html.unescape(get("/instructor", "instructor").text)
    interventions = re.search(r"<h2>Interventions</h2>(.*?)</div>", console, re.S).group(1)
    log = re.search(r'<ol class="log">(.*?)</ol>', console, re.S).group(1)
    assert f"a unit defects</b>: unit {unit_name}" in interventions and "Saraqib" in interventions
    assert unit not in interventions.replace(unit_name, "")
    for text in (interventions, log):
        assert "{" not in text and '"' not in re.sub(r"<[^>]*>", "", text), text[:600]
    assert "to The Assad regime; in turn 1" in log                    # the message's turn, counted from 1
    assert "turn 0" not in log
    # while the game goes on: resolve, pause, and a rewind to the turns played (here, only the first)
    assert 'id="resolve-now"' in console and "Pause the game" in console
    assert [v for v, _ in select(console, "turn")] == ["0"]

    for team in ("regime", "rebels"):                                  # the only turn resolves: the end
        assert post("/api/orders", team, {}).status_code == 200
    console = html.unescape(get("/instructor", "instructor").text)
    assert "The game is over" in console
    assert 'id="resolve-now"' not in console and "Pause the game" not in console and "Resume the game" not in console
    rewind = select(console, "turn")
    assert [v for v, _ in rewind] == ["0"] and rewind[0][1].startswith("turn 1 ")      # no "turn 2" of 1


def test_a_team_page_leads_to_its_orders_and_suggests_places_by_name(one_turn):
    get, post, _ = one_turn
    page = get("/team", "rebels").text
    # the order form is far down the page: a link to it right under the status bar
    assert re.search(r'</section>\s*<nav class="jump"[^>]*><a class="button" href="#orders" id="to-orders">', page)
    assert 'id="orders"' in page and "Tap the map to choose" in page
    # the axis suggestions put the name in the box, as the map writes it (an id only in no option)
    options = dict(re.findall(r'<option value="([^"]*)"(?: label="([^"]*)")?>', page.split('<datalist id="places">')[1]
                              .split("</datalist>")[0]))
    assert "aleppo_airport" not in options and "saraqib" not in options and "Saraqib" in options
    airport = next(v for v, label in options.items() if "al-Nayrab" in (label + v))
    assert "_" not in airport
    # the name chosen is an axis the server takes, and is shown back as the map writes it
    answer = post("/api/orders", "rebels", {"sectors": {"idlib": {"stance": "attack", "axis": html.unescape(airport)}},
                                            "tempo": "all_out"})
    assert answer.status_code == 200, answer.text
    assert post("/api/orders", "regime", {}).status_code == 200                     # the end
    page = get("/team", "rebels").text
    assert "Tap the map to choose" not in page and 'id="orders"' not in page
    assert '<a class="button" href="#result">' in page and 'id="result"' in page


def test_the_debrief_gives_the_orders_in_words_and_the_projector_leads_to_it_at_the_end(one_turn):
    get, post, _ = one_turn
    assert post("/api/orders", "rebels", {"sectors": {"idlib": {"stance": "attack", "axis": "Saraqib"}},
                                          "tempo": "all_out"}).status_code == 200
    assert post("/api/orders", "regime", {"reserves_to": "hama"}).status_code == 200
    for who in ("rebels", "projector", "instructor"):                # every code reads it once the game is over
        debrief = get("/debrief", who)
        assert debrief.status_code == 200
    text = html.unescape(debrief.text)
    assert "Idlib: attack towards Saraqib; tempo: all out" in text
    assert "reserves to: Hama" in text and "all_out" not in text and "reserves_to" not in text
    projector = html.unescape(get("/projector", "projector").text)
    main = projector.split('<main class="projector over">')[1]
    assert main.index('id="results"') < main.index('id="news"')              # the result first
    assert '<a class="button" href="/debrief" id="to-debrief">' in main
    assert 'id="statusbar"' not in main and 'id="open-for"' not in main    # no clock, no bar: the result says it
