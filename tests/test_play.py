"""Classroom play without any web page: sessions, orders, fog of war, the white cell, persistence and replay,
the hot-seat order language, and a whole game on doctrine AI."""

from __future__ import annotations

import numpy as np
import pytest

from wargame.core.errors import ScenarioError, WargameError
from wargame.play.game import Game, authenticate
from wargame.play.hotseat import parse_line, play
from wargame.play.store import GameStore
from wargame.report.style import short_name


@pytest.fixture
def store(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    yield store
    store.close()


def new_game(store, **kwargs) -> Game:
    return Game.create(store, humans=kwargs.pop("humans", ("regime", "rebels")), **kwargs)


def test_a_game_has_a_code_per_human_team_and_one_for_the_instructor(store):
    game = new_game(store)
    codes = store.codes(game.id)
    assert set(codes) == {"instructor", "projector", "regime", "rebels"} and len(set(codes.values())) == 4
    assert authenticate(store, codes["regime"]) == (game.id, "regime")
    assert authenticate(store, codes["regime"].lower()) == (game.id, "regime")       # typed in lower case
    assert authenticate(store, codes["instructor"]) == (game.id, "instructor")
    assert authenticate(store, "NOPE99") is None and authenticate(store, "") is None
    assert game.config["turn_steps"] == 2 and game.config["turns"] == 12             # 6 days of half-day turns
    with pytest.raises(ScenarioError, match="not a team"):
        Game.create(store, humans=("regime", "hezbollah"))
    with pytest.raises(ScenarioError, match="multiple of"):
        Game.create(store, turn_hours=9)


def test_orders_are_validated_with_clear_messages_and_a_bad_order_changes_nothing(store):
    game = new_game(store)
    bad = [({"sectors": {"atlantis": {"stance": "hold"}}}, "no such sector"),
           ({"sectors": {"aleppo": {"stance": "charge"}}}, "stance"),
           ({"sectors": {"aleppo": {"stance": "hold", "axis": "saraqib"}}}, 'goes with stance "attack"'),
           ({"sectors": {"idlib": {"stance": "attack", "axis": "paris"}}}, "not a place"),
           ({"tempo": "fast"}, "tempo"), ({"support": 0.9}, "support")]
    for raw, message in bad:
        with pytest.raises(ScenarioError, match=message):
            game.submit("rebels", raw)
    with pytest.raises(ScenarioError, match="reserves to"):
        game.submit("regime", {"reserves_to": "mars"})
    with pytest.raises(WargameError, match="no human seat"):
        game.submit("russia", {})
    assert game.submitted() == [] and game.turn == 0


def test_the_turn_resolves_when_every_human_team_has_submitted_unless_paused(store):
    game = new_game(store)
    assert not game.submit("regime", {"sectors": {"aleppo": {"stance": "hold"}}})["turn_resolved"]
    assert game.submitted() == ["regime"] and game.turn == 0
    game.submit("regime", {"sectors": {"aleppo": {"stance": "withdraw"}}})     # a resubmission replaces
    assert store.orders(game.id, 0)["regime"]["sectors"]["aleppo"]["stance"] == "withdraw"
    game.pause()
    assert not game.submit("rebels", {"tempo": "all_out"})["turn_resolved"]     # paused: the instructor decides
    game.pause(False)
    game.resolve()
    assert game.turn == 1 and game.model.day == pytest.approx(0.5)
    assert game.submit("rebels", {})["turn_resolved"] is False
    assert game.submit("regime", {})["turn_resolved"] is True and game.turn == 2


def test_orders_change_what_units_do(store):
    holding, attacking = new_game(store), new_game(store)
    for _ in range(2):        # the first turn's first step runs before anyone moves: two turns show the advance
        holding.submit("rebels", {"sectors": {s: {"stance": "hold"} for s in holding.sectors.ids}})
        holding.submit("regime", {})
        attacking.submit("rebels", {"tempo": "all_out"})
        attacking.submit("regime", {})
    def opposition_ground(game):
        return int((game.model.control == game.model.side_index["opposition"]).sum())
    assert opposition_ground(attacking) > opposition_ground(holding)             # an army told to hold gains nothing


def test_each_team_sees_its_own_units_and_only_the_enemies_in_sight(store):
    game = new_game(store)
    regime, rebels = game.view("regime"), game.view("rebels")
    regime_units = {u["unit"] for u in regime["own"]}
    rebel_units = {u["unit"] for u in rebels["own"]}
    assert regime_units and rebel_units and not regime_units & rebel_units
    assert all("morale" not in u for u in regime["enemies"] + regime["friendly"])   # no details of others' units
    model = game.model
    regime_side = model.side_index["regime"]
    enemies = {a.key for a in model.ground_units
               if model.hostile[regime_side, model.table.side[a.row]] and model.table.idx[a.row] >= 0}
    seen = {u["unit"] for u in regime["enemies"]}
    assert seen and seen < enemies                                               # fog: some enemies, not all
    assert -1 in regime["control"]                                               # ground it has not seen
    assert all(e["kind"] != "unit_broke" or e["faction"] == "saa" for e in regime["reports"])


def test_the_white_cell_injects_overrides_and_is_logged(store):
    game = new_game(store)
    assert game.intervene("weather", {"bad": True})["result"] == "bad weather" and game.model.bad_weather
    before = game.model.tally["killed"].sum()
    game.intervene("israeli_strike", {"target": "leadership"})
    assert game.model.tally["killed"].sum() > before
    game.intervene("city", {"city": "hama", "side": "opposition"})
    hama = np.array(game.model.theatre.cities["hama"].cells)
    assert (game.model.control[hama] == game.model.side_index["opposition"]).all()
    with pytest.raises(WargameError, match="unknown intervention"):
        game.intervene("earthquake", {})
    with pytest.raises(WargameError):
        game.intervene("unit", {"unit": "no_such_unit", "morale": 0.5})
    actions = [e["action"] for e in store.entries(game.id)]
    assert actions.count("inject: weather") == 1 and "override: city" in actions and "inject: israeli_strike" in actions
    assert len(store.interventions(game.id)) == 3                                # failures are not recorded


def test_a_reloaded_game_replays_to_the_same_state_and_rewind_goes_back(store):
    game = new_game(store)
    game.submit("regime", {"sectors": {"aleppo": {"stance": "hold"}}})
    game.submit("rebels", {"tempo": "all_out", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}})
    game.intervene("israeli_strike", {"target": "depot"})
    game.submit("regime", {})
    game.submit("rebels", {"sectors": {"aleppo": {"stance": "attack", "axis": "aleppo"}}})
    game.submit("regime", {"sectors": {"hama": {"stance": "withdraw"}}})          # submitted mid-turn 2
    again = Game(store, game.id)                                                 # a restarted server
    assert again.turn == game.turn == 2 and again.submitted() == ["regime"]
    t1, t2 = game.model.table, again.model.table
    np.testing.assert_array_equal(game.model.control, again.model.control)
    np.testing.assert_array_equal(t1.morale, t2.morale)
    np.testing.assert_array_equal(t1.personnel, t2.personnel)
    assert again.view("rebels")["own"] == game.view("rebels")["own"]

    game.rewind(1)
    assert game.turn == 1 and store.orders(game.id, 1) == {} and len(store.turns(game.id)) == 1
    fresh = new_game(store)
    fresh.submit("regime", {"sectors": {"aleppo": {"stance": "hold"}}})
    fresh.submit("rebels", {"tempo": "all_out", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}})
    fresh.intervene("israeli_strike", {"target": "depot"})
    np.testing.assert_array_equal(game.model.table.morale, fresh.model.table.morale)   # as if never played on
    assert "rewound" in [e["action"] for e in store.entries(game.id)]


def test_the_debrief_has_each_turn_with_orders_truth_and_every_picture(store):
    game = new_game(store)
    game.submit("regime", {"sectors": {"aleppo": {"stance": "hold"}}})
    game.submit("rebels", {"tempo": "cautious"})
    turn = game.debrief()[0]
    assert turn["orders"]["regime"]["sectors"]["aleppo"]["stance"] == "hold"
    assert set(turn["views"]) == set(game.teams) and turn["truth"]["units"]
    assert len(turn["truth"]["units"]) > len(turn["views"]["regime"]["own"])


def test_the_hot_seat_order_language(store):
    assert parse_line("rebels", "idlib attack saraqib; aleppo hold; tempo=all_out") == {
        "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}, "aleppo": {"stance": "hold"}}, "tempo": "all_out"}
    assert parse_line("russia", "air_priorities=aleppo,hama; talks_with_turkey=yes; redeploy=6") == {
        "air_priorities": ["aleppo", "hama"], "talks_with_turkey": True, "redeploy": 6}
    with pytest.raises(WargameError, match="SECTOR STANCE"):
        parse_line("rebels", "go go go")
    with pytest.raises(WargameError, match="not an order of"):
        parse_line("israel", "tempo=fast")
    game = new_game(store, humans=("regime", "rebels"))
    answers = iter(["", "nonsense", "aleppo hold", "", "tempo=all_out", "", "quit"])
    said = []
    play(game, ask=lambda prompt: next(answers), say=said.append, clear=lambda: None)
    assert game.turn == 1 and any("not accepted" in line for line in said) and any("Saved" in line for line in said)


def test_a_whole_classroom_game_on_doctrine_ai_runs_to_its_end(store, tmp_path):
    game = Game.create(store, humans=(), teams=("russia", "iran", "regime", "rebels", "turkey", "israel"))
    while not game.finished:
        game.resolve()
    assert game.turn == game.config["turns"] == 12 and game.model.day == pytest.approx(6.0)
    captured = [e["name"] for t in game.debrief() for e in t["captures"]]
    assert "Aleppo" in captured                                    # the 2024 campaign, played by the AI
    out = game.write_report(tmp_path / "report")
    assert (out / "report.html").is_file()


def test_committed_reserves_make_for_their_sector(store):
    from wargame.core.agents.unit import POSTURES

    def mean_km(sector: str | None) -> float:
        game = new_game(store)
        model, t = game.model, game.model.table
        rows = np.flatnonzero((t.posture == POSTURES.index("reserve")) & (t.faction == model.faction_ids.index("saa")))
        centre, th = game.sectors.centre["aleppo"], model.theatre
        game.submit("regime", {"reserves_to": sector} if sector else {})
        game.submit("rebels", {})
        return float(np.hypot(th.x[t.idx[rows]] - th.x[centre], th.y[t.idx[rows]] - th.y[centre]).mean())

    assert mean_km("aleppo") < mean_km(None) - 5.0


def test_review_fixes_stances_last_a_turn_and_levers_are_honest(store):
    from wargame.core.commanders import DOCTRINE
    from wargame.play.game import StaleTurn
    from wargame.play.orders import parse_orders

    game = new_game(store)
    model = game.model
    commander = game.commanders["rebels"]
    rows = np.flatnonzero(model.table.faction == model.faction_ids.index("hts"))
    commander.orders_now = parse_orders("rebels", {"sectors": {s: {"stance": "hold"} for s in game.sectors.ids}},
                                        game.sectors, game.places)
    held = commander.orders(model, "hts", rows)
    assert held.targets == {} and held.postures == DOCTRINE.orders(model, "hts", rows).postures   # no lasting change
    commander.orders_now = None

    with pytest.raises(ScenarioError, match="no offer"):
        new_game(store, humans=("turkey", "rebels")).submit("turkey", {"accept_talks": True})
    game.submit("regime", {})
    game.submit("rebels", {})
    with pytest.raises(StaleTurn):
        game.submit("regime", {}, turn=0)
    with pytest.raises(StaleTurn):
        game.resolve(turn=0)
    assert all("captor" not in e for e in game.status()["news"])

    game.intervene("weather", {"bad": True})                     # at a day's start: holds through the day
    game.resolve()
    assert game.model.bad_weather

    game.intervene("city", {"city": "aleppo", "side": "opposition"})
    game.resolve()
    assert Game(store, game.id).view("rebels")["control"] == game.view("rebels")["control"]

    russia = Game.create(store, humans=("russia", "regime"))
    wing = next(w for w in russia.model.wings if w.key == russia.model.spec.actors.russia_hq.wing)
    before = wing.added
    russia.submit("russia", {"redeploy": 30})
    russia.submit("regime", {})
    assert wing.added == before                                  # asked for, not there yet
    with pytest.raises(ScenarioError, match="left to send"):
        russia.submit("russia", {"redeploy": 1})
    while russia.model.day < russia.model.spec.actors.russia_hq.delay_days + 0.6:
        russia.resolve()
    assert wing.added == before + round(30 * russia.model.spec.actors.russia_hq.ukraine_cap)
    arrived = [e.decision for e in russia.model.events if getattr(e, "decision", "").endswith(
        f"aircraft reach {short_name(russia.model.spec.air[wing.key].name)}")]
    assert arrived and wing.key not in arrived[0]                # the base by its name, not the wing's id


def test_a_2016_game_seats_the_teams_that_campaign_has(store):
    game = Game.create(store, "aleppo_2016")
    assert game.config["teams"] == ["russia", "iran", "regime", "rebels"]
    assert {u["faction"] for u in game.view("rebels")["own"]} <= {"rebels", "jaysh_al_fatah"}
    with pytest.raises(ScenarioError, match="no turkey"):
        game.submit("russia", {"talks_with_turkey": True})            # no Turkey in 2016: refused, not ignored


# ---------------------------------------------------------------- the will to fight


def test_each_team_knows_its_own_will_and_never_the_enemys(store):
    game = new_game(store, humans=("regime", "rebels", "russia"))
    for _ in range(4):
        game.resolve()
    model = game.model
    w = model.will
    regime, rebels, russia = (game.view(t)["will"] for t in ("regime", "rebels", "russia"))
    assert [x["id"] for x in regime["entries"]] == ["saa", "regime_leadership"]     # its army and its leadership
    assert [x["id"] for x in rebels["entries"]] == ["hts", "moc_allies"]
    assert [x["id"] for x in russia["entries"]] == ["russia"]                          # a patron: not the leadership
    lead = regime["entries"][1]
    assert lead["value"] == pytest.approx(w.value[w.entry("regime_leadership")], abs=1e-3)
    from wargame.core.rules.will import WILL_FACTORS
    ledger = w.ledger[w.entry("regime_leadership")]
    largest = WILL_FACTORS[int(abs(ledger).argmax())]
    assert lead["factors"][0]["factor"] == largest                    # what moved it most, first, in words
    assert lead["factors"][0]["value"] == pytest.approx(ledger.min() if ledger[abs(ledger).argmax()] < 0
                                                        else ledger.max(), abs=1e-3)
    # the change is over the last turn: the views one turn apart differ by it
    before = lead["value"]
    game.resolve()
    after = game.view("regime")["will"]["entries"][1]
    assert after["change"] == pytest.approx(after["value"] - before, abs=2e-3)
    # nothing in the rebels' whole view carries the regime's will (ids, names or values)
    text = repr(game.view("rebels"))
    assert "regime_leadership" not in text and "leadership's" not in text and '"saa"' not in text
    # the instructor and the debrief see every will
    truth = game.instructor_view()["truth"]["will"]
    assert [x["id"] for x in truth["entries"]] == w.names
    assert set(game.debrief()[-1]["will"]) == set(w.names)


def test_reports_never_give_an_enemy_leaderships_will_away(store):
    from wargame.core.events import RegimeCollapsed, StrategicDecision
    from wargame.play.fog import reports

    game = new_game(store, humans=("regime", "rebels", "turkey", "russia"))
    model = game.model
    model.events.add(StrategicDecision(1, 0.25, "turkey", "backs the offensive: the regime's will is 0.45 (stake 0.50 "
                                                          "x support 0.70)"))
    model.events.add(StrategicDecision(1, 0.25, "russia_hq", "evacuates its advisers: 6 units leave (regime's will "
                                                             "0.28, stake 0.60 x capacity 0.50)"))
    model.events.add(RegimeCollapsed(2, 0.5, "regime", 0.031, "cities -0.36, patrons -0.19", 10, 2, 3))
    turkey = {e["kind"] + e.get("actor", ""): e for e in reports(model, game.teams["turkey"])}
    assert turkey["strategic_decisionturkey"]["decision"] == \
        "backs the offensive: the regime's will (not known to you) (stake 0.50 x support 0.70)"
    collapse = turkey["regime_collapsed"]                         # the collapse is public news ...
    assert "will" not in collapse and "-0.36" not in collapse["why"]          # ... without its numbers
    assert "0.45" not in repr(reports(model, game.teams["rebels"]))
    russia = {e["kind"] + e.get("actor", ""): e for e in reports(model, game.teams["russia"])}
    assert "regime's will 0.28" in russia["strategic_decisionrussia_hq"]["decision"]     # its own side's
    assert russia["regime_collapsed"]["will"] == pytest.approx(0.031)
    assert "-0.36" not in repr(game.status()["news"])             # the room's news: no numbers either


def test_the_hot_seat_picture_shows_the_teams_own_will(store):
    from wargame.play.hotseat import picture_lines

    game = new_game(store)
    game.resolve()
    regime = "\n".join(picture_lines(game.view("regime"), game.sectors.names))
    rebels = "\n".join(picture_lines(game.view("rebels"), game.sectors.names))
    assert "your will to fight: Syrian Arab Army" in regime and "The regime's leadership" in regime
    assert "your will to fight: HTS-led Military Operations Command" in rebels
    assert "Syrian Arab Army" not in rebels.split("your will to fight:")[1].split("\n")[0]


def test_news_of_the_will_reads_as_sentences_with_names_not_ids():
    from wargame.play.news import describe

    status = {"side_names": {"regime": "Assad regime and its allies", "opposition": "HTS-led coalition"},
              "faction_names": {"saa": "Syrian Arab Army", "southern": "Southern groups"}}
    deal = {"kind": "local_deal", "faction": "saa", "place": "safira", "units": 2, "personnel": 530,
            "side": "opposition", "why": "its will fell 0.26"}
    assert describe(deal, status) == ("2 units of Syrian Arab Army (530 men) settle with HTS-led coalition at "
                                      "As-Safira, hand over their heavy weapons and leave (its will fell 0.26)")
    rising = {"kind": "uprising", "faction": "southern", "place": "daraa", "units": 12, "personnel": 3960,
              "why": "the regime side has lost 2 of the cities it must hold"}
    assert describe(rising, status).startswith("Southern groups rise at Daraa (12 units, 3,960 men)")
    course = {"kind": "strategic_decision", "actor": "iran", "decision": "withdraws: recruiting stops"}
    assert describe(course, status) == "Iran withdraws: recruiting stops"
    other = {"kind": "strategic_decision", "actor": "russia_hq", "decision": "4 aircraft reach Khmeimim"}
    assert describe(other, status) == "Russia: 4 aircraft reach Khmeimim"
    assert describe({"kind": "regime_collapsed", "side": "regime"}, status) == "The regime collapses"
