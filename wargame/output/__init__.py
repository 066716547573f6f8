"""Output: run directories written and read back (rundir.py), atomic file writing (files.py), runs' per-step
metrics as labelled arrays (series.py), and studies and ensembles read back for analysis (studies.py).

Everything here sits on the model core and below the report, experiments and study layers: it turns a
finished model into files and files back into data, and never runs a model itself.
"""

from wargame.output.rundir import (
    RUN_FILES,
    RunData,
    check_run_directory,
    control_history,
    metrics_frame,
    require_files,
    run_info,
    units_frame,
    will_state,
    write_run,
)

__all__ = ["RUN_FILES", "EnsembleSeries", "RunData", "StudyData", "check_run_directory", "control_history",
           "load_ensemble", "load_study", "metrics_frame", "require_files", "run_info", "units_frame", "will_state",
           "write_run"]

# the loaders of studies and ensembles need xarray (some 0.12 s to import): imported when first asked for, so
# that commands which never read a study (a run, the classroom server) do not pay for it
_STUDIES = ("EnsembleSeries", "StudyData", "load_ensemble", "load_study")


def __getattr__(name: str):
    if name in _STUDIES:
        from wargame.output import studies

        return getattr(studies, name)
    raise AttributeError(f"module 'wargame.output' has no attribute {name!r}")
