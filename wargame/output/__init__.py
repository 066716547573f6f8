"""Output: run directories written and read back (rundir.py), and atomic file writing (files.py).

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

__all__ = ["RUN_FILES", "RunData", "check_run_directory", "control_history", "metrics_frame", "require_files",
           "run_info", "units_frame", "will_state", "write_run"]
