"""Build once, run many (issue 14): the runs of an ensemble reuse the scenario and the Mesa grid of the run
before them, and give exactly what a fresh build gives for the same seed."""

from __future__ import annotations

import copy
import gc
import weakref

import pytest

from wargame.core import campaign, grids
from wargame.core.agents.table import COLUMN
from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario
from wargame.experiments.outcomes import campaign_outcome
from wargame.experiments.runner import Job, run_job


def fresh_row(scenario: str, seed: int, overrides: dict | None = None) -> tuple[dict, dict]:
    model = WarModel(scenario, rng=seed, collect_units=False, **(overrides or {}))
    model.run()
    return campaign_outcome(model), model.datacollector.get_model_vars_dataframe().to_dict(orient="list")


@pytest.mark.parametrize("scenario,overrides", [("hts_2024", {}), ("aleppo_2016", {"factions.saa.morale": 0.5})])
def test_runs_on_a_reused_grid_are_identical_to_fresh_builds(scenario, overrides):
    rows = [run_job(Job(i, scenario, seed, overrides, series=True)) for i, seed in enumerate((11, 12))]
    assert grids.idle_grids() >= 1                      # the second run took the first one's grid
    for row, seed in zip(rows, (11, 12)):
        outcome, series = fresh_row(scenario, seed, overrides)
        kept = {k: v for k, v in row.items() if k not in ("job", "seed", "series")}
        assert repr(kept) == repr(outcome)                 # repr: a NaN (never happened) equals a NaN
        assert repr(row["series"]) == repr(series)


def test_a_run_that_does_not_collect_metrics_gives_the_same_outcome_and_final_metrics():
    """An ensemble without series skips the per-step metrics: its outcome row and the metrics read at the
    end are those of a run that collects them every step; its collector holds the opening row only."""
    collecting = WarModel("hts_2024", rng=21, collect_units=False)
    collecting.run()
    row = run_job(Job(0, "hts_2024", 21))
    kept = {k: v for k, v in row.items() if k not in ("job", "seed")}
    assert repr(kept) == repr(campaign_outcome(collecting))
    quiet = WarModel("hts_2024", rng=21, collect_units=False, collect_metrics=False)
    quiet.run()
    assert len(quiet.datacollector.get_model_vars_dataframe()) == 1
    assert repr(quiet.metrics) == repr(collecting.metrics)
    assert quiet.metrics is quiet.metrics                  # computed once, when first read after the run
    quiet.release()
    collecting.release()


def test_a_released_grid_is_empty_and_taken_by_the_next_model_only():
    first = WarModel("hts_2024", rng=1, collect_units=False)
    grid = first.grid
    first.step()
    first.release()
    assert all(not cell._agents for cell in grid._celllist)      # nothing of the finished run stays in it
    assert grid.random is None
    second = WarModel("hts_2024", rng=2, collect_units=False)
    third = WarModel("hts_2024", rng=3, collect_units=False)     # built while the second holds the grid
    assert second.grid is grid and third.grid is not grid
    assert second.grid.random is second.random
    assert sum(len(cell._agents) for cell in grid._celllist) == len(second.units_on_map())
    assert not second.grid.supply_regime.data.any() or second.steps == 0
    second.release()
    third.release()


def test_a_finished_run_is_not_kept_alive_by_the_idle_grid():
    model = WarModel("hts_2024", rng=4, collect_units=False)
    model.run()
    gone = weakref.ref(model)
    model.release()
    del model
    gc.collect()
    assert gone() is None


def unit_rows(model) -> dict:
    """Every column of every unit's row (the agent column as each agent's key, name, formation, cell and id)."""
    t = model.table
    rows = {name: t.raw(name)[:t.n].tolist() for name in COLUMN if name != "agent"}
    rows["agent"] = [(a.key, a.name, a.formation_key, a.cell.coordinate if a.cell else None, a.unique_id)
                     for a in t.agent]
    rows["ground_units"] = [a.key for a in model.ground_units]
    return rows


@pytest.mark.parametrize("scenario,seed", [("hts_2024", 7), ("aleppo_2016", 8)])
def test_initial_forces_taken_from_an_earlier_model_are_those_a_fresh_deployment_gives(scenario, seed):
    """The first model of a scenario deploys its opening forces entry by entry and keeps them; the next takes
    them as a block: the same rows, agents, cells and draws, and the units that arrive later (uprisings,
    patrons' battalions) still land where they would have. aleppo_2016 opens with units cut off."""
    campaign._INITIAL_FORCES.clear()
    fresh = WarModel(scenario, rng=seed, collect_units=False)
    assert fresh.spec_digest in campaign._INITIAL_FORCES
    reused = WarModel(scenario, rng=seed, collect_units=False)
    assert repr(unit_rows(reused)) == repr(unit_rows(fresh))
    if scenario == "aleppo_2016":
        assert reused.table.cut_off.any()
    opening = fresh.table.n
    fresh.run()
    reused.run()
    assert fresh.table.n > opening or scenario == "aleppo_2016"    # units arrived during hts_2024's run
    assert repr(unit_rows(reused)) == repr(unit_rows(fresh))
    fresh.release()
    reused.release()


def test_an_edited_scenario_is_deployed_afresh():
    """The initial forces are kept by the scenario's content: a model of an edited copy does not take the
    forces of the original."""
    loaded = load_scenario("hts_2024")
    WarModel(loaded, rng=1, collect_units=False).release()
    edited = copy.deepcopy(loaded)
    key = next(iter(edited.scenario.units))
    edited.scenario.units[key].personnel *= 2
    model = WarModel(edited, rng=1, collect_units=False)
    original = WarModel(loaded, rng=1, collect_units=False)
    assert model.spec_digest != original.spec_digest
    first = model.table.formation == model.formation_keys.index(key)
    assert model.table.personnel[first].sum() == 2 * original.table.personnel[first].sum() > 0


def test_a_reused_grid_lists_its_cells_by_the_theatres_flat_index():
    first = WarModel("hts_2024", rng=1, collect_units=False)
    ncols, nrows = first.theatre.shape
    assert [cell.coordinate for cell in first.cells[:nrows + 2]] == [(0, r) for r in range(nrows)] + [(1, 0), (1, 1)]
    assert len(first.cells) == first.theatre.n and first.cells[-1].coordinate == (ncols - 1, nrows - 1)
    grid, cells = first.grid, first.cells
    first.release()
    second = WarModel("hts_2024", rng=2, collect_units=False)
    assert second.grid is grid and second.cells is cells
    assert all(unit.cell is cells[unit.idx] for unit in second.ground_units)
    second.release()


def test_only_the_last_few_scenarios_opening_forces_are_kept(duel):
    campaign._INITIAL_FORCES.clear()
    digests = [duel(rng=1, **{"factions.hts.morale": 0.3 + 0.01 * i}).spec_digest
               for i in range(campaign._INITIAL_FORCES_KEPT + 1)]
    assert len(set(digests)) == len(digests)
    assert list(campaign._INITIAL_FORCES) == digests[1:]          # the oldest went first
