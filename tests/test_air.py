"""Air power: spotting, coordination delay, strikes, weather, salvos, drones, air defence, captured bases."""

import numpy as np
import pytest

from tests.conftest import step_phases, units_by_key
from wargame.core.agents.unit import State
from wargame.core.events import AirStrike, BaseCaptured, DroneRaid, MissileStrike
from wargame.core.rules.air import coordination_delay, run_air, spotted
from wargame.core.rules.control import update_control

WING = '''
[air.ru]
faction = "russia"
kind = "tactical"
name = "Russian air group"
base = "hama_airbase"
aircraft = 12
'''
CLEAR = {"rules.air.bad_weather_chance": 0.0}


def near_each_other(model, km=8.0):
    units = units_by_key(model)
    d, a = units["defender"], units["attacker"]
    a.place(model.theatre.cells_within(d.idx, km)[-1])
    return d, a


def test_air_strikes_without_spotters_do_nothing(duel):
    model = duel(WING, **CLEAR)
    units = units_by_key(model)
    units["defender"].remove_from_map(State.DISSOLVED)      # no friendly eyes on the ground
    attacker = units["attacker"]
    for _ in range(8):
        step_phases(model, run_air)
    assert spotted(model, model.side_index["regime"]).size == 0
    assert not model.strike_queue and not model.events.of_kind(AirStrike)
    assert attacker.personnel == 1500 and attacker.suppression == 0


def test_spotted_targets_are_struck_after_the_coordination_delay(duel):
    model = duel(WING, **CLEAR, **{"rules.air.coordination_hours": 12.0})
    d, a = near_each_other(model)
    step_phases(model, run_air)
    assert model.strike_queue and {s[2] for s in model.strike_queue} == {a.row}
    assert not model.events.of_kind(AirStrike)            # requested, not yet landed: 12 h = 2 steps
    a.place(a.idx)
    for _ in range(2):
        step_phases(model, run_air)
    strikes = model.events.of_kind(AirStrike)
    assert strikes and strikes[0].delay_steps == 2
    assert a.suppression > 0 and a.personnel < 1500 and model.table.sorties_on[a.row] > 0
    # suppression and fear rather than casualties: a strike of 8 sorties kills a handful
    assert 1500 - a.personnel < 0.05 * 1500


def test_a_target_that_moved_away_is_missed(duel):
    model = duel(WING, **CLEAR, **{"rules.air.coordination_hours": 12.0})
    d, a = near_each_other(model)
    step_phases(model, run_air)
    a.place(model.theatre.place_cell["khan_shaykhun"])
    for _ in range(2):
        step_phases(model, run_air)
    assert not model.events.of_kind(AirStrike) and a.personnel == 1500


def test_coordination_delay_grows_as_the_friendly_network_collapses(duel):
    extra = WING + '''
[units.brigade]
faction = "saa"
name = "Brigade"
at = "hama"
count = 4
personnel = 400
'''
    model = duel(extra, **CLEAR)
    cell = np.array([model.theatre.place_cell["hama"]])
    calm = coordination_delay(model, model.side_index["regime"], cell)[0]
    for unit in model.ground_units:
        if unit.key.startswith("brigade"):
            unit.state = State.ROUTING
            model.table.broke_turn[unit.row] = model.steps
    broken = coordination_delay(model, model.side_index["regime"], cell)[0]
    assert broken > calm


def test_bad_weather_grounds_most_sorties(duel):
    def sorties(chance):
        model = duel(WING, **{"rules.air.bad_weather_chance": chance})
        near_each_other(model)
        step_phases(model, run_air)
        return model.air_stats["sorties"][model.side_index["regime"]]

    assert sorties(1.0) == pytest.approx(sorties(0.0) * 0.3)


def test_air_defence_with_the_target_blunts_the_strike(duel):
    def suppression(air_defence):
        model = duel(WING, **CLEAR, **{"units.attacker.air_defence": air_defence, "rules.air.coordination_hours": 0.0})
        d, a = near_each_other(model)
        step_phases(model, run_air)
        return a.suppression

    assert suppression(0) > suppression(4) > 0


def test_a_captured_airbase_grounds_its_wing_and_hands_over_aircraft(duel):
    extra = WING + '''
[air_defence.hama]
faction = "russia"
at = "hama_airbase"
pantsir = 2
'''
    model = duel(extra, **CLEAR)
    units = units_by_key(model)
    units["defender"].remove_from_map(State.DISSOLVED)
    base = model.theatre.place_cell["hama_airbase"]
    units["attacker"].place(base)
    step_phases(model, update_control)
    (event,) = model.events.of_kind(BaseCaptured)
    assert event.base == "hama_airbase" and event.aircraft > 8 and event.air_defence == 2
    wing = model.wings[0]
    assert not wing.operating() and wing.aircraft < 4
    assert units["attacker"].air_defence == 2
    assert model.captured_equipment["aircraft"][model.faction_index["hts"]] == pytest.approx(event.aircraft)


def test_cruise_missiles_strike_the_city_where_the_enemy_masses(duel):
    extra = '''
[air.kalibr]
faction = "russia"
kind = "cruise_missile"
name = "Kalibr salvo"
aircraft = 8
every_days = 2.0
'''
    model = duel(extra)
    a = units_by_key(model)["attacker"]
    model.set_control(list(model.theatre.cities["morek"].cells), "opposition")
    a.place(model.theatre.place_cell["morek"])
    supply = a.supply
    step_phases(model, run_air)
    (event,) = model.events.of_kind(MissileStrike)
    assert event.place == "morek" and a.personnel < 1500 and a.supply < supply
    step_phases(model, run_air)
    assert len(model.events.of_kind(MissileStrike)) == 1           # the next salvo comes two days later


def test_drones_are_stopped_more_often_by_air_defence(duel):
    def raids_through(pantsir):
        extra = WING + f'''
[factions.hts]
drones = 200
[air_defence.hama]
faction = "russia"
at = "hama_airbase"
pantsir = {pantsir}
ew = {pantsir}
'''
        through = total = 0
        for seed in range(6):
            model = duel(extra, rng=seed, **CLEAR)
            for _ in range(8):
                step_phases(model, run_air)
            raids = model.events.of_kind(DroneRaid)
            total += len(raids)
            through += sum(not r.intercepted for r in raids)
        return through, total

    open_sky, raids_open = raids_through(0)
    defended, raids_defended = raids_through(3)
    assert raids_open > 20 and raids_defended > 20
    assert open_sky == raids_open                      # no defences: every raid gets through
    assert defended < 0.2 * raids_defended             # three Pantsirs and three EW systems stop most
