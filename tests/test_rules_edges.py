"""Edge cases of the rules that a review found: dormant forces, allies and control, losses from every
source, the sortie cap, the window that explains a break, the freeze, and factors that must matter."""

import numpy as np
import pytest

from tests.conftest import neighbour, step_phases, units_by_key
from wargame.core.agents.unit import State
from wargame.core.events import UnitArrived, UnitBroke
from wargame.core.model import WarModel
from wargame.core.rules.air import run_air
from wargame.core.rules.breaks import resolve_breaks
from wargame.core.rules.combat import resolve_combat
from wargame.core.rules.control import update_control
from wargame.core.rules.morale import FACTORS, draw_breakpoint

PURE = {"rules.combat.frontage_per_km": 1e6, "rules.combat.loss_noise": 0.0}


def test_forces_that_rise_later_are_off_the_map_until_they_rise(duel):
    extra = '''
[units.uprising]
faction = "hts"
name = "Uprising"
at = "salamiyah"
count = 2
personnel = 400
posture = "attack"
rises_when = { side = "regime", cities_lost = 1 }
'''
    model = duel(extra)
    assert "uprising_1" not in units_by_key(model)
    before = model.control.copy()
    for _ in range(4):
        model.step()
    salamiyah = model.theatre.place_cell["salamiyah"]
    assert model.control[salamiyah] == before[salamiyah] == model.side_index["regime"]   # held nothing
    model.cities_lost[model.side_index["regime"]] = 1
    model.step()
    risen = [e.unit for e in model.events.of_kind(UnitArrived)]
    assert risen == ["uprising_1", "uprising_2"]
    assert all(units_by_key(model)[k].state is State.ACTIVE for k in risen)


def test_a_defection_with_no_enemy_left_beside_it_becomes_a_rout(duel):
    model = duel(**{"rules.breaks.defection": 10.0, "rules.breaks.surrender": 0.0, "rules.breaks.desertion": 0.0,
                    "factions.saa.legitimacy": 0.0})
    d = units_by_key(model)["defender"]
    d.morale = 0.0                       # breaks, with no enemy within a hex to go over to
    model.steps += 1
    model.morale_phase()
    (event,) = model.events.of_kind(UnitBroke)
    assert event.outcome == "rout" and d.state is State.ROUTING


def test_allies_never_take_each_others_ground(write_toml, duel_file):
    text = f'''extends = "{duel_file}"
[sides.sdf]
name = "SDF"
colour = "#e6ab02"
enemies = ["opposition"]
[factions.sdf]
kind = "static"
name = "SDF"
side = "sdf"
colour = "#e6ab02"
doctrine = "static"
[units.kurds]
faction = "sdf"
name = "Kurds"
at = "morek"
personnel = 500
'''
    model = WarModel(write_toml(text), rng=1)
    units = units_by_key(model)
    cell = model.theatre.place_cell["morek"]
    target = neighbour(model, cell)
    model.set_control([cell, target], "opposition")
    units["kurds"].place(cell)
    units["defender"].place(target)                         # a regime unit alone in an opposition cell
    units["attacker"].place(model.theatre.place_cell["khan_shaykhun"])
    step_phases(model, update_control)
    assert model.control[target] == model.side_index["regime"]
    assert model.control[cell] == model.side_index["sdf"]   # the SDF took the cell it stands in
    # and never one the regime holds
    regime_cells = np.flatnonzero(model.control == model.side_index["regime"])
    step_phases(model, update_control)
    assert (model.control[regime_cells] == model.side_index["regime"]).all()


def test_losses_from_air_strikes_count_as_casualties(duel):
    extra = '[air.ru]\nfaction = "russia"\nkind = "tactical"\nname = "Air"\nbase = "hama_airbase"\naircraft = 30\n'
    model = duel(extra, **{"rules.air.coordination_hours": 0.0, "rules.air.bad_weather_chance": 0.0,
                           "rules.air.kills_per_sortie": 4.0})
    d, a = units_by_key(model)["defender"], units_by_key(model)["attacker"]
    a.place(model.theatre.cells_within(d.idx, 8.0)[-1])
    cohesion = a.cohesion
    model.steps += 1
    model.table.losses_step[:] = 0.0
    run_air(model)
    assert a.losses_step > 0
    model.morale_phase()
    assert a.ledger["casualties"] < 0 and a.cohesion < cohesion


def test_no_target_takes_more_than_the_sortie_cap(duel):
    extra = '[air.ru]\nfaction = "russia"\nkind = "tactical"\nname = "Air"\nbase = "hama_airbase"\naircraft = 40\n'
    model = duel(extra, **{"rules.air.bad_weather_chance": 0.0, "rules.air.coordination_hours": 12.0})
    d, a = units_by_key(model)["defender"], units_by_key(model)["attacker"]
    a.place(model.theatre.cells_within(d.idx, 8.0)[-1])
    step_phases(model, run_air)
    loads = [s[4] for s in model.strike_queue]
    assert loads and max(loads) <= model.spec.rules.air.max_sorties_per_target
    assert model.air_stats["sorties"][model.side_index["regime"]] == pytest.approx(sum(loads))


def test_a_break_is_explained_by_the_last_window_of_steps_only(duel):
    model = duel()
    d = units_by_key(model)["defender"]
    t = model.table
    window = t.window
    t.start_step_ledger()
    t.ledger_step[d.row, FACTORS.index("shock")] = -0.3        # long ago: must not explain today's break
    t.record(1)
    t.start_step_ledger()
    for turn in range(2, window + 1):
        t.record(turn)
    model.steps = window + 1                                      # this step reuses turn 1's slot
    t.ledger_step[d.row, FACTORS.index("casualties")] = -0.5
    d.morale = 0.0
    resolve_breaks(model)
    (event,) = model.events.of_kind(UnitBroke)
    assert event.factors == {"casualties": 1.0}


def test_the_freeze_holds_for_own_objectives_and_for_missiles(duel):
    polygon = "[[35.0, 36.6], [35.0, 36.9], [35.25, 36.9], [35.25, 36.6]]"     # around Hama
    extra = f'''
[actors.turkey]
deal_day = 0.0
freeze_polygon = {polygon}
[air.kalibr]
faction = "russia"
kind = "cruise_missile"
name = "Kalibr"
aircraft = 8
'''
    model = duel(extra, **{"units.attacker.objective": "hama"})
    a = units_by_key(model)["attacker"]
    model.step()
    assert model.frozen[model.theatre.place_cell["hama"]]
    assert a.target != model.theatre.place_cell["hama"]
    model.set_control(list(model.theatre.cities["hama"].cells), "opposition")
    a.place(model.theatre.place_cell["hama"])
    step_phases(model, run_air)
    assert not [e for e in model.events if e.kind == "missile_strike" and e.place == "hama"]


def test_elite_units_hold_to_heavier_losses():
    rng = np.random.default_rng(3)
    regular = [draw_breakpoint(rng, 0.6, 0.6, "defend", False) for _ in range(4000)]
    elite = [draw_breakpoint(rng, 0.6, 0.6, "defend", True) for _ in range(4000)]
    assert np.median(elite) == pytest.approx(1.4 * np.median(regular), rel=0.05)


def test_conscript_armies_break_sooner(duel):
    def median_breakpoint(share):
        model = duel("[units.line]\nfaction = \"saa\"\nname = \"Line\"\nat = \"homs\"\ncount = 20\npersonnel = 300\n",
                     **{"factions.saa.conscript_share": share})
        return np.median([u.breakpoint for u in model.ground_units if u.key.startswith("line")])

    assert median_breakpoint(0.85) < 0.85 * median_breakpoint(0.4)


def test_drones_add_to_the_fire_of_their_faction(duel):
    def fire(drones):
        model = duel(f"[factions.hts]\ndrones = {drones}\n", **PURE)
        d, a = units_by_key(model)["defender"], units_by_key(model)["attacker"]
        a.place(neighbour(model, d.idx))
        step_phases(model, resolve_combat)
        return d.fire_received

    assert fire(50) == pytest.approx(fire(0) + 50 * 20.0, rel=1e-3)       # drone_power 20 each


def test_under_the_square_law_the_loss_share_does_not_grow_with_the_battle(duel):
    def share(size):
        model = duel(**{**PURE, "rules.combat.lanchester_exponent": 1.0, "units.defender.personnel": size,
                        "units.attacker.personnel": size})
        d, a = units_by_key(model)["defender"], units_by_key(model)["attacker"]
        a.place(neighbour(model, d.idx))
        step_phases(model, resolve_combat)
        return d.losses_step / size

    assert share(3000) == pytest.approx(share(500), rel=1e-3)
