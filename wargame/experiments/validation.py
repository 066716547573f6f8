"""The validation suite: seeded ensembles of every historical campaign, scored against their targets
(experiments/targets, loaded by history.py), and Dupuy's attrition regularities checked over the same runs.

Regularities (Dupuy, *Understanding War*; docs/ODD.md §1.2), each checked run by run and passed when it holds in
at least REGULARITY_SHARE of the runs where it can be observed:
  winners        the side that won the campaign lost a smaller share of its strength per day than the loser
  urban          at equal odds, defenders standing in built-up terrain lost a smaller share than defenders
                 in the open: the share lost per unit of the odds faced (fire received over the unit's own
                 power), since cities draw the heaviest attacks (mountains are reported alongside)
  surprise       over the surprise window, the side that achieved surprise lost at a lower rate
Later events (the fall of Hama, Homs and Damascus in December 2024) are reported as distributions only:
facts.md keeps them aside for out-of-sample checks and gives no target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wargame.core.scenario.rules import ObservationRules
from wargame.experiments.history import CampaignTargets, Score, Target, all_targets, campaigns, score
from wargame.experiments.runner import run_ensemble

SURPRISE_WINDOW_DAYS = ObservationRules().surprise_window_days     # the default (rules.observation)

REGULARITY_SHARE = 0.8


def scenarios() -> tuple[str, ...]:
    """Every historical campaign with a target file (experiments/targets), in the order of history."""
    return tuple(campaigns())


def regularity_campaigns() -> tuple[CampaignTargets, ...]:
    """The campaigns whose target file says who won ([winner]): Dupuy's regularities are judged on them."""
    return tuple(c for c in campaigns().values() if c.winner is not None)


@dataclass
class Regularity:
    name: str
    scenario: str
    description: str
    observed: int              # runs in which it could be observed
    holds: float               # share of those in which it held
    detail: str
    required: float = REGULARITY_SHARE

    @property
    def passed(self) -> bool | None:
        """None when it could not be observed (e.g. no defender stood in the open in a siege of a city)."""
        return None if self.observed == 0 else self.holds >= self.required


@dataclass(frozen=True)
class CampaignResult:
    """A campaign (its title and bar are in its target file) scored: how many of its checked targets passed."""
    campaign: CampaignTargets
    met: int                   # checked targets passed
    checked: int

    @property
    def share(self) -> float:
        return self.met / self.checked

    @property
    def passed(self) -> bool:
        return self.share >= self.campaign.bar - 1e-9


@dataclass
class ValidationReport:
    runs: int
    master_seed: int
    scores: list[Score]
    regularities: list[Regularity]
    out_of_sample: list[tuple[str, str, Score]]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return (all(c.passed for c in self.campaigns())
                and all(r.passed is not False for r in self.regularities)
                and any(r.passed for r in self.regularities if r.name == "urban"))

    def campaigns(self) -> list[CampaignResult]:
        """Each campaign scored: how many of its checked targets passed, against its bar."""
        out = []
        for scenario, c in campaigns().items():
            mine = [s for s in self.scores if s.target.scenario == scenario and s.passed is not None]
            if mine:
                out.append(CampaignResult(c, sum(bool(s.passed) for s in mine), len(mine)))
        return out

    def lines(self) -> list[str]:
        out = [f"Validation against history: {self.runs} seeded runs of each campaign (master seed {self.master_seed})",
               "", f"{'target':<52} {'history':>8} {'median':>7} {'p10-p90':>13} {'in window':>10} {'needs':>6}  result"]
        for s in self.scores:
            t = s.target
            result = {True: "PASS", False: "FAIL", None: "(reported)"}[s.passed]
            needs = f"{t.required:.0%}" if t.checked and not t.on_median else ("median" if t.checked else "-")
            history = "not" if t.never else f"{t.historical:.1f}"
            out.append(f"{t.scenario + ': ' + t.label:<52} {history:>8} {_day(s.median):>7} "
                       f"{band_days(s):>13} {s.hit:>10.0%} {needs:>6}  {result}")
        out += ["", "Campaigns (share of their checked H and M targets met, against their bar):"]
        for r in self.campaigns():
            c = r.campaign
            out.append(f"  {c.scenario:<14} {r.met} of {r.checked} ({r.share:.0%}; needs {c.bar:.0%})  "
                       f"{'PASS' if r.passed else 'FAIL'}   {c.title}")
        out += ["", "Dupuy's attrition regularities (share of runs in which each held; needs "
                    f"{REGULARITY_SHARE:.0%}):"]
        for r in self.regularities:
            out.append(f"  {r.scenario + ': ' + r.description:<66} {r.holds:>5.0%} of {r.observed:<4} "
                       f"{ {True: 'PASS', False: 'FAIL', None: 'n/a'}[r.passed]}   {r.detail}")
        out += ["", "Out of sample (December 2024: never a target, never in the loss): days from the start"]
        for scenario, label, s in self.out_of_sample:
            out.append(f"  {scenario + ': ' + label:<40} happened in {s.happened:.0%}; median {_day(s.median)}, "
                       f"p10-p90 {band_days(s)}")
        out += ["", "OVERALL: " + ("PASS" if self.passed else "FAIL")]
        return out



def band_days(s) -> str:
    """A score's 10th-90th percentile days, "12.0-19.5", or "n/a" under MIN_RUNS_FOR_BAND runs (not "n/a-n/a")."""
    return "n/a" if math.isnan(s.p10) else f"{_day(s.p10)}-{_day(s.p90)}"


def _day(value: float) -> str:
    if math.isnan(value):                    # no band under MIN_RUNS_FOR_BAND runs
        return "n/a"
    return "never" if math.isinf(value) else f"{value:.1f}"


# ---------------------------------------------------------------- regularities


def winners_lose_less(frame: pd.DataFrame, c: CampaignTargets) -> Regularity:
    winner = c.winner
    won = frame[frame[winner.column].notna()]
    w, lo = won[f"loss_rate_{winner.side}"], won[f"loss_rate_{winner.loser}"]
    return Regularity("winners", c.scenario, f"the winner ({winner.side}) loses at a lower rate", len(won),
                      float((w < lo).mean()) if len(won) else 0.0,
                      f"median {w.median():.2%}/day against {lo.median():.2%}/day" if len(won) else "never won")


def urban_defenders_lose_less(frame: pd.DataFrame, scenario: str) -> Regularity:
    """Compared at equal odds: the share lost per unit of the odds faced (fire received over the unit's own
    power). Raw loss rates would mostly say where the attacks went: in 2024 the cities are what both sides
    fight for, and defenders there face the heaviest odds."""
    seen = frame[(frame["defender_steps_urban"] > 0) & (frame["defender_steps_open"] > 0)]
    urban, open_ = seen["defender_loss_per_odds_urban"], seen["defender_loss_per_odds_open"]
    detail = (f"median loss per unit of odds {urban.median():.4f} urban against {open_.median():.4f} open "
              f"(raw {seen['defender_loss_urban'].median():.3%} against {seen['defender_loss_open'].median():.3%}"
              " a step)" if len(seen) else "no run had defenders in both")
    mountain = seen.get("defender_loss_per_odds_mountain")
    if mountain is not None and mountain.notna().any():
        detail += f"; mountain {mountain.median():.4f}"
    return Regularity("urban", scenario, "at equal odds, defenders in built-up terrain lose less than in the open",
                      len(seen), float((urban < open_).mean()) if len(seen) else 0.0, detail)


def surprise_side_loses_less(frame: pd.DataFrame, c: CampaignTargets) -> Regularity:
    column_w, column_l = f"loss_rate_window_{c.winner.side}", f"loss_rate_window_{c.winner.loser}"
    seen = frame[frame[column_w].notna() & frame[column_l].notna()]
    w, lo = seen[column_w], seen[column_l]
    return Regularity("surprise", c.scenario,
                      f"with surprise, the {c.winner.side} loses at a lower rate (first {SURPRISE_WINDOW_DAYS:g} days)",
                      len(seen), float((w < lo).mean()) if len(seen) else 0.0,
                      f"median {w.median():.2%}/day against {lo.median():.2%}/day")


def regularities(frames: dict[str, pd.DataFrame]) -> list[Regularity]:
    out = []
    for c in regularity_campaigns():
        frame = frames.get(c.scenario)
        if frame is None:
            continue
        out.append(winners_lose_less(frame, c))
        out.append(urban_defenders_lose_less(frame, c.scenario))
        if c.winner.surprise:
            out.append(surprise_side_loses_less(frame, c))
    return out


# ---------------------------------------------------------------- the suite


def validate_history(runs: int = 200, master_seed: int = 2024, workers: int | None = None,
                     overrides: dict | None = None, checkpoint_dir: Path | None = None,
                     progress: Callable[[str, int, int], None] | None = None,
                     only: tuple[str, ...] | None = None) -> tuple[ValidationReport, dict]:
    """Run every campaign's ensemble (or those in `only`) and score them. Returns the report and the outcome
    frames."""
    frames, seconds = {}, {}
    for scenario in (only or scenarios()):
        checkpoint = checkpoint_dir / f"{scenario}.jsonl" if checkpoint_dir else None
        frame = run_ensemble(scenario, runs, master_seed=master_seed, overrides=overrides, workers=workers,
                             progress=(lambda done, total, s=scenario: progress(s, done, total)) if progress else None,
                             checkpoint=checkpoint)
        frames[scenario] = frame
        seconds[scenario] = frame.attrs.get("seconds", float("nan"))
    return report_of(frames, runs, master_seed, seconds), frames


def report_of(frames: dict[str, pd.DataFrame], runs: int, master_seed: int,
              seconds: dict[str, float] | None = None) -> ValidationReport:
    scores = [score(t, frames[t.scenario]) for t in all_targets() if t.scenario in frames]
    oos = [(c.scenario, o.label, score(_reported(c.scenario, o.column), frames[c.scenario]))
           for c in campaigns().values() for o in c.out_of_sample
           if c.scenario in frames and o.column in frames[c.scenario]]
    return ValidationReport(runs, master_seed, scores, regularities(frames), oos, seconds or {})


def _reported(scenario: str, column: str) -> Target:
    return Target(scenario, column, column, math.nan, 0.0, math.inf, 0.0, "out of sample", checked=False)


def summary_table(report: ValidationReport) -> pd.DataFrame:
    """The report as a table (one row per target and regularity), for CSV output."""
    rows = [{"kind": "target", "scenario": s.target.scenario, "id": s.target.id, "name": s.target.label,
             "column": s.target.column, "confidence": s.target.confidence, "never": s.target.never,
             "historical": s.target.historical, "low": s.target.low, "high": s.target.high, "median": s.median, "p10": s.p10, "p90": s.p90,
             "hit": np.nan if s.target.on_median else s.hit,
             "required": "median in window" if s.target.on_median else s.target.required,
             "passed": s.passed, "source": s.target.source} for s in report.scores]
    rows += [{"kind": "regularity", "scenario": r.scenario, "name": r.description, "column": r.name,
              "hit": r.holds, "required": r.required, "passed": r.passed, "source": r.detail,
              "median": np.nan} for r in report.regularities]
    return pd.DataFrame(rows)
