"""Parameter sweeps: a design (grid, Latin hypercube, Sobol points or the user's CSV) times replicates."""

from __future__ import annotations

from pathlib import Path

from wargame.report.html import esc
from wargame.study.designs import design_points
from wargame.study.report import (
    count_of,
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
    title = f"Sweep of {spec.scenario} ({design.kind} design, {count_of(len(points), 'point')} x {count_of(spec.replicates, 'replicate')})"
    drawn = draw_common(store.directory, frame, plan.paths, spec.outputs, title)
    intro = (f"<p>{len(points)} design points ({esc(design.kind)}) x {spec.replicates} replicates = {len(frame)} runs "
             f"of <b>{esc(spec.scenario)}</b>, master seed {spec.seed}; replicate r has the same seed at every point. "
             f"Outputs: {outputs_html(spec.outputs)}. Per-point summaries are in points.csv.</p>")
    return write_study_report(store.directory, title, intro, drawn, {}, command)
