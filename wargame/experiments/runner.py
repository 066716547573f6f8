"""Running many seeded runs of a scenario: in this process, or on local processes (all cores by default).

Each job is (index, scenario, seed, overrides); each returns its outcome row (see outcomes.py) tagged
with index and seed. Jobs go to the workers in chunks so that per-task overhead stays small; results come
back in job order whatever the number of workers, so serial and parallel ensembles are identical.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from wargame.experiments.outcomes import campaign_outcome
from wargame.experiments.seeds import replicate_seeds


@dataclass(frozen=True)
class Job:
    index: int
    scenario: str
    seed: int
    overrides: dict = field(default_factory=dict)


def run_job(job: Job) -> dict:
    """Build, run and summarise one run (no per-unit records: an ensemble keeps only outcomes)."""
    from wargame.model import WarModel

    model = WarModel(job.scenario, rng=job.seed, collect_units=False, **job.overrides)
    model.run()
    row = {"job": job.index, "seed": job.seed, **campaign_outcome(model)}
    model.remove_all_agents()
    return row


def _run_chunk(jobs: list[Job]) -> list[dict]:
    return [run_job(job) for job in jobs]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_jobs(jobs: list[Job], workers: int | None = None, progress: Callable[[int, int], None] | None = None,
             chunk: int = 4) -> list[dict]:
    """Run jobs, in order; `progress(done, total)` after each chunk. workers=1 runs in this process."""
    workers = default_workers() if workers is None else workers
    chunks = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
    results: list[dict] = []
    if workers <= 1 or len(chunks) <= 1:
        for part in chunks:
            results += _run_chunk(part)
            if progress:
                progress(len(results), len(jobs))
        return results
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for part in pool.map(_run_chunk, chunks):
            results += part
            if progress:
                progress(len(results), len(jobs))
    return results


def run_ensemble(scenario: str, runs: int, master_seed: int = 2024, overrides: dict | None = None,
                 workers: int | None = None, progress=None) -> pd.DataFrame:
    """`runs` replicates of a scenario with seeds derived from `master_seed`; one outcome row each."""
    seeds = replicate_seeds(master_seed, runs)
    jobs = [Job(i, str(scenario), seed, dict(overrides or {})) for i, seed in enumerate(seeds)]
    started = time.perf_counter()
    frame = pd.DataFrame(run_jobs(jobs, workers, progress))
    frame.attrs["seconds"] = time.perf_counter() - started
    return frame


def ensembles(scenarios: Iterable[str], runs: int, **kwargs) -> dict[str, pd.DataFrame]:
    return {name: run_ensemble(name, runs, **kwargs) for name in scenarios}
