"""How the cost of a step grows with the number of units and of cells, between Mesa's simplest example and
raw numpy, in one process.

    python benchmarks/bench_scale.py [--units 500 2000 5000] [--cell-km 5 3 2] [--steps 28] [--repeats 3]
                                     [--json out.json]

The scenario is `hts_2024` with its order of battle scaled to each number of units
(wargame/core/scenario/scaled.py: every formation in proportion, at its place) and its theatre on cells of
each size. The configurations are the units at the first cell size, the cell sizes at the first number of
units, and the corner (most units, smallest cells), so a reader sees each axis alone and both together.

Each configuration first has one untimed run that fills the theatre's caches (cost fields, hex balls) as
the first run of an ensemble does; then each round times every configuration in turn, and for each:
  wargame    the first --steps steps of a seeded run (its build not included), per unit-step (units on the
             map summed over the steps) and per cell-step (steps x cells of the grid)
  WolfSheep  Mesa's example with as many agents as the wargame had units on the map (two sheep to a wolf,
             the example's density of agents per cell), per agent-step
  numpy      a vectorised update of as many agents on an array grid of as many cells (each agent moves,
             eats or starves; each cell regrows): the practical floor, per agent-step and per cell-step
The figures are medians over the rounds; ratios are taken pair by pair (same round) to cancel the drift
of a shared machine. The growth columns compare a configuration with the first one: the step's time over
the growth of units (or cells); an exponent of 1 is linear, 0 a fixed cost per step.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np

WOLF_SHEEP_AGENTS = 150          # the example's default 100 sheep and 50 wolves on 20 x 20 cells
WOLF_SHEEP_SIDE = 20
WOLF_SHEEP_STEPS = 20            # its population grows: a short run keeps it near the asked size
NUMPY_STEPS = 200                # a numpy step takes microseconds: many of them for a measurable time


@dataclass(frozen=True)
class Config:
    units: int
    cell_km: float

    @property
    def label(self) -> str:
        return f"{self.units:,} units, {self.cell_km:g} km"


def configurations(units: list[int], cells_km: list[float]) -> list[Config]:
    """Each axis alone from the first configuration, then the corner where both are largest."""
    configs = [Config(n, cells_km[0]) for n in units] + [Config(units[0], km) for km in cells_km[1:]]
    corner = Config(max(units), min(cells_km))
    return configs + ([corner] if corner not in configs else [])


# ---------------------------------------------------------------- the wargame


def scaled_scenario(config: Config):
    from wargame.core.scenario import load_scenario
    from wargame.core.scenario.scaled import with_units

    return with_units(load_scenario("hts_2024", {"theatre.cell_km": config.cell_km}), config.units)


def time_wargame(scenario, seed: int, steps: int) -> dict:
    """Build a model (timed apart) and time its first `steps` steps; units on the map counted before each."""
    from wargame.core.agents.unit import on_map
    from wargame.core.model import WarModel

    t0 = time.perf_counter()
    model = WarModel(scenario, rng=seed, collect_units=False)
    build_s = time.perf_counter() - t0
    unit_steps = done = 0
    t0 = time.perf_counter()
    while model.running and done < steps:
        unit_steps += int(on_map(model.table).sum())
        model.step()
        done += 1
    run_s = time.perf_counter() - t0
    cells = model.theatre.n
    model.remove_all_agents()
    return {"build_s": build_s, "steps": done, "step_s": run_s / done, "units_on_map": unit_steps / done,
            "cells": cells, "us_per_unit_step": run_s / unit_steps * 1e6, "us_per_cell_step": run_s / done / cells * 1e6}


# ---------------------------------------------------------------- Mesa's WolfSheep with as many agents


def time_wolf_sheep(agents: int, seed: int) -> float:
    """Microseconds per agent-step of WolfSheep started with `agents` sheep and wolves at its usual density."""
    from mesa.examples.advanced.wolf_sheep.agents import Sheep, Wolf
    from mesa.examples.advanced.wolf_sheep.model import WolfSheep, WolfSheepScenario

    side = max(5, round(WOLF_SHEEP_SIDE * math.sqrt(agents / WOLF_SHEEP_AGENTS)))
    wolves = max(1, agents // 3)
    model = WolfSheep(WolfSheepScenario(rng=seed, width=side, height=side, initial_sheep=agents - wolves,
                                        initial_wolves=wolves))
    agent_steps = 0
    t0 = time.perf_counter()
    for _ in range(WOLF_SHEEP_STEPS):
        agent_steps += sum(len(model.agents_by_type[k]) for k in (Sheep, Wolf) if k in model.agent_types)
        model.step()
    return (time.perf_counter() - t0) / agent_steps * 1e6


# ---------------------------------------------------------------- plain numpy: the floor


def time_numpy(agents: int, cells: int, seed: int) -> dict:
    """A vectorised WolfSheep-like update of `agents` agents on a square grid of about `cells` cells: each
    step every agent moves one cell, eats the grass there or loses energy, and every cell's grass regrows.
    Returns microseconds per agent-step and per cell-step (the same time over each count)."""
    rng = np.random.default_rng(seed)
    side = max(2, round(math.sqrt(cells)))
    regrowth = np.zeros(side * side, dtype=np.int16)        # steps until a cell's grass is back
    row, col = rng.integers(0, side, size=(2, agents))
    energy = rng.random(agents) * 8.0
    t0 = time.perf_counter()
    for _ in range(NUMPY_STEPS):
        row = np.clip(row + rng.integers(-1, 2, size=agents), 0, side - 1)
        col = np.clip(col + rng.integers(-1, 2, size=agents), 0, side - 1)
        cell = row * side + col
        grass = regrowth[cell] == 0
        energy += np.where(grass, 4.0, -1.0)
        regrowth[cell[grass]] = 30
        np.subtract(regrowth, 1, out=regrowth, where=regrowth > 0)
    elapsed = time.perf_counter() - t0
    return {"us_per_agent_step": elapsed / (NUMPY_STEPS * agents) * 1e6,
            "us_per_cell_step": elapsed / (NUMPY_STEPS * side * side) * 1e6}


# ---------------------------------------------------------------- measuring and reporting


def one_round(config: Config, scenario, seed: int, steps: int) -> dict:
    """One seeded wargame run, then WolfSheep and numpy with as many agents (and numpy as many cells)."""
    ours = time_wargame(scenario, seed, steps)
    agents = max(1, round(ours["units_on_map"]))
    wolf_us = time_wolf_sheep(agents, seed)
    floor = time_numpy(agents, ours["cells"], seed)
    print(f"  {config.label}, seed {seed}: {ours['step_s'] * 1e3:.1f} ms a step, {ours['us_per_unit_step']:.1f} "
          f"us/unit-step; WolfSheep {wolf_us:.1f}, numpy {floor['us_per_agent_step']:.3f} us/agent-step", flush=True)
    return {**ours, "wolf_us_per_agent_step": wolf_us, "numpy_us_per_agent_step": floor["us_per_agent_step"],
            "numpy_us_per_cell_step": floor["us_per_cell_step"],
            "ratio_wolf": ours["us_per_unit_step"] / wolf_us,
            "ratio_numpy": ours["us_per_unit_step"] / floor["us_per_agent_step"]}


def measure(configs: list[Config], steps: int, repeats: int) -> list[dict]:
    """Every configuration warmed once, then round after round over all of them (so that a slow spell of
    the machine touches every configuration, not one), each figure the median over the rounds."""
    scenarios = {config: scaled_scenario(config) for config in configs}
    for config in configs:
        print(f"warming {config.label}", flush=True)
        time_wargame(scenarios[config], 0, steps)     # fill the theatre's caches, as an ensemble's first run
    rounds: dict[Config, list[dict]] = {config: [] for config in configs}
    for seed in range(1, repeats + 1):
        for config in configs:
            rounds[config].append(one_round(config, scenarios[config], seed, steps))
    results = []
    for config, rows in rounds.items():
        median = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        results.append({"units": config.units, "cell_km": config.cell_km, "rounds": rows, **median})
    return results


def exponent(base: dict, other: dict, size: str, held: str) -> float | None:
    """The power of the size by which the step's time grew from base to other (1 linear, 0 flat), when only
    that size changed (`held`, the configuration's other axis, is the same)."""
    growth = other[size] / base[size]
    if other[held] != base[held] or math.isclose(growth, 1.0, rel_tol=0.05):
        return None
    return math.log(other["step_s"] / base["step_s"]) / math.log(growth)


def table(results: list[dict]) -> str:
    base = results[0]
    lines = ["| units (on the map) | cell km (grid cells) | build | step | per unit-step | per cell-step | WolfSheep "
             "per agent-step | numpy per agent-step | numpy per cell-step | ours / WolfSheep | ours / numpy | "
             "step time vs first | exponent: units, cells |",
             "|" + "---|" * 13]
    for r in results:
        units_exp = exponent(base, r, "units_on_map", held="cell_km")
        cells_exp = exponent(base, r, "cells", held="units")
        shown = ", ".join("-" if e is None else f"{e:.2f}" for e in (units_exp, cells_exp))
        lines.append(
            f"| {r['units']:,} ({r['units_on_map']:,.0f}) | {r['cell_km']:g} ({r['cells']:,}) | {r['build_s']:.2f} s | "
            f"{r['step_s'] * 1e3:.1f} ms | {r['us_per_unit_step']:.1f} µs | {r['us_per_cell_step']:.2f} µs | "
            f"{r['wolf_us_per_agent_step']:.1f} µs | {r['numpy_us_per_agent_step']:.3f} µs | "
            f"{r['numpy_us_per_cell_step']:.4f} µs | {r['ratio_wolf']:.2f} | {r['ratio_numpy']:.0f} | "
            f"{r['step_s'] / base['step_s']:.2f} x | {shown} |")
    return "\n".join(lines)


def linear_fit(results: list[dict], size: str, fixed: dict) -> tuple[float, float] | None:
    """Step time = a + b x size over the configurations that vary only `size`: (a in ms, b in µs)."""
    points = [r for r in results if all(r[k] == v for k, v in fixed.items())]
    if len(points) < 2:
        return None
    slope, intercept = np.polyfit([r[size] for r in points], [r["step_s"] for r in points], 1)
    return intercept * 1e3, slope * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--cell-km", type=float, nargs="+", default=[5.0, 3.0, 2.0])
    parser.add_argument("--steps", type=int, default=28, help="steps timed per run (28: the first seven days)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    results = measure(configurations(args.units, args.cell_km), args.steps, args.repeats)
    print()
    print(table(results))
    units_fit = linear_fit(results, "units_on_map", {"cell_km": args.cell_km[0]})
    cells_fit = linear_fit(results, "cells", {"units": args.units[0]})
    if units_fit:
        print(f"\nstep time at {args.cell_km[0]:g} km = {units_fit[0]:.1f} ms + {units_fit[1]:.2f} µs x units on the map")
    if cells_fit:
        print(f"step time at {args.units[0]:,} units = {cells_fit[0]:.1f} ms + {cells_fit[1]:.3f} µs x grid cells")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"results": results, "units_fit_ms_us": units_fit, "cells_fit_ms_us": cells_fit}, handle,
                      indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
