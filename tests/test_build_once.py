"""Build once, run many (issue 14): the runs of an ensemble reuse the scenario and the Mesa grid of the run
before them, and give exactly what a fresh build gives for the same seed."""

from __future__ import annotations

import gc
import weakref

import pytest

from wargame.core import grids
from wargame.core.model import WarModel
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
