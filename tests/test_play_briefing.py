"""Briefings and results: each team's briefing from the scenario file (validated, a bad field named), shown
on its own page and in the hot-seat; the result at the end scored from the objectives; a finished game
offers no more orders, says why it ended and stops the projector's clock."""

from __future__ import annotations

import re

import pytest

from wargame.core.dates import date_of, format_date
from wargame.core.errors import ScenarioError
from wargame.core.scenario import load_scenario
from wargame.core.scenario.briefing import Briefings
from wargame.play.briefing import briefing_of, briefing_problems
from wargame.play.game import Game
from wargame.play.hotseat import play
from wargame.play.orders import ORDER_TYPES
from wargame.play.store import GameStore
from wargame.play.teams import TEAMS

# One turn of two and a half days (the SNA's reserves stir on day 2.5), with objectives the tests can reason
# about: by then the regime still holds Hama, Homs and Latakia (the front is 100 km north of Hama).
ONE_TURN = """extends = "hts_2024_classroom"

[meta]
duration_days = 2.5

[objectives.take_hama]
side = "opposition"
places = ["hama"]

[objectives.take_homs]
side = "opposition"
places = ["homs"]

[objectives.keep_latakia]
side = "regime"
kind = "hold"
places = ["latakia"]

[objectives.keep_hama]
side = "regime"
kind = "hold"
places = ["hama"]

[briefings.rebels]
objectives = ["take_hama", "take_homs"]

[briefings.regime]
objectives = ["keep_latakia", "keep_hama"]
"""


@pytest.fixture
def store(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    yield store
    store.close()


def one_turn_game(store, humans=("regime", "rebels")) -> Game:
    return Game.create(store, scenario="one_turn", scenario_text=ONE_TURN, humans=humans, turn_hours=60)


# ---------------------------------------------------------------------------------------------- briefings

def test_the_briefings_schema_names_exactly_the_classroom_teams():
    assert set(Briefings.model_fields) == set(TEAMS)


def test_the_classroom_scenario_briefs_every_team_from_the_history_files():
    spec = load_scenario("hts_2024_classroom").scenario
    assert briefing_problems(spec, "hts_2024_classroom") == []
    for team in TEAMS:
        briefing = briefing_of(spec, team)
        assert not briefing["generated"] and briefing["situation"] and briefing["winning"]
        assert any("docs/history/" in source for source in briefing["sources"]), team
        described = {x["name"] for x in briefing["levers"] if x["text"]}
        assert described == set(ORDER_TYPES[team].model_fields), team       # every lever it holds, explained
    assert [o["id"] for o in briefing_of(spec, "rebels")["objectives"]] == ["aleppo", "m5_south"]
    assert briefing_of(spec, "rebels")["objectives"][0]["text"] == "take Aleppo and Aleppo International Airport"
    assert [o["id"] for o in briefing_of(spec, "turkey")["objectives"]] == ["sna_north"]
    assert [o["id"] for o in briefing_of(spec, "regime")["objectives"]] == ["regime_cities"]
    assert briefing_of(spec, "israel")["objectives"] == []


def test_a_scenario_without_briefings_gets_one_drawn_from_its_forces_and_objectives():
    spec = load_scenario("hts_2024").scenario
    rebels, turkey = briefing_of(spec, "rebels"), briefing_of(spec, "turkey")
    assert rebels["generated"] and rebels["situation"] == spec.meta.description
    # the side's objectives its factions pursue: not the southern groups' nor the SNA's own
    assert [o["id"] for o in rebels["objectives"]] == ["aleppo", "m5_south", "hama_homs", "damascus"]
    assert [o["id"] for o in turkey["objectives"]] == ["sna_north", "sna_manbij"]
    assert re.search(r"^[^:]+: \d+ units, about [\d,]+ men", rebels["forces"])
    assert "Ankara" in turkey["patrons"]


@pytest.mark.parametrize("extra, words", [
    ("[briefings.regime]\nsituaton = 'x'\n", ["briefings.regime.situaton", "unknown key", "situation"]),
    ("[briefings.rebel]\nsituation = 'x'\n", ["briefings.rebel", "did you mean 'rebels'"]),
    ("[briefings.regime]\nobjectives = ['alepo']\n", ["briefings.regime.objectives[0]", "not a known objective"]),
    ("[briefings.rebels.levers]\ntempoo = 'x'\n", ["briefings.rebels.levers.tempoo", "not an order of rebels",
                                                  "sectors, tempo"]),
    ("[briefings.regime]\nobjectives = ['aleppo']\n", ["briefings.regime.objectives[0]", "opposition's",
                                                      "team regime plays regime"]),
    ("[briefings.regime]\nsituation = ''\n", ["briefings.regime.situation"]),
])
def test_a_bad_briefing_is_refused_naming_the_field(store, extra, words):
    with pytest.raises(ScenarioError) as caught:
        Game.create(store, scenario="bad", scenario_text='extends = "hts_2024_classroom"\n' + extra)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


# ---------------------------------------------------------------------------------------------- results

def test_the_result_of_each_team_is_scored_from_its_objectives(store):
    game = one_turn_game(store)
    assert game.status()["results"] is None and game.view("rebels")["result"] is None      # not before the end
    game.resolve()
    assert game.finished
    status = game.status()
    assert status["ended"] and "None" not in status["ended"]
    results = game.results()
    # after two and a half days nothing has changed hands in the south: the regime held, the rebels took nothing
    assert results["regime"]["verdict"] == "held" and results["rebels"]["verdict"] == "lost"
    assert "take Hama (not taken: Hama)" in results["rebels"]["reason"]
    assert status["results"]["rebels"]["verdict"] == "lost" and game.view("rebels")["result"]["verdict"] == "lost"

    # the test takes over the objective records: Hama falls to the rebels on day 0.25, in turn 1
    model = game.model
    opposition = model.side_index["opposition"]
    model.objective_progress.update(take_hama=1.0, keep_hama=0.0)
    model.objectives_achieved["take_hama"] = 0.25
    model.city_owner["hama"] = opposition
    rebels, regime = game.result("rebels"), game.result("regime")
    assert rebels["verdict"] == "partial" and rebels["reason"].startswith("1 of 2 objectives met")
    assert [o["met"] for o in rebels["objectives"]] == [True, False]
    # when, as every page says it: the date and the turn, never "day 0.2"
    start = format_date(date_of(model.spec.meta.start, 0.25), "short", pad_day=True)
    assert rebels["objectives"][0]["how"] == f"met on {start}, turn 1" and rebels["objectives"][0]["turn"] == 1
    assert regime["verdict"] == "partial" and "hold Hama (lost Hama)" in regime["reason"]

    model.objective_progress["take_homs"] = 1.0
    model.objectives_achieved["take_homs"] = 0.5
    assert game.result("rebels")["verdict"] == "won"
    model.objective_progress["keep_latakia"] = 0.0
    assert game.result("regime")["verdict"] == "lost"
    model.will.collapsed[model.side_index["regime"]] = 0.4
    regime = game.result("regime")
    assert regime["verdict"] == "lost" and regime["reason"] == (
        f"the regime collapsed on {format_date(date_of(model.spec.meta.start, 0.4), 'short', pad_day=True)}, turn 1")
    russia = game.result("russia")                       # a collapse is every team of the side's defeat
    assert russia["verdict"] == "lost" and "collapsed" in russia["reason"]


def test_a_game_ended_by_its_last_turn_says_so_and_the_report_never_says_none(store, tmp_path):
    game = one_turn_game(store)
    game.resolve()
    assert game.model.end_reason and game.end_reason == game.model.end_reason
    # a game cut short by its turns (the model could run on) names its last turn
    from wargame.play.result import end_reason

    game.model.end_reason = None
    assert end_reason(game.model, 1, 1, 2.5) == "the last turn (1 of 1) was played: the game's 2.5 days are over"


def test_a_report_of_a_game_still_in_play_says_it_has_not_ended(store):
    from wargame.output import metrics_frame, run_info
    from wargame.report.summary import summarise

    game = Game.create(store, humans=("rebels",))
    game.resolve()
    model = game.model
    text = summarise(model.spec, run_info(model), metrics_frame(model), model.events.to_dicts())
    assert "ended: not yet: this is the run so far" in text and "ended: None" not in text


def test_no_orders_are_taken_once_the_game_is_over(store):
    game = one_turn_game(store)
    game.resolve()
    with pytest.raises(Exception, match="the game is over"):
        game.submit("rebels", {})


# ---------------------------------------------------------------------------------------------- the hot-seat

def test_the_hot_seat_shows_the_briefing_at_the_start_on_request_and_the_result_at_the_end(store):
    game = one_turn_game(store)
    answers = iter(["", "briefing", "aleppo hold", "", ""])
    said: list[str] = []
    play(game, ask=lambda prompt: next(answers), say=said.append, clear=lambda: None)
    text = "\n".join(said)
    assert game.finished
    assert text.count("== Briefing: The Assad regime") == 2          # at the start, and asked for
    assert "== Briefing: HTS-led rebels" in text and "Objectives:" in text and "tempo:" in text
    assert "The game is over: end of the scenario's 2.5 days." in text
    assert "== The Assad regime: HELD: every objective met (2 of 2)" in text
    assert "== HTS-led rebels: LOST: 0 of 2 objectives met" in text


# ---------------------------------------------------------------------------------------------- the pages

starlette = pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")


def test_each_team_page_shows_its_own_briefing_then_its_result_and_no_order_form(tmp_path):
    from starlette.testclient import TestClient

    from wargame.web.app import make_app
    from wargame.web.security import COOKIE

    client = TestClient(make_app(tmp_path / "games.sqlite"), follow_redirects=False)
    r = client.post("/games", data={"humans": ["regime", "rebels"], "turn_hours": "60"},
                    files={"scenario_file": ("one turn.toml", ONE_TURN.encode(), "application/octet-stream")})
    assert r.status_code == 303, r.text
    instructor = r.cookies.get(COOKIE)
    codes = client.get("/api/instructor/view", headers={"X-Game-Code": instructor}).json()["codes"]

    def get(path: str, code: str):
        client.cookies.clear()
        return client.get(path, headers={"X-Game-Code": code})

    rebels, regime = get("/team", codes["rebels"]).text, get("/team", codes["regime"]).text
    assert '<details class="card briefing" id="briefing" open>' in rebels        # open on the first turn
    assert "Deterrence of Aggression" in rebels and "Take Hama" in rebels        # its own situation, objectives
    assert "The Syrian Arab Army: about 169,000" not in rebels                    # not the regime's briefing
    assert "The Syrian Arab Army: about 169,000" in regime and "Hold Latakia" in regime
    assert 'id="orders"' in rebels and 'id="result"' not in rebels
    view = get("/api/view", codes["rebels"]).json()                 # a script gets its own briefing only
    assert view["briefing"]["team"] == "rebels" and view["result"] is None
    for code in (codes["rebels"], codes["projector"]):             # the debrief is the instructor's until the end
        assert get("/debrief", code).status_code == 403
        assert get("/api/instructor/debrief/map.png?turn=0&picture=truth", code).status_code == 403

    for team in ("regime", "rebels"):
        client.cookies.clear()
        answer = client.post("/api/orders", json={}, headers={"X-Game-Code": codes[team]})
        assert answer.status_code == 200, answer.text

    status = get("/api/status", codes["rebels"]).json()
    assert status["finished"] and status["ended"] and status["open_for"] is None     # the clock has stopped
    assert status["results"]["rebels"]["verdict"] == "lost"
    rebels = get("/team", codes["rebels"]).text
    assert 'id="result"' in rebels and "The game is over: Lost" in rebels and "0 of 2 objectives met" in rebels
    assert 'href="/debrief" id="to-debrief"' in rebels                # the final page links the debrief...
    team_debrief = get("/debrief", codes["rebels"])                   # ...which opens to every code once over
    assert team_debrief.status_code == 200 and 'id="results"' in team_debrief.text
    assert 'href="/team"' in team_debrief.text and "/api/instructor/debrief\"" not in team_debrief.text
    png = get("/api/instructor/debrief/map.png?turn=0&picture=regime", codes["rebels"])
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    assert get("/api/instructor/debrief", codes["rebels"]).status_code == 403     # the record stays the instructor's
    assert 'id="orders"' not in rebels and "Orders for turn" not in rebels and "Send orders" not in rebels
    assert '<details class="card briefing" id="briefing">' in rebels              # folded: read by now
    client.cookies.clear()
    refused = client.post("/api/orders", json={}, headers={"X-Game-Code": codes["rebels"]})
    assert refused.status_code == 400 and "the game is over" in refused.text
    projector = get("/projector", codes["projector"]).text
    assert 'data-finished="1"' in projector and 'id="results"' in projector and "Held" in projector
    console = get("/instructor", instructor).text
    assert 'id="results"' in console and 'href="/debrief" id="to-debrief"' in console
    debrief = get("/debrief", instructor).text                      # the debrief opens on the result
    assert 'id="results"' in debrief and "Held" in debrief and "Lost" in debrief
