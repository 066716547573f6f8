"""Runs' per-step metrics as one labelled array: an xarray Dataset with dims ("run", "step"), one data
variable per metric (float32), NaN after a run's end, the day of each step as a coordinate.

Stored as NetCDF3 through scipy (a base dependency: no HDF5 or Zarr library needed to write or read it).
NetCDF3 has no 64-bit or unsigned integers, so the 32-bit unsigned seeds are kept as float64 (exact below
2**53) and turned back into integers when read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from wargame.core.errors import WargameError
from wargame.output.files import write_atomic

ENGINE = "scipy"                 # NetCDF3, written and read by scipy
DAY = "day"                      # the metric that becomes the time coordinate
STORED_AS_FLOAT = ("seed",)      # integer coordinates NetCDF3 cannot hold as integers


def series_dataset(series: Sequence[Mapping[str, Sequence[float]]], runs: Sequence[int]) -> xr.Dataset:
    """The runs' metrics ({column: [value per step]} each, as a model's DataCollector keeps them) as one
    Dataset, run r labelled runs[r]. Runs of different length are padded with NaN; a metric a run lacks (a
    faction absent from its scenario) is NaN throughout. "day" is kept as a data variable here: `finish`
    makes it the coordinate once every run is in."""
    names = list(dict.fromkeys(name for one in series for name in one))
    steps = max((len(next(iter(one.values()), ())) for one in series), default=0)
    variables = {}
    for name in names:
        dtype = np.float64 if name == DAY else np.float32
        values = np.full((len(series), steps), np.nan, dtype=dtype)
        for r, one in enumerate(series):
            column = one.get(name)
            if column is not None:
                values[r, :len(column)] = column
        variables[name] = (("run", "step"), values)
    return xr.Dataset(variables, coords={"run": np.asarray(runs, dtype=np.int64), "step": np.arange(steps)})


def combine(parts: Sequence[xr.Dataset]) -> xr.Dataset:
    """Parts (each some runs) as one Dataset ordered by run, padded to the longest run."""
    if not parts:
        return xr.Dataset(coords={"run": np.zeros(0, np.int64), "step": np.zeros(0, np.int64)})
    joined = xr.concat(list(parts), dim="run", join="outer", data_vars="all", coords="minimal", compat="override",
                       fill_value=np.nan)
    if joined.indexes["run"].duplicated().any():
        repeated = joined.indexes["run"][joined.indexes["run"].duplicated()]
        raise WargameError(f"runs {sorted(repeated)[:5]} are recorded twice in the series parts; "
                           "the directory was changed by hand")
    return joined.sortby("run")


def finish(dataset: xr.Dataset, labels: pd.DataFrame | None = None) -> xr.Dataset:
    """The analysts' form: "day" a coordinate (along step when every run has the same days at the same
    steps, as one scenario's runs do; along run x step otherwise), and `labels` (indexed by run: point,
    replicate, seed, each parameter's value...) as coordinates along run."""
    out = dataset
    if DAY in out.data_vars:
        days = out[DAY].to_numpy()
        longest = days[np.argmax(np.isfinite(days).sum(axis=1))] if len(days) else np.zeros(out.sizes["step"])
        defined = np.isfinite(days)
        same = bool(np.all(np.where(defined, days == longest[None, :], True))) and bool(np.isfinite(longest).all())
        out = out.drop_vars(DAY).assign_coords({DAY: ("step", longest) if same else (("run", "step"), days)})
        out[DAY].attrs["long_name"] = "days since the scenario's start"
    if labels is not None:
        table = labels.reindex(out.indexes["run"])
        out = out.assign_coords({column: ("run", table[column].to_numpy()) for column in table.columns})
    return out


def write_series(path: str | Path, dataset: xr.Dataset) -> Path:
    """Write the Dataset to `path` (NetCDF3) atomically: the file is whole or absent."""
    stored = dataset.assign_coords({name: dataset[name].astype(np.float64) for name in STORED_AS_FLOAT
                                    if name in dataset.coords})
    # no fill value: a missing value is NaN itself, so a part reads back without decoding (read_part)
    encoding = {name: {"_FillValue": None} for name in stored.variables if stored[name].dtype.kind != "O"}
    return write_atomic(path, lambda p: stored.to_netcdf(p, engine=ENGINE, encoding=encoding))


def read_part(path: str | Path) -> xr.Dataset:
    """A study's batch of series (numbers only) read as stored, without xarray's decoding (some 30% quicker
    than read_series on hts_2024's parts: a study of thousands of runs combines thousands of parts)."""
    try:
        return xr.load_dataset(path, engine=ENGINE, decode_cf=False)
    except (OSError, ValueError, TypeError) as exc:
        raise WargameError(f"{path}: not a readable series file ({exc})") from None


def read_series(path: str | Path) -> xr.Dataset:
    """A Dataset written by write_series, read into memory (the file is closed again)."""
    try:
        dataset = xr.load_dataset(path, engine=ENGINE)
    except (OSError, ValueError, TypeError) as exc:
        raise WargameError(f"{path}: not a readable series file ({exc})") from None
    # NetCDF3 keeps integers as 32 bits: they come back as the 64-bit integers pandas and numpy use
    return dataset.assign_coords({name: coord.astype(np.int64) for name, coord in dataset.coords.items()
                                  if name in STORED_AS_FLOAT or coord.dtype == np.int32})


def long_frame(dataset: xr.Dataset) -> pd.DataFrame:
    """The Dataset as one row per run and step it ran (run, the labels along run, step, day, then the
    metrics as float64): the padding after a run's end (every metric NaN) is left out, as are the steps
    a run never reached."""
    metrics = list(dataset.data_vars)
    frame = dataset.reset_coords().to_dataframe().reset_index()
    ran = frame[metrics].notna().any(axis=1) if metrics else pd.Series(False, index=frame.index)
    frame = frame[ran].reset_index(drop=True)
    frame[metrics] = frame[metrics].astype(np.float64)
    return frame
