"""Running many seeded runs of a scenario: in this process, or on local processes (all cores by default).

Each job is (index, scenario, seed, overrides); each returns its outcome row (see outcomes.py) tagged
with index and seed. Jobs go to the workers in chunks so that per-task overhead stays small; results come
back in job order whatever the number of workers, so serial and parallel ensembles are identical.

With a checkpoint file, each finished row is appended to it (one JSON line, keyed by the scenario's name
and resolved content, seed, overrides and a digest of the model's code) and a later call with the same
jobs reuses those rows: an interrupted ensemble resumes where it stopped.
"""

from __future__ import annotations

import collections
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wargame.core.errors import WargameError
from wargame.experiments.outcomes import campaign_outcome
from wargame.experiments.seeds import replicate_seeds


@dataclass(frozen=True)
class Job:
    index: int
    scenario: str
    seed: int
    overrides: dict = field(default_factory=dict)
    series: bool = False          # also keep the run's per-step metrics (for fan charts), under "series"


_LOADED: dict[str, object] = {}      # (scenario, overrides) -> LoadedScenario, the latest few
_LOADED_KEPT = 16


def _loaded(scenario: str, overrides: dict):
    """The scenario with its overrides, loaded and validated once per process for all the runs that share
    them (a run copies what it may change, so the loaded scenario is never altered by one)."""
    from wargame.core.scenario import load_scenario

    key = repr((scenario, sorted(overrides.items())))
    if key not in _LOADED:
        if len(_LOADED) >= _LOADED_KEPT:
            del _LOADED[next(iter(_LOADED))]
        _LOADED[key] = load_scenario(scenario, overrides)
    return _LOADED[key]


def run_job(job: Job) -> dict:
    """Build, run and summarise one run (no per-unit records: an ensemble keeps only outcomes, and with
    `job.series` the per-step metrics as {column: [values]}). The scenario is loaded once per process and
    the grid of the theatre reused from the previous run (core/grids.py): a run costs its steps."""
    from wargame.core.model import WarModel

    # without series the per-step metrics are never read: the model computes them once, for the outcome row
    model = WarModel(_loaded(job.scenario, job.overrides), rng=job.seed, collect_units=False,
                     collect_metrics=job.series)
    model.run()
    row = {"job": job.index, "seed": job.seed, **campaign_outcome(model)}
    if job.series:
        # the collector's own lists of plain numbers (what its DataFrame would hold), without building one
        row["series"] = {name: list(values) for name, values in model.datacollector.model_vars.items()}
    model.release()
    return row


def _run_chunk(jobs: list[Job]) -> list[dict]:
    return [run_job(job) for job in jobs]


_heap_frozen = False


def freeze_lasting_objects() -> None:
    """Once per process, after its first run: what is alive then stays for the life of the process (the
    modules, the loaded scenario, the theatre and its cost fields, the idle grid's 15,000 cells), so it is
    moved out of the garbage collector's sight (``gc.freeze``). The full collections that come every dozen
    runs or so then walk only what later runs create: some 10 ms a run of hts_2024 less. Before a fork it
    also keeps the workers from touching, hence copying, those pages (as Python's documentation advises).
    What is frozen is never collected: an object of the first run that becomes garbage later stays (a
    scenario evicted from _LOADED after 16 others, say), once."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()                 # the first run's garbage goes first: frozen, it would stay for good
        gc.freeze()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


# The code and data that make a run: the model core, the built-in scenarios and the experiments layer
# (which turns a finished model into its outcome row). Editing anything else (output, report, study,
# play, web, lab, cli) keeps finished runs valid.
RUN_PACKAGES = ("core", "experiments")
RUN_DATA = ("scenarios",)


@functools.cache
def code_fingerprint() -> str:
    """A digest of the code and data that make a run: finished runs saved by other code are not reused."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=8)
    for top in RUN_PACKAGES + RUN_DATA:
        for path in sorted(p for p in (root / top).rglob("*") if p.suffix in (".py", ".toml", ".json")
                           and p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def scenario_digest(scenario: str) -> str:
    """A digest of the resolved scenario (every file of its `extends` chain): an edited file is a new key."""
    from wargame.core.scenario import load_scenario

    return hashlib.blake2b(load_scenario(scenario).to_toml().encode(), digest_size=8).hexdigest()


def preload_model_code() -> None:
    """Import every module a run may use (the packages of RUN_PACKAGES, which need no extra) before
    forking workers, so that they run the code the fingerprint was taken of, even if files on disk change
    during a long ensemble."""
    import importlib
    import pkgutil

    for top in RUN_PACKAGES:
        package = importlib.import_module(f"wargame.{top}")
        for info in pkgutil.walk_packages(package.__path__, f"wargame.{top}."):
            importlib.import_module(info.name)


def job_key(job: Job) -> str:
    """What determines a run's row: its scenario (name and resolved content), seed, overrides and the code."""
    parts = [job.scenario, scenario_digest(job.scenario), job.seed, job.overrides, code_fingerprint()]
    return json.dumps(parts + (["series"] if job.series else []), sort_keys=True, default=str)


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


def _append(path: Path, lines: list[str]) -> None:
    """Append whole lines; a torn last line left by a killed writer is ended first so it cannot swallow them."""
    try:
        with path.open("a+b") as out:
            if out.tell() > 0:
                out.seek(-1, os.SEEK_END)
                if out.read(1) != b"\n":
                    out.write(b"\n")
            out.write("".join(lines).encode("utf-8"))
    except OSError as exc:
        raise WargameError(f"{path}: cannot record finished runs there ({exc.strerror})") from None


def run_jobs(jobs: list[Job], workers: int | None = None, progress: Callable[[int, int], None] | None = None,
             chunk: int = 1, checkpoint: Path | None = None) -> list[dict]:
    """Run jobs; `progress(done, total)` before the first and after each chunk (by default one run: a
    worker process keeps its scenario and grid from one run to the next, so a task costs its run and a
    small message). workers=1 runs in this process. Rows come back in job order; with several workers each
    chunk is recorded as soon as it finishes, so an interruption loses only the chunks still running."""
    workers = default_workers() if workers is None else workers
    finished = _read_checkpoint(checkpoint) if checkpoint else {}
    keys = [job_key(job) for job in jobs]             # once: a key digests the scenario and the code
    key_of = {id(job): key for job, key in zip(jobs, keys)}
    jobs_per_key = collections.Counter(keys)
    pending = [job for job, key in zip(jobs, keys) if key not in finished]
    chunks = [pending[i:i + chunk] for i in range(0, len(pending), chunk)]
    if checkpoint:
        try:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WargameError(f"{checkpoint.parent}: cannot create it ({exc.strerror})") from None
    done = sum(key in finished for key in keys)

    def record(part: list[dict], part_jobs: list[Job]) -> None:
        nonlocal done
        for job, row in zip(part_jobs, part):
            if key_of[id(job)] not in finished:
                done += jobs_per_key[key_of[id(job)]]
            finished[key_of[id(job)]] = row
        if checkpoint:
            _append(checkpoint, [json.dumps({"key": key_of[id(j)], "row": r}) + "\n" for j, r in zip(part_jobs, part)])
        if progress:
            progress(done, len(jobs))

    if progress:
        progress(done, len(jobs))
    if workers <= 1 or len(chunks) <= 1:
        for part_jobs in chunks:
            record(_run_chunk(part_jobs), part_jobs)
            freeze_lasting_objects()
    else:
        preload_model_code()
        fork = os.name == "posix"
        if fork:
            # the first run here, before forking: the workers inherit what it built (the theatre, its cost
            # fields, the loaded scenario, an idle grid) instead of each building it again
            record(_run_chunk(chunks[0]), chunks[0])
            chunks = chunks[1:]
            freeze_lasting_objects()
        context = multiprocessing.get_context("fork" if fork else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_run_chunk, part_jobs): part_jobs for part_jobs in chunks}
            for future in as_completed(futures):
                record(future.result(), futures[future])
    return [{**finished[key], "job": job.index} for job, key in zip(jobs, keys)]


def run_ensemble(scenario: str, runs: int, master_seed: int = 2024, overrides: dict | None = None,
                 workers: int | None = None, progress=None, checkpoint: Path | None = None,
                 series: bool = False) -> pd.DataFrame:
    """`runs` replicates of a scenario with seeds derived from `master_seed`; one outcome row each (with
    `series`, a "series" column holding each run's per-step metrics)."""
    if runs < 1:
        raise ValueError(f"runs must be 1 or more, not {runs}")
    seeds = replicate_seeds(master_seed, runs)
    jobs = [Job(i, str(scenario), seed, dict(overrides or {}), series) for i, seed in enumerate(seeds)]
    started = time.perf_counter()
    frame = pd.DataFrame(run_jobs(jobs, workers, progress, checkpoint=checkpoint))
    frame.attrs["seconds"] = time.perf_counter() - started
    return frame


def ensembles(scenarios: Iterable[str], runs: int, **kwargs) -> dict[str, pd.DataFrame]:
    return {name: run_ensemble(name, runs, **kwargs) for name in scenarios}
