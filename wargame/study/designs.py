"""Design points: where in parameter space a study runs. Each design returns an array of points (one row
per point, one column per parameter, in the parameters' order), all seeded so a study is repeatable.

  grid     every combination of each parameter's levels (given values, or `levels` evenly spaced over its range)
  lhs      a Latin hypercube of `points` points (scipy.stats.qmc, optimised to spread evenly)
  sobol    a scrambled Sobol sequence of `points` points (a power of two keeps its balance)
  csv      the user's own points: a CSV file with one column per parameter (by dotted path)
Sensitivity analysis uses SALib's own samplers (sensitivity.py), which its estimators need.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from wargame.core.errors import Problem, ScenarioError

DESIGNS = ("grid", "lhs", "sobol", "csv")


@dataclass(frozen=True)
class Parameter:
    path: str
    low: float
    high: float
    values: tuple[float, ...] = ()      # explicit levels (grid); empty: spread over [low, high]
    integer: bool = False

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Map [0, 1) to the range (rounded for whole-number parameters)."""
        values = self.low + unit * (self.high - self.low)
        return np.round(values) if self.integer else values


def grid(parameters: list[Parameter], levels: int = 5) -> np.ndarray:
    axes = [np.array(p.values, dtype=float) if p.values else
            np.unique(p.scale(np.linspace(0.0, 1.0, levels))) for p in parameters]
    return np.array(list(itertools.product(*axes)), dtype=float)


def latin_hypercube(parameters: list[Parameter], points: int, seed: int) -> np.ndarray:
    sampler = qmc.LatinHypercube(d=len(parameters), rng=np.random.default_rng(seed),
                                 optimization="random-cd" if len(parameters) > 1 else None)
    unit = sampler.random(points)
    return np.column_stack([p.scale(unit[:, i]) for i, p in enumerate(parameters)])


def sobol(parameters: list[Parameter], points: int, seed: int) -> np.ndarray:
    sampler = qmc.Sobol(d=len(parameters), scramble=True, rng=np.random.default_rng(seed))
    unit = sampler.random(points)
    return np.column_stack([p.scale(unit[:, i]) for i, p in enumerate(parameters)])


def from_csv(parameters: list[Parameter], path: Path) -> np.ndarray:
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read the points file: {exc}")]) from None
    wanted = [p.path for p in parameters]
    missing = [w for w in wanted if w not in frame.columns]
    if missing:
        raise ScenarioError([Problem(str(path), m, f"no such column; the file has {', '.join(frame.columns)}")
                             for m in missing])
    values = frame[wanted].apply(pd.to_numeric, errors="coerce")
    bad = values.isna().any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ScenarioError([Problem(str(path), f"row {row + 2}", "every value must be a number")])
    return values.to_numpy(dtype=float)


def design_points(kind: str, parameters: list[Parameter], points: int, seed: int, levels: int = 5,
                  file: Path | None = None) -> np.ndarray:
    if kind == "grid":
        return grid(parameters, levels)
    if kind == "lhs":
        return latin_hypercube(parameters, points, seed)
    if kind == "sobol":
        return sobol(parameters, points, seed)
    if kind == "csv":
        return from_csv(parameters, file)
    raise ValueError(f"unknown design {kind!r}; allowed: {', '.join(DESIGNS)}")
