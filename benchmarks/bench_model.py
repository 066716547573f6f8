"""Benchmarks of the model, next to Mesa's WolfSheep example in the same process.

    python benchmarks/bench_model.py [--repeats 5] [--scenario hts_2024] [--memory-runs 200] [--json out.json]

Reports, as medians over the repeats:
  theatre build     building the theatre arrays from the geographic data (cold: the cache is cleared)
  model build       WarModel construction with the theatre already built (what an ensemble pays per run)
  cold build        both together: the cost of the first model in a process
  run               stepping the campaign to its end
  per unit-step     run time over the units on the map summed over the steps (every phase and the data
                    collection included)
and the same for Mesa's WolfSheep example (default parameters, 100 steps) per agent-step, with the ratio
(below 1: a unit-step of the wargame costs less than an agent-step of WolfSheep).
With --memory-runs N it then runs the scenario N times in this one process through the ensemble's path
(`run_job`) and reports the resident memory after runs 1, 10, 100, 250, 500 and 1000 (up to N, and the
last): it should stay flat. --repeats 0 skips the timing, for the memory alone:

    python benchmarks/bench_model.py --repeats 0 --memory-runs 1000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time


def rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def time_wargame(scenario: str, repeats: int) -> dict:
    from wargame.core.model import WarModel
    from wargame.core.theatre import theatre as theatre_module

    WarModel(scenario, rng=0).run()          # warm caches (theatre, cost fields, hex balls) as in an ensemble
    theatre_s, model_s, cold_s, run_s, per_unit, unit_steps, steps = [], [], [], [], [], 0, 0
    for seed in range(1, repeats + 1):
        theatre_module.build_theatre.cache_clear()
        t0 = time.perf_counter()
        model = WarModel(scenario, rng=seed)
        cold_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theatre_module.build_theatre.cache_clear()
        theatre_module.build_theatre(model.theatre.spec)
        theatre_s.append(time.perf_counter() - t0)
        WarModel(scenario, rng=seed).run()     # let the fresh theatre fill its caches again
        t0 = time.perf_counter()
        model = WarModel(scenario, rng=seed)
        model_s.append(time.perf_counter() - t0)
        unit_steps = 0
        t0 = time.perf_counter()
        while model.running:
            unit_steps += len(model.units_on_map())
            model.step()
        elapsed = time.perf_counter() - t0
        run_s.append(elapsed)
        per_unit.append(elapsed / unit_steps * 1e6)
        steps = model.steps
        units = model.table.n
    return {
        "scenario": scenario, "repeats": repeats, "steps": steps, "units": units, "unit_steps": unit_steps,
        "theatre_build_s": statistics.median(theatre_s), "model_build_s": statistics.median(model_s),
        "cold_build_s": statistics.median(cold_s), "run_s": statistics.median(run_s),
        "us_per_unit_step": statistics.median(per_unit),
    }


def time_wolf_sheep(repeats: int, steps: int = 100) -> dict:
    from mesa.examples.advanced.wolf_sheep.agents import Sheep, Wolf
    from mesa.examples.advanced.wolf_sheep.model import WolfSheep, WolfSheepScenario

    per_agent, run_s = [], []
    for seed in range(1, repeats + 1):
        model = WolfSheep(WolfSheepScenario(rng=seed))
        agent_steps = 0
        t0 = time.perf_counter()
        for _ in range(steps):
            agent_steps += sum(len(model.agents_by_type[k]) for k in (Sheep, Wolf) if k in model.agent_types)
            model.step()
        elapsed = time.perf_counter() - t0
        run_s.append(elapsed)
        per_agent.append(elapsed / agent_steps * 1e6)
    return {"steps": steps, "run_s": statistics.median(run_s), "us_per_agent_step": statistics.median(per_agent)}


def interleaved_ratios(scenario: str, repeats: int) -> tuple[dict, list[float]]:
    """Alternate one WolfSheep run and one wargame run; return WolfSheep's figures and the per-pair ratios."""
    from wargame.core.model import WarModel

    wolf_us, ratios = [], []
    for seed in range(1, repeats + 1):
        wolf = time_wolf_sheep(10)["us_per_agent_step"]      # ten runs: about as long as one of ours
        model = WarModel(scenario, rng=seed)
        unit_steps = 0
        t0 = time.perf_counter()
        while model.running:
            unit_steps += len(model.units_on_map())
            model.step()
        ours = (time.perf_counter() - t0) / unit_steps * 1e6
        wolf_us.append(wolf)
        ratios.append(ours / wolf)
    return {"steps": 100, "us_per_agent_step": statistics.median(wolf_us)}, ratios


MEMORY_MARKS = (1, 10, 100, 250, 500, 1000)     # runs after which the resident memory is reported


def memory_over_runs(scenario: str, runs: int) -> list[tuple[int, float]]:
    """Resident memory after runs 1, 10, 100, 250, 500 and 1000 (and the last) of `runs` seeded runs in this
    one process, each through the ensemble's own path (`run_job`, as a worker runs its chunks), so that
    whatever an ensemble keeps between runs (the theatre, its cost fields, a reused grid) is measured."""
    from wargame.experiments.runner import Job, _run_chunk

    marks = {m for m in MEMORY_MARKS if m <= runs} | {runs}
    out = []
    for i in range(1, runs + 1):
        _run_chunk([Job(i, scenario, 10_000 + i)])
        gc.collect()
        if i in marks:
            out.append((i, round(rss_mib(), 1)))
            print(f"  after run {i:4d}: {out[-1][1]:7.1f} MiB", flush=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="hts_2024")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-runs", type=int, default=0, help="also run the scenario this many times in this process "
                        "(200; 1000 for the full measure)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    ours = wolves = ratio = ratios = None
    if args.repeats:                    # --repeats 0: the memory measure alone
        ours = time_wargame(args.scenario, args.repeats)
        # The ratio is measured interleaved: a WolfSheep run, a wargame run, again and again, each pair giving
        # a ratio; the median of those is robust to the drift of a shared machine's speed.
        wolves, ratios = interleaved_ratios(args.scenario, args.repeats)
        ratio = statistics.median(ratios)
        print(f"wargame {ours['scenario']}: {ours['units']} units, {ours['steps']} steps, {ours['unit_steps']} "
              f"unit-steps; median of {args.repeats}:")
        print(f"  theatre build (cold)   {ours['theatre_build_s'] * 1e3:8.1f} ms")
        print(f"  model build            {ours['model_build_s'] * 1e3:8.1f} ms   (theatre cached)")
        print(f"  cold build (both)      {ours['cold_build_s'] * 1e3:8.1f} ms   (target: under 1000 ms)")
        print(f"  run to the end         {ours['run_s']:8.2f} s")
        print(f"  per unit-step          {ours['us_per_unit_step']:8.2f} us")
        print(f"Mesa WolfSheep (defaults, {wolves['steps']} steps): {wolves['us_per_agent_step']:.2f} us per agent-step")
        print(f"ratio, wargame unit-step / WolfSheep agent-step, median of {len(ratios)} interleaved pairs: "
              f"{ratio:.2f} (range {min(ratios):.2f}-{max(ratios):.2f}; target: at most 1)")
    memory = []
    if args.memory_runs:
        print(f"memory over {args.memory_runs} successive runs in this process:")
        memory = memory_over_runs(args.scenario, args.memory_runs)
        since, first = next((i, m) for i, m in memory if i >= min(10, args.memory_runs))   # caches filled by then
        print(f"  growth from run {since} to run {args.memory_runs}: {memory[-1][1] - first:+.1f} MiB")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"wargame": ours, "wolf_sheep": wolves, "ratio": ratio, "ratios": ratios,
                       "memory_mib": memory}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
