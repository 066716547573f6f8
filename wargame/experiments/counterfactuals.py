"""What each lever of the article does: every counterfactual scenario against its base, on paired seeds.

Each counterfactual `extends` a base scenario and turns one lever. Both are run with the same seeds (run i
of the counterfactual and run i of the base share their seed), and each effect is the mean paired
difference with a percentile bootstrap confidence interval over runs (resampled in pairs, seeded, so the
report is reproducible).

The measures of the 2024 counterfactuals (the article's questions) follow; a counterfactual of another
historical campaign is measured on that campaign's own targets (experiments/targets: for each checked
target, the share of runs in its window and the days until it happened, a restricted mean; for a target
that must not happen, the share of runs in which it did not) and on each side's share of the theatre.

Effects on the fall of Aleppo:
  aleppo_by_day5       share of runs in which Aleppo fell by day 5 (historically it fell on day 3)
  aleppo_days          days Aleppo held, counting a city that never fell as held to the end of the run
                       (a restricted mean, the survival statistic that handles runs where it never fell)
Effects on the campaign's outcome (at the end of the run):
  regime_territory     the regime's share of the theatre
  regime_cities        cities and towns the regime holds
  damascus_fell        share of runs in which Damascus fell
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wargame.core.errors import WargameError
from wargame.core.scenario import load_scenario
from wargame.core.scenario.loader import builtin_names
from wargame.experiments.history import campaign_of, campaigns
from wargame.experiments.runner import run_ensemble

BOOTSTRAP = 2000
CONFIDENCE = 0.95
MIN_PAIRS = 10          # below this a bootstrap interval means little: no direction is stated
MEASURES = {
    "aleppo_by_day5": "Aleppo fallen by day 5 (share of runs)",
    "aleppo_days": "days Aleppo held (restricted mean)",
    "regime_territory": "regime's share of the theatre at the end",
    "regime_cities": "cities and towns the regime holds at the end",
    "damascus_fell": "the regime lost Damascus, taken or with its collapse (share of runs)",
    "regime_collapsed": "the regime collapsed (share of runs)",
    "regime_days": "days the regime stood (restricted mean)",
}


def measure_labels(base: str) -> dict[str, str]:
    """What the counterfactuals of `base` are measured on, by measure name: the article's measures for
    2024, else the base campaign's own targets and each side's ground."""
    campaign = campaign_of(base)
    if campaign == "hts_2024":
        return dict(MEASURES)
    labels = {}
    known = campaigns().get(campaign)
    for t in (known.targets if known else ()):
        if not t.checked or t.kind != "day" or t.weight == 0:       # weight 0: the same event as another
            continue
        if t.never:
            labels[f"{t.id}_held"] = f"{t.id}: {t.label} (share of runs)"
        else:
            labels[f"{t.id}_in_window"] = f"{t.id}: {t.label}, in its window (share of runs)"
            labels[f"{t.id}_days"] = f"{t.id}: days until it happened (restricted mean)"
    for side in load_scenario(base).scenario.sides:
        labels[f"territory_{side}"] = f"{side}'s share of the theatre at the end"
    return labels


def counterfactuals_of(base: str) -> list[str]:
    """Built-in scenarios that extend `base` directly (their files say `extends = "<base>"`)."""
    from wargame.core.scenario.loader import BUILTIN_DIR, read_toml

    return [name for name in builtin_names() if name != base
            and read_toml(BUILTIN_DIR / f"{name}.toml").get("extends") == base]


def checkpoint_name(scenario: str) -> str:
    """A file name inside the checkpoint directory for a scenario given by name or by path."""
    if scenario in builtin_names():
        return f"{scenario}.jsonl"
    digest = hashlib.blake2b(str(Path(scenario).resolve()).encode(), digest_size=4).hexdigest()
    return f"{Path(scenario).stem}-{digest}.jsonl"


def check_extends(base: str, name: str) -> None:
    """A counterfactual must extend its base, or the paired runs compare two different campaigns."""
    files = load_scenario(name).files
    base_files = load_scenario(base).files
    if files[:len(base_files)] != base_files or len(files) == len(base_files):
        raise WargameError(f"{name}: does not extend {base} (its files: {', '.join(files)}); a counterfactual "
                           f"is a scenario file with extends = \"{base}\"")


def measures(frame: pd.DataFrame, base: str = "hts_2024") -> pd.DataFrame:
    """Per-run values of the measures of `base` (measure_labels; the end of the run bounds how long a city
    can hold)."""
    if campaign_of(base) != "hts_2024":
        return campaign_measures(frame, base)
    end = frame["end_day"]
    fell = frame["fell_aleppo"]
    return pd.DataFrame({
        "aleppo_by_day5": (fell <= 5.0).astype(float),
        "aleppo_days": fell.fillna(end).clip(upper=end),
        "regime_territory": frame["territory_regime"],
        "regime_cities": frame["cities_regime"].astype(float),
        # a regime that collapses loses its capital without anyone taking it: count both
        "damascus_fell": (frame["lost_regime_damascus"] if "lost_regime_damascus" in frame
                          else frame.get("fell_damascus", pd.Series(np.nan, index=frame.index))).notna().astype(float),
        "regime_collapsed": (frame["collapsed_regime"].notna().astype(float) if "collapsed_regime" in frame
                             else np.nan),
        "regime_days": frame["collapsed_regime"].fillna(end).clip(upper=end) if "collapsed_regime" in frame
        else np.nan,
    })


def campaign_measures(frame: pd.DataFrame, base: str) -> pd.DataFrame:
    end = frame["end_day"]
    out = {}
    known = campaigns().get(campaign_of(base))
    for t in (known.targets if known else ()):
        if not t.checked or t.kind != "day" or t.weight == 0:       # weight 0: the same event as another
            continue
        hits = t.hits(frame).astype(float)
        if t.never:
            out[f"{t.id}_held"] = hits
        else:
            out[f"{t.id}_in_window"] = hits
            out[f"{t.id}_days"] = frame[t.column].fillna(end).clip(upper=end)
    for side in load_scenario(base).scenario.sides:
        out[f"territory_{side}"] = frame[f"territory_{side}"]
    return pd.DataFrame(out, index=frame.index)


@dataclass
class Effect:
    scenario: str
    lever: str
    measure: str
    base: float
    counterfactual: float
    difference: float
    low: float
    high: float
    comparable: bool = True       # False when the counterfactual changes the run's length (the classroom)

    pairs: int = 0

    @property
    def direction(self) -> str:
        if not self.comparable:
            return "not comparable"
        if self.pairs < MIN_PAIRS:
            return "too few runs"
        if self.low > 0:
            return "up"
        if self.high < 0:
            return "down"
        return "no clear change"


def paired_effect(base: np.ndarray, other: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mean paired difference and its percentile bootstrap interval."""
    diff = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    keep = ~np.isnan(diff)
    diff = diff[keep]
    if diff.size == 0:
        return math.nan, math.nan, math.nan
    picks = rng.integers(0, diff.size, size=(BOOTSTRAP, diff.size))
    means = diff[picks].mean(axis=1)
    tail = (1.0 - CONFIDENCE) / 2.0
    return float(diff.mean()), float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail))


def compare(base_name: str, base: pd.DataFrame, name: str, other: pd.DataFrame, seed: int = 0) -> list[Effect]:
    loaded = load_scenario(name)
    lever = loaded.scenario.meta.lever or loaded.scenario.meta.title
    # measures taken at the end of the run compare only runs of the same length (not the classroom's six days)
    same_length = load_scenario(base_name).scenario.meta.duration_days == loaded.scenario.meta.duration_days
    a, b = measures(base, base_name), measures(other, base_name)
    rng = np.random.default_rng(seed)
    out = []
    for measure in measure_labels(base_name):
        mean, low, high = paired_effect(a[measure].to_numpy(), b[measure].to_numpy(), rng)
        pairs = int((a[measure].notna() & b[measure].notna()).sum())
        out.append(Effect(name, lever, measure, float(a[measure].mean()), float(b[measure].mean()), mean, low, high,
                          comparable=same_length or measure == "aleppo_by_day5", pairs=pairs))
    return out


def run_counterfactuals(base: str = "hts_2024", runs: int = 100, master_seed: int = 2024,
                        workers: int | None = None, checkpoint_dir: Path | None = None,
                        progress: Callable[[str, int, int], None] | None = None,
                        names: list[str] | None = None) -> tuple[list[Effect], dict[str, pd.DataFrame]]:
    names = counterfactuals_of(base) if names is None else names
    frames = {}
    for name in [base, *names]:
        checkpoint = checkpoint_dir / checkpoint_name(name) if checkpoint_dir else None
        frames[name] = run_ensemble(name, runs, master_seed=master_seed, workers=workers, checkpoint=checkpoint,
                                    progress=(lambda d, t, n=name: progress(n, d, t)) if progress else None)
    effects = [e for name in names for e in compare(base, frames[base], name, frames[name], seed=master_seed)]
    return effects, frames


def effects_table(effects: list[Effect]) -> pd.DataFrame:
    return pd.DataFrame([{**e.__dict__, "direction": e.direction} for e in effects])


def report_lines(base: str, runs: int, effects: list[Effect]) -> list[str]:
    """The effects as a Markdown report: one table per measure."""
    out = [f"# Counterfactuals against {base}", "",
           f"{runs} paired runs each (run i of a counterfactual shares its seed with run i of {base}). "
           f"Effect = mean paired difference, with a {CONFIDENCE:.0%} bootstrap interval; the direction is "
           "stated only when the interval excludes zero.", ""]
    for measure, label in measure_labels(base).items():
        rows = [e for e in effects if e.measure == measure]
        if not rows:
            continue
        out += [f"## {label}", "", f"| counterfactual | lever | {base} | counterfactual | effect | 95% interval | direction |",
                "|---|---|---|---|---|---|---|"]
        for e in rows:
            if not e.comparable:
                out.append(f"| {e.scenario} | {e.lever} | {e.base:.3g} | {e.counterfactual:.3g} | - | - | not "
                           "comparable (shorter run) |")
                continue
            out.append(f"| {e.scenario} | {e.lever} | {e.base:.3g} | {e.counterfactual:.3g} | {e.difference:+.3g} | "
                       f"{e.low:+.3g} to {e.high:+.3g} | {e.direction} |")
        out.append("")
    return out
