"""Ground rules: control, cities, supply and encirclement, movement, combat. Each test can fail."""

import numpy as np
import pytest

from tests.conftest import neighbour, step_phases, units_by_key
from wargame.core.agents.unit import State
from wargame.core.events import CityCaptured, UnitEncircled
from wargame.core.model import WarModel
from wargame.core.rules.combat import resolve_combat
from wargame.core.rules.control import update_control
from wargame.core.rules.movement import move_units
from wargame.core.rules.supply import update_supply

PURE = {"rules.combat.frontage_per_km": 1e6}      # no frontage limit: the attrition law on its own


def cell_of(model, place):
    return model.theatre.place_cell[place]


def contact(model, defender, attacker, place="hama"):
    cell = cell_of(model, place)
    defender.place(cell)
    attacker.place(neighbour(model, cell))


# ------------------------------------------------------------------ control


def test_unit_beside_its_sides_ground_takes_the_open_ground_around(duel):
    # (a unit alone deep in the enemy's rear takes only its own cell: tests/test_faults_13.py)
    model = duel()
    th = model.theatre
    attacker = units_by_key(model)["attacker"]
    own = np.flatnonzero(model.control == model.side_index["opposition"])
    # an open regime cell two hex steps from the opposition's ground (linked to its source, Khan Shaykhun)
    two_out = th.near_mask(own, 2 * th.layout.cell_km) & ~th.near_mask(own, th.layout.cell_km)
    cell = int(np.flatnonzero(two_out & th.inside & ~th.key_cells)[0])
    attacker.place(cell)
    step_phases(model, update_control)
    assert model.control[cell] == model.side_index["opposition"]
    around = th.cells_within(cell, model.spec.rules.control.influence_km)
    open_ground = around[~th.key_cells[around]]
    assert (model.control[open_ground] == model.side_index["opposition"]).all()


def test_built_up_cells_change_hands_only_when_entered(duel):
    model = duel()
    units = units_by_key(model)
    units["defender"].remove_from_map(State.DESTROYED)
    hama = model.theatre.cities["hama"]
    outside = np.setdiff1d(model.theatre.cells_within(hama.cell, 15.0), hama.cells)
    units["attacker"].place(int(outside[np.argmax(model.theatre.km_between(hama.cell, outside) > 9)]))
    step_phases(model, update_control)
    assert (model.control[list(hama.cells)] == model.side_index["regime"]).all()


def test_contested_ground_does_not_change_hands(duel):
    model = duel()
    units = units_by_key(model)
    contact(model, units["defender"], units["attacker"])
    step_phases(model, update_control)
    assert model.control[units["attacker"].idx] == model.side_index["opposition"]   # stands there alone
    assert model.control[cell_of(model, "hama")] == model.side_index["regime"]


def test_city_falls_when_most_of_its_cells_are_taken(duel):
    model = duel()
    units = units_by_key(model)
    units["defender"].remove_from_map(State.DESTROYED)
    hama = model.theatre.cities["hama"]
    for i, cell in enumerate(hama.cells):
        model.add_unit(key=f"a{i}", name="a", formation=-1, faction="hts", utype="infantry", personnel=300,
                       armour=0, artillery=0, air_defence=0, quality=0.5, morale=0.8, cohesion=0.8,
                       ideology=0.5, supply=1.0, posture="attack", elite=False, group=None, idx=int(cell))
    step_phases(model, update_control)
    captured = model.events.of_kind(CityCaptured)
    assert [e.city for e in captured] == ["hama"] and captured[0].side == "opposition"
    assert model.cities_lost[model.side_index["regime"]] == 1          # Hama is a city the regime must hold


# ------------------------------------------------------------------ supply


def ring(model, place, inner_km, outer_km):
    centre = cell_of(model, place)
    return np.setdiff1d(model.theatre.cells_within(centre, outer_km), model.theatre.cells_within(centre, inner_km))


def test_connected_unit_is_supplied_and_cut_off_unit_is_encircled(duel):
    model = duel()
    defender = units_by_key(model)["defender"]
    step_phases(model, update_supply)
    assert not defender.cut_off and defender.supply == 1.0
    model.set_control(ring(model, "hama", 9.0, 16.0), "opposition")
    step_phases(model, update_supply)
    per_step = model.spec.rules.supply.cutoff_decay / model.spec.steps_per_day
    assert defender.cut_off
    assert defender.supply == pytest.approx(1.0 - per_step)
    assert [e.unit for e in model.events.of_kind(UnitEncircled)] == ["defender"]
    for _ in range(5):
        step_phases(model, update_supply)
    assert defender.supply == pytest.approx(1.0 - 6 * per_step)
    assert len(model.events.of_kind(UnitEncircled)) == 1        # logged once, when it happens


def test_cut_off_unit_with_empty_stock_loses_strength(duel):
    model = duel()
    defender = units_by_key(model)["defender"]
    model.set_control(ring(model, "hama", 9.0, 16.0), "opposition")
    defender.supply = 0.0
    before = defender.personnel
    step_phases(model, update_supply)
    per_step = model.spec.rules.supply.cutoff_attrition / model.spec.steps_per_day
    assert defender.personnel == pytest.approx(before * (1 - per_step))
    assert defender.killed > 0


def test_supply_range_limits_reach(duel):
    model = duel(**{"rules.supply.range_km": 10.0})
    step_phases(model, update_supply)
    regime = model.side_index["regime"]
    held = model.control == regime
    far = np.flatnonzero(held & model.connected[regime] & ~model.supply_layers[regime])
    assert far.size > 0 and model.supply_layers[regime][cell_of(model, "homs")]


def test_a_cut_road_leaves_the_units_behind_it_out_of_supply(duel):
    # The only source is Homs; cutting the M5 corridor north of it leaves Hama behind the cut.
    model = duel()
    defender = units_by_key(model)["defender"]
    th = model.theatre
    band = np.flatnonzero(th.inside & (np.abs(th.lat - 34.88) < 0.05))
    model.set_control(band, "opposition")
    step_phases(model, update_supply)
    assert defender.cut_off and not model.supply_layers[model.side_index["regime"]][defender.idx]


def test_cutting_homs_separates_the_coast_from_damascus():
    model = WarModel("hts_2024", rng=1)
    th = model.theatre
    regime = model.side_index["regime"]
    from scipy.sparse import csgraph

    def linked(a, b):
        graph = model.fields.costs(model).within(model.control == regime)
        _, labels = csgraph.connected_components(graph, directed=False)
        return labels[th.place_cell[a]] == labels[th.place_cell[b]]

    assert linked("tartus", "damascus") and linked("latakia", "damascus")
    # the opposition takes Homs and the line east of it across the country (the desert detour included)
    band = np.flatnonzero(th.inside & (np.abs(th.lat - th.lat[th.place_cell["homs"]]) < 0.06))
    model.set_control(band, "opposition")
    assert not linked("tartus", "damascus") and not linked("latakia", "damascus")
    assert linked("latakia", "tartus")
    # without their ports, the coast's units would be encircled
    update_supply(model)
    coast = [u for u in model.units_on_map() if u.formation_key in ("saa_latakia", "saa_tartus")]
    assert coast and not any(u.cut_off for u in coast)             # the ports of Latakia and Tartus feed them
    model.source_cells[regime] = [th.place_cell["damascus"]]
    model.invalidate_supply()
    update_supply(model)
    assert all(u.cut_off for u in coast)


# ------------------------------------------------------------------ movement


def test_attacker_advances_towards_its_objective_and_stops_at_contact(duel):
    model = duel()
    units = units_by_key(model)
    attacker, defender = units["attacker"], units["defender"]
    start = model.theatre.km_between(attacker.idx, cell_of(model, "hama"))
    for _ in range(16):
        model.step()
        if attacker.in_contact:
            break
    assert model.theatre.km_between(attacker.idx, cell_of(model, "hama")) < start
    assert model.theatre.layout.distance(attacker.idx, defender.idx) <= 1 and attacker.idx != defender.idx
    assert attacker.cell is model.cells[attacker.idx]


def test_routing_unit_falls_back_towards_its_sources(duel):
    model = duel()
    defender = units_by_key(model)["defender"]
    defender.state = State.ROUTING
    before = model.theatre.km_between(defender.idx, cell_of(model, "homs"))
    step_phases(model, update_control, move_units)
    assert model.theatre.km_between(defender.idx, cell_of(model, "homs")) < before


def test_roads_speed_movement(duel):
    def cells_moved(road_factor):
        model = duel(**{"rules.movement.road_factor": road_factor})
        attacker = units_by_key(model)["attacker"]
        attacker.target = cell_of(model, "hama")
        start = attacker.idx
        step_phases(model, move_units)
        return model.theatre.layout.distance(start, attacker.idx)

    assert cells_moved(0.25) > cells_moved(1.0)


def test_abandoned_enemy_ground_is_crossed_faster_than_contested_ground(duel):
    def cells_moved(defender_beside_the_way):
        model = duel(**{"rules.movement.hostile_factor": 4.0})
        th = model.theatre
        units = units_by_key(model)
        attacker, defender = units["attacker"], units["defender"]
        model.set_control(np.flatnonzero(th.inside), "regime")        # every cell ahead is the enemy's
        model.set_control([attacker.idx], "opposition")
        attacker.target = cell_of(model, "hama")
        near = th.neighbours[attacker.idx]
        ahead = int(near[np.argmin(np.where(near >= 0, model.fields.field(model, attacker.target)[near], np.inf))])
        if defender_beside_the_way:      # next to the cell ahead, not on the way and not touching the attacker
            defender.idx = next(int(c) for c in th.neighbours[ahead]
                                if c >= 0 and th.layout.distance(c, attacker.idx) == 2)
        else:
            defender.idx = cell_of(model, "homs")
        model.sync_cells(np.array([defender.row]))
        start = attacker.idx
        step_phases(model, move_units)
        return th.layout.distance(start, attacker.idx)

    assert cells_moved(defender_beside_the_way=False) >= 1     # abandoned: taken at the pace of the ground
    assert cells_moved(defender_beside_the_way=True) == 0      # contested: four times the effort


def test_stacking_limit_is_respected(duel):
    model = duel(**{"rules.movement.stacking_limit": 2})
    cell = cell_of(model, "morek")
    for i in range(5):
        model.add_unit(key=f"s{i}", name="s", formation=-1, faction="hts", utype="infantry", personnel=300,
                       armour=0, artillery=0, air_defence=0, quality=0.5, morale=0.8, cohesion=0.8, ideology=0.5,
                       supply=1.0, posture="attack", elite=False, group=None, idx=neighbour(model, cell, i))
    for row in range(2, model.table.n):
        model.table.target[row] = cell
    step_phases(model, move_units)
    assert np.bincount(model.table.idx[model.table.idx >= 0]).max() <= 2


def test_a_unit_steps_round_a_cell_full_of_its_own_side(duel):
    model = duel(**{"rules.movement.stacking_limit": 1})
    th = model.theatre
    attacker = units_by_key(model)["attacker"]
    attacker.target = cell_of(model, "hama")
    field = model.fields.field(model, attacker.target)

    def downhill(cell):
        near = th.neighbours[cell]
        near = near[near >= 0]
        return near[field[near] < field[cell]]

    # a cell of its own ground from which two neighbours lead towards Hama
    start = next(int(c) for c in np.flatnonzero(th.inside & (model.control == model.side_index["opposition"]))
                 if downhill(c).size >= 2 and th.terrain[downhill(c)].max() == 0)
    attacker.place(start)
    best = int(downhill(start)[np.argmin(field[downhill(start)])])
    model.add_unit(key="jam", name="jam", formation=-1, faction="hts", utype="infantry", personnel=300, armour=0,
                   artillery=0, air_defence=0, quality=0.5, morale=0.8, cohesion=0.8, ideology=0.5, supply=1.0,
                   posture="defend", elite=False, group=None, idx=best)
    model.table.progress_km[attacker.row] = 6.0
    step_phases(model, move_units)
    assert attacker.idx not in (start, best)                   # it went round the jam ...
    assert field[attacker.idx] < field[start]                  # ... and still closer to its target


def test_routed_enemies_do_not_take_up_a_cells_room(duel):
    model = duel(**{"rules.movement.stacking_limit": 2})
    units = units_by_key(model)
    attacker, defender = units["attacker"], units["defender"]
    ahead = neighbour(model, attacker.idx)
    defender.idx = ahead
    defender.state = State.ROUTING
    for i in range(2):                       # the cell is full of the enemy's routed units
        model.add_unit(key=f"r{i}", name="r", formation=-1, faction="saa", utype="infantry", personnel=300,
                       armour=0, artillery=0, air_defence=0, quality=0.5, morale=0.1, cohesion=0.3, ideology=0.2,
                       supply=1.0, posture="defend", elite=False, group=None, idx=ahead)
        model.table.agent[-1].state = State.ROUTING
    model.sync_cells(np.arange(model.table.n))
    attacker.target = ahead
    model.table.progress_km[attacker.row] = 20.0
    step_phases(model, move_units)
    assert attacker.idx == ahead                                    # three routed enemies, limit two: it enters
    assert np.count_nonzero(model.table.idx == ahead) == 4


def test_iranian_backed_units_keep_away_from_the_golan():
    model = WarModel("hts_2024", rng=1)
    th = model.theatre
    assert model.golan_zone[th.place_cell["quneitra"]] and model.golan_zone[th.place_cell["kiswah"]]
    assert not model.golan_zone[th.place_cell["damascus"]]              # Damascus itself is exempt
    militia = next(u for u in model.ground_units if u.kind == "militia")
    saa = next(u for u in model.ground_units if u.kind == "saa")
    for unit in model.units_on_map():
        if unit not in (militia, saa):
            unit.remove_from_map(State.DISSOLVED)          # an empty road, so that only the zone can stop them
    for unit in (militia, saa):
        unit.place(th.place_cell["damascus"])
        model.table.target[unit.row] = th.place_cell["quneitra"]
    for _ in range(12):
        step_phases(model, move_units)
    assert not model.golan_zone[militia.idx]
    assert model.golan_zone[saa.idx]                                    # the SAA may go


# ------------------------------------------------------------------ combat


def test_units_in_contact_take_losses(duel):
    model = duel()
    units = units_by_key(model)
    contact(model, units["defender"], units["attacker"])
    step_phases(model, resolve_combat)
    for unit in units.values():
        assert unit.in_contact and 0 < unit.losses_step and unit.personnel < 1500


def test_outnumbered_side_loses_a_larger_share(duel):
    for seed in range(10):
        for place, margin in (("hama", 1.0), ("morek", 2.0)):
            model = duel(rng=seed, **{"units.attacker.personnel": 6000, **PURE})
            units = units_by_key(model)
            contact(model, units["defender"], units["attacker"], place)
            step_phases(model, resolve_combat)
            assert units["defender"].losses_step / 1500 > margin * units["attacker"].losses_step / 6000


def test_urban_defender_loses_less_than_in_the_open(duel):
    def defender_losses(cell_choice):
        model = duel(**{"rules.combat.loss_noise": 0.0, **PURE})
        units = units_by_key(model)
        cell = cell_choice(model)
        units["defender"].place(cell)
        units["attacker"].place(neighbour(model, cell))
        step_phases(model, resolve_combat)
        return units["defender"].losses_step

    def hama(model):
        return cell_of(model, "hama")

    def open_country(model):
        th = model.theatre
        cells = np.flatnonzero((th.terrain == 0) & th.inside)
        return int(cells[np.argmin(th.km_between(th.place_cell["hama"], cells))])

    # urban terrain x1.6 on resilience; with the default exponent w = 0.5, losses fall by 1.6 ** 0.5
    assert defender_losses(hama) == pytest.approx(defender_losses(open_country) / 1.6 ** 0.5, rel=1e-3)


def test_surprise_doubles_fire_and_fades_over_days(duel):
    extra = '[surprise]\nside = "opposition"\nday = 0.0\n'

    def attacker_fire(day):
        model = duel(extra, **{"rules.combat.loss_noise": 0.0, **PURE})
        units = units_by_key(model)
        contact(model, units["defender"], units["attacker"])
        model.steps = int(day * model.spec.steps_per_day) + 1      # the step that starts on that day
        resolve_combat(model)
        return units["defender"].fire_received

    base = duel(**{"rules.combat.loss_noise": 0.0, **PURE})
    units = units_by_key(base)
    contact(base, units["defender"], units["attacker"])
    base.turn = 1
    resolve_combat(base)
    plain = units["defender"].fire_received
    assert attacker_fire(0.0) == pytest.approx(2.0 * plain, rel=1e-3)
    assert plain < attacker_fire(3.0) < attacker_fire(1.0) < attacker_fire(0.0)
    assert attacker_fire(3.0) == pytest.approx(plain * (1 + np.exp(-1.0)), rel=1e-3)


def test_lanchester_exponent_moves_between_linear_and_square_laws(duel):
    def defender_share(exponent, attackers):
        model = duel(**{"rules.combat.loss_noise": 0.0, **PURE, "rules.combat.lanchester_exponent": exponent,
                        "units.attacker.personnel": attackers})
        units = units_by_key(model)
        contact(model, units["defender"], units["attacker"])
        step_phases(model, resolve_combat)
        return units["defender"].losses_step / 1500

    # square law (w = 1): the loss share follows the force ratio; linear (w = 0): the enemy's absolute strength
    assert defender_share(1.0, 3000) / defender_share(1.0, 1500) == pytest.approx(2.0, rel=1e-3)
    assert defender_share(0.0, 3000) / defender_share(0.0, 1500) == pytest.approx(2.0, rel=1e-3)
    small = duel(**{"rules.combat.loss_noise": 0.0, **PURE, "rules.combat.lanchester_exponent": 0.0,
                    "units.defender.personnel": 500, "units.attacker.personnel": 500})
    big = duel(**{"rules.combat.loss_noise": 0.0, **PURE, "rules.combat.lanchester_exponent": 0.0,
                  "units.defender.personnel": 3000, "units.attacker.personnel": 3000})
    shares = []
    for model in (small, big):
        units = units_by_key(model)
        contact(model, units["defender"], units["attacker"])
        step_phases(model, resolve_combat)
        shares.append(units["defender"].losses_step / units["defender"].personnel_start)
    assert shares[1] == pytest.approx(6 * shares[0], rel=1e-3)     # linear law: bigger battles, bigger shares


def test_fire_into_a_cell_saturates_at_its_frontage(duel):
    def defender_losses(attackers, frontage):
        model = duel(**{"rules.combat.loss_noise": 0.0, "rules.combat.frontage_per_km": frontage,
                        "units.attacker.personnel": attackers})
        units = units_by_key(model)
        contact(model, units["defender"], units["attacker"], "morek")
        step_phases(model, resolve_combat)
        return units["defender"].losses_step

    # with room to bear, four times the men do about four times the harm; on a narrow front much less
    assert defender_losses(6000, 1e6) / defender_losses(1500, 1e6) == pytest.approx(4.0, rel=1e-2)
    assert defender_losses(6000, 300.0) / defender_losses(1500, 300.0) < 2.0
    assert defender_losses(6000, 300.0) < defender_losses(6000, 1e6)


def test_a_garrison_feels_the_odds_in_numbers_only_as_far_as_odds_in_numbers_says(duel):
    """rules.morale.odds_in_numbers: at 0 the odds a unit feels are the fire that bears on its frontage; at 1
    all the fire brought against it; the losses it takes are the frontage's either way."""
    def felt(attackers, s):
        model = duel(**{"rules.combat.loss_noise": 0.0, "rules.combat.frontage_per_km": 300.0,
                        "rules.morale.odds_in_numbers": s, "units.attacker.personnel": attackers})
        units = units_by_key(model)
        contact(model, units["defender"], units["attacker"], "morek")
        step_phases(model, resolve_combat)
        row = units["defender"].row
        return model.table.enemy_ratio[row], units["defender"].losses_step

    at_zero, at_one, halfway = felt(6000, 0.0), felt(6000, 1.0), felt(6000, 0.5)
    assert at_one[0] > 1.5 * at_zero[0]                            # the massed enemy is felt
    assert at_zero[0] < halfway[0] < at_one[0]
    assert halfway[0] == pytest.approx((at_zero[0] * at_one[0]) ** 0.5, rel=1e-6)   # a geometric blend
    assert at_one[1] == pytest.approx(at_zero[1], rel=1e-9)        # losses still follow the frontage
    # four times the attackers weigh on the garrison's mind about four times as much at s = 1, far less at 0
    assert at_one[0] / felt(1500, 1.0)[0] == pytest.approx(4.0, rel=0.05)
    assert at_zero[0] / felt(1500, 0.0)[0] < 2.0


def test_overrun_unit_leaves_its_equipment_to_the_captor(duel):
    model = duel(**{"units.defender.armour": 20, "units.defender.artillery": 10})
    units = units_by_key(model)
    contact(model, units["defender"], units["attacker"])
    units["defender"].personnel = 60.0          # below 8% of 1,500: destroyed when it next takes losses
    step_phases(model, resolve_combat)
    assert units["defender"].state is State.DESTROYED and units["defender"].cell is None
    share = model.spec.rules.breaks.capture_share
    assert units["attacker"].armour == pytest.approx(20 * share * 0.99, rel=0.05)
    assert model.captured_equipment["armour"][model.faction_index["hts"]] > 0


def test_the_strongest_enemies_beside_many_units_are_those_found_one_unit_at_a_time():
    """strongest_enemies_near answers for all the rows at once what strongest_enemy_near answers row by row
    (most personnel within one hex, ties to the lowest row, -1 for none), as a campaign unfolds."""
    from wargame.core.rules.capture import strongest_enemies_near, strongest_enemy_near

    model = WarModel("hts_2024", rng=5, collect_units=False)
    found = 0
    for _ in range(16):
        model.step()
        rows = np.arange(model.table.n)
        one_by_one = [strongest_enemy_near(model, int(row)) for row in rows]
        expected = np.array([-1 if captor is None else captor for captor in one_by_one])
        assert np.array_equal(strongest_enemies_near(model, rows), expected)
        found += int((expected >= 0).sum())
    assert found > 20                    # the front was in contact: the answers were not all "none"
