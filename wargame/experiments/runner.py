"""Running many seeded runs of a scenario: in this process, or on local processes (all cores by default).

Each job is (index, scenario, seed, overrides); each returns its outcome row (see outcomes.py) tagged
with index and seed. Jobs go to the workers in chunks so that per-task overhead stays small; results come
back in job order whatever the number of workers, so serial and parallel ensembles are identical.

With a checkpoint file, each finished row is appended to it (one JSON line, keyed by scenario, seed,
overrides and a digest of the code) and a later call with the same jobs reuses those rows: an interrupted
ensemble resumes where it stopped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

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


@functools.cache
def code_fingerprint() -> str:
    """A digest of the package's code and data: finished runs saved by other code are not reused."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".toml", ".json") and p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def job_key(job: Job) -> str:
    """What determines a run's row: its scenario (by name or path), seed and overrides, and the code.
    A scenario file edited in place keeps its key: give an edited scenario a new name, or start --fresh."""
    return json.dumps([job.scenario, job.seed, job.overrides, code_fingerprint()], sort_keys=True, default=str)


def _read_checkpoint(path: Path) -> dict[str, dict]:
    """Rows already finished, by job key; a torn last line (an interrupted write) is ignored."""
    done = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                done[entry["key"]] = entry["row"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return done


def run_jobs(jobs: list[Job], workers: int | None = None, progress: Callable[[int, int], None] | None = None,
             chunk: int = 4, checkpoint: Path | None = None) -> list[dict]:
    """Run jobs, in order; `progress(done, total)` after each chunk. workers=1 runs in this process."""
    workers = default_workers() if workers is None else workers
    finished = _read_checkpoint(checkpoint) if checkpoint else {}
    pending = [job for job in jobs if job_key(job) not in finished]
    chunks = [pending[i:i + chunk] for i in range(0, len(pending), chunk)]
    if checkpoint:
        checkpoint.parent.mkdir(parents=True, exist_ok=True)

    def record(part: list[dict], part_jobs: list[Job]) -> None:
        for job, row in zip(part_jobs, part):
            finished[job_key(job)] = row
        if checkpoint:
            with checkpoint.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps({"key": job_key(j), "row": r}) + "\n" for j, r in zip(part_jobs, part))
        if progress:
            progress(sum(job_key(j) in finished for j in jobs), len(jobs))

    if workers <= 1 or len(chunks) <= 1:
        for part_jobs in chunks:
            record(_run_chunk(part_jobs), part_jobs)
    else:
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for part_jobs, part in zip(chunks, pool.map(_run_chunk, chunks)):
                record(part, part_jobs)
    return [{**finished[job_key(job)], "job": job.index} for job in jobs]


def run_ensemble(scenario: str, runs: int, master_seed: int = 2024, overrides: dict | None = None,
                 workers: int | None = None, progress=None, checkpoint: Path | None = None) -> pd.DataFrame:
    """`runs` replicates of a scenario with seeds derived from `master_seed`; one outcome row each."""
    seeds = replicate_seeds(master_seed, runs)
    jobs = [Job(i, str(scenario), seed, dict(overrides or {})) for i, seed in enumerate(seeds)]
    started = time.perf_counter()
    frame = pd.DataFrame(run_jobs(jobs, workers, progress, checkpoint=checkpoint))
    frame.attrs["seconds"] = time.perf_counter() - started
    return frame


def ensembles(scenarios: Iterable[str], runs: int, **kwargs) -> dict[str, pd.DataFrame]:
    return {name: run_ensemble(name, runs, **kwargs) for name in scenarios}
