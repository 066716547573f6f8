"""The turn summary each team gets after a turn (play.turn_summary): what its side gained and lost, its
losses and the enemy's it saw, its units that broke and why, the enemies it broke, its will to fight, the
white cell's injects that touched it; grouped, in names and never ids, the same after a replay, in the
debrief, on the hot-seat's screen, and readable with the team's own code only."""

from __future__ import annotations

import re

import numpy as np
import pytest

from wargame.play.game import Game
from wargame.play.hotseat import play
from wargame.play.store import GameStore
from wargame.play.turn_summary import summary_lines

HUMANS = ("regime", "rebels", "iran")


def lines_of(summary: dict, topic: str) -> list[str]:
    return next((s["lines"] for s in summary["sections"] if s["topic"] == topic), [])


def text_of(summary: dict) -> str:
    return "\n".join(summary_lines(summary))


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A game of three teams played two turns, the rebels attacking, with injects in the first turn: an
    Israeli strike (which hits an Iranian-backed unit) and bad weather; in the second, a unit's state."""
    store = GameStore(tmp_path_factory.mktemp("summary") / "games.sqlite")
    game = Game.create(store, seed=3, humans=HUMANS)
    game.intervene("israeli_strike", {"target": "leadership"})
    game.intervene("weather", {"bad": True})
    game.intervene("note", {"text": "the instructor's own remark"})
    rebels = {"tempo": "all_out", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}}
    for team in HUMANS:
        game.submit(team, rebels if team == "rebels" else {})
    saa_unit = next(u["unit"] for u in game.view("regime")["own"])
    game.intervene("unit", {"unit": saa_unit, "morale": 0.3})
    for team in HUMANS:
        game.submit(team, rebels if team == "rebels" else {})
    yield game
    store.close()


def test_a_summary_names_what_the_teams_side_gained_and_lost(played):
    game = played
    captures = [c for entry in game.debrief() for c in entry["captures"]]
    assert captures, "the rebels' attack should take a town in two turns"
    for turn, entry in enumerate(game.debrief()):
        regime, rebels = (entry["views"][t]["summary"] for t in ("regime", "rebels"))
        assert regime["turn"] == rebels["turn"] == turn
        twice = {c["city"] for c in entry["captures"] if sum(x["city"] == c["city"] for x in entry["captures"]) > 1}
        for c in entry["captures"]:
            if c["city"] in twice:
                continue                              # taken and retaken: one net change, or none
            winner, loser = (rebels, regime) if c["side"] == "opposition" else (regime, rebels)
            assert any(c["name"] in line and "took" in line for line in lines_of(winner, "ground")), c
            assert any(c["name"] in line and "lost" in line and " to the " in line for line in lines_of(loser, "ground"))
        # the ground: what one side gained the other lost, in km² around named sectors
        assert rebels["counts"]["cells_gained"] > 0 and regime["counts"]["cells_lost"] > 0
        assert any(line.startswith("Ground your side gained: about") and "km² around" in line for line in lines_of(rebels, "ground"))
        # losses: the team's own exactly, in men
        assert any(line.startswith("Your losses:") for line in lines_of(regime, "losses"))
        assert regime["counts"]["own_lost"] >= 0


def test_ground_gained_and_lost_in_one_sector_in_one_turn_is_told_as_the_net_change(tmp_path):
    from wargame.play.turn_summary import summarise_turn, turn_start

    store = GameStore(tmp_path / "games.sqlite")
    game = Game.create(store, seed=3, humans=("regime", "rebels"))
    model, sectors = game.model, game.sectors
    start = turn_start(model)
    regime, opposition = model.side_index["regime"], model.side_index["opposition"]
    idlib = np.flatnonzero((sectors.of_cell == sectors.index("idlib")) & model.theatre.inside)
    ours, theirs = (idlib[model.control[idlib] == s] for s in (regime, opposition))
    assert ours.size >= 3 and theirs.size >= 5
    model.control[ours[:3]] = opposition              # the regime loses 3 cells around Idlib and gains 5
    model.control[theirs[:5]] = regime
    ground = lines_of(summarise_turn(model, game.teams["regime"], start, 0, sectors), "ground")
    hex_km2 = model.spec.theatre.cell_km ** 2 * 3 ** 0.5 / 2
    assert f"Ground your side gained: about {2 * hex_km2:,.0f} km² around Idlib." in ground, ground
    assert not any(line.startswith("Ground your side lost") for line in ground), ground
    model.control[theirs[3:5]] = opposition           # 3 lost, 3 gained: no net change, and it says so
    ground = lines_of(summarise_turn(model, game.teams["regime"], start, 0, sectors), "ground")
    assert ground == ["Ground changed hands on your side, with no net change in any sector."], ground
    store.close()


def test_the_strike_kills_agree_between_the_summary_and_the_strike_reports_and_no_change_is_not_minus(played):
    from wargame.play.airpower import air_summary_lines
    from wargame.play.words import change

    told = 0
    for entry in played.debrief():
        view = entry["views"]["regime"]
        line = next((x for x in lines_of(view["summary"], "losses") if x.startswith("Your strikes:")), None)
        if line is None:
            continue
        told += 1
        reports = sum(int(m) for m in re.findall(r", ([\d,]+) killed", "\n".join(air_summary_lines(view["air"]))))
        assert reports == view["air"]["turn"]["killed"]
        assert line.endswith(f"about {reports:,} enemy killed." if reports else "no enemy killed."), (line, reports)
    assert told, "the regime's aircraft should strike in two turns"
    assert [change(-0.001), change(0.004), change(-0.006), change(0.12)] == ["no change", "no change", "-0.01", "+0.12"]
    text = "\n".join(text_of(e["views"][t]["summary"]) for e in played.debrief() for t in HUMANS)
    assert "-0.00" not in text and "+0.00" not in text


def test_a_will_nothing_moved_enough_to_name_says_why_rather_than_nothing(played):
    """Saraqib taken moves the rebels' will by +0.005 (a small town; rules.will weighs a place by its
    population), under what is named: the summary and the picture say so instead of naming nothing."""
    from wargame.play.fog import QUIET_WILL
    from wargame.play.turn_summary import QUIET_TURN

    for entry in played.debrief():
        for team in HUMANS:
            will = [x for x in lines_of(entry["views"][team]["summary"], "will") if "this turn" in x]
            assert will and all("this turn: " in x or QUIET_TURN in x for x in will), will
    entries = played.view("rebels")["will"]["entries"]
    assert entries and all(x["factors"] or x["factors_note"] == QUIET_WILL for x in entries)
    assert any(QUIET_TURN in x for e in played.debrief() for x in lines_of(e["views"]["rebels"]["summary"], "will"))


def test_the_attacker_hears_of_the_enemies_it_broke_and_its_own_breaks_come_with_the_why(played):
    first = played.debrief()[0]
    regime, rebels, iran = (first["views"][t]["summary"] for t in HUMANS)
    regime_breaks = first["breaks"]["saa"]
    assert regime_breaks >= 5 and regime["counts"]["own_broke"] == regime_breaks
    # the rebels' units saw the regime's battalions break against them: they are told, without the why
    assert rebels["counts"]["enemy_broke"] >= regime_breaks // 2
    heard = lines_of(rebels, "enemy_broke")
    assert heard and all("Syrian Arab Army" in line and "broke near" in line for line in heard)
    assert not any("force ratio" in line or "contagion" in line for line in heard)
    assert any("Enemy losses your units saw:" in line for line in lines_of(rebels, "losses"))
    # the regime learns why its own broke: the report's morale factors, with their shares
    why = lines_of(regime, "broke")
    assert why and all(re.search(r"\d+%", line) for line in why)
    assert any(word in " ".join(why) for word in ("force ratio", "contagion", "casualties"))
    # Iran's units were elsewhere: it hears of no enemy it broke
    assert not lines_of(iran, "enemy_broke")


def test_repetitive_breaks_are_grouped_by_faction_and_place(played):
    regime = played.debrief()[0]["views"]["regime"]["summary"]
    groups = [line for line in lines_of(regime, "broke") if not line.startswith("Why, over all")]
    counted = 0
    for line in groups:
        many = re.match(r"(\d+) Syrian Arab Army units broke near ([^(]+) \(", line)
        counted += int(many.group(1)) if many else 1
    assert counted == regime["counts"]["own_broke"]
    assert len(groups) < regime["counts"]["own_broke"]              # grouped, not one line a unit
    places = [re.search(r"broke near ([^(]+) \(", line).group(1) for line in groups]
    assert len(places) == len(set(places))                          # one line per place


def test_summaries_use_names_never_internal_ids(played):
    model = played.model
    ids = {a.key for a in model.table.agent} | {w.key for w in model.wings} | set(model.faction_ids)
    ids |= {p for p in model.theatre.geodata.places if "_" in p} | set(type(model.spec.actors).model_fields)
    for entry in played.debrief():
        for team in played.teams:
            text = text_of(entry["views"][team]["summary"])
            words = set(re.findall(r"[A-Za-z0-9_]+", text))
            assert not words & ids, (team, words & ids)
            assert "/api/" not in text


def test_an_inject_reaches_the_teams_it_touched_only_and_the_debrief(played):
    first, second = played.debrief()[:2]
    white = {t: lines_of(first["views"][t]["summary"], "white_cell") for t in HUMANS}
    strike = [line for line in white["iran"] if line.startswith("Israeli strike")]
    assert strike and "Iranian-backed forces" in strike[0] and "killed" in strike[0]
    assert "its commanders (its cohesion falls)" in strike[0] and "(leadership)" not in strike[0]     # in words
    # the struck side's every team hears of it (the regime, Iran's ally), the other side's does not
    assert any(line.startswith("Israeli strike") for line in white["regime"])
    assert not any("Israeli strike" in line for line in white["rebels"])
    assert all(any("Bad weather" in line for line in white[t]) for t in HUMANS)           # weather: everyone's
    assert not any("instructor's own remark" in line for t in HUMANS for line in white[t])  # a note: the record's
    # the unit's state set in turn 2 reaches the regime (its unit) only
    set_state = {t: [x for x in lines_of(second["views"][t]["summary"], "white_cell") if "morale 0.30" in x]
                 for t in HUMANS}
    assert set_state["regime"] and not set_state["rebels"] and not set_state["iran"]
    # the debrief lists every inject with the teams it reached
    kinds = {x["kind"]: x for x in first["injects"]}
    assert set(kinds) == {"israeli_strike", "weather", "note"}
    assert kinds["israeli_strike"]["teams"] == ["iran", "regime", "russia"] and kinds["note"]["teams"] == []
    assert "instructor's own remark" in kinds["note"]["text"]
    # and the strike is among the struck team's reports
    assert all(any(r["kind"] == "israeli_strike" for r in played.view(t)["reports"]) for t in ("iran", "regime"))
    assert not any(r["kind"] == "israeli_strike" for r in played.view("rebels")["reports"])


def test_an_adjudicated_surrender_and_a_freeze_reach_the_teams_they_touched_and_the_debrief_says_so(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    game = Game.create(store, seed=3, humans=("regime", "rebels", "russia", "turkey"),
                       teams=("russia", "iran", "regime", "rebels", "turkey", "israel"))
    game.intervene("surrender", {"side": "regime", "to": "opposition", "place": "saraqib"})
    game.intervene("freeze", {})
    for team in ("regime", "rebels", "russia", "turkey"):
        game.submit(team, {})
    first = game.debrief()[0]
    kinds = {x["kind"]: x for x in first["injects"]}
    # a surrender reaches the teams of both sides, a freeze Russia's, Turkey's and those fighting in it
    assert kinds["surrender"]["teams"] == ["iran", "rebels", "regime", "russia", "turkey"]      # not Israel's
    assert "Saraqib" in kinds["surrender"]["text"] and "units of" in kinds["surrender"]["text"]
    assert {"russia", "turkey", "rebels"} <= set(kinds["freeze"]["teams"]) and "israel" not in kinds["freeze"]["teams"]
    assert kinds["freeze"]["text"].startswith("Russia and Turkey freeze the north-west")
    for team in ("regime", "rebels"):                  # each read once, under the turn's decisions
        summary = first["views"][team]["summary"]
        assert any("surrender negotiated at Saraqib" in line for line in lines_of(summary, "decisions"))
        assert not any("urrender" in line for line in lines_of(summary, "white_cell"))
    store.close()


def test_a_replayed_game_gives_the_same_summaries(played):
    again = Game(played.store, played.id)
    for team in HUMANS:
        assert again.view(team)["summary"] == played.view(team)["summary"]


def test_the_hot_seat_shows_the_summary_and_news_with_who_took_what(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    game = Game.create(store, seed=3, humans=("regime", "rebels"))
    answers = iter(["", "", "", "idlib attack saraqib; tempo=all_out"] * 2 + ["", "quit"])
    said: list[str] = []
    play(game, ask=lambda prompt: next(answers), say=said.append, clear=lambda: None)
    assert game.turn == 2
    resolved = [line for line in said if line.startswith("Turn ") and " resolved: now " in line]
    assert len(resolved) == 2
    for line in resolved:
        assert ("News: " in line and "taken by the " in line) or "No city or base changed hands" in line, line
        assert not line.rstrip().endswith("News:")
    assert any("What happened in turn 2:" in line for line in said)
    assert any("Your units that broke, and why:" in line for line in said)
    keys = {a.key for a in game.model.table.agent}
    assert not keys & set(re.findall(r"[a-z0-9_]+", "\n".join(said)))       # units by name, never by id
    store.close()


def test_reports_group_repetitive_events_in_one_line_with_names():
    from wargame.play.news import grouped

    status = {"faction_names": {"saa": "Syrian Arab Army", "hts": "HTS"},
              "wing_names": {"saa_t4": "Syrian Arab Air Force, Tiyas"}, "place_names": {"hama_airbase": "Hama airport"}}

    def broke(step, n, outcome="rout", faction="saa"):
        return {"kind": "unit_broke", "step": step, "day": step / 4, "unit": f"saa_{n}", "name": f"SAA battalion ({n})",
                "faction": faction, "outcome": outcome, "personnel": 300}

    events = [broke(1, 1), broke(1, 2, "surrender"), broke(1, 3), broke(2, 4), broke(1, 5, faction="hts"),
              {"kind": "air_strike", "step": 2, "day": 0.5, "wing": "saa_t4", "faction": "saa", "target": "hts_9",
               "target_faction": "hts", "sorties": 2.0, "killed": 3.0, "delay_steps": 0},
              {"kind": "air_strike", "step": 2, "day": 0.5, "wing": "saa_t4", "faction": "saa", "target": "hts_8",
               "target_faction": "hts", "sorties": 2.0, "killed": 2.0, "delay_steps": 0},
              {"kind": "drone_raid", "step": 3, "day": 0.75, "faction": "hts", "base": "hama_airbase",
               "intercepted": True, "aircraft_destroyed": 0.0}]
    lines = [text for _, text in grouped(events, status, {"hts_9": "HTS battalion (9)", "hts_8": "HTS battalion (8)"})]
    assert lines == [
        "3 Syrian Arab Army units broke (900 men; 2 routed, 1 surrendered): SAA battalion (1), SAA battalion (2) and "
        "SAA battalion (3)",
        "SAA battalion (4) broke (rout, 300 men)",
        "SAA battalion (5) broke (rout, 300 men)",                         # another faction: its own line
        "2 air strikes (Syrian Arab Air Force, Tiyas) on HTS battalion (9) and HTS battalion (8): 5 killed",
        "drone raid on Hama airport (intercepted)"]


def test_the_team_page_groups_its_reports(played):
    from wargame.web.pages import reports_list

    view = played.view("regime")
    broke = sum(1 for r in view["reports"] if r["kind"] == "unit_broke")
    page = reports_list(view, {"faction_names": {"saa": "Syrian Arab Army"}})
    assert broke >= 10 and page.count("<li") < len(view["reports"])
    assert re.search(r"\d+ Syrian Arab Army units broke \([\d,]+ men; ", page)


def test_a_place_taken_and_retaken_in_a_turn_is_one_net_change():
    from wargame.play.turn_summary import _net_captures

    def cap(city, side, from_side):
        return {"kind": "city_captured", "city": city, "name": city.title(), "side": side, "from_side": from_side}

    changed, back = _net_captures([cap("hama", "opposition", "regime"), cap("idlib", "regime", "opposition"),
                                   cap("hama", "regime", "opposition"), cap("saraqib", "opposition", "regime"),
                                   cap("saraqib", "sdf", "opposition")])
    assert [(c["city"], c["from_side"], c["side"]) for c in changed] == [("idlib", "opposition", "regime"),
                                                                        ("saraqib", "regime", "sdf")]
    assert [(c["city"], c["side"]) for c in back] == [("hama", "regime")]


def test_the_decisions_of_the_turn_reach_the_team_that_took_them(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    game = Game.create(store, seed=3, humans=("regime",))
    game.submit("regime", {"reserves_to": "aleppo"})
    decided = lines_of(game.view("regime")["summary"], "decisions")
    assert any("reserve units committed to Aleppo" in line for line in decided), decided
    for team in ("rebels", "iran", "turkey"):
        assert not any("reserve units" in line for line in lines_of(game.view(team)["summary"], "decisions"))
    store.close()


def test_the_captor_hears_of_the_equipment_it_took(played):
    rebels = played.teams["rebels"]
    taken = [e for e in played.model.events.to_dicts() if e["kind"] == "equipment_captured"
             and e["captor_faction"] in rebels.factions]
    assert taken, "the rebels' attack should take some regime equipment"
    heard = [r for r in played.view("rebels")["reports"] if r["kind"] == "equipment_captured"]
    assert len(heard) == len(taken)
    iran = played.teams["iran"]
    assert not any(r["kind"] == "equipment_captured" and r["faction"] not in iran.factions
                   and r["captor_faction"] not in iran.factions for r in played.view("iran")["reports"])
