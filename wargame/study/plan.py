"""From a study spec to jobs: design points, each run `replicates` times on seeds common to every point
(common random numbers: replicate r has the same seed at every point, so differences between points are
the parameters', not luck's), and the runs executed in batches with results streamed to the store."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wargame.experiments.runner import Job, code_fingerprint, scenario_digest
from wargame.experiments.seeds import replicate_seeds
from wargame.output.series import finish, write_series
from wargame.output.studies import STUDY_SERIES
from wargame.study.designs import Parameter
from wargame.study.spec import JOINT, StudySpec, study_scenarios
from wargame.study.store import ResultStore


@dataclass
class Plan:
    spec: StudySpec
    parameters: list[Parameter]
    points: np.ndarray                 # points x parameters
    seeds: list[int]                   # one per replicate, common to every point

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.parameters]

    def value(self, parameter: Parameter, x: float):
        return int(round(x)) if parameter.integer else float(x)

    def job(self, point: int, replicate: int, first_id: int = 0) -> Job:
        overrides = dict(self.spec.overrides)
        overrides.update({p.path: self.value(p, x) for p, x in zip(self.parameters, self.points[point])})
        return Job(first_id + point * len(self.seeds) + replicate, self.spec.scenario, self.seeds[replicate], overrides,
                   series=self.spec.series)

    def jobs(self) -> list[Job]:
        return [self.job(i, r) for i in range(len(self.points)) for r in range(len(self.seeds))]

    def job_table(self) -> pd.DataFrame:
        """job -> point, replicate, seed and the parameter values (what the results are joined with)."""
        n, reps = len(self.points), len(self.seeds)
        table = pd.DataFrame({"job": np.arange(n * reps), "point": np.repeat(np.arange(n), reps),
                              "replicate": np.tile(np.arange(reps), n), "seed": np.tile(self.seeds, n)})
        for k, path in enumerate(self.paths):
            table[path] = np.repeat(self.points[:, k], reps)
        return table

    def digest(self) -> str | dict[str, str]:
        """The resolved scenario's digest; a joint calibration's, each campaign's."""
        names = study_scenarios(self.spec.scenario)
        return scenario_digest(names[0]) if self.spec.scenario != JOINT else {n: scenario_digest(n) for n in names}

    def manifest(self, extra: dict | None = None) -> dict:
        return {"kind": self.spec.kind, "spec": self.spec.model_dump(mode="json"),
                "parameters": [p.__dict__ for p in self.parameters], "points": self.points.tolist(),
                "seeds": self.seeds, "scenario_digest": self.digest(),
                "code": code_fingerprint(), "written": dt.datetime.now().isoformat(timespec="seconds"),
                **(extra or {})}


def make_plan(spec: StudySpec, parameters: list[Parameter], points: np.ndarray) -> Plan:
    return Plan(spec, parameters, np.asarray(points, dtype=float), replicate_seeds(spec.seed, spec.replicates))


def batch_size(pending: int, workers: int) -> int:
    """Enough runs per task that its overhead is small, few enough that every worker stays busy to the end."""
    return max(1, min(8, math.ceil(pending / (workers * 4))))


def execute(jobs: list[Job], store: ResultStore, executor, progress: Callable[[int, int, float], None] | None = None
            ) -> None:
    """Run the jobs the store lacks, in batches; each finished batch is written at once (a part)."""
    done = store.done_jobs()
    pending = [job for job in jobs if job.index not in done]
    size = batch_size(len(pending), executor.workers)
    batches = [pending[i:i + size] for i in range(0, len(pending), size)]
    finished, started = len(jobs) - len(pending), time.perf_counter()
    if progress:
        progress(finished, len(jobs), 0.0)
    for batch, result in executor.run(batches):
        store.write_part(result["rows"])
        store.log_worker(result["pid"], result["rss_mib"], len(batch))
        finished += len(batch)
        if progress:
            progress(finished, len(jobs), time.perf_counter() - started)


def results(plan: Plan, store: ResultStore) -> pd.DataFrame:
    """Every run's outcome row joined with its point, replicate and parameter values."""
    frame = store.frame()
    table = plan.job_table()
    return table.merge(frame.drop(columns=["seed"], errors="ignore"), on="job", how="inner", validate="one_to_one")


def write_study_series(store: ResultStore, labels: pd.DataFrame) -> Path | None:
    """The study's runs' per-step metrics as one file for analysts, <out>/series.nc, labelled along run by
    `labels` (a column "job", then point, replicate, seed, each parameter's value...); None when the study
    kept no series."""
    dataset = store.series()
    if dataset is None:
        return None
    return write_series(store.directory / STUDY_SERIES, finish(dataset, labels.set_index("job")))


def study_directory(spec: StudySpec, out: str | Path | None) -> Path:
    if out:
        return Path(out)
    return Path("runs") / f"{spec.kind}-{Path(spec.scenario).stem}-seed{spec.seed}"
