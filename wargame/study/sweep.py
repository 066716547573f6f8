"""Parameter sweeps: a design (grid, Latin hypercube, Sobol points or the user's CSV) times replicates."""

from __future__ import annotations

from pathlib import Path

from wargame.report.html import esc
from wargame.report.words import count
from wargame.study.designs import design_points
from wargame.study.report import (
    draw_common,
    outputs_html,
    run_points,
    write_study_report,
)
from wargame.study.spec import StudySpec, check_points, resolve_parameters


def run_sweep(spec: StudySpec, source: str, out: Path, executor, progress=None, resume: bool = False,
              command: str = "") -> Path:
    parameters = resolve_parameters(spec, source)
    design = spec.design
    points = design_points(design.kind, parameters, design.points, spec.seed, design.levels,
                           Path(design.file) if design.file else None)
    if design.kind == "csv":
        check_points(spec, source, parameters, points)
    plan, store, frame = run_points(spec, parameters, points, out, executor, progress, resume)
    title = (f"Sweep of {spec.scenario} ({design.kind} design, {count(len(points), 'point')} x "
             f"{count(spec.replicates, 'replicate')})")
    drawn = draw_common(store.directory, frame, plan.paths, spec.outputs, title)
    intro = (f"<p>{count(len(points), 'design point')} ({esc(design.kind)}) x {count(spec.replicates, 'replicate')} = "
             f"{count(len(frame), 'run')} "
             f"of <b>{esc(spec.scenario)}</b>, master seed {spec.seed}; replicate r has the same seed at every point. "
             f"Outputs: {outputs_html(spec.outputs)}. Per-point summaries are in points.csv.</p>")
    return write_study_report(store.directory, title, intro, drawn, {}, command)
