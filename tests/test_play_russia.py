"""Russia's seat: its air power on its page (wings, sorties, the coordination delay, strike results), air
targets chosen from the places and sectors offered, and the patrons' course (double down, evacuate,
withdraw) as Russia's and Iran's lever, recorded and replayed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from wargame.core.errors import ScenarioError
from wargame.core.events import AirStrike, DroneRaid, StrategicDecision
from wargame.core.rules.air import spotted
from wargame.play.airpower import air_picture, air_summary_lines, air_target_choices, target_rank
from wargame.play.game import Game
from wargame.play.hotseat import picture_lines
from wargame.play.orders import parse_orders
from wargame.play.store import GameStore

RUSSIAN_WINGS = {"ru_khmeimim", "ru_helicopters"}


@pytest.fixture
def store(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    yield store
    store.close()


def played(store, turns: int, orders: dict | None = None, humans=("russia",)) -> Game:
    """A classroom game whose human teams send `orders` (team -> orders) every turn for `turns` turns."""
    game = Game.create(store, humans=humans)
    for _ in range(turns):
        for team in humans:
            game.submit(team, (orders or {}).get(team, {}))
    return game


def test_russias_picture_lists_its_aircraft_and_the_sorties_they_fly(store):
    game = played(store, 2)
    air = game.views["russia"]["air"]
    wings = {w["key"]: w for w in air["wings"]}
    assert set(wings) == RUSSIAN_WINGS                          # its own wings only, not the Syrian air force's
    model_wings = {w.key: w for w in game.model.wings}
    for key, w in wings.items():
        assert w["aircraft"] == pytest.approx(model_wings[key].aircraft, abs=0.05)
        assert w["sorties_total"] == pytest.approx(model_wings[key].sorties_flown, abs=0.05)
        assert w["base"] and w["flying"]
    assert wings["ru_khmeimim"]["aircraft"] == 14 and wings["ru_khmeimim"]["sortie_rate"] == 2.0
    assert wings["ru_khmeimim"]["per_day"] == pytest.approx(14 * 0.7 * 2.0)
    assert air["turn"]["sorties"] > 0
    # this turn's sorties and the last turn's add up to all the sorties flown
    first = game.store.turn_views(game.id, 0)["russia"]["air"]
    assert air["total"]["sorties"] == pytest.approx(first["turn"]["sorties"] + air["turn"]["sorties"], abs=0.15)
    assert air["coordination"]["hours"] == game.model.spec.rules.air.coordination_hours
    assert {w["key"] for w in game.views["regime"]["air"]["wings"]} == {"saa_hama", "saa_kuweires", "saa_t4"}
    assert game.views["rebels"]["air"] is None                  # no aircraft, no air picture
    # the hot-seat screen tells the same
    screen = "\n".join(picture_lines(game.view("russia"), game.sectors.names))
    assert "Russian air group, Khmeimim 14 aircraft" in screen and "This turn your aircraft flew" in screen


def test_the_cards_men_killed_is_the_sum_of_its_strike_lines(store, monkeypatch):
    """Strikes that kill 0.4 men each read "0 killed" each, so the card's total is 0 too: the card, its strike
    lines and the turn summary add up the same rounded figures (found in the browser: the card's 14 beside the
    summary's 15 and the reports' 16)."""
    game = played(store, 1)
    real = game.model.events.of_kind
    monkeypatch.setattr(game.model.events, "of_kind", lambda kind: [
        dataclasses.replace(x, killed=0.4) if kind is AirStrike else x for x in real(kind)])
    air = air_picture(game.model, game.teams["russia"], None, game.view("russia"), game.place_areas)
    assert len(air["strikes"]) >= 2 and all(s["killed"] == 0 for s in air["strikes"])
    assert air["turn"]["killed"] == sum(s["killed"] for s in air["strikes"] + air["salvos"]) == 0


def test_a_strikes_result_reaches_russias_picture_and_reports(store):
    game = played(store, 4)
    strikes = [s for s in game.model.events.of_kind(AirStrike) if s.wing in RUSSIAN_WINGS]
    assert strikes, "Russian aircraft struck nothing in two days"
    reports = game.views["russia"]["reports"]
    assert any(r["kind"] == "air_strike" and r["wing"] in RUSSIAN_WINGS for r in reports)
    # the turn's strikes in the air picture are the events of the turn, in plain words
    turn_views = [game.store.turn_views(game.id, t)["russia"]["air"] for t in range(4)]
    listed = sum(len(v["strikes"]) for v in turn_views)
    assert listed == len(strikes)
    assert sum(v["turn"]["killed"] for v in turn_views) == pytest.approx(sum(s.killed for s in strikes), abs=4)
    # the card's men killed this turn is the turn summary's "Your strikes: ... about N enemy killed" (the sum
    # rounded once, not each strike's rounded and added: 6.4 + 1.4 + 6.4 + 1.4 is 16, not 14)
    for t, v in enumerate(turn_views):
        assert v["turn"]["killed"] == round(sum(s.killed for s in strikes if s.step in range(2 * t + 1, 2 * t + 3)))
        told = " ".join(line for x in game.summaries["russia"][t]["sections"] for line in x["lines"])
        if v["strikes"]:
            assert f"about {v['turn']['killed']:,} enemy killed" in told, (t, told)
    busy = next(v for v in turn_views if v["strikes"])
    lines = air_summary_lines(busy)
    struck = busy["strikes"][0]
    assert struck["target"] in " ".join(lines) and "killing" in lines[0] and "sorties" in lines[0]
    assert not any("ru_" in x or "_" in struck["target"] for x in lines)      # names, not ids
    # drone raids on the bases its aircraft fly from are reported too
    bases = {w.spec.base for w in game.model.wings if w.key in RUSSIAN_WINGS}
    raids = [r for r in game.model.events.of_kind(DroneRaid) if r.base in bases]
    assert sum(r["raids"] for v in turn_views for r in v["drone_raids"]) == len(raids)


def test_air_targets_are_offered_from_what_the_team_sees_and_rank_the_strikes(store):
    game = Game.create(store, humans=("russia",))
    game.resolve()
    view = game.views["russia"]
    choices = air_target_choices(view, game.sectors, game.place_areas)
    assert choices["places"], "Russia's side sees no enemy after the first turn"
    place, label = choices["places"][0]
    assert game.place_areas.names[place] in label and "enemy unit" in label
    assert [s for s, _ in choices["sectors"]] == game.sectors.ids
    # a place chosen from the list is accepted; an unknown one is refused, naming the field and the choices
    game.submit("russia", {"air_priorities": [place, "hama"]})
    assert game.turn == 2                                        # accepted: the turn resolved (the only human team)
    with pytest.raises(ScenarioError, match=r"air priorities: 'atlantis' is neither a sector nor a place"):
        game.submit("russia", {"air_priorities": ["atlantis"]})
    # the chosen place's spotted enemies are struck first
    model = game.model
    commander = game.commanders["russia"]
    commander.orders_now = parse_orders("russia", {"air_priorities": [place]}, game.sectors, game.places)
    candidates = spotted(model, model.side_index["regime"])
    in_area = game.place_areas.of_cell[model.table.idx[candidates]] == game.place_areas.ids.index(place)
    assert in_area.any() and not in_area.all()
    ranked = commander.rank_air_targets(model, "russia", candidates)
    first = game.place_areas.of_cell[model.table.idx[ranked]] == game.place_areas.ids.index(place)
    assert first[: int(in_area.sum())].all() and not first[int(in_area.sum()):].any()
    commander.orders_now = None


def test_an_air_target_is_offered_once_where_a_place_and_a_sector_share_its_id(store):
    """Idlib the city and the Idlib sector are both "idlib": one choice (the sector, as the order means it),
    not "near Idlib" and "Idlib sector" sending the same order (trial 16, item 10)."""
    game = Game.create(store, humans=("russia",))
    cell = game.model.theatre.place_cell
    view = {"enemies": [{"cell": int(cell["idlib"])}, {"cell": int(cell["saraqib"])}]}
    choices = air_target_choices(view, game.sectors, game.place_areas)
    ids = [i for group in choices.values() for i, _ in group]
    assert len(ids) == len(set(ids))
    assert [p for p, _ in choices["places"]] == ["saraqib"] and ("idlib", "Idlib sector") in choices["sectors"]


def test_target_rank_takes_the_first_priority_that_names_a_target(store):
    game = Game.create(store, humans=("russia",))
    areas, sectors = game.place_areas, game.sectors
    saraqib = game.model.theatre.place_cell["saraqib"]
    cells = np.array([saraqib, sectors.centre["hama"], -1], dtype=np.int64)
    assert target_rank(["saraqib", "hama"], sectors, areas, cells).tolist() == [0, 1, 2]
    assert target_rank(["idlib", "saraqib"], sectors, areas, cells).tolist()[0] == \
        (0 if sectors.ids[sectors.of_cell[saraqib]] == "idlib" else 1)


def test_the_air_card_and_target_lists_are_on_russias_page(tmp_path):
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    from wargame.web.app import make_app
    from wargame.web.security import COOKIE

    app = make_app(tmp_path / "games.sqlite")
    client = TestClient(app, follow_redirects=False)
    r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": ["russia", "rebels"], "seed": "1"})
    assert r.status_code == 303, r.text
    instructor = r.cookies.get(COOKIE)
    client.cookies.set(COOKIE, instructor)
    codes = client.get("/api/instructor/view").json()["codes"]
    assert client.post("/api/instructor/resolve", json={}).status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, codes["russia"])
    page = client.get("/team").text
    assert 'id="air"' in page and "Russian air group, Khmeimim" in page and "sorties this turn" in page
    assert "Coordination with the ground" in page and "h after a spotter" in page
    assert page.count('data-kind="target-list"') == 3 and 'name="air_priorities"' in page
    assert "Enemies you see" in page and 'id="patron-course"' in page
    view = client.get("/api/view").json()
    offered = air_target_choices(view, *_areas(app, view))["places"][0][0]
    assert f'<option value="{offered}"' in page
    ok = client.post("/api/orders", json={"air_priorities": [offered]})
    assert ok.status_code == 200, ok.text
    bad = client.post("/api/orders", json={"air_priorities": ["narnia"]})
    assert bad.status_code == 400 and "air priorities" in bad.text and "neither a sector nor a place" in bad.text
    # another team's page has no air card of Russia's
    client.cookies.clear()
    client.cookies.set(COOKIE, codes["rebels"])
    assert "Russian air group" not in client.get("/team").text


def _areas(app, view):
    game = app.state.hub.loaded(view["status"]["game"])
    return game.sectors, game.place_areas


def test_the_patrons_course_is_a_lever_that_changes_the_model_and_replays_identically(store):
    plain = played(store, 1)
    doubled = played(store, 1, {"russia": {"course": "double_down"}})
    wing = {w.key: w for w in doubled.model.wings}["ru_khmeimim"]
    base = {w.key: w for w in plain.model.wings}["ru_khmeimim"]
    hq = doubled.model.spec.actors.russia_hq
    assert wing.aircraft - base.aircraft == pytest.approx(round(hq.reinforce_aircraft * hq.ukraine_cap))
    decisions = [e for e in doubled.model.events.of_kind(StrategicDecision) if e.actor == "russia_hq"]
    assert any("doubles down" in d.decision and "decided by Russia's team" in d.decision for d in decisions)
    assert not any("orders of" in d.decision for d in decisions)          # the team in words, not an id
    assert not doubled.model.actors["russia_hq"].reviews        # the team decides from now on
    # a course carried over changes nothing; one that goes back is refused with a clear error
    doubled.submit("russia", {"course": "double_down"})
    assert {w.key: w for w in doubled.model.wings}["ru_khmeimim"].aircraft == wing.aircraft
    doubled.submit("russia", {"course": "evacuate"})
    with pytest.raises(ScenarioError, match="course.*'evacuate' has been taken: from there it can only go on to 'withdraw'"):
        doubled.submit("russia", {"course": "double_down"})
    # the record replays to the same model
    again = Game(store, doubled.id)
    assert again.model.events.to_dicts() == doubled.model.events.to_dicts()
    assert again.views["russia"]["air"] == doubled.views["russia"]["air"]
    assert again.model.actors["russia_hq"].course == "evacuate"


def test_irans_team_has_the_same_lever(store):
    game = played(store, 1, {"iran": {"course": "evacuate"}}, humans=("iran",))
    iran = game.model.actors["iran"]
    assert iran.course == "evacuate" and not iran.reviews
    assert any(e.actor == "iran" and "evacuates its advisers" in e.decision
               for e in game.model.events.of_kind(StrategicDecision))
    with pytest.raises(ScenarioError, match="course"):
        game.submit("iran", {"course": "retreat"})
    pytest.importorskip("starlette")
    from wargame.web.air_pages import air_card

    card = air_card(game, "iran", game.views["iran"])           # no aircraft: the patron's course alone
    assert 'id="patron"' in card and "<b>evacuate</b>" in card and "your team decides it" in card


def test_irans_commitment_lever_reaches_its_recruiting(store):
    """The lever sets the scenario parameter mid-game; Iran recruits at that commitment from then on."""
    low = played(store, 2, humans=("iran",))
    high = played(store, 2, {"iran": {"commitment": 1.0}}, humans=("iran",))
    assert high.model.actors["iran"].commitment == 1.0
    recruited = {g: g.model.actors["iran"].pipeline + sum(p for _, p in g.model.actors["iran"].in_transit)
                 for g in (low, high)}
    assert recruited[high] > recruited[low]
