"""Morale by factor, the ledger, cohesion, breakpoints, break outcomes, contagion, capture, rallying."""

import numpy as np
import pytest

from tests.conftest import neighbour, step_phases, units_by_key
from wargame.core.agents.unit import State
from wargame.core.events import EquipmentCaptured, UnitBroke, UnitDefected, UnitRallied
from wargame.core.rules.cohesion import update_cohesion
from wargame.core.rules.combat import resolve_combat
from wargame.core.rules.morale import FACTORS, apply_morale, draw_breakpoint, morale_factors
from wargame.core.rules.supply import update_supply


def factors_of(model, unit) -> dict:
    row = np.array([unit.row])
    return dict(zip(FACTORS, morale_factors(model, row)[0]))


def surround(model, unit, n=6, personnel=1500):
    """Put n opposition units around `unit` (which stands at Hama)."""
    added = []
    for k in range(n):
        added.append(model.add_unit(
            key=f"ring{k}", name="ring", formation=-1, faction="hts", utype="infantry", personnel=personnel,
            armour=5, artillery=2, air_defence=0, quality=0.6, morale=0.9, cohesion=0.9, ideology=0.7, supply=1.0,
            posture="attack", elite=False, group=None, idx=neighbour(model, unit.idx, k)))
    return added


def test_a_unit_under_heavy_fire_encircled_and_unsupplied_breaks(duel):
    model = duel()
    defender = units_by_key(model)["defender"]
    surround(model, defender)
    cells = np.setdiff1d(model.theatre.cells_within(defender.idx, 20.0), [defender.idx])
    model.set_control(cells, "opposition")
    defender.supply = 0.0
    for _ in range(40):                  # ten days of it
        model.step()
        if defender.state is not State.ACTIVE and defender.state is not State.SHAKEN:
            break
    assert defender.state in (State.ROUTING, State.SURRENDERED, State.DISSOLVED, State.DEFECTED)
    (event,) = [e for e in model.events.of_kind(UnitBroke) if e.unit == "defender"]
    assert {"encirclement", "force_ratio", "casualties"} & set(event.factors)


def test_a_rested_supplied_unit_recovers(duel):
    model = duel()
    defender = units_by_key(model)["defender"]
    units_by_key(model)["attacker"].remove_from_map(State.DISSOLVED)
    start = defender.morale
    defender.morale = 0.4
    for _ in range(40):
        model.step()
    # back towards where its conditions put it, and no further (rest no longer restores towards 1)
    assert 0.55 < defender.morale <= start + 1e-9 and defender.ledger["rest"] > 0.15
    assert defender.state is State.ACTIVE


def test_each_factor_acts_in_its_direction(duel):
    model = duel()
    d = units_by_key(model)["defender"]
    start = d.morale
    d.morale = start - 0.2
    base = factors_of(model, d)
    assert base["rest"] > 0 and base["will"] == 0         # below its resting level: rest restores
    d.morale = start + 0.2
    assert factors_of(model, d)["will"] < 0 and factors_of(model, d)["rest"] == 0   # above it: it sinks back
    d.morale = start
    d.losses_step, d.personnel = 150.0, 1350.0
    d.in_contact, d.enemy_ratio, d.cut_off, d.supply = True, 3.0, True, 0.2
    model.table.sorties_on[d.row] = 4.0
    f = factors_of(model, d)
    assert f["casualties"] == pytest.approx(-model.spec.rules.morale.casualty_weight * 0.1)
    per_step = 1 / model.spec.steps_per_day
    assert f["force_ratio"] == pytest.approx(-model.spec.rules.morale.force_ratio_weight * per_step)   # 3:1
    assert f["encirclement"] < 0 and f["supply"] < 0 and f["air_enemy"] < 0 and f["rest"] == 0


def test_a_pay_cut_during_the_campaign_lowers_where_morale_rests(duel):
    from wargame.core.rules.morale import resting_morale

    model = duel(**{"factions.saa.pay": 0.6, "factions.saa.legitimacy": 0.2})
    d = units_by_key(model)["defender"]
    row = np.array([d.row])
    before = resting_morale(model, row)[0]
    model.set_parameter("factions.saa.pay", 0.1, "test")
    model.step()
    cut = resting_morale(model, row)[0]
    model.set_parameter("factions.saa.pay", 0.9, "test")
    model.step()
    assert cut < before < resting_morale(model, row)[0]


def test_ideology_damps_losses(duel):
    from wargame.core.rules.morale import damp

    model = duel()
    d = units_by_key(model)["defender"]
    raw = np.array([[-0.1] + [0.0] * (len(FACTORS) - 1)])
    d.ideology = 0.0
    cool = damp(model, np.array([d.row]), raw)[0, 0]
    d.ideology = 1.0
    zealot = damp(model, np.array([d.row]), raw)[0, 0]
    assert cool == pytest.approx(-0.1) and zealot == pytest.approx(-0.1 * (1 - model.spec.rules.morale.ideology_resistance))


def test_russian_advisers_stiffen_units_nearby(duel):
    extra = '[units.advisers]\nfaction = "russia"\nname = "Advisers"\ntype = "advisers"\nat = "hama"\npersonnel = 80\n'
    with_them = duel(extra)
    without = duel()
    for m in (with_them, without):             # stiffening restores morale up to where it rests, never beyond
        units_by_key(m)["defender"].morale -= 0.2
    assert factors_of(with_them, units_by_key(with_them)["defender"])["stiffening"] > 0
    assert factors_of(without, units_by_key(without)["defender"])["stiffening"] == 0
    assert factors_of(with_them, units_by_key(with_them)["attacker"])["stiffening"] == 0   # not the enemy


def test_shock_of_a_fast_enemy_advance(duel):
    model = duel()
    units = units_by_key(model)
    units["attacker"].place(neighbour(model, units["defender"].idx))
    units["attacker"].advance_km = 40.0
    assert factors_of(model, units["defender"])["shock"] < 0
    units["attacker"].advance_km = 2.0
    assert factors_of(model, units["defender"])["shock"] == 0


def test_morale_stays_in_bounds_and_clipping_keeps_ledger_proportions(duel):
    model = duel()
    d = units_by_key(model)["defender"]
    d.morale = 0.1
    model.table.start_step_ledger()
    factors = np.zeros((1, len(FACTORS)))
    factors[0, FACTORS.index("casualties")] = -0.3
    factors[0, FACTORS.index("shock")] = -0.1
    apply_morale(model, np.array([d.row]), factors)
    assert d.morale == 0.0
    step = model.table.ledger_step[d.row]
    assert step.sum() == pytest.approx(-0.1)
    assert step[FACTORS.index("casualties")] == pytest.approx(3 * step[FACTORS.index("shock")])


def test_the_ledger_of_a_unit_that_broke_sums_to_its_morale_change():
    from wargame.core.model import WarModel

    model = WarModel("hts_2024", rng=4)
    for _ in range(24):
        model.step()
    broke = {e.unit for e in model.events.of_kind(UnitBroke)}
    assert len(broke) > 20
    t = model.table
    for unit in model.ground_units:
        if unit.key in broke:
            assert t.ledger[unit.row].sum() == pytest.approx(t.morale[unit.row] - t.morale_start[unit.row], abs=1e-9)


def test_break_events_explain_the_break_by_factor_shares():
    from wargame.core.model import WarModel

    model = WarModel("hts_2024", rng=4)
    for _ in range(12):
        model.step()
    events = model.events.of_kind(UnitBroke)
    assert events
    for e in events:
        assert e.factors and sum(e.factors.values()) == pytest.approx(1.0, abs=1e-3)
        assert list(e.factors.values()) == sorted(e.factors.values(), reverse=True)


# ------------------------------------------------------------------ cohesion


def test_cohesion_lost_to_casualties_and_desertion_and_regained_at_rest(duel):
    model = duel()
    d = units_by_key(model)["defender"]
    model.table.deserted_step[:] = 0.0
    start = d.cohesion
    d.losses_step, d.personnel, d.in_contact = 150.0, 1350.0, True
    update_cohesion(model, np.array([d.row]))
    assert d.cohesion == pytest.approx(start - model.spec.rules.cohesion.casualty_weight * 0.1)
    d.losses_step, d.in_contact = 0.0, False
    low = d.cohesion
    for _ in range(10):
        update_cohesion(model, np.array([d.row]))
    assert low < d.cohesion <= start


def test_cohesion_sets_the_break_threshold(duel):
    from wargame.core.rules.breaks import break_threshold

    model = duel()
    d = units_by_key(model)["defender"]
    d.cohesion = 0.9
    firm = break_threshold(model, np.array([d.row]))[0]
    d.cohesion = 0.2
    loose = break_threshold(model, np.array([d.row]))[0]
    assert loose > firm


def test_unpaid_conscripts_slip_away(duel):
    model = duel(**{"factions.saa.pay": 0.05, "factions.saa.morale": 0.3})
    d = units_by_key(model)["defender"]
    units_by_key(model)["attacker"].remove_from_map(State.DISSOLVED)
    for _ in range(8):
        model.step()
    assert d.deserted > 0 and model.tally["deserted"][model.faction_index["saa"]] == pytest.approx(d.deserted)


# ------------------------------------------------------------------ breakpoints and outcomes


def test_breakpoints_are_right_skewed():
    rng = np.random.default_rng(42)
    draws = np.array([draw_breakpoint(rng, 0.5, 0.5, "defend", False) for _ in range(20000)])
    assert 0.13 < np.median(draws) < 0.17
    assert 0.45 < np.mean((draws > 0.10) & (draws < 0.20)) < 0.65      # most break at 10-20% losses
    assert 0.003 < np.mean(draws > 0.40) < 0.05                          # a few hold past 40%
    assert np.mean(draws) > np.median(draws)                             # skewed to the right
    elite = np.array([draw_breakpoint(rng, 0.8, 0.8, "hold", True) for _ in range(5000)])
    poor = np.array([draw_breakpoint(rng, 0.2, 0.2, "defend", False) for _ in range(5000)])
    assert np.median(elite) > 1.5 * np.median(draws) > 1.5 * np.median(poor)


def break_outcomes(duel, n=60, cut_off=False, **overrides):
    outcomes = []
    for seed in range(n):
        model = duel(rng=seed, **overrides)
        units = units_by_key(model)
        d = units["defender"]
        units["attacker"].place(neighbour(model, d.idx))
        d.in_contact, d.cut_off, d.morale = True, cut_off, 0.0
        model.steps += 1
        model.morale_phase()
        outcomes.append(next(e.outcome for e in model.events.of_kind(UnitBroke)))
    return outcomes


def test_encircled_units_surrender_more_often(duel):
    free = break_outcomes(duel)
    trapped = break_outcomes(duel, cut_off=True)
    assert trapped.count("surrender") > free.count("surrender") + 10
    assert free.count("rout") > trapped.count("rout")


def test_unpaid_units_desert_more_than_paid_ones(duel):
    paid = break_outcomes(duel, **{"factions.saa.pay": 0.95})
    unpaid = break_outcomes(duel, **{"factions.saa.pay": 0.05, "factions.saa.conscript_share": 0.85})
    assert unpaid.count("desertion") > paid.count("desertion") + 5


def test_surrender_hands_equipment_to_the_captor(duel):
    model = duel(**{"units.defender.armour": 20, "units.defender.artillery": 10, "rules.breaks.desertion": 0.0,
                    "rules.breaks.defection": 0.0, "rules.breaks.surrender": 10.0})
    units = units_by_key(model)
    d, a = units["defender"], units["attacker"]
    a.place(neighbour(model, d.idx))
    d.in_contact, d.cut_off, d.morale = True, True, 0.0
    personnel = d.personnel
    model.steps += 1
    model.morale_phase()
    assert d.state is State.SURRENDERED and d.cell is None and d.personnel == 0
    assert d.captured + d.deserted == pytest.approx(personnel) and d.captured > 0.99 * personnel
    share = model.spec.rules.breaks.capture_share
    assert a.armour == pytest.approx(20 * share) and a.artillery == pytest.approx(10 * share)
    (event,) = model.events.of_kind(EquipmentCaptured)
    assert event.captor == "attacker" and event.reason == "surrender"


def test_a_defected_unit_fights_for_its_new_side(duel):
    for seed in range(10):          # defection is drawn; with these weights it is the likely outcome
        model = duel(rng=seed, **{"rules.breaks.defection": 10.0, "rules.breaks.surrender": 0.0,
                                  "rules.breaks.desertion": 0.0, "factions.saa.legitimacy": 0.0,
                                  "units.defender.armour": 12})
        units = units_by_key(model)
        d, a = units["defender"], units["attacker"]
        a.place(neighbour(model, d.idx))
        d.in_contact, d.morale = True, 0.0
        model.steps += 1
        model.morale_phase()
        if model.events.of_kind(UnitDefected):
            break
    (event,) = model.events.of_kind(UnitDefected)
    turncoat = units_by_key(model)[event.new_unit]
    assert d.state is State.DEFECTED and d.personnel == 0
    assert turncoat.faction == "hts" and turncoat.side == "opposition" and turncoat.armour == 12
    # put a loyal regime unit beside the turncoat: they fight
    loyal = model.add_unit(key="loyal", name="loyal", formation=-1, faction="saa", utype="infantry", personnel=800,
                           armour=0, artillery=0, air_defence=0, quality=0.5, morale=0.8, cohesion=0.8, ideology=0.3,
                           supply=1.0, posture="defend", elite=False, group=None, idx=neighbour(model, turncoat.idx, 1))
    step_phases(model, resolve_combat)
    assert turncoat.in_contact and loyal.in_contact and loyal.losses_step > 0 and turncoat.losses_step > 0


# ------------------------------------------------------------------ contagion


def test_a_break_shakes_friends_nearby_and_up_the_chain(duel):
    extra = '''
[units.brigade]
faction = "saa"
name = "Brigade"
at = "hama"
count = 3
personnel = 500
'''
    model = duel(extra, **{"rules.breaks.surrender": 0.0, "rules.breaks.desertion": 0.0, "rules.breaks.defection": 0.0})
    units = units_by_key(model)
    first, second = units["brigade_1"], units["brigade_2"]
    units["attacker"].place(model.theatre.cells_within(first.idx, 12.0)[-1])
    first.morale = 0.0
    before = second.morale
    model.steps += 1
    model.morale_phase()
    assert first.state is State.ROUTING
    assert second.ledger.get("contagion", 0) < 0 and second.ledger.get("command", 0) < 0
    assert units["defender"].ledger.get("contagion", 0) < 0 and units["defender"].ledger.get("command", 0) == 0
    assert units["attacker"].ledger.get("momentum", 0) > 0                 # the enemy takes heart
    assert second.morale < before + 0.05


def test_a_break_raises_the_chance_that_neighbours_break(duel):
    extra = '''
[units.brigade]
faction = "saa"
name = "Brigade"
at = "hama"
count = 2
personnel = 500
'''
    def neighbour_breaks(with_break: bool) -> int:
        count = 0
        for seed in range(40):
            model = duel(extra, rng=seed)
            units = units_by_key(model)
            units["attacker"].remove_from_map(State.DISSOLVED)
            first, second = units["brigade_1"], units["brigade_2"]
            second.morale = 0.25                 # just above its threshold (0.22 at cohesion 0.7)
            if with_break:
                first.morale = 0.0
            for _ in range(3):
                model.steps += 1
                model.morale_phase()
            count += second.state is not State.ACTIVE and second.state is not State.SHAKEN
        return count

    assert neighbour_breaks(True) > neighbour_breaks(False) + 10


def test_a_routed_unit_out_of_contact_rallies(duel):
    model = duel()
    d = units_by_key(model)["defender"]
    units_by_key(model)["attacker"].remove_from_map(State.DISSOLVED)
    d.state, d.morale = State.ROUTING, 0.3
    for _ in range(60):
        model.steps += 1
        d.in_contact = False
        update_supply(model)
        model.morale_phase()
        if d.state is State.ACTIVE:
            break
    assert d.state is State.ACTIVE and d.morale >= model.spec.rules.morale.rally_threshold
    assert [e.unit for e in model.events.of_kind(UnitRallied)] == ["defender"]
    assert d.breakpoint > d.loss_share


def test_a_break_records_whether_morale_or_losses_broke_the_unit(duel):
    for morale, loss, trigger in ((0.0, 0.0, "morale"), (0.95, 0.9, "breakpoint")):
        model = duel(rng=1)
        units = units_by_key(model)
        d = units["defender"]
        units["attacker"].place(neighbour(model, d.idx))
        d.in_contact, d.morale = True, morale
        model.table.personnel[d.row] = model.table.personnel_start[d.row] * (1.0 - loss)
        model.steps += 1
        model.morale_phase()
        (event,) = model.events.of_kind(UnitBroke)
        assert event.trigger == trigger
