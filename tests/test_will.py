"""The will to fight (rules.will): the ledger, news, how units feel it, patrons' and commanders' decisions,
uprisings, local deals, the regime's collapse, and the equilibrium with no enemy action."""

import numpy as np
import pytest

from tests.conftest import units_by_key
from wargame.core.agents.unit import State
from wargame.core.commanders import DOCTRINE
from wargame.core.events import (
    CityCaptured,
    LocalDeal,
    RegimeCollapsed,
    StrategicDecision,
    Uprising,
)
from wargame.core.model import WarModel
from wargame.core.rules.breaks import outcome_weights, will_breakpoint_factor
from wargame.core.rules.cohesion import daily_desertion
from wargame.core.rules.morale import resting_morale
from wargame.core.rules.timeline import run_timeline
from wargame.core.rules.will import W, deal_candidates, importance, update_news, update_will


@pytest.fixture(scope="module")
def hts():
    """A fresh hts_2024 model for each call (building one takes about half a second)."""
    return lambda **overrides: WarModel("hts_2024", rng=3, overrides=overrides)


def entry(model, name):
    return model.will.names.index(name)


def test_a_lost_city_costs_its_side_will_by_its_importance_and_its_taker_gains(hts):
    model = hts()
    w = model.will
    saa, hts_faction, leadership = entry(model, "saa"), entry(model, "hts"), entry(model, "regime_leadership")
    assert importance(model, "aleppo") > importance(model, "hama") > importance(model, "saraqib") > 0
    assert importance(model, "damascus") > importance(model, "aleppo")     # the capital weighs most
    before = w.value.copy()
    model.events.add(CityCaptured(model.steps, model.day, "aleppo", "Aleppo", "opposition", "regime"))
    update_will(model)
    assert w.ledger[saa, W["cities"]] < 0 and w.ledger[leadership, W["cities"]] < 0
    assert w.ledger[hts_faction, W["cities"]] > 0
    assert w.value[saa] < before[saa] and w.value[hts_faction] > before[hts_faction]
    # an unpaid army in a doubted cause loses more than the loss itself: the conditions factor
    assert w.ledger[saa, W["conditions"]] < 0


def test_news_reaches_units_near_the_loss_before_units_far_away(hts):
    model = hts()
    t = model.table
    rows = np.flatnonzero((t.faction == model.faction_index["saa"]) & (t.idx >= 0))
    aleppo = model.theatre.place_cell["aleppo"]
    km = model.theatre.km_between(aleppo, t.idx[rows])
    near, far = rows[km < 30][0], rows[km > 200][0]
    model.events.add(CityCaptured(model.steps, model.day, "aleppo", "Aleppo", "opposition", "regime"))
    update_will(model)                       # the loss happens at this step
    start = model.will.start[model.faction_index["saa"]]
    heard = []
    for _ in range(model.will.lag + 1):
        model.steps += 1                     # time passes with nothing else happening
        update_news(model, rows)
        update_will(model)
        heard.append((t.will_seen[near] < start - 1e-6, t.will_seen[far] < start - 1e-6))
    first_near = next(i for i, (n, _) in enumerate(heard) if n)
    first_far = next(i for i, (_, f) in enumerate(heard) if f)
    assert first_near < first_far            # regional news first, the whole army a day later


def test_a_unit_rests_towards_the_level_its_conditions_set_not_towards_one(duel):
    model = duel()
    d = units_by_key(model)["defender"]
    row = np.array([d.row])
    assert resting_morale(model, row)[0] == pytest.approx(d.morale)      # at the start: where it stands
    t = model.table
    t.will_seen[d.row] = model.will.start[model.faction_index["saa"]] - 0.3
    assert resting_morale(model, row)[0] < d.morale - 0.1                # a failing cause lowers it


def test_a_unit_out_of_contact_deserts_more_as_its_factions_will_falls(hts):
    model = hts()
    t = model.table
    rows = np.flatnonzero((t.faction == model.faction_index["saa"]) & (t.idx >= 0) & ~t.in_contact)
    deserted = []
    for fall in (0.0, 0.15, 0.3):
        before = t.personnel[rows].copy()
        t.will_seen[rows] = model.will.start[model.faction_index["saa"]] - fall
        daily_desertion(model, rows)
        deserted.append(float((before - t.personnel[rows]).sum()))
        t.personnel[rows] = before
    assert deserted[0] < deserted[1] < deserted[2]
    assert model.will.deserted[model.faction_index["saa"]] > 0     # the will-driven part is news for the will


def test_as_the_will_falls_breaks_turn_to_surrender_and_desertion_and_come_sooner(hts):
    model = hts()
    t = model.table
    rows = np.flatnonzero((t.faction == model.faction_index["saa"]) & (t.idx >= 0))[:20]
    steady = outcome_weights(model, rows)
    assert (will_breakpoint_factor(model, rows) == 1.0).all()
    t.will_seen[rows] -= 0.3
    failing = outcome_weights(model, rows)
    def share(w):
        return (w[:, 1] + w[:, 2]) / w.sum(axis=1)       # surrender and desertion among outcomes
    assert (share(failing) > share(steady)).all()
    assert (will_breakpoint_factor(model, rows) < 1.0).all()


def test_a_patron_that_doubles_down_raises_the_regimes_will_and_one_that_withdraws_lowers_it(hts):
    rises = hts(**{"actors.russia_hq.ukraine_cap": 1.0})       # stake x capacity above the double-down bar
    falls = hts(**{"actors.russia_hq.ukraine_cap": 0.1})
    for model, sign in ((rises, 1), (falls, -1)):
        w = model.will
        lead = w.leadership[model.side_index["regime"]]
        w.value[lead] = 0.15 if sign < 0 else 0.4               # in danger (and, for the second, beyond hope)
        russia = model.actors["russia_hq"]
        russia.next_review = 0.0
        aircraft = sum(wing.aircraft for wing in model.wings if wing.key == "ru_khmeimim")
        russia.review()
        update_will(model)
        assert np.sign(w.last[lead, W["patrons"]]) == sign
        decision = [e.decision for e in model.events.of_kind(StrategicDecision) if e.actor == "russia_hq"][-1]
        if sign > 0:
            assert decision.startswith("doubles down")
            assert sum(wing.aircraft for wing in model.wings if wing.key == "ru_khmeimim") > aircraft
        else:
            assert decision.startswith("withdraws")
            assert not any(wing.operating() for wing in model.wings if wing.faction == "russia")


def test_the_regimes_commander_abandons_a_city_it_cannot_hold(hts):
    model = hts()
    t = model.table
    w = model.will
    hama = model.theatre.place_cell["hama"]
    # the enemy masses around Hama: every opposition unit stands within a few cells of it
    enemy = np.flatnonzero((t.side == model.side_index["opposition"]) & (t.idx >= 0))
    ring = model.theatre.cells_within(hama, 25.0)
    t.idx[enemy] = ring[np.arange(enemy.size) % ring.size]
    model.sync_cells(enemy)
    w.value[w.army[model.side_index["regime"]]] *= 0.5                     # a shaken army gives up sooner
    saa = np.flatnonzero((t.faction == model.faction_index["saa"]) & (t.idx >= 0))
    orders = DOCTRINE.orders(model, "saa", saa)
    decisions = [e.decision for e in model.events.of_kind(StrategicDecision) if e.actor == "regime_hq"]
    assert any(d.startswith("abandons Hama") for d in decisions)
    around = saa[model.theatre.km_between(hama, t.idx[saa]) <= model.spec.actors.regime_hq.sector_km]
    homs = model.theatre.place_cell["homs"]
    assert around.size and all(orders.targets.get(int(r)) == homs for r in around)
    # and no reserves are sent into the place it gave up
    assert DOCTRINE._threat_cell(model, "regime", model.side_index["regime"]) != hama


def test_a_city_with_its_garrison_and_no_enemy_is_not_abandoned(hts):
    model = hts()
    saa = np.flatnonzero((model.table.faction == model.faction_index["saa"]) & (model.table.idx >= 0))
    DOCTRINE.orders(model, "saa", saa)
    assert not [e for e in model.events.of_kind(StrategicDecision) if e.decision.startswith("abandons")]


def test_an_uprising_rises_when_the_regime_withdraws_from_its_area_and_its_will_falls(hts):
    model = hts()
    t = model.table
    w = model.will
    run_timeline(model)                      # the first look notes the regime's men around Rastan
    assert "homs_rastan" not in {u.formation_key for u in model.ground_units}
    w.value[w.leadership[model.side_index["regime"]]] = 0.3
    run_timeline(model)                      # its will has fallen, but its garrison is still there
    assert not [e for e in model.events.of_kind(Uprising) if e.faction == "homs_countryside"]
    rastan = model.theatre.place_cell["rastan"]
    regime = np.flatnonzero((t.side == model.side_index["regime"]) & (t.idx >= 0))
    gone = regime[model.theatre.km_between(rastan, t.idx[regime]) <= 30.0]
    assert gone.size
    for row in gone:
        t.agent[row].remove_from_map_state(State.WITHDRAWN.code)
    run_timeline(model)
    (rising,) = [e for e in model.events.of_kind(Uprising) if e.faction == "homs_countryside"]
    assert rising.units == 6 and "will is 0.30" in rising.why
    assert (t.faction == model.faction_index["homs_countryside"]).sum() == 6


def test_units_cut_off_whose_will_has_failed_take_a_local_deal_and_leave(hts):
    model = hts()
    t = model.table
    saa = np.flatnonzero((t.faction == model.faction_index["saa"]) & (t.idx >= 0))
    assert deal_candidates(model, saa).size == 0                     # a steady army does not settle
    cut = saa[:3]
    t.cut_off[cut] = True
    t.will_seen[cut] = 0.1
    # an enemy unit stands beside them, so there is someone to settle with
    hts_row = int(np.flatnonzero(t.faction == model.faction_index["hts"])[0])
    t.idx[hts_row] = model.theatre.neighbours[t.idx[cut[0]]][0]
    model.sync_cells([hts_row])
    chosen = deal_candidates(model, saa)
    assert set(chosen) >= {int(cut[0])} and set(chosen) <= set(int(r) for r in cut)
    orders = DOCTRINE.orders(model, "saa", saa)
    assert set(orders.settle) == set(chosen.tolist())
    from wargame.core.rules.orders import apply_orders
    apply_orders(model, saa, orders)
    assert all(t.state[r] == State.WITHDRAWN.code for r in chosen)
    (deal,) = model.events.of_kind(LocalDeal)
    assert deal.faction == "saa" and deal.side == "opposition" and deal.units == chosen.size


def test_when_the_leaderships_will_breaks_the_regime_collapses_and_the_campaign_ends(hts):
    model = hts()
    w = model.will
    w.value[w.leadership[model.side_index["regime"]]] = model.spec.rules.will.collapse + 0.01
    model.will.signal(model.side_index["regime"], -0.05, "test")
    update_will(model)
    (event,) = model.events.of_kind(RegimeCollapsed)
    assert event.side == "regime" and event.deserted + event.surrendered + event.withdrew > 200
    t = model.table
    assert not ((t.side == model.side_index["regime"]) & (t.state <= State.ROUTING.code)).any()
    model._check_end()
    assert not model.running and "collapsed" in model.end_reason


def test_an_attacker_whose_morale_fails_consolidates_and_attacks_again_when_it_recovers(hts):
    model = hts()
    t = model.table
    rows = np.flatnonzero((t.faction == model.faction_index["hts"]) & (t.idx >= 0))
    assert DOCTRINE.orders(model, "hts", rows).targets
    t.morale[rows] = 0.3
    assert not DOCTRINE.orders(model, "hts", rows).targets
    t.morale[rows] = 0.9
    assert DOCTRINE.orders(model, "hts", rows).targets
    courses = [e.decision.split(":")[0] for e in model.events.of_kind(StrategicDecision) if e.actor == "hts"]
    assert courses == ["consolidates", "attacks again"]


@pytest.mark.parametrize("seed", [1, 2])
def test_with_no_enemy_action_morale_and_will_hold_where_they_start(seed):
    """The equilibrium baseline (hts_2024_no_offensive): 21 days of ceasefire move no faction's mean
    morale or will by more than 0.05."""
    model = WarModel("hts_2024_no_offensive", rng=seed)
    start = {f: model.metrics[f"morale_{f}"] for f in model.faction_ids}
    will = model.will.value.copy()
    while model.running:
        model.step()
    assert model.day == pytest.approx(21.0)
    for f in model.faction_ids:
        assert abs(model.metrics[f"morale_{f}"] - start[f]) <= 0.05, f
    assert np.abs(model.will.value - will).max() <= 0.05


def test_over_an_ensemble_the_regime_collapses_later_when_russia_doubles_down():
    """The article's counterfactual, over seeded runs: Russia's doubling down (more aircraft, a visible
    commitment) delays or prevents the collapse."""
    def collapse_days(scenario):
        days = []
        for seed in range(4):
            model = WarModel(scenario, rng=seed, collect_units=False)
            while model.running:
                model.step()
            days.append(model.will.collapsed.get(model.side_index["regime"], np.inf))
            if scenario.endswith("doubles_down"):
                assert any(e.actor == "russia_hq" and e.decision.startswith("doubles down")
                           for e in model.events.of_kind(StrategicDecision))
        return np.array(days)
    base, doubled = collapse_days("hts_2024"), collapse_days("hts_2024_russia_doubles_down")
    assert np.median(doubled) > np.median(base)
