"""The historical targets of the two campaigns, from docs/history/facts.md, and how a model ensemble
is scored against them. Only the targets listed in facts.md are used; later events (the fall of Hama,
Homs and Damascus in December 2024) are kept aside for out-of-sample checks.

A target names an outcome column (see outcomes.py), the historical value, a window, and the share of runs
that must land in the window for the target to pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Target:
    scenario: str
    column: str
    label: str
    historical: float          # days since the scenario's start
    low: float                 # window in which a run counts as a hit
    high: float
    required: float            # share of runs that must hit, for a pass
    source: str
    checked: bool = True       # False: reported, not passed or failed (no bar set for it)
    on_median: bool = False    # True: passes when the median lies in the window (`required` unused)

    def hits(self, frame: pd.DataFrame) -> pd.Series:
        values = frame[self.column]
        return values.notna() & (values >= self.low) & (values <= self.high)


TARGETS = (
    Target("aleppo_2016", "achieved_east_aleppo", "regime holds 90% of east Aleppo", 28.0, 0.0, 60.0, 0.8,
           "facts.md B1: >90% of former rebel territory by ~13 Dec 2016 (Gulf News); start 15 Nov"),
    Target("aleppo_2016", "achieved_east_aleppo", "... and the median day of it lies in 25-45", 28.0, 25.0, 45.0, 0.5,
           "issue 4 bar; facts.md B1", on_median=True),
    Target("hts_2024", "fell_aleppo", "Aleppo falls on day 2 to 5", 3.0, 2.0, 5.0, 0.7,
           "facts.md A1: entered 29 Nov, most held 30 Nov, out of government control 1 Dec; use 30 Nov"),
    Target("hts_2024", "fell_kuweires", "Kuweires falls to the SNA by day 6", 4.0, 0.0, 6.0, 0.6,
           "facts.md A1: taken 1 Dec 2024 (TRT, Wikipedia)"),
    Target("hts_2024", "fell_maarat_al_numan", "Maarat al-Numan falls (30 Nov)", 3.5, 2.0, 5.0, 0.0,
           "facts.md A1: 30 Nov (SOHR via Shafaq; AA)", checked=False),
    Target("hts_2024", "fell_khan_shaykhun", "Khan Shaykhun falls (30 Nov, evening)", 3.5, 2.0, 5.0, 0.0,
           "facts.md A1: 30 Nov evening (AA)", checked=False),
    Target("hts_2024", "fell_saraqib", "Saraqib falls (29 Nov)", 2.5, 1.0, 4.0, 0.0,
           "facts.md A1: 29 Nov (SOHR via AFP)", checked=False),
)


def median_days(values: pd.Series) -> float:
    """Median over runs, counting a run in which it never happened as beyond every other (the median is
    then infinite if fewer than half the runs saw it)."""
    filled = values.fillna(math.inf).to_numpy()
    return float(np.median(filled))


@dataclass
class Score:
    target: Target
    runs: int
    happened: float            # share of runs in which it happened at all
    hit: float                 # share of runs in its window
    median: float
    p10: float
    p90: float

    @property
    def passed(self) -> bool | None:
        if not self.target.checked:
            return None
        if self.target.on_median:
            return self.target.low <= self.median <= self.target.high
        return self.hit >= self.target.required


def score(target: Target, frame: pd.DataFrame) -> Score:
    values = frame[target.column]
    filled = values.fillna(math.inf).to_numpy()
    # percentiles of actual runs ("inverted_cdf"): a run that never got there stays "never", not NaN
    p10, p90 = np.quantile(filled, [0.1, 0.9], method="inverted_cdf")
    return Score(target, len(frame), float(values.notna().mean()), float(target.hits(frame).mean()),
                 float(np.median(filled)), float(p10), float(p90))


def calibration_loss(frames: dict[str, pd.DataFrame]) -> float:
    """Distance of ensembles from the historical record: each target's median error in days (a run that
    never got there counts as the scenario's end plus five days), scaled by its window, plus a penalty
    for every checked target that fails its share."""
    loss = 0.0
    for target in TARGETS:
        frame = frames.get(target.scenario)
        if frame is None:
            continue
        days = frame[target.column].fillna(frame["end_day"].max() + 5.0).to_numpy()
        width = max(1.0, (target.high - target.low) / 2 if target.low > 0 else 5.0)
        loss += abs(float(np.median(days)) - target.historical) / width
        result = score(target, frame)
        if result.passed is False:
            loss += 2.0
    return loss
