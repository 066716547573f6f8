"""Benchmark: construction and run of the default scenario, next to Mesa's WolfSheep in the same process.

    python benchmarks/bench_model.py [--repeats 5] [--scenario hts_2024] [--json out.json]

Reports, as medians over the repeats:
  theatre build     building the theatre arrays from the geographic data (cold: the cache is cleared)
  model build       WarModel construction with the theatre already built (what an ensemble pays per run)
  cold build        both together: the cost of the first model in a process
  run               stepping to the end of the campaign
  unit-steps/s      units on the map summed over the steps, divided by the run time
and the same agent-steps/s for Mesa's WolfSheep example (default parameters, 100 steps), and the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time


def time_wargame(scenario: str, repeats: int) -> dict:
    from wargame.model import WarModel
    from wargame.theatre import theatre as theatre_module

    theatre_s, model_s, cold_s, run_s, rates, unit_steps = [], [], [], [], [], 0
    for seed in range(1, repeats + 1):
        theatre_module.build_theatre.cache_clear()
        t0 = time.perf_counter()
        model = WarModel(scenario, rng=seed)
        cold_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theatre_module.build_theatre.cache_clear()
        theatre_module.build_theatre(model.theatre.spec)
        theatre_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model = WarModel(scenario, rng=seed)
        model_s.append(time.perf_counter() - t0)
        unit_steps = 0
        t0 = time.perf_counter()
        while model.running:
            model.step()
            unit_steps += len(model.units_on_map())
        elapsed = time.perf_counter() - t0
        run_s.append(elapsed)
        rates.append(unit_steps / elapsed)
        steps = model.turn
    return {
        "scenario": scenario, "repeats": repeats, "steps": steps, "unit_steps": unit_steps,
        "theatre_build_s": statistics.median(theatre_s), "model_build_s": statistics.median(model_s),
        "cold_build_s": statistics.median(cold_s), "run_s": statistics.median(run_s),
        "unit_steps_per_s": statistics.median(rates),
    }


def time_wolf_sheep(repeats: int, steps: int = 100) -> dict:
    from mesa.examples.advanced.wolf_sheep.agents import Sheep, Wolf
    from mesa.examples.advanced.wolf_sheep.model import WolfSheep, WolfSheepScenario

    rates, run_s = [], []
    for seed in range(1, repeats + 1):
        model = WolfSheep(WolfSheepScenario(rng=seed))
        agent_steps = 0
        t0 = time.perf_counter()
        for _ in range(steps):
            agent_steps += sum(len(model.agents_by_type[k]) for k in (Sheep, Wolf) if k in model.agent_types)
            model.step()
        elapsed = time.perf_counter() - t0
        run_s.append(elapsed)
        rates.append(agent_steps / elapsed)
    return {"steps": steps, "run_s": statistics.median(run_s), "agent_steps_per_s": statistics.median(rates)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="hts_2024")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    ours = time_wargame(args.scenario, args.repeats)
    wolves = time_wolf_sheep(args.repeats)
    ratio = ours["unit_steps_per_s"] / wolves["agent_steps_per_s"]
    print(f"wargame {ours['scenario']} ({ours['steps']} steps, {ours['unit_steps']} unit-steps), median of {args.repeats}:")
    print(f"  theatre build (cold)   {ours['theatre_build_s'] * 1e3:8.1f} ms")
    print(f"  model build            {ours['model_build_s'] * 1e3:8.1f} ms   (theatre cached)")
    print(f"  cold build (both)      {ours['cold_build_s'] * 1e3:8.1f} ms   (target: under 1000 ms)")
    print(f"  run to the end         {ours['run_s']:8.2f} s")
    print(f"  unit-steps per second  {ours['unit_steps_per_s']:8.0f}")
    print(f"Mesa WolfSheep (defaults, {wolves['steps']} steps): {wolves['agent_steps_per_s']:.0f} agent-steps/s, "
          f"run {wolves['run_s']:.2f} s")
    print(f"ratio wargame / WolfSheep per agent-step: {ratio:.3f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"wargame": ours, "wolf_sheep": wolves, "ratio": ratio}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
