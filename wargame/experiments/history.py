"""The historical targets of the campaigns and how a model ensemble is scored against them.

The targets live in files, one per campaign (wargame/experiments/targets/<scenario>.toml), each row taken
from the facts files (docs/history/facts.md, facts-2015-2020.md) with its confidence and source. Events after
1 December 2024 are never targets: they sit in a file's `[[out_of_sample]]` list and are only reported.

A target names an outcome column (see outcomes.py) and a window:
  id, label      the facts file's target id and a sentence
  column         an outcome column: fell_<place>, retaken_<place>, changes_<place>, achieved_<objective>, ...
  place          shorthand for column = "fell_<place>" (give one of the two)
  historical     what happened (a day since the scenario's start, or a value); omitted for `never` targets
  window         [low, high]: a run hits when its value lies in it
  kind           "day" (default: a run where it never happened misses) or "value" (a count or share)
  never          true: the event must NOT happen within the window (a run where it never happened hits)
  on_median      true: passes when the ensemble's median lies in the window
  confidence     H, M, L or U as graded in the facts file; only H and M are checked by default
  checked        overrides that: false reports the target without passing or failing it
  required       share of runs that must hit, for a pass (default 0.7)
  weight         its weight in the calibration loss (default 1; 0 keeps it out)
  spread         the 10th-90th percentile width in days the sources allow (default: none scored); the
                 calibration scores the ensemble's spread against it, so that it claims no false certainty
  source         the facts rows and their sources
A file also gives the campaign's `bar` (the share of its checked targets it must pass: 1 for the two
campaigns the model was first built on, 0.7 for the others, issue 15), and `[winner]` for Dupuy's checks.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from wargame.core.errors import ScenarioError, WargameError, problems_from_validation
from wargame.core.scenario import load_scenario
from wargame.core.scenario.common import Strict
from wargame.experiments.bands import BAND, MIN_RUNS_FOR_BAND

TARGETS_DIR = Path(__file__).parent / "targets"
CONFIDENCE = ("H", "M", "L", "U")
SCORED_CONFIDENCE = ("H", "M")


@dataclass(frozen=True)
class Target:
    scenario: str
    column: str
    label: str
    historical: float          # days since the scenario's start (or a value); NaN for `never` targets
    low: float                 # window in which a run counts as a hit
    high: float
    required: float            # share of runs that must hit, for a pass
    source: str
    checked: bool = True       # False: reported, not passed or failed (no bar set for it)
    on_median: bool = False    # True: passes when the median lies in the window (`required` unused)
    id: str = ""
    confidence: str = "U"
    weight: float = 1.0
    never: bool = False        # True: a hit is a run in which it did not happen within the window
    kind: str = "day"          # day: NaN means it never happened; value: a count or share
    spread: float = math.nan   # the 10th-90th percentile width the sources allow (NaN: not scored)
    file: str = ""             # the target file it came from, for messages

    @property
    def in_loss(self) -> bool:
        """Whether it counts in the calibration loss: checked and of positive weight (else only reported)."""
        return self.checked and self.weight > 0

    def hits(self, frame: pd.DataFrame) -> pd.Series:
        values = _values(self, frame)
        inside = values.notna() & (values >= self.low) & (values <= self.high)
        return ~inside if self.never else inside


class TargetRow(Strict):
    id: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=200)
    column: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$", max_length=120)
    place: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$", max_length=100,
                              description='shorthand for column = "fell_<place>"')
    historical: float | None = None
    window: list[float] = Field(min_length=2, max_length=2, description="[low, high]")
    kind: Literal["day", "value"] = "day"
    never: bool = False
    on_median: bool = False
    confidence: Literal["H", "M", "L", "U"]
    checked: bool | None = None
    required: float = Field(0.7, ge=0.0, le=1.0)
    weight: float = Field(1.0, ge=0.0, le=10.0)
    spread: float | None = Field(None, ge=0.0, le=365.0)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _window(self):
        if self.window[0] > self.window[1]:
            raise ValueError(f"window {self.window}: low must not exceed high")
        if self.historical is None and not self.never:
            raise ValueError("historical is required unless never = true")
        if (self.column is None) == (self.place is None):
            raise ValueError('give either column (an outcome column such as "fell_hama") or place (such as "hama")')
        return self

    @property
    def outcome(self) -> str:
        """The outcome column it measures (`place` is short for fell_<place>)."""
        return self.column if self.column is not None else f"fell_{self.place}"


class OutOfSample(Strict):
    column: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=120)
    label: str = Field(min_length=1, max_length=200)
    history: str = Field("", max_length=120, description="what happened, for the reader (never scored)")


class Winner(Strict):
    """Who won the campaign, for Dupuy's regularities (validation.py): the side, the outcome column that
    times its success, the side that lost, and whether the winner achieved surprise."""
    side: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    column: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    loser: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    surprise: bool = False


class TargetFile(Strict):
    campaign: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    facts: str
    winner: Winner | None = None
    bar: float = Field(0.7, ge=0.0, le=1.0, description="share of its checked targets the campaign must pass")
    targets: list[TargetRow] = Field(min_length=1)
    out_of_sample: list[OutOfSample] = []


@dataclass(frozen=True)
class CampaignTargets:
    """One historical campaign: its scenario, title, targets and out-of-sample events."""
    scenario: str
    title: str
    facts: str
    targets: tuple[Target, ...]
    out_of_sample: tuple[OutOfSample, ...]
    winner: Winner | None = None
    bar: float = 0.7


def load_targets(path: Path) -> CampaignTargets:
    """A campaign's target file, validated; errors name the file and the field."""
    name = str(path)
    try:
        tree = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WargameError(f"{name}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise WargameError(f"{name}: not valid TOML: {exc}") from None
    try:
        spec = TargetFile.model_validate(tree)
    except ValidationError as exc:
        problems = problems_from_validation(exc, lambda field: _naming_target(name, tree, field), schema=TargetFile)
        # a rule across a target's fields: the message says what is wrong, the whole row need not be echoed
        raise ScenarioError([dataclasses.replace(p, value=None, has_value=False) if isinstance(p.value, dict) else p
                             for p in problems]) from None
    ids = [r.id for r in spec.targets]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise WargameError(f"{name}: target id {', '.join(twice)} given more than once; each target needs its own id")
    targets = tuple(Target(
        spec.campaign, r.outcome, r.label, math.nan if r.historical is None else r.historical, r.window[0],
        r.window[1], r.required, r.source,
        checked=r.confidence in SCORED_CONFIDENCE if r.checked is None else r.checked, on_median=r.on_median,
        id=r.id, confidence=r.confidence, weight=r.weight, never=r.never, kind=r.kind,
        spread=math.nan if r.spread is None else r.spread, file=name) for r in spec.targets)
    return CampaignTargets(spec.campaign, spec.title, spec.facts, targets, tuple(spec.out_of_sample), spec.winner,
                           spec.bar)


def _naming_target(name: str, tree: dict, field: str) -> str:
    """The file, and for a field of targets.N the target's id (or its number), so that an error is found."""
    found = re.match(r"targets\[(\d+)\]", field)
    if not found:
        return name
    index = found.group(1)
    rows = tree.get("targets")
    row = rows[int(index)] if isinstance(rows, list) and int(index) < len(rows) else None
    ident = row.get("id") if isinstance(row, dict) else None
    return f"{name}, target {ident!r}" if ident else f"{name}, target number {int(index) + 1}"


@cache
def campaigns() -> dict[str, CampaignTargets]:
    """Every campaign with a target file, in the order of history (the files are named by scenario)."""
    found = [load_targets(p) for p in sorted(TARGETS_DIR.glob("*.toml"))]
    return {c.scenario: c for c in sorted(found, key=lambda c: _year(c.scenario))}


def _year(scenario: str) -> tuple[int, str]:
    digits = [int(part) for part in scenario.split("_") if part.isdigit()]
    return (digits[0] if digits else 9999, scenario)


def campaign_of(scenario: str) -> str:
    """The historical campaign a scenario (a name or a path) is, or extends at the root of its `extends`
    chain: a counterfactual or a calibrated variant is measured on its campaign's targets. The campaign need
    not have a target file (campaigns() says which do)."""
    return Path(load_scenario(scenario).files[0]).stem


def all_targets() -> tuple[Target, ...]:
    return tuple(t for c in campaigns().values() for t in c.targets)


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


def _values(target: Target, frame: pd.DataFrame) -> pd.Series:
    if target.column not in frame:
        close = difflib.get_close_matches(target.column, [str(c) for c in frame.columns], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise WargameError(f"{target.file or 'wargame/experiments/targets/' + target.scenario + '.toml'}: target "
                           f"{target.id or target.label}: the runs have no outcome column {target.column!r}{hint} "
                           "(see wargame/experiments/outcomes.py)")
    return frame[target.column]


def score(target: Target, frame: pd.DataFrame) -> Score:
    values = _values(target, frame)
    filled = values.fillna(math.inf).to_numpy()
    # percentiles of actual runs ("inverted_cdf"): a run that never got there stays "never", not NaN; under
    # MIN_RUNS_FOR_BAND runs no band at all (NaN, shown "n/a"), the rule of every other table of the project
    p10, p90 = (np.quantile(filled, BAND, method="inverted_cdf") if len(filled) >= MIN_RUNS_FOR_BAND
                else (math.nan, math.nan))
    return Score(target, len(frame), float(values.notna().mean()), float(target.hits(frame).mean()),
                 float(np.median(filled)), float(p10), float(p90))


FAIL_PENALTY = 2.0          # loss added for a checked target that misses its bar (times its weight)
SPREAD_WEIGHT = 0.5         # loss per window-width of error in the ensemble's 10th-90th percentile spread
NEVER_SLACK_DAYS = 5.0      # a run in which an event never happened counts as the end of the run plus this
VALUE_SCALE = 0.25          # a value target's error is scaled by at least this share of its historical value


def target_loss(target: Target, frame: pd.DataFrame) -> dict[str, float]:
    """One target's part of the calibration loss, by component: the median's error scaled by the window
    (for `never` targets, twice the share of runs in which it happened), the spread's error, and the
    penalty for missing the bar. All times the target's weight; zero for unchecked targets."""
    out = {"median": 0.0, "spread": 0.0, "penalty": 0.0}
    if not target.in_loss:
        return out
    values = _values(target, frame)
    if target.never:
        out["median"] = 2.0 * float(1.0 - target.hits(frame).mean())
    else:
        filled = values.fillna(frame["end_day"].max() + NEVER_SLACK_DAYS) if target.kind == "day" else values.fillna(0.0)
        half = (target.high - target.low) / 2
        width = (max(1.0, half if target.low > 0 else 5.0) if target.kind == "day"
                 else max(half, VALUE_SCALE * max(abs(target.historical), 1.0)))   # a count of 3 exactly: 0.75
        out["median"] = abs(float(np.median(filled)) - target.historical) / width
        if target.kind == "day" and not math.isnan(target.spread):
            p10, p90 = np.quantile(filled.to_numpy(), [0.1, 0.9])
            out["spread"] = SPREAD_WEIGHT * abs(float(p90 - p10) - target.spread) / max(1.0, target.spread)
    if score(target, frame).passed is False:
        out["penalty"] = FAIL_PENALTY
    return {k: v * target.weight for k, v in out.items()}


REPORTED = "reported, not in the loss"


def loss_breakdown(frames: dict[str, pd.DataFrame], targets: Iterable[Target] | None = None,
                   reported: bool = False) -> pd.DataFrame:
    """The calibration loss target by target (one row each, for every campaign in `frames`), with each
    target's share of the whole. `targets` defaults to every campaign's target file; with `reported`, the
    targets outside the loss (unchecked, or of weight 0) are listed too, with loss 0 and a note saying so."""
    rows = []
    for target in all_targets() if targets is None else targets:
        frame = frames.get(target.scenario)
        if frame is None or not (target.in_loss or reported):
            continue
        parts = target_loss(target, frame)
        rows.append({"scenario": target.scenario, "target": target.id, "label": target.label,
                     "confidence": target.confidence, "weight": target.weight, **parts,
                     "loss": sum(parts.values()), "note": "" if target.in_loss else REPORTED})
    table = pd.DataFrame(rows, columns=["scenario", "target", "label", "confidence", "weight", "median", "spread",
                                        "penalty", "loss", "note"])
    total = table["loss"].sum()
    table.insert(table.columns.get_loc("loss") + 1, "share", table["loss"] / total if total > 0 else 0.0)
    return table if reported else table.drop(columns=["note"])


def calibration_loss(frames: dict[str, pd.DataFrame], targets: Iterable[Target] | None = None) -> float:
    """Distance of ensembles from the historical record: the sum over checked targets of the campaigns in
    `frames` (target_loss). Reported targets (unchecked, or of confidence L and U) are not in it."""
    return float(loss_breakdown(frames, targets)["loss"].sum())
