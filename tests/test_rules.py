"""The rules of the foundation, each tested in a small theatre where it can be seen to act (or fail to)."""

import numpy as np
import pytest

from wargame.agents.unit import State
from wargame.events import CityCaptured, Note, ParameterSet, UnitArrived, UnitBroke, UnitEncircled, UnitRallied
from wargame.model import WarModel
from wargame.rules.combat import resolve_combat
from wargame.rules.control import update_control
from wargame.rules.morale import draw_breakpoint, update_morale
from wargame.rules.movement import move_units
from wargame.rules.supply import update_supply


@pytest.fixture
def duel(duel_file):
    model = WarModel(duel_file, rng=5)
    units = {u.key: u for u in model.units_on_map()}
    return model, units["defender"], units["attacker"]


def cell_of(model, place):
    return model.theatre.place_cell[place]


def step_phase(model, *phases):
    model.turn += 1
    for phase in phases:
        phase(model)


# ------------------------------------------------------------------ control


def test_unit_alone_in_enemy_cell_takes_it_and_its_surroundings(duel):
    model, defender, attacker = duel
    target = cell_of(model, "salamiyah")
    assert model.control[target] == model.side_index["regime"]
    attacker.place(target)
    step_phase(model, update_control)
    assert model.control[target] == model.side_index["opposition"]
    near = model.theatre.cells_within(target, 8.0)
    assert (model.control[near] == model.side_index["opposition"]).all()


def test_contested_ground_does_not_change_hands(duel):
    model, defender, attacker = duel
    hama = cell_of(model, "hama")
    neighbour = model.theatre.adjacency[hama].indices[0]
    attacker.place(neighbour)
    step_phase(model, update_control)
    # the attacker stands in a cell next to the defender: occupied alone, it flips; Hama itself does not
    assert model.control[neighbour] == model.side_index["opposition"]
    assert model.control[hama] == model.side_index["regime"]


def test_city_falls_when_most_of_it_is_taken(duel):
    model, defender, attacker = duel
    defender.remove_from_map(State.DESTROYED)
    attacker.place(cell_of(model, "hama"))
    step_phase(model, update_control)
    captured = model.events.of_kind(CityCaptured)
    assert [e.city for e in captured] == ["hama"] and captured[0].side == "opposition"


# ------------------------------------------------------------------ supply


def test_connected_unit_is_supplied_and_cut_off_unit_is_encircled(duel):
    model, defender, attacker = duel
    step_phase(model, update_supply)
    assert not defender.cut_off and defender.supply == 1.0
    # ring Hama with opposition-held cells: the defender loses its link to Homs
    ring = np.setdiff1d(model.theatre.cells_within(cell_of(model, "hama"), 16.0),
                        model.theatre.cells_within(cell_of(model, "hama"), 9.0))
    model.control[ring] = model.side_index["opposition"]
    step_phase(model, update_supply)
    assert defender.cut_off
    assert defender.supply == pytest.approx(1.0 - model.spec.rules.supply.cutoff_decay)
    assert [e.unit for e in model.events.of_kind(UnitEncircled)] == ["defender"]
    for _ in range(5):
        step_phase(model, update_supply)
    assert defender.supply == pytest.approx(1.0 - 6 * model.spec.rules.supply.cutoff_decay)


def test_supply_range_limits_reach(duel):
    model, defender, attacker = duel
    step_phase(model, update_supply)
    assert model.supply_layers[model.side_index["regime"]][cell_of(model, "hama")]
    model.spec.rules.supply.range_km = 10.0     # linked cities still act as depots within their 10 km
    step_phase(model, update_supply)
    regime = model.side_index["regime"]
    far = np.flatnonzero((model.control == regime) & model.connected[regime] & ~model.supply_layers[regime])
    assert far.size > 0      # linked but beyond 10 km of any source or city: not in supply


# ------------------------------------------------------------------ movement


def test_attacker_advances_towards_objective_and_stops_at_contact(duel):
    model, defender, attacker = duel
    start = model.theatre.km_between(attacker.idx, cell_of(model, "hama"))
    for _ in range(16):
        model.step()
        if attacker.in_contact:
            break
    assert model.theatre.km_between(attacker.idx, cell_of(model, "hama")) < start
    assert model.theatre.layout.distance(attacker.idx, defender.idx) <= 1
    assert attacker.idx != defender.idx


def test_routing_unit_falls_back_towards_its_sources(duel):
    model, defender, attacker = duel
    defender.state = State.ROUTING
    homs = cell_of(model, "homs")
    before = model.theatre.km_between(defender.idx, homs)
    step_phase(model, update_control, move_units)
    assert model.theatre.km_between(defender.idx, homs) < before


# ------------------------------------------------------------------ combat


def place_in_contact(model, defender, attacker):
    hama = cell_of(model, "hama")
    attacker.place(model.theatre.adjacency[hama].indices[0])
    defender.place(hama)


def test_units_in_contact_take_losses(duel):
    model, defender, attacker = duel
    place_in_contact(model, defender, attacker)
    step_phase(model, resolve_combat)
    assert defender.in_contact and attacker.in_contact
    assert defender.losses_step > 0 and attacker.losses_step > 0
    assert defender.personnel < 1500 and attacker.personnel < 1500


def test_outnumbered_side_loses_a_larger_share(duel_file):
    shares = []
    for seed in range(20):
        model = WarModel(duel_file, rng=seed, **{"units.attacker.personnel": 6000, "rules.combat.loss_noise": 0.0})
        units = {u.key: u for u in model.units_on_map()}
        place_in_contact(model, units["defender"], units["attacker"])
        step_phase(model, resolve_combat)
        shares.append((units["defender"].losses_step / 1500, units["attacker"].losses_step / 6000))
    shares = np.array(shares)
    assert (shares[:, 0] > 3 * shares[:, 1]).all()


def test_urban_defender_loses_less_than_in_the_open(duel_file):
    def defender_losses(cell):
        model = WarModel(duel_file, rng=1, **{"rules.combat.loss_noise": 0.0})
        units = {u.key: u for u in model.units_on_map()}
        units["defender"].place(cell)
        units["attacker"].place(model.theatre.adjacency[cell].indices[0])
        step_phase(model, resolve_combat)
        return units["defender"].losses_step

    th = WarModel(duel_file, rng=1).theatre
    hama = th.place_cell["hama"]
    open_cells = np.flatnonzero((th.terrain == 0) & th.inside)
    open_cell = int(open_cells[np.argmin(th.km_between(hama, open_cells))])
    assert th.terrain[hama] == 1
    # urban terrain x1.6 on resilience; with the default exponent w = 0.5 losses fall by 1.6 ** 0.5
    assert defender_losses(hama) == pytest.approx(defender_losses(open_cell) / 1.6 ** 0.5, rel=1e-6)


# ------------------------------------------------------------------ morale


def test_heavy_losses_break_a_unit_with_attribution(duel):
    model, defender, attacker = duel
    place_in_contact(model, defender, attacker)
    defender.losses_step = 600.0
    defender.personnel = 900.0
    defender.in_contact = True
    defender.enemy_ratio = 4.0
    model.turn += 1
    update_morale(model)
    assert defender.state is State.ROUTING
    (event,) = model.events.of_kind(UnitBroke)
    assert event.unit == "defender" and event.outcome == "rout"
    assert set(event.factors) == {"casualties", "force_ratio"} and sum(event.factors.values()) == pytest.approx(1, abs=1e-3)
    assert defender.ledger["casualties"] < 0


def test_rested_supplied_unit_recovers_and_routed_unit_rallies(duel):
    model, defender, attacker = duel
    defender.morale = 0.3
    defender.state = State.ROUTING
    for _ in range(60):
        defender.in_contact = False
        defender.losses_step = 0.0
        model.turn += 1
        update_morale(model)
    assert defender.morale > 0.45 and defender.ledger["rest"] > 0
    assert defender.state is State.ACTIVE
    assert [e.unit for e in model.events.of_kind(UnitRallied)] == ["defender"]


def test_breakpoints_are_right_skewed():
    rng = np.random.default_rng(42)
    draws = np.array([draw_breakpoint(rng, 0.5, 0.5, "defend", False) for _ in range(20000)])
    assert 0.13 < np.median(draws) < 0.17
    assert 0.45 < np.mean((draws > 0.10) & (draws < 0.20)) < 0.65      # most break at 10-20% losses
    assert 0.003 < np.mean(draws > 0.40) < 0.05                          # a few hold past 40%
    assert np.mean(draws) > np.median(draws)                             # skewed to the right
    elite = np.array([draw_breakpoint(rng, 0.8, 0.8, "hold", True) for _ in range(5000)])
    assert np.median(elite) > 1.5 * np.median(draws)


# ------------------------------------------------------------------ timeline


def test_timeline_sets_parameters_logs_notes_and_brings_arrivals(write_toml, duel_file):
    path = write_toml(f'''extends = "{duel_file}"
[[timeline]]
event = "set"
day = 1.0
set = {{ "rules.combat.attrition_per_day" = 0.03 }}
note = "escalation"
[[timeline]]
event = "note"
day = 0.5
note = "first light"
[units.late]
faction = "saa"
name = "Late arrival"
at = "homs"
personnel = 800
arrives_day = 1.5
''')
    model = WarModel(path, rng=1)
    assert "late" not in {u.key for u in model.units_on_map()}
    for _ in range(3):
        model.step()
    assert model.spec.rules.combat.attrition_per_day == model.loaded.scenario.rules.combat.attrition_per_day
    model.step()
    assert model.spec.rules.combat.attrition_per_day == 0.03
    assert model.loaded.scenario.rules.combat.attrition_per_day != 0.03        # the loaded scenario is untouched
    for _ in range(2):
        model.step()
    assert "late" in {u.key for u in model.units_on_map()}
    kinds = [(type(e), e.day) for e in model.events if isinstance(e, (Note, ParameterSet, UnitArrived))]
    assert kinds == [(Note, 0.5), (ParameterSet, 1.0), (UnitArrived, 1.5)]
