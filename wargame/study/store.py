"""A study's results on disk, written as each batch of runs finishes, so that no finished run is lost.

    <out>/manifest.json        what the study is: its spec, design points, every job (point, replicate,
                               seed), the code fingerprint; written once, before any run
    <out>/results/part-*.parquet   one file per finished batch (written to a temporary name, then renamed:
                               a part is whole or absent)
    <out>/series/part-*.nc     the same batch's per-step metrics (output/series.py), written just before its
                               results part and named as it: a series part without its results part is the
                               leftover of a killed study and is removed when the study resumes
    <out>/workers.csv          each finished batch: which process ran it and its resident memory after

`--resume` reads the parts already there, runs only the jobs they lack and adds parts for those: the
final dataset has every job exactly once, as an uninterrupted study would. A resumed study must be the
same study (same manifest); anything else is refused with the difference named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import xarray as xr

from wargame.core.errors import WargameError
from wargame.output.files import remove_stale_partials, write_atomic, write_text_atomic
from wargame.output.series import combine, read_part, series_dataset, write_series

MANIFEST = "manifest.json"
RESULTS = "results"
SERIES = "series"


class ResultStore:
    def __init__(self, directory: str | Path, manifest: dict, resume: bool = False):
        self.directory = Path(directory).resolve()
        self.parts = self.directory / RESULTS
        existing = self.directory / MANIFEST
        if existing.is_file():
            if not resume:
                raise WargameError(f"--out {self.directory}: a study is already there; add --resume to finish it, "
                                   "or choose another --out")
            saved = json.loads(existing.read_text(encoding="utf-8"))
            if _comparable(saved) != _comparable(manifest):
                differing = differences(_comparable(saved), _comparable(manifest))
                raise WargameError(f"--resume {self.directory}: the study there differs from this one in "
                                   f"{', '.join(differing)}; resume it with the same settings or choose another --out")
        else:
            if self.directory.exists() and not self.directory.is_dir():
                raise WargameError(f"--out {self.directory}: is a file; give a directory")
            if self.directory.is_dir() and any(self.directory.iterdir()):
                raise WargameError(f"--out {self.directory}: exists and holds no study; choose a new or empty directory")
            write_text_atomic(existing, json.dumps(manifest, indent=1, default=str) + "\n")
        self.parts.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(self.parts)                 # temporary files of a killed writer
        self.series_parts = self.directory / SERIES
        if self.series_parts.is_dir():
            remove_stale_partials(self.series_parts)
            finished = {path.stem for path in self.part_files()}
            for orphan in self.series_part_files():       # killed between a batch's series and its results
                if orphan.stem not in finished:
                    orphan.unlink()
        self.manifest = manifest

    def part_files(self) -> list[Path]:
        return sorted(p for p in self.parts.glob("part-*.parquet"))

    def done_jobs(self) -> set[int]:
        done: set[int] = set()
        for path in self.part_files():
            done.update(int(j) for j in pd.read_parquet(path, columns=["job"])["job"])
        return done

    def series_part_files(self) -> list[Path]:
        return sorted(self.series_parts.glob("part-*.nc"))

    def write_part(self, rows: list[dict]) -> Path:
        """A finished batch: its series part first (when its rows carry "series"), then its results part, which
        marks the batch done."""
        series = [row["series"] for row in rows if "series" in row]
        frame = pd.DataFrame([{k: v for k, v in row.items() if k != "series"} for row in rows])
        first = int(frame["job"].min())
        name = f"part-{first:07d}-{len(frame):04d}"
        if series:
            if len(series) != len(rows):
                raise ValueError("a batch's rows either all carry their series or none does")
            write_series(self.series_parts / f"{name}.nc", series_dataset(series, list(frame["job"])))
        return write_atomic(self.parts / f"{name}.parquet", lambda p: frame.to_parquet(p, index=False))

    def series(self) -> xr.Dataset | None:
        """Every finished run's per-step metrics, ordered by job (output/series.py), or None when the runs
        kept none."""
        if not self.series_parts.is_dir():
            return None
        parts = self.series_part_files()
        return combine([read_part(path) for path in parts]) if parts else None

    def log_worker(self, pid: int, rss_mib: float, runs: int) -> None:
        log = self.directory / "workers.csv"
        new = not log.exists()
        with log.open("a", encoding="utf-8") as out:
            if new:
                out.write("pid,rss_mib,runs\n")
            out.write(f"{pid},{rss_mib},{runs}\n")

    def frame(self) -> pd.DataFrame:
        """Every finished run, one row each, in job order."""
        parts = [pd.read_parquet(p) for p in self.part_files()]
        if not parts:
            return pd.DataFrame()
        frame = pd.concat(parts, ignore_index=True).sort_values("job", kind="stable").reset_index(drop=True)
        if frame["job"].duplicated().any():
            raise WargameError(f"{self.parts}: a run is recorded twice ({sorted(frame.loc[frame['job'].duplicated(), 'job'])[:5]}); "
                               "the results directory was changed by hand")
        return frame


def differences(saved: dict, given: dict, prefix: str = "") -> list[str]:
    """The dotted keys at which two manifests differ, nested dictionaries compared key by key (a changed
    targets file is "spec.calibrate.targets", not the whole "spec"); lists are compared whole."""
    found = []
    for key in sorted(set(saved) | set(given)):
        old, new = saved.get(key), given.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            found += differences(old, new, f"{prefix}{key}.")
        elif old != new:
            found.append(f"{prefix}{key}")
    return found


def _comparable(manifest: dict) -> dict:
    return {k: v for k, v in json.loads(json.dumps(manifest, default=str)).items() if k != "written"}
