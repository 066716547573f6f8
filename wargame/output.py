"""Writing a finished run to its run directory, and reading one back.

A run directory holds everything needed to reproduce and study a run:
  scenario.toml   the resolved scenario (no extends; parameters with range and note)
  run.json        seed, versions, source files, overrides, end reason, the command that reproduces it
  metrics.csv     one row per step (the DataCollector's model reporters), with day and date
  units.csv       one row per unit per step
  events.jsonl    the typed event log
  summary.txt     the printed summary
It is written into a temporary sibling and renamed at the end, so a failed or interrupted run never
leaves a half-written directory behind.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

import wargame
from wargame.errors import WargameError

RUN_FILES = ("scenario.toml", "run.json", "metrics.csv", "units.csv", "events.jsonl", "summary.txt")


def metrics_frame(model) -> pd.DataFrame:
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", range(len(frame)))
    start = model.spec.meta.start
    frame.insert(2, "date", [(start + dt.timedelta(days=float(d))).isoformat(timespec="minutes") for d in frame["day"]])
    return frame


def units_frame(model) -> pd.DataFrame:
    """One row per unit per step (empty when the model was built with collect_units=False)."""
    return model.recorder.frame() if model.recorder else pd.DataFrame()


def run_info(model, command: str | None = None) -> dict:
    loaded = model.loaded
    seed = None if model.seed is None else int(model.seed)
    return {
        "scenario": loaded.name,
        "title": model.spec.meta.title,
        "seed": seed,
        "files": loaded.files,
        "overrides": {k: v for k, v in loaded.overrides.items()},
        "steps": model.turn,
        "days": model.day,
        "hours_per_step": model.spec.meta.hours_per_step,
        "start": model.spec.meta.start.isoformat(),
        "end_reason": model.end_reason,
        "wargame_version": wargame.__version__,
        "mesa_version": metadata.version("mesa"),
        "python": platform.python_version(),
        "reproduce": command or f"python run.py run scenario.toml --seed {seed}",
        "written": dt.datetime.now().isoformat(timespec="seconds"),
    }


def check_run_directory(directory: str | Path) -> Path:
    """Before a run: the directory must be new, empty, or an earlier run directory (which is replaced).

    Refusing anything else means `--out` can never delete a user's files; checking writability first
    means a long run is never thrown away at the end.
    """
    directory = Path(directory).resolve()
    if directory.exists() and not directory.is_dir():
        raise WargameError(f"--out {directory}: is a file; give a directory for the run's files")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / "run.json").is_file():
        raise WargameError(f"--out {directory}: exists and is not a run directory (no run.json); "
                           "choose a new or empty directory")
    parent = directory.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".wargame-write-test-"):
            pass
    except OSError as exc:
        raise WargameError(f"--out {directory}: cannot write there ({exc.strerror})") from None
    return directory


def write_run(model, directory: str | Path, summary: str = "") -> Path:
    """Write the run's files into `directory` (replacing an earlier run there), atomically."""
    directory = check_run_directory(directory)
    partial = directory.with_name(directory.name + ".partial")
    try:
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
    except OSError as exc:
        raise WargameError(f"cannot create {partial}: {exc.strerror}") from None
    try:
        (partial / "scenario.toml").write_text(model.loaded.to_toml(), encoding="utf-8")
        reproduce = f"python run.py run {directory / 'scenario.toml'} --seed {model.seed}"
        (partial / "run.json").write_text(json.dumps(run_info(model, reproduce), indent=2) + "\n", encoding="utf-8")
        metrics_frame(model).to_csv(partial / "metrics.csv", index=False)
        units_frame(model).to_csv(partial / "units.csv", index=False)
        (partial / "events.jsonl").write_text(model.events.to_jsonl(), encoding="utf-8")
        (partial / "summary.txt").write_text(summary, encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise WargameError(f"writing the run directory {directory} failed: {exc}") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if directory.exists():
        shutil.rmtree(directory)
    partial.rename(directory)
    return directory


@dataclass
class RunData:
    """A finished run as the report layer sees it: files only, no model."""

    directory: Path
    info: dict
    metrics: pd.DataFrame
    units: pd.DataFrame
    events: list[dict]

    @classmethod
    def load(cls, directory: str | Path) -> RunData:
        directory = Path(directory)
        info = json.loads((directory / "run.json").read_text(encoding="utf-8"))
        metrics = pd.read_csv(directory / "metrics.csv")
        units_path = directory / "units.csv"
        units = pd.read_csv(units_path) if units_path.stat().st_size > 1 else pd.DataFrame()
        events = [json.loads(line) for line in (directory / "events.jsonl").read_text(encoding="utf-8").splitlines()
                  if line.strip()]
        return cls(directory, info, metrics, units, events)
