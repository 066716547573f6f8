"""The southern campaign of 2018 (south_2018): the scenario, its local places, the US signal, deals offered or
not (factions' `offered_deals`), and what a small seeded ensemble does against its counterfactual without
reconciliation offers (paired seeds)."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from wargame.core.events import LocalDeal, StrategicDecision
from wargame.core.model import WarModel
from wargame.core.rules.will import W, deal_candidates
from wargame.core.scenario import load_scenario
from wargame.core.theatre import TheatreSpec, build_theatre
from wargame.experiments.outcomes import campaign_outcome

SCENARIOS = Path(__file__).resolve().parents[1] / "wargame" / "scenarios"
SEEDS = (1, 2, 3)
REBELS = ("northeast", "central_daraa", "shabab_al_sunna", "daraa_city", "west_daraa", "quneitra_rebels", "hts_south")


def test_the_scenario_loads_with_many_rebel_factions_and_sets_no_rules():
    loaded = load_scenario("south_2018")
    spec = loaded.scenario
    assert set(spec.sides) == {"regime", "opposition", "isis"}
    assert set(REBELS) <= {f for f, faction in spec.factions.items() if faction.side == "opposition"}
    assert spec.factions["kbw"].side == "isis" and not spec.factions["kbw"].offered_deals
    assert all(spec.factions[f].offered_deals for f in REBELS)
    raw = tomllib.loads((SCENARIOS / "south_2018.toml").read_text())
    assert "rules" not in raw                       # only the situation differs between campaigns
    rebels = sum(u.personnel * u.count for u in spec.units.values() if spec.factions[u.faction].side == "opposition")
    assert 27_000 <= rebels <= 33_000              # facts-2015-2020.md D16: about 30,000


def test_local_places_are_on_this_campaigns_map_only():
    south = load_scenario("south_2018").scenario.theatre
    mine = build_theatre(TheatreSpec.of(south))
    everyone = build_theatre(TheatreSpec(south.south, south.north, south.west, south.east, south.cell_km))
    for place in ("busra_al_sham", "daraa_al_balad", "shajara"):
        assert place in mine.place_cell and place not in everyone.place_cell
    assert "daraa" in mine.place_cell and "daraa" in everyone.place_cell     # the shared places stay on both
    assert "busra_al_sham" not in build_theatre(TheatreSpec()).cities        # nor on the whole of Syria's map


def test_the_us_signal_lowers_every_rebel_factions_will_on_its_day_and_not_the_regimes():
    model = WarModel("south_2018", rng=1, collect_units=False, collect_metrics=False)
    w = model.will
    while model.day < 4.75 - 1e-9:          # the step that ends on day 5 brings the event (rules.timeline)
        model.step()
    assert not any(e.actor == "united_states" for e in model.events.of_kind(StrategicDecision))
    model.step()
    assert any(e.actor == "united_states" for e in model.events.of_kind(StrategicDecision))
    signal = model.spec.timeline[0].will
    for f in REBELS:
        assert w.ledger[w.entry(f), W["patrons"]] == pytest.approx(signal)
    assert w.ledger[w.entry("saa"), W["patrons"]] == 0.0 and w.ledger[w.entry("kbw"), W["patrons"]] == 0.0


def test_a_faction_offered_no_deal_never_settles_however_low_its_will():
    model = WarModel("south_2018", rng=1, collect_units=False, collect_metrics=False)
    t = model.table
    kbw = np.flatnonzero(t.faction == model.faction_index["kbw"])
    west = np.flatnonzero(t.faction == model.faction_index["west_daraa"])
    rows = np.concatenate([kbw, west])
    t.will_seen[rows] = 0.0                # no will left at all
    t.cut_off[rows] = True                 # and cut off, with enemies beside them
    candidates = set(deal_candidates(model, rows).tolist())
    assert not candidates & set(kbw.tolist())
    model.spec.factions["west_daraa"].offered_deals = False     # a timeline may withdraw the offer
    assert deal_candidates(model, rows).size == 0


def test_talks_take_deal_talks_days_and_end_when_the_will_recovers():
    """rules.will.deal_talks_days: a unit that meets the terms opens talks and settles only once they have run
    that long; a unit whose will recovers above deal_will breaks them off. At 0 it settles at once."""
    def west_units(days):
        model = WarModel(load_scenario("south_2018", {"rules.will.deal_talks_days": days}), rng=1,
                         collect_units=False, collect_metrics=False)
        t = model.table
        rows = np.flatnonzero(t.faction == model.faction_index["west_daraa"])
        t.will_seen[rows] = 0.0
        t.cut_off[rows] = True
        return model, t, rows

    model, t, rows = west_units(0.0)
    meets = deal_candidates(model, rows)
    assert meets.size > 0                                             # at once, with no talks

    model, t, rows = west_units(2.0)
    assert deal_candidates(model, rows).size == 0                     # the first review opens talks
    assert np.all(t.talks_since[meets] == model.day)
    t.talks_since[meets] = model.day - 1.5
    assert deal_candidates(model, rows).size == 0                     # a day and a half is not enough
    t.talks_since[meets] = model.day - 2.0
    assert set(deal_candidates(model, rows).tolist()) == set(meets.tolist())
    t.will_seen[rows] = 1.0                                           # the faction takes heart: talks end
    assert deal_candidates(model, rows).size == 0
    assert np.isnan(t.talks_since[rows]).all()


def _ensemble(scenario: str) -> list[dict]:
    out = []
    for seed in SEEDS:
        model = WarModel(scenario, rng=seed, collect_units=False, collect_metrics=False)
        model.run()
        row = campaign_outcome(model)
        row["deal_factions"] = {e.faction for e in model.events.of_kind(LocalDeal)}
        out.append(row)
        model.release()
    return out


@pytest.fixture(scope="module")
def paired():
    """Three seeded runs of the campaign and of its counterfactual without reconciliation (about 8 s)."""
    return _ensemble("south_2018"), _ensemble("south_2018_no_reconciliation")


def _settled(row) -> float:
    return sum(row[f"settled_{f}"] for f in REBELS)


def _fought(row) -> float:
    return sum(row[f"killed_{f}"] + row[f"captured_{f}"] for f in REBELS)


def test_rebels_settle_town_by_town_and_the_islamic_state_fights_to_the_end(paired):
    history, _ = paired
    for row in history:
        assert row["deals_west_daraa"] + row["deals_quneitra_rebels"] + row["deals_central_daraa"] >= 5
        assert len(row["deal_factions"] & set(REBELS)) >= 4          # many factions, each its own deals
        assert row["settled_kbw"] == 0 and "kbw" not in row["deal_factions"]
        assert row["killed_kbw"] + row["captured_kbw"] > 0             # its losses are all by force


def test_most_rebels_settle_rather_than_fight(paired):
    """facts-2015-2020.md D-T8 (U): most rebels stayed under a deal; of the rebels who left the fight, most
    settled rather than being killed or captured."""
    history, _ = paired
    assert np.median([_settled(r) / (_settled(r) + _fought(r)) for r in history]) > 0.5


def test_without_reconciliation_offers_no_one_settles_and_the_south_costs_more_blood_and_time(paired):
    history, counterfactual = paired
    assert all(_settled(r) == 0 for r in counterfactual)
    assert all(_settled(r) > 0 for r in history)
    # paired seeds: the same seed, with and without the offers
    bloodier = [_fought(c) > _fought(h) for h, c in zip(history, counterfactual)]
    assert sum(bloodier) >= 2
    slower = [np.nan_to_num(c["achieved_daraa_80"], nan=99.0) > np.nan_to_num(h["achieved_daraa_80"], nan=99.0)
              for h, c in zip(history, counterfactual)]
    assert sum(slower) >= 2
