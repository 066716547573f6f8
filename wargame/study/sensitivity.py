"""Global sensitivity analysis with SALib: Sobol first- and total-order indices (Saltelli's sampling, with
bootstrap confidence intervals) or Morris elementary effects, on the outputs the study names.

Each SALib sample point is run `replicates` times on common seeds and the output averaged over them, so
the indices measure the parameters' effect on the expected outcome rather than on one run's luck.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from wargame.core.errors import WargameError
from wargame.output.files import write_atomic, write_text_atomic
from wargame.report.html import esc
from wargame.report.style import save_figure
from wargame.study import charts
from wargame.study.report import (
    count_of,
    draw_common,
    outputs_html,
    run_points,
    table_html,
    write_study_report,
)
from wargame.study.spec import StudySpec, resolve_parameters

# Morris with fewer trajectories than this rests each parameter's mu* on a handful of elementary effects:
# the ranking can change with the seed. Said on the console, in the report and on the figure.
MORRIS_MIN_TRAJECTORIES = 10
# A Sobol index is a share of the output's variance (0 to 1): a 95% half-width above this, or a first-order
# index below zero (impossible in truth, an estimation error), means the base sample N is too small.
SOBOL_WIDE_INTERVAL = 0.1


def _salib():
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise WargameError('sensitivity analysis needs SALib: pip install -e ".[analysis]"') from None
    return sobol_sample, sobol_analyze, morris_sample, morris_analyze


def problem_of(parameters) -> dict:
    return {"num_vars": len(parameters), "names": [p.path for p in parameters],
            "bounds": [[p.low, p.high] for p in parameters]}


def sample(spec: StudySpec, parameters) -> np.ndarray:
    sobol_sample, _, morris_sample, _ = _salib()
    problem = problem_of(parameters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # SALib warns when N is not a power of two; we say it in the report
        if spec.sensitivity.method == "sobol":
            return sobol_sample.sample(problem, spec.sensitivity.samples, calc_second_order=False, seed=spec.seed)
        return morris_sample.sample(problem, spec.sensitivity.samples, num_levels=4, seed=spec.seed)


def analyse(spec: StudySpec, parameters, points: np.ndarray, means: pd.DataFrame) -> pd.DataFrame:
    """One row per (output, parameter) with the indices and their 95% confidence half-widths."""
    _, sobol_analyze, _, morris_analyze = _salib()
    problem = problem_of(parameters)
    rows = []
    for output in spec.outputs:
        y = means[output].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise WargameError(f"output {output!r} is undefined in some runs (e.g. a faction that is absent); "
                               "choose outputs every run has")
        if np.ptp(y) == 0:
            rows += [{"output": output, "parameter": p.path, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0,
                      "mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0} for p in parameters]
            continue
        if spec.sensitivity.method == "sobol":
            found = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=spec.seed)
            for k, p in enumerate(parameters):
                rows.append({"output": output, "parameter": p.path, "S1": found["S1"][k], "S1_conf": found["S1_conf"][k],
                             "ST": found["ST"][k], "ST_conf": found["ST_conf"][k]})
        else:
            found = morris_analyze.analyze(problem, points, y, conf_level=0.95, num_levels=4, seed=spec.seed)
            for k, p in enumerate(parameters):
                rows.append({"output": output, "parameter": p.path, "mu_star": found["mu_star"][k],
                             "mu_star_conf": found["mu_star_conf"][k], "sigma": found["sigma"][k]})
    return pd.DataFrame(rows)


def ranking(indices: pd.DataFrame, method: str) -> pd.DataFrame:
    """Parameters ranked per output by total-order index (Sobol) or mu* (Morris), largest first."""
    key = "ST" if method == "sobol" else "mu_star"
    ranked = indices.sort_values(["output", key], ascending=[True, False]).copy()
    ranked["rank"] = ranked.groupby("output").cumcount() + 1
    return ranked


def index_warnings(spec: StudySpec, indices: pd.DataFrame) -> list[str]:
    """What the indices cannot be trusted for, given the design's size and the intervals found."""
    n = spec.sensitivity.samples
    if spec.sensitivity.method == "morris":
        if n < MORRIS_MIN_TRAJECTORIES:
            return [f"Morris with {n} trajector{'y' if n == 1 else 'ies'}: indices are rough; use "
                    f"{MORRIS_MIN_TRAJECTORIES} or more (--samples)."]
        return []
    wide = indices[indices["S1_conf"].gt(SOBOL_WIDE_INTERVAL) | indices["ST_conf"].gt(SOBOL_WIDE_INTERVAL)]
    negative = indices[indices["S1"] < 0]
    if wide.empty and negative.empty:
        return []
    found = []
    if not wide.empty:
        found.append(f"{len(wide)} of {len(indices)} have a 95% half-width over {SOBOL_WIDE_INTERVAL:g}")
    if not negative.empty:
        found.append(f"{len(negative)} first-order ind{'ex is' if len(negative) == 1 else 'ices are'} negative")
    return [f"Sobol with base sample N = {n}: {' and '.join(found)}; the indices are rough, use a larger N "
            "(--samples, a power of two)."]


def run_sensitivity(spec: StudySpec, source: str, out: Path, executor, progress=None, resume: bool = False,
                    command: str = "") -> Path:
    parameters = resolve_parameters(spec, source)
    points = sample(spec, parameters)
    plan, store, frame = run_points(spec, parameters, points, out, executor, progress, resume)
    means = frame.groupby("point")[spec.outputs].mean().sort_index()
    indices = ranking(analyse(spec, parameters, points, means), spec.sensitivity.method)
    write_atomic(store.directory / "indices.csv", lambda p: indices.to_csv(p, index=False))
    cautions = index_warnings(spec, indices)
    write_text_atomic(store.directory / "warnings.txt", "".join(f"{w}\n" for w in cautions))
    title = (f"{spec.sensitivity.method.title()} sensitivity of {spec.scenario} ({count_of(len(points), 'point')} x "
             f"{count_of(spec.replicates, 'replicate')})")
    drawn = {"indices": save_figure(charts.figure_indices(indices, spec.sensitivity.method, title, cautions),
                                    store.directory / "figures" / "indices.png")}
    # Morris moves one parameter at a time along a few trajectories: pooled over them, an output against a
    # parameter shows the other parameters' effects as if they were this one's. Its figure is mu* and sigma.
    drawn.update(draw_common(store.directory, frame, plan.paths, spec.outputs, title,
                             responses=spec.sensitivity.method != "morris"))
    n = spec.sensitivity.samples
    note = "" if spec.sensitivity.method != "sobol" or n & (n - 1) == 0 else \
        f" (N = {n} is not a power of two: Sobol sequences balance best at powers of two)"
    intro = (f"<p>{len(parameters)} parameters, {len(points)} SALib sample points{note} x {spec.replicates} "
             f"replicates = {len(frame)} runs of <b>{esc(spec.scenario)}</b>, master seed {spec.seed}. Outputs: "
             f"{outputs_html(spec.outputs)}.</p>"
             + "".join(f"<p class='warning'><b>Warning:</b> {esc(w)}</p>" for w in cautions)
             + ("<p>No chart of outputs against single parameters: a Morris design moves one parameter at a time "
                "along a few trajectories, so runs pooled by one parameter's value differ in the others too. "
                "mu* and sigma are the answer.</p>" if spec.sensitivity.method == "morris" else ""))
    key = "ST" if spec.sensitivity.method == "sobol" else "mu_star"
    shown = [c for c in ("rank", "parameter", "ST", "ST_conf", "S1", "S1_conf", "mu_star", "mu_star_conf", "sigma")
             if c in indices]
    extra = {"ranking": ("Parameters ranked", "".join(
        f"<h3>{esc(o)}</h3>" + table_html(indices[indices["output"] == o][shown]) for o in spec.outputs)
        + f"<p>Ranked by {'total-order index ST' if key == 'ST' else 'mu*'}; _conf columns are 95% half-widths.</p>")}
    return write_study_report(store.directory, title, intro, drawn, extra, command)
