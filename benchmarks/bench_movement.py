"""Time the movement phase with each kernel (rules/movement_kernel.py), and the step it is part of.

    python benchmarks/bench_movement.py [--seeds 5] [--scenario hts_2024] [--kernels numpy numba]

Each seed is run once per kernel, the kernels interleaved seed by seed (the machine is shared: a slow spell
then touches both), through the ensemble's own `run_job`, after one warm-up run per kernel (the theatre,
the cost fields and numba's compilation or cache load are not counted). Reports, as medians over the seeds:
ms per call of the rounds alone (`movement_kernel.rounds`), ms per call of `move_units` (the whole phase:
movers, fields, the rounds, the write-back) and ms per step of the run, all in CPU time of the process.
Every seed's outcome must be the same under every kernel, or it stops.
With `--compile` it times, in fresh processes, numba's first call with a cold cache and with a warm one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed_run(scenario: str, seed: int) -> tuple[list[float], list[float], float, dict]:
    """(ms of each move_units call, ms of each call of its rounds, ms of the run, the run's outcome row), in
    CPU time of this process: on a shared machine it varies less than the wall clock."""
    from wargame.core import campaign
    from wargame.core.rules import movement
    from wargame.experiments.runner import Job, run_job

    calls: list[float] = []
    rounds_calls: list[float] = []
    original_move, original_rounds = campaign.move_units, movement.rounds

    def timed_move_units(model):
        started = time.process_time()
        original_move(model)
        calls.append((time.process_time() - started) * 1e3)

    def timed_rounds(*arguments):
        started = time.process_time()
        result = original_rounds(*arguments)
        rounds_calls.append((time.process_time() - started) * 1e3)
        return result

    campaign.move_units, movement.rounds = timed_move_units, timed_rounds
    try:
        started = time.process_time()
        row = run_job(Job(seed, scenario, seed))
        run_ms = (time.process_time() - started) * 1e3
    finally:
        campaign.move_units, movement.rounds = original_move, original_rounds
    return calls, rounds_calls, run_ms, row


def compare(scenario: str, seeds: int, kernels: list[str]) -> None:
    from wargame.core.rules import movement_kernel

    for kernel in kernels:                       # warm-up: caches, and numba's compile or cache load
        movement_kernel.KERNEL = kernel
        timed_run(scenario, 0)
    per_call = {k: [] for k in kernels}
    per_rounds = {k: [] for k in kernels}
    per_step = {k: [] for k in kernels}
    for seed in range(1, seeds + 1):
        outcomes = {}
        for kernel in kernels if seed % 2 else reversed(kernels):
            movement_kernel.KERNEL = kernel
            calls, rounds_calls, run_ms, row = timed_run(scenario, seed)
            per_call[kernel].append(statistics.mean(calls))
            per_rounds[kernel].append(statistics.mean(rounds_calls) if rounds_calls else float("nan"))
            per_step[kernel].append(run_ms / len(calls))       # move_units is called once a step
            outcomes[kernel] = repr(row)
        if len(set(outcomes.values())) != 1:
            sys.exit(f"seed {seed}: the kernels gave different outcomes")
    print(f"{scenario}, {seeds} seeds, CPU ms, medians over the seeds of each run's mean")
    print(f"{'kernel':8} {'rounds/call':>12} {'move_units/call':>16} {'run/step':>10}")
    for kernel in kernels:
        print(f"{kernel:8} {statistics.median(per_rounds[kernel]):12.3f} {statistics.median(per_call[kernel]):16.3f} "
              f"{statistics.median(per_step[kernel]):10.3f}")


FIRST_CALL = """
import time
import numpy as np
from wargame.core.rules import movement_kernel as k
started = time.perf_counter()
import numba
imported = time.perf_counter()
kernel = k.compiled_kernel()
neighbours = np.array([[1], [-1]], dtype=np.int64)
kernel(np.zeros(1, np.int64), np.ones(1), np.zeros(1, np.int64), np.zeros(1, bool), np.zeros(1, bool),
       np.zeros(1, np.int64), np.zeros(1, bool), np.zeros(1, np.int64), np.array([[1.0, 0.0]]), neighbours,
       np.zeros(2, np.int64), np.zeros((1, 2), bool), np.zeros(2, bool), np.zeros(2, np.int8),
       np.zeros((1, 1), bool), np.ones(2), 4, 2.0, 5.0, 6)
print(imported - started, time.perf_counter() - imported)
"""


def compile_times(repeats: int) -> None:
    """numba's import, and the first call, in a fresh process: with an empty cache, then with the cache it wrote."""
    imports, cold, warm = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": os.getcwd()}
            for times in (cold, warm):
                out = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, check=True, capture_output=True,
                                     text=True).stdout
                import_s, first_call_s = map(float, out.split()[-2:])
                imports.append(import_s)
                times.append(first_call_s)
    print(f"medians of {repeats}: import numba {statistics.median(imports):.2f} s; first call (compile or cache "
          f"load): cold cache {statistics.median(cold):.2f} s, warm cache {statistics.median(warm):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--scenario", default="hts_2024")
    parser.add_argument("--kernels", nargs="+", default=["numpy", "numba"])
    parser.add_argument("--compile", type=int, default=0, metavar="REPEATS")
    args = parser.parse_args()
    compare(args.scenario, args.seeds, args.kernels)
    if args.compile:
        compile_times(args.compile)


if __name__ == "__main__":
    main()
