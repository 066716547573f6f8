"""Faults of round 13, each pinned by a test that failed before its fix:
1. a retreat through ground the enemy holds counted as a fast advance and shocked the enemy (rules.movement);
2. one battalion passing through the enemy's rear took the open country around it (rules.control);
3. a town its first owner took back still read only as "fallen" (experiments.outcomes, the reports)."""

import numpy as np

from tests.conftest import step_phases, units_by_key
from wargame.core.agents.unit import State, fighting
from wargame.core.model import WarModel
from wargame.core.rules.control import linked_ground, update_control
from wargame.core.rules.morale import shock
from wargame.core.rules.movement import move_units

# ------------------------------------------------------------------ 1. a retreat is no advance


def _regime_unit_behind_the_enemy(duel):
    """The duel with all ground but Homs handed to the opposition: the regime's defender at Hama can only
    fall back to Homs across ground the enemy holds, with the opposition's attacker next to it."""
    model = duel()
    th = model.theatre
    units = units_by_key(model)
    defender, attacker = units["defender"], units["attacker"]
    model.set_control(np.flatnonzero(th.inside), "opposition")
    model.set_control([th.place_cell["homs"]], "regime")
    hama = th.place_cell["hama"]
    defender.place(hama)
    attacker.place(th.place_cell["morek"])                          # within shock_km of Hama, off the way south
    model.table.progress_km[defender.row] = model.spec.rules.movement.max_banked_km   # movement for a cell or two
    return model, defender, attacker


def test_a_routing_unit_crossing_enemy_ground_does_not_shock_the_enemy(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    defender.state = State.ROUTING
    start = defender.idx
    step_phases(model, move_units)
    assert defender.idx != start                                   # it did run, across enemy ground
    assert model.table.advance_km[defender.row] == 0.0
    assert shock(model, np.array([attacker.row]))[0] == 0.0


def test_a_withdrawing_unit_crossing_enemy_ground_does_not_shock_the_enemy(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    model.table.withdraw[defender.row] = True
    start = defender.idx
    step_phases(model, move_units)
    assert defender.idx != start
    assert model.table.advance_km[defender.row] == 0.0
    assert shock(model, np.array([attacker.row]))[0] == 0.0


def test_a_unit_that_falls_back_forgets_its_earlier_advance(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    model.table.advance_km[defender.row] = 60.0                   # it had been advancing fast
    defender.state = State.ROUTING
    step_phases(model, move_units)
    assert model.table.advance_km[defender.row] == 0.0
    assert shock(model, np.array([attacker.row]))[0] == 0.0


def test_an_advance_into_enemy_ground_still_counts(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    defender.target = model.theatre.place_cell["khan_shaykhun"]  # attacking northwards, into the enemy's ground
    defender.place(model.theatre.place_cell["homs"])
    step_phases(model, move_units)
    assert model.table.advance_km[defender.row] > 0.0


# ------------------------------------------------------------------ 2. control needs presence or supply


def _opposition_ground(model):
    return model.control == model.side_index["opposition"]


def test_a_lone_unit_in_the_enemys_rear_takes_only_the_cell_it_stands_in(duel):
    model = duel()
    th = model.theatre
    attacker = units_by_key(model)["attacker"]
    target = th.place_cell["salamiyah"]          # deep in the regime's ground, far from the opposition's own
    before = _opposition_ground(model).copy()
    attacker.place(target)
    step_phases(model, update_control)
    taken = _opposition_ground(model) & ~before
    assert np.flatnonzero(taken).tolist() == [target]


def test_ground_cut_off_from_its_holder_falls_to_a_lone_unit_nearby(duel):
    model = duel()
    th = model.theatre
    attacker = units_by_key(model)["attacker"]
    target = th.place_cell["salamiyah"]
    # a ring of opposition ground cuts the regime's ground around Salamiyah off from Homs, its source
    ring = np.setdiff1d(th.cells_within(target, 25.0), th.cells_within(target, 18.0))
    model.set_control(ring, "opposition")
    attacker.place(target)
    step_phases(model, update_control)
    around = th.cells_within(target, model.spec.rules.control.influence_km)
    open_ground = around[~th.key_cells[around]]
    assert (model.control[open_ground] == model.side_index["opposition"]).all()


def test_a_regime_battalion_in_the_rear_of_the_idlib_pocket_holds_only_its_own_cell():
    model = WarModel("hts_2024", rng=1)
    th = model.theatre
    opposition, regime = model.side_index["opposition"], model.side_index["regime"]
    units = fighting(model.table)
    rebels = np.flatnonzero(units & (model.table.side == opposition))
    reach = model.spec.rules.control.influence_km
    # open opposition ground in Idlib (west of 37°E) joined to its crossings, with no opposition unit within
    # twice the reach of influence and no regime ground within 30 km: the pocket's empty rear
    rear = ((model.control == opposition) & th.inside & ~th.key_cells & (th.lon < 37.0)
            & linked_ground(model, opposition)
            & ~th.near_mask(model.table.idx[rebels], 2 * reach)
            & ~th.near_mask(np.flatnonzero(model.control == regime), 30.0))
    cell = int(np.flatnonzero(rear)[0])
    battalion = next(u for u in model.ground_units if u.faction == "saa" and u.fighting)
    battalion.place(cell)
    before = model.control.copy()
    step_phases(model, update_control)
    around = th.cells_within(cell, 2 * reach)
    changed = around[model.control[around] != before[around]]
    assert changed.tolist() == [cell]
