"""Faults of round 13, each pinned by a test that failed before its fix:
1. a retreat through ground the enemy holds counted as a fast advance and shocked the enemy (rules.movement);
2. one battalion passing through the enemy's rear took the open country around it (rules.control);
3. a town its first owner took back still read only as "fallen" (experiments.outcomes, the reports)."""

import numpy as np

from tests.conftest import step_phases, units_by_key
from wargame.core.agents.unit import State
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
