"""Studies and ensembles read back for analysis: their tables as pandas DataFrames and every run's per-step
metrics as an xarray Dataset (output/series.py), from files only.

    study = load_study("runs/sweep-hts_2024-seed2024")
    study.series["territory_regime"].groupby("point").median("run")
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from wargame.core.errors import WargameError
from wargame.output.series import read_series

STUDY_SERIES = "series.nc"
ENSEMBLE_SERIES = "series.nc"
OLD_ENSEMBLE_SERIES = "series.parquet"   # where ensembles kept their series before series.nc: named in its error
STUDY_KINDS = ("sweep", "sensitivity", "calibrate")


def _series_in(directory: Path, name: str, what: str, again: str) -> xr.Dataset:
    """The series file `name` in a study's or ensemble's directory, or an error saying it has none and what
    to do (`again`)."""
    path = directory / name
    if not path.is_file():
        raise WargameError(f"{directory}: this {what} has no time series: it was made before runs' per-step "
                           f"metrics were kept (or with --no-series); {again}")
    return read_series(path)


@dataclass
class StudyData:
    """A finished study (`python run.py sweep | sensitivity | calibrate`). `runs` is runs.parquet (one row per
    run); `points` is points.csv (one row per design point; a calibration's trials.csv, a trial being a
    point); `series` (read when first used) has dims ("run", "step") labelled along run by job id, point,
    replicate, seed and each parameter's value (named by its dotted path)."""

    directory: Path
    # the tables are left out of the repr: printing a study in a notebook shows where it is, not 600 columns
    manifest: dict = field(repr=False)
    runs: pd.DataFrame = field(repr=False)
    points: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (f"<{self.kind} of {self.manifest.get('spec', {}).get('scenario', '?')}: {len(self.runs)} runs, "
                f"{len(self.parameters)} parameters, in {self.directory}>")

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def parameters(self) -> list[str]:
        return [parameter["path"] for parameter in self.manifest["parameters"]]

    @property
    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each parameter's range in the study, {path: (low, high)}, in the study's order."""
        return {p["path"]: (float(p["low"]), float(p["high"])) for p in self.manifest["parameters"]}

    @property
    def seed(self) -> int:
        """The study's master seed (0 when its spec names none)."""
        return int(self.manifest.get("spec", {}).get("seed", 0))

    @functools.cached_property
    def series(self) -> xr.Dataset:
        return _series_in(self.directory, STUDY_SERIES, "study", "run it again (into a new --out) to have them")


def load_study(directory: str | Path) -> StudyData:
    """The study in `directory`, or a clear error saying why it is not one (yet)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise WargameError(f"{directory}: no such directory; give a study directory (written by `python run.py "
                           "sweep`, `sensitivity` or `calibrate`)")
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file() and (directory / "ensemble.json").is_file():
        raise WargameError(f"{directory}: an ensemble directory (`python run.py run SCENARIO --reps N`), not a "
                           "study: its runs vary no parameter (read it with wargame.output.load_ensemble); studies "
                           "are written by `python run.py sweep`, `sensitivity` or `calibrate`")
    if not manifest_path.is_file():
        raise WargameError(f"{directory}: not a study directory (no manifest.json); studies are written by "
                           "`python run.py sweep`, `sensitivity` or `calibrate`")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WargameError(f"{manifest_path}: not readable ({exc})") from None
    if not isinstance(manifest, dict):
        raise WargameError(f"{manifest_path}: not a study manifest (a JSON object with kind and parameters)")
    if manifest.get("kind") not in STUDY_KINDS:
        raise WargameError(f"{manifest_path}: kind {manifest.get('kind')!r} is not one of {', '.join(STUDY_KINDS)}")
    if not (directory / "runs.parquet").is_file():
        raise WargameError(f"{directory}: the study has not finished (no runs.parquet); finish it with the same "
                           "command and --resume")
    _check_parameters(manifest_path, manifest)
    runs = _table(directory / "runs.parquet", pd.read_parquet)
    missing = [p["path"] for p in manifest["parameters"] if p["path"] not in runs.columns]
    if missing:
        raise WargameError(f"{directory / 'runs.parquet'}: lacks the parameter columns {', '.join(missing)} the "
                           "manifest names")
    points_file = directory / ("trials.csv" if manifest["kind"] == "calibrate" else "points.csv")
    points = _table(points_file, pd.read_csv) if points_file.is_file() else pd.DataFrame()
    return StudyData(directory, manifest, runs, points)


def _table(path: Path, read) -> pd.DataFrame:
    """A table of the directory, or an error naming the file when it is damaged (truncated, hand-edited)."""
    try:
        return read(path)
    except (OSError, ValueError) as exc:           # pyarrow's ArrowInvalid and pandas' ParserError are ValueErrors
        raise WargameError(f"{path}: not readable ({exc}); the file was damaged or changed by hand") from None


def _check_parameters(manifest_path: Path, manifest: dict) -> None:
    """The manifest's parameters are a list of {path, low, high, ...}: what .parameters and .ranges read."""
    parameters = manifest.get("parameters")
    if not isinstance(parameters, list) or not all(isinstance(p, dict) and {"path", "low", "high"} <= p.keys()
                                                   for p in parameters):
        raise WargameError(f"{manifest_path}: parameters is not a list of {{path, low, high}}; the manifest was "
                           "changed by hand or is not a study's")


@dataclass
class EnsembleSeries:
    """An ensemble (`python run.py run SCENARIO --reps N`): `runs` is outcomes.parquet (one row per run),
    `info` ensemble.json, `series` (read when first used) has dims ("run", "step") with coords run and seed."""

    directory: Path
    info: dict = field(repr=False)
    runs: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return f"<ensemble of {self.info.get('scenario', '?')}: {len(self.runs)} runs, in {self.directory}>"

    @functools.cached_property
    def series(self) -> xr.Dataset:
        if not (self.directory / ENSEMBLE_SERIES).is_file() and (self.directory / OLD_ENSEMBLE_SERIES).is_file():
            raise WargameError(f"{self.directory}: this ensemble was written by an older version (its per-step "
                               f"metrics in {OLD_ENSEMBLE_SERIES}, not {ENSEMBLE_SERIES}): run it again with the same "
                               f"command; it resumes from finished/ and writes {ENSEMBLE_SERIES}")
        return _series_in(self.directory, ENSEMBLE_SERIES, "ensemble", "run it again to have them")


def load_ensemble(directory: str | Path) -> EnsembleSeries:
    """The ensemble in `directory`, or a clear error saying why it is not one."""
    directory = Path(directory)
    missing = [name for name in ("ensemble.json", "outcomes.parquet") if not (directory / name).is_file()]
    if missing:
        raise WargameError(f"{directory}: not an ensemble directory (missing {', '.join(missing)}; ensembles are "
                           "written by `python run.py run SCENARIO --reps N`)")
    try:
        info = json.loads((directory / "ensemble.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WargameError(f"{directory / 'ensemble.json'}: not readable ({exc})") from None
    return EnsembleSeries(directory, info, _table(directory / "outcomes.parquet", pd.read_parquet))
