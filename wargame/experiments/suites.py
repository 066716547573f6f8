"""The validation suite and the counterfactuals run into a results directory (`python run.py
validate-history`, `counterfactuals`).

Bad input (an override, a scenario, a file given as the directory) is reported before any run. Finished
runs are kept in <out>/finished, so an interrupted suite resumes; `fresh` discards them first. The
functions take plain arguments, print nothing and report progress only through `progress(scenario, done,
total)`. Each returns its result; `write()` then writes the tables and the report, the report last (its
date says the set is whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wargame.core.errors import WargameError
from wargame.output.files import write_csv_atomic, write_text_atomic

Progress = Callable[[str, int, int], None]


def results_directory(out: str | Path) -> Path:
    """`out` resolved; it may not exist yet, but may not be a file."""
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise WargameError(f"--out {out}: is a file; give a directory")
    return out


@dataclass
class Validation:
    directory: Path
    report: object                           # validation.ValidationReport
    frames: dict[str, pd.DataFrame]          # each campaign's outcome rows

    @property
    def text(self) -> str:
        return "\n".join(self.report.lines())

    def write(self) -> list[str]:
        """<scenario>_outcomes.csv, summary.csv, loss.csv (the calibration loss target by target) and
        report.txt; returns their names."""
        from wargame.experiments.history import loss_breakdown
        from wargame.experiments.validation import summary_table

        for scenario, frame in self.frames.items():
            write_csv_atomic(self.directory / f"{scenario}_outcomes.csv", frame)
        write_csv_atomic(self.directory / "summary.csv", summary_table(self.report))
        write_csv_atomic(self.directory / "loss.csv", loss_breakdown(self.frames))
        write_text_atomic(self.directory / "report.txt", self.text + "\n")
        return ["report.txt", "summary.csv", "loss.csv", *(f"{s}_outcomes.csv" for s in self.frames)]


def run_validation(out: str | Path, runs: int = 200, seed: int = 2024, workers: int | None = None,
                   overrides: dict | None = None, fresh: bool = False,
                   progress: Progress | None = None, only: list[str] | None = None) -> Validation:
    """Every historical campaign (or `only` those), `runs` seeded runs each, scored against history and
    Dupuy's regularities (validation.validate_history), with finished runs kept in <out>/finished."""
    from wargame.core.scenario import load_scenario
    from wargame.experiments.validation import scenarios, validate_history

    known = scenarios()
    unknown = [name for name in only or () if name not in known]
    if unknown:
        raise WargameError(f"--only {', '.join(unknown)}: not a historical campaign; choose from {', '.join(known)}")
    chosen = tuple(only) if only else known
    for scenario in chosen:                            # a bad override is reported before any run starts
        load_scenario(scenario, overrides)
    out = results_directory(out)
    checkpoints = out / "finished"
    if fresh:
        for old in checkpoints.glob("*.jsonl"):
            old.unlink()
    report, frames = validate_history(runs, seed, workers, overrides, checkpoints, progress, chosen)
    return Validation(out, report, frames)


@dataclass
class Counterfactuals:
    directory: Path
    base: str
    runs: int
    effects: list                            # counterfactuals.Effect, by counterfactual and measure

    @property
    def text(self) -> str:
        from wargame.experiments.counterfactuals import report_lines

        return "\n".join(report_lines(self.base, self.runs, self.effects))

    def write(self) -> list[str]:
        """effects.csv and report.md; returns their names."""
        from wargame.experiments.counterfactuals import effects_table

        write_csv_atomic(self.directory / "effects.csv", effects_table(self.effects))
        write_text_atomic(self.directory / "report.md", self.text + "\n")
        return ["report.md", "effects.csv"]


def run_counterfactual_suite(out: str | Path, base: str = "hts_2024", only: list[str] | None = None,
                             runs: int = 100, seed: int = 2024, workers: int | None = None, fresh: bool = False,
                             progress: Progress | None = None) -> Counterfactuals:
    """Each counterfactual (`only` those, else every built-in scenario that extends `base`) against `base`
    on `runs` paired seeds, with finished runs kept in <out>/finished."""
    from wargame.core.scenario import load_scenario
    from wargame.experiments.counterfactuals import (
        check_extends,
        checkpoint_name,
        counterfactuals_of,
        run_counterfactuals,
    )

    load_scenario(base)
    names = only or counterfactuals_of(base)
    if not names:
        raise WargameError(f"no built-in scenario extends {base!r}; name one with --only")
    for name in names:
        check_extends(base, name)
    out = results_directory(out)
    if fresh:
        for name in [base, *names]:
            (out / "finished" / checkpoint_name(name)).unlink(missing_ok=True)
    effects, _ = run_counterfactuals(base, runs, seed, workers, out / "finished", progress, names)
    return Counterfactuals(out, base, runs, effects)
