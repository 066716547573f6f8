"""Writing a finished run to its run directory, and reading one back.

A run directory holds everything needed to reproduce and study a run:
  scenario.toml   the resolved scenario (no extends; parameters with range and note)
  run.json        seed, versions, source files, overrides, end reason, the command that reproduces it
  metrics.csv     one row per step (the DataCollector's model reporters), with day and date
  units.csv       one row per unit per step
  *.parquet       the same two tables as Parquet (typed, compact, quick to load)
  control.npz     the side holding each cell at each step (for the campaign maps)
  events.jsonl    the typed event log
  will.json       the will to fight at the end: each entry's start and end, its ledger by factor, and who
                  collapsed when (will_state)
  summary.txt     the printed summary
  (and, when the report is drawn, figures/, campaign.gif/.mp4 and report.html)
It is written into a temporary sibling, <out>.partial, and renamed at the end, so a failed or interrupted
run never leaves a half-written run directory; a run killed outright (kill -9) leaves <out>.partial, which
the next run into the same directory removes before it starts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

import wargame
from wargame.core.errors import WargameError

RUN_FILES = ("scenario.toml", "run.json", "metrics.csv", "metrics.parquet", "units.csv", "units.parquet",
             "control.npz", "events.jsonl", "will.json", "summary.txt")


def metrics_frame(model) -> pd.DataFrame:
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", range(len(frame)))
    start = model.spec.meta.start
    frame.insert(2, "date", [(start + dt.timedelta(days=float(d))).isoformat(timespec="minutes") for d in frame["day"]])
    return frame


def units_frame(model) -> pd.DataFrame:
    """One row per unit per step (empty when the model was built with collect_units=False)."""
    return model.recorder.frame() if model.recorder else pd.DataFrame()


def shown_path(path: str | Path, cwd: str | Path | None = None) -> str:
    """A path as a command to be typed again should show it: relative to the working directory when inside
    it, else the file's name alone (another machine has not got this one's directories). A scenario given
    by name, not a file, is shown as it is."""
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        return str(path)
    try:
        return path.resolve().relative_to(Path(cwd or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.name


def relative_path(path: str | Path, cwd: str | Path | None = None) -> str:
    """A path as typed from the working directory: relative to it ("../data/t.toml" included, so that a command
    shown in a report runs from where it was typed and names no directory of this machine), or, where there
    is none (another drive), the file's name."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(cwd or os.getcwd()).resolve())).as_posix()
    except ValueError:
        return Path(path).name


OUTSIDE_NOTE = ("scenario.toml is the one in this run directory, which was written outside the working "
                "directory: give its path, from the wargame checkout")
# a run directory written outside the working directory is named by its own name, with this note
ABOVE_NOTE = ("{name}/ was written outside the working directory: run this from the directory that holds "
              "{name}/ (with the path of run.py, or the installed `wargame` command in place of `python run.py`)")


def override_flags(overrides: dict) -> str:
    """--set options that give back exactly these overrides: each value as TOML writes it (a float's shortest
    repr, which parse_override reads back to the same number), quoted for a POSIX shell."""
    return "".join(f" --set {shlex.quote(path + '=' + tomli_w.dumps({'v': value}).strip().removeprefix('v = '))}"
                   for path, value in overrides.items())


def is_builtin(loaded) -> bool:
    """Whether a loaded scenario is a built-in one, loaded by its name (not a file that happens to share it)."""
    from wargame.core.scenario.loader import BUILTIN_DIR

    return loaded.path.resolve() == (BUILTIN_DIR / f"{loaded.name}.toml").resolve()


def reproduce_command(directory: str | Path, seed, cwd: str | Path | None = None, loaded=None) -> tuple[str, str]:
    """The command that makes a run again, bit for bit, and a note on where to type it: (command, note).

    A built-in scenario (`loaded` given): its name and the run's overrides as --set options, typed anywhere
    in the checkout. Otherwise the run's saved scenario.toml: relative to the working directory when the run
    directory is inside it, else as "<run directory's name>/scenario.toml", to be typed from the directory
    that holds it (the note says so): never an absolute path, which names this machine's directories."""
    if loaded is not None and is_builtin(loaded):
        return f"python run.py run {loaded.name}{override_flags(loaded.overrides)} --seed {seed}", ""
    directory = Path(directory)
    scenario = directory / "scenario.toml"
    try:
        shown = scenario.resolve().relative_to(Path(cwd or Path.cwd()).resolve()).as_posix()
        note = ""
    except ValueError:
        shown = f"{directory.name}/scenario.toml"
        note = ABOVE_NOTE.format(name=directory.name)
    return f"python run.py run {shown} --seed {seed}", note


def run_info(model, command: str | None = None, note: str = "") -> dict:
    loaded = model.loaded
    seed = None if model.seed is None else int(model.seed)
    return {
        "scenario": loaded.name,
        "title": model.spec.meta.title,
        "seed": seed,
        "files": loaded.files,
        "overrides": {k: v for k, v in loaded.overrides.items()},
        "steps": model.steps,
        "days": model.day,
        "hours_per_step": model.spec.meta.hours_per_step,
        "start": model.spec.meta.start.isoformat(),
        "end_reason": model.end_reason,
        "wargame_version": wargame.__version__,
        "mesa_version": metadata.version("mesa"),
        "python": platform.python_version(),
        "reproduce": command or f"python run.py run scenario.toml --seed {seed}",
        "reproduce_note": note if command else OUTSIDE_NOTE,
        "written": dt.datetime.now().isoformat(timespec="seconds"),
    }


def will_state(model) -> dict:
    """The will to fight as the report reads it (rules.will): entries (factions, then leaderships) with
    their side, start, end and cumulative change by factor; which side's leadership and army each is; and
    the day each side's regime collapsed. Ids only: the report names them from the scenario."""
    from wargame.core.rules.will import WILL_FACTORS

    w = model.will
    sides = model.side_ids
    return {
        "factors": list(WILL_FACTORS),
        "entries": [{"id": name, "side": sides[int(w.side[i])], "leadership": bool(w.is_leadership[i]),
                     "start": round(float(w.start[i]), 4), "end": round(float(w.value[i]), 4),
                     "ledger": {f: round(float(v), 4) for f, v in zip(WILL_FACTORS, w.ledger[i])}}
                    for i, name in enumerate(w.names)],
        "leadership": {sides[s]: w.names[e] for s, e in w.leadership.items()},
        "army": {sides[s]: w.names[f] for s, f in w.army.items()},
        "collapsed": {sides[s]: round(float(day), 4) for s, day in w.collapsed.items()},
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
        remove_partial(directory)
    except OSError as exc:
        raise WargameError(f"--out {directory}: cannot write there ({exc.strerror})") from None
    return directory


def partial_directory(directory: Path) -> Path:
    """Where a run directory is written before it is renamed into place."""
    return directory.with_name(directory.name + ".partial")


def remove_partial(directory: Path) -> None:
    """Remove what a run killed while writing `directory` left behind (`<out>.partial/`, see write_run): an
    empty directory or one holding a run's first file; anything else there is not ours to delete."""
    partial = partial_directory(directory)
    if not (partial.exists() or partial.is_symlink()):
        return
    if partial.is_symlink() or not partial.is_dir() or (any(partial.iterdir())
                                                        and not (partial / "scenario.toml").is_file()):
        raise WargameError(f"--out {directory}: {partial} exists and is not left over from a run; "
                           "move it away or choose another --out")
    shutil.rmtree(partial)


def control_history(model) -> tuple[np.ndarray, np.ndarray]:
    if model.recorder:
        return model.recorder.control_history()
    return np.array([model.steps], dtype=np.int32), model.control.astype(np.int8)[None, :]


def write_run(model, directory: str | Path, summary: str = "", render=None) -> Path:
    """Write the run's files into `directory` (replacing an earlier run there), atomically.

    `render(path)`, when given, is called on the written (not yet renamed) directory to add the figures
    and report: it sees only the files, as any later reader would, and if it fails nothing is left.
    """
    directory = check_run_directory(directory)          # removes a <out>.partial left by a killed run
    partial = partial_directory(directory)
    try:
        remove_partial(directory)
        partial.mkdir(parents=True)
    except OSError as exc:
        raise WargameError(f"cannot create {partial}: {exc.strerror}") from None
    try:
        (partial / "scenario.toml").write_text(model.loaded.to_toml(), encoding="utf-8")
        reproduce, note = reproduce_command(directory, model.seed, loaded=model.loaded)
        (partial / "run.json").write_text(json.dumps(run_info(model, reproduce, note), indent=2) + "\n",
                                          encoding="utf-8")
        for name, frame in (("metrics", metrics_frame(model)), ("units", units_frame(model))):
            frame.to_csv(partial / f"{name}.csv", index=False)
            frame.to_parquet(partial / f"{name}.parquet", index=False)
        steps, control = control_history(model)
        np.savez_compressed(partial / "control.npz", steps=steps, control=control, sides=np.array(model.side_ids))
        (partial / "events.jsonl").write_text(model.events.to_jsonl(), encoding="utf-8")
        (partial / "will.json").write_text(json.dumps(will_state(model), indent=1) + "\n", encoding="utf-8")
        (partial / "summary.txt").write_text(summary, encoding="utf-8")
        if render is not None:
            render(partial)
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


def require_files(directory: str | Path, names, what: str) -> Path:
    """The directory, or a clear error naming the files that make it `what` and are missing."""
    directory = Path(directory)
    missing = [name for name in names if not (directory / name).is_file()]
    if missing:
        raise WargameError(f"{directory}: not {what} (missing {', '.join(missing)})")
    return directory


def _table(directory: Path, name: str) -> pd.DataFrame:
    parquet, csv = directory / f"{name}.parquet", directory / f"{name}.csv"
    if parquet.is_file():
        return pd.read_parquet(parquet)
    return pd.read_csv(csv) if csv.stat().st_size > 1 else pd.DataFrame()


@dataclass
class RunData:
    """A finished run as the report layer sees it: files only, no model.

    `control` is a steps x cells array of side indices (-1 for no side) at `control_steps`; `scenario`
    is the resolved scenario the run was made from (names, colours, the theatre's bounds); `will` is
    will.json (will_state), None for a run written before the will to fight was kept.
    """

    directory: Path
    info: dict
    metrics: pd.DataFrame
    units: pd.DataFrame
    events: list[dict]
    control_steps: np.ndarray
    control: np.ndarray
    scenario: object
    will: dict | None = None

    @classmethod
    def load(cls, directory: str | Path) -> RunData:
        from wargame.core.scenario import load_scenario

        directory = require_files(directory, ("run.json", "scenario.toml", "metrics.csv", "events.jsonl"),
                                  "a run directory")
        info = json.loads((directory / "run.json").read_text(encoding="utf-8"))
        events = [json.loads(line) for line in (directory / "events.jsonl").read_text(encoding="utf-8").splitlines()
                  if line.strip()]
        control_path = directory / "control.npz"
        if control_path.is_file():
            with np.load(control_path) as npz:
                steps, control = npz["steps"], npz["control"]
        else:                                         # a run directory written before control was kept
            steps, control = np.zeros(0, np.int32), np.zeros((0, 0), np.int8)
        scenario = load_scenario(directory / "scenario.toml").scenario
        will_path = directory / "will.json"
        will = json.loads(will_path.read_text(encoding="utf-8")) if will_path.is_file() else None
        return cls(directory, info, _table(directory, "metrics"), _table(directory, "units"), events, steps, control,
                   scenario, will)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.info["start"])

    def dates(self, days) -> list[dt.datetime]:
        return [self.start + dt.timedelta(days=float(d)) for d in days]
