"""One run of a scenario written to its run directory with its report, and a directory's report redrawn.

`python run.py run` and `python run.py report` call these. They take plain arguments, print nothing and
report progress only through the callbacks they are given:
  on_step(day)     after each step of the model
  on_stage(name)   as the report turns to each of its stages (render.STAGES: animation, maps, charts, report;
                   drawn side by side in worker processes, they overlap)
`workers`: processes drawing the report (None: one per core; 1: this process only; see report.workers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wargame.core.errors import WargameError

ANIMATION_FILES = ("campaign.gif", "campaign.mp4")


@dataclass
class WrittenRun:
    directory: Path
    summary: str
    rendered: dict = field(default_factory=dict)    # what render_run drew, by stage; empty when not drawn
    report_error: Exception | None = None           # why the report could not be drawn (the data is written)


@dataclass
class Redrawn:
    directory: Path
    ensemble_report: Path | None = None             # the report.html of an ensemble directory
    rendered: dict = field(default_factory=dict)    # what render_run drew in a run directory, by stage


def default_run_directory(scenario_name: str, seed: int) -> Path:
    return Path("runs") / f"{scenario_name}-seed{seed}"


def run_to_directory(loaded, seed: int, out: str | Path | None = None, *, report: bool = True,
                     animation: bool = True, workers: int | None = None,
                     on_step: Callable[[float], None] | None = None,
                     on_stage: Callable[[str], None] | None = None) -> WrittenRun:
    """Run a loaded scenario with `seed` to its end and write its run directory (default
    runs/<scenario>-seed<seed>): the data, then (unless `report` is False) the charts, maps, animation
    (unless `animation` is False) and the after-action report.

    A report that fails to draw for any reason but a WargameError or an interruption costs the report, not
    the run: the data is written and the failure returned as `report_error`."""
    from wargame.core.model import WarModel
    from wargame.output import check_run_directory, metrics_frame, run_info, write_run
    from wargame.report.summary import summarise

    out = check_run_directory(out or default_run_directory(loaded.name, seed))
    model = WarModel(loaded, rng=seed)
    model.run(None if on_step is None else (lambda m: on_step(m.day)))
    summary = summarise(model.spec, run_info(model), metrics_frame(model), model.events.to_dicts())
    written = WrittenRun(out, summary)

    def render(partial: Path) -> None:
        from wargame.report.render import render_run

        try:
            written.rendered = render_run(partial, animation=animation, progress=on_stage, workers=workers)
        except (WargameError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 -- whatever broke the figures, the run's data is kept
            written.report_error = exc

    written.directory = write_run(model, out, summary, render=render if report else None)
    return written


def redraw(directory: str | Path, *, animation: bool = True, workers: int | None = None,
           on_stage: Callable[[str], None] | None = None) -> Redrawn:
    """Draw again the report of a run directory (charts, maps, animation unless `animation` is False, and
    report.html) or of an ensemble directory (its figures and report.html)."""
    directory = Path(directory).resolve()
    if (directory / "ensemble.json").is_file():
        from wargame.report.ensemble import EnsembleData, draw_ensemble, write_ensemble_report

        ens = EnsembleData.load(directory)
        return Redrawn(directory, ensemble_report=write_ensemble_report(ens, draw_ensemble(ens)))
    from wargame.output import RunData
    from wargame.report.render import render_run

    RunData.load(directory)                                   # a clear error for a directory that is not a run
    if not animation:
        for old in ANIMATION_FILES:                           # not left beside a report that no longer shows them
            (directory / old).unlink(missing_ok=True)
    return Redrawn(directory, rendered=render_run(directory, animation=animation, progress=on_stage,
                                                  workers=workers))
