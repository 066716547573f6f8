"""Throughput of a study's ensemble, serial against local worker processes, and each worker's memory.

    .venv/bin/python benchmarks/bench_study.py [--runs 200] [--workers 2] [--scenario hts_2024]

The same runs go through the study's own path (batches, results streamed to a Parquet store) once in this
process and once on `--workers` local processes. Issue 6 asks for at least 1.8 times the serial throughput
with 2 workers, and a worker's resident memory flat across its runs (workers.csv records it after every
batch). Run it on an idle machine: another busy process takes a core from the parallel run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from wargame.experiments.runner import Job, preload_model_code
from wargame.experiments.seeds import replicate_seeds
from wargame.study.execute import LocalExecutor, SerialExecutor
from wargame.study.plan import execute
from wargame.study.store import ResultStore


def timed(executor, jobs: list[Job], directory: Path) -> tuple[float, pd.DataFrame]:
    store = ResultStore(directory, {"benchmark": executor.name, "runs": len(jobs)})
    started = time.perf_counter()
    try:
        execute(jobs, store, executor)
    finally:
        executor.close()
    seconds = time.perf_counter() - started
    assert len(store.frame()) == len(jobs)
    return seconds, pd.read_csv(directory / "workers.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", default="hts_2024")
    args = parser.parse_args()
    jobs = [Job(i, args.scenario, seed) for i, seed in enumerate(replicate_seeds(2024, args.runs))]
    preload_model_code()
    with tempfile.TemporaryDirectory() as tmp:
        SerialExecutor().run([jobs[:2]]).__next__()            # warm-up: imports and the theatre cache
        serial, _ = timed(SerialExecutor(), jobs, Path(tmp) / "serial")
        parallel, workers = timed(LocalExecutor(args.workers), jobs, Path(tmp) / "local")
    print(f"{args.runs} runs of {args.scenario}")
    print(f"  serial:              {serial:7.1f} s  {args.runs / serial:5.2f} runs/s")
    print(f"  {args.workers} local workers:     {parallel:7.1f} s  {args.runs / parallel:5.2f} runs/s")
    print(f"  speed-up:            {serial / parallel:7.2f} x  (target at least 1.8 with 2 workers)")
    for pid, rows in workers.groupby("pid"):
        rss = rows["rss_mib"].tolist()
        marks = [rss[0], rss[len(rss) // 4], rss[len(rss) // 2], rss[3 * len(rss) // 4], rss[-1]]
        print(f"  worker {pid}: {rows['runs'].sum()} runs in {len(rows)} batches; resident MiB after batches "
              f"1, 1/4, 1/2, 3/4, last: {', '.join(f'{m:.1f}' for m in marks)}")


if __name__ == "__main__":
    main()
