"""Ensembles and comparisons written to their directories (`python run.py run --reps N`, `compare`).

Both take plain arguments, print nothing and report progress only through `progress(label, done, total)`,
called as each scenario's runs finish (label: the scenario file's stem). Overrides are given as the
"PATH=VALUE" texts of --set: they are parsed here and recorded as given in the commands that reproduce
the results. An ensemble directory keeps its finished runs (finished/runs.jsonl), so an interrupted
ensemble resumes where it stopped.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wargame.core.errors import WargameError
from wargame.output.rundir import shown_path

Progress = Callable[[str, int, int], None]


@dataclass
class Comparison:
    directory: Path
    names: list[str]          # each scenario's subdirectory, the base first
    report: Path
    ensembles: list = field(default_factory=list)       # each scenario's EnsembleData, the base first


def set_flags(overrides: Sequence[str]) -> str:
    """The --set options that give these overrides, quoted for a shell."""
    return "".join(f" --set {shlex.quote(text)}" for text in overrides)


def check_new_or_ours(out: Path, marker: str, what: str) -> None:
    """An output directory must be new, empty, or one this command wrote before (it holds `marker`)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / marker).exists())):
        raise WargameError(f"--out {out}: exists and is not {what}; choose a new or empty directory")


def _rows(scenario: str, reps: int, seed: int, workers: int | None, overrides: dict, out: Path,
          progress: Progress | None):
    from wargame.experiments.runner import run_ensemble

    label = Path(scenario).stem
    return run_ensemble(scenario, reps, master_seed=seed, overrides=overrides, workers=workers,
                        progress=None if progress is None else (lambda done, total: progress(label, done, total)),
                        checkpoint=out / "finished" / "runs.jsonl", series=True)


def run_ensemble_to_directory(loaded, scenario: str, reps: int, seed: int, *, overrides: Sequence[str] = (),
                              out: str | Path | None = None, workers: int | None = None, report: bool = True,
                              progress: Progress | None = None):
    """`reps` runs of `scenario` (already loaded, with the same overrides, as `loaded`) on seeds drawn from
    `seed`, written to `out` (default runs/<scenario>-reps<reps>-seed<seed>): outcomes, per-step series
    and, unless `report` is False, the fan charts and report.html. Returns the EnsembleData."""
    from wargame.core.scenario import parse_overrides
    from wargame.report.ensemble import draw_ensemble, write_ensemble, write_ensemble_report

    out = Path(out or Path("runs") / f"{loaded.name}-reps{reps}-seed{seed}").resolve()
    check_new_or_ours(out, "finished", "an ensemble directory")
    rows = _rows(scenario, reps, seed, workers, parse_overrides(overrides), out, progress)
    command = f"python run.py run {shown_path(scenario)} --reps {reps} --seed {seed}" + set_flags(overrides)
    ens = write_ensemble(out, loaded, rows, seed, command)
    if report:
        write_ensemble_report(ens, draw_ensemble(ens))
    return ens


def compare_scenarios(scenarios: Sequence[str], reps: int, seed: int, *, overrides: Sequence[str] = (),
                      out: str | Path | None = None, workers: int | None = None,
                      progress: Progress | None = None) -> Comparison:
    """Run each scenario `reps` times on the same seeds (run i of each shares its seed), write each one's
    ensemble directory (with its report) inside `out` (default runs/compare-<names>) and the comparison
    beside them: report.html, effects.csv (the first scenario is the base), figures/."""
    from wargame.core.scenario import load_scenario, parse_overrides
    from wargame.output.files import write_text_atomic
    from wargame.report.ensemble import draw_ensemble, write_comparison, write_ensemble, write_ensemble_report

    if len(scenarios) < 2:
        raise WargameError("compare needs at least two scenarios: the base first, then the others")
    parsed = parse_overrides(overrides)
    loaded = [load_scenario(name, parsed) for name in scenarios]     # every error before any run
    names: list[str] = []
    for name in scenarios:                           # one subdirectory each, distinct even for same-named files
        stem = Path(name).stem
        names.append(stem if stem not in names else f"{stem}-{len(names) + 1}")
    out = Path(out or Path("runs") / ("compare-" + "-".join(names))[:120]).resolve()
    check_new_or_ours(out, "comparison.json", "a comparison directory")
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "comparison.json", json.dumps({"scenarios": list(scenarios), "reps": reps,
                                                           "seed": seed, "overrides": list(overrides)}) + "\n")
    ensembles = []
    for name, stem, scenario in zip(scenarios, names, loaded):
        rows = _rows(name, reps, seed, workers, parsed, out / stem, progress)
        command = f"python run.py run {shown_path(name)} --reps {reps} --seed {seed}" + set_flags(overrides)
        ens = write_ensemble(out / stem, scenario, rows, seed, command)
        write_ensemble_report(ens, draw_ensemble(ens))
        ensembles.append(ens)
    report = write_comparison(out, ensembles, "python run.py compare " + " ".join(map(shown_path, scenarios))
                              + f" --reps {reps} --seed {seed}" + set_flags(overrides))
    return Comparison(out, names, report, ensembles)
