"""Writing a study's tables, charts and report.html (self-contained, like the run reports)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wargame.experiments.bands import BAND, MIN_RUNS_FOR_BAND
from wargame.output.files import write_atomic, write_text_atomic
from wargame.report.html import esc, figure, page
from wargame.report.style import save_figure
from wargame.study import charts
from wargame.study.outputs import label, output_values


def add_outputs(frame: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """The results with one column per output (named as the output)."""
    out = frame.copy()
    for name in outputs:
        out[name] = output_values(frame, name).to_numpy()
    return out


def point_summary(frame: pd.DataFrame, paths: list[str], outputs: list[str]) -> pd.DataFrame:
    """Per design point: the parameter values and each output's mean, median, 10th and 90th percentile."""
    grouped = frame.groupby("point")
    table = grouped[paths].first()
    for name in outputs:
        table[f"{name}_mean"] = grouped[name].mean()
        table[f"{name}_median"] = grouped[name].median()
        table[f"{name}_p10"] = grouped[name].quantile(BAND[0])
        table[f"{name}_p90"] = grouped[name].quantile(BAND[1])
    table.insert(len(paths), "runs", grouped.size())
    return table.reset_index()


def run_points(spec, parameters, points, out: Path, executor, progress=None, resume: bool = False):
    """Run every point of a design x replicates (resuming what the store has), then write the tables.
    Returns (plan, store, frame with one column per output)."""
    from wargame.study.plan import execute, make_plan, results, write_study_series
    from wargame.study.store import ResultStore

    plan = make_plan(spec, parameters, points)
    store = ResultStore(out, plan.manifest(), resume)
    execute(plan.jobs(), store, executor, progress)
    frame = add_outputs(results(plan, store), spec.outputs)
    write_tables(store.directory, frame, point_summary(frame, plan.paths, spec.outputs))
    write_study_series(store, plan.job_table())
    return plan, store, frame


def write_tables(directory: Path, frame: pd.DataFrame, summary: pd.DataFrame) -> None:
    write_atomic(directory / "runs.parquet", lambda p: frame.to_parquet(p, index=False))
    write_atomic(directory / "runs.csv", lambda p: frame.to_csv(p, index=False))
    write_atomic(directory / "points.csv", lambda p: summary.to_csv(p, index=False))


def draw_common(directory: Path, frame: pd.DataFrame, paths: list[str], outputs: list[str], title: str,
                responses: bool = True) -> dict[str, Path]:
    """The distributions, and the figures that pool runs by parameter values (responses, heat map, fans by
    the first parameter) unless `responses` is False: a design that moves one parameter at a time (Morris)
    makes runs pooled by one parameter's value differ in the others too, so it gets the fans of all runs."""
    figures = directory / "figures"
    drawn = {}
    if responses:
        drawn["responses"] = save_figure(charts.figure_responses(frame, paths, outputs, title),
                                         figures / "responses.png")
    drawn["distributions"] = save_figure(charts.figure_distributions(frame, outputs, title),
                                         figures / "distributions.png")
    if responses and len(paths) >= 2:
        drawn["heatmap"] = save_figure(charts.figure_heatmap(frame, paths[0], paths[1], outputs[0], title),
                                       figures / "heatmap.png")
    drawn.update(draw_default_fans(directory, paths if responses else [], title))
    return drawn


FAN_METRIC = "territory_regime"      # the report's fan chart: the regime's territory, by the first parameter


def draw_default_fans(directory: Path, paths: list[str], title: str) -> dict[str, Path]:
    """The regime's territory over time by terciles of the first parameter (of all runs, given no parameters),
    when the study kept its series (series.nc; not with --no-series) and its scenario has the regime."""
    from wargame.output.series import read_series
    from wargame.output.studies import STUDY_SERIES

    if not (directory / STUDY_SERIES).is_file():
        return {}
    series = read_series(directory / STUDY_SERIES)
    if FAN_METRIC not in series.data_vars:
        return {}
    return {"fans": save_figure(charts.figure_series_fans(series, FAN_METRIC, title, by=paths[0] if paths else None),
                                directory / "figures" / "fans.png")}


def write_study_report(directory: Path, title: str, intro: str, drawn: dict[str, Path], extra: dict[str, tuple[str, str]],
                       command: str) -> Path:
    captions = {"indices": ("Sensitivity indices with 95% confidence intervals: Sobol's first and total order, "
                            "parameters ranked, or Morris's mu* (with its interval) against sigma."),
                "responses": (f"Each output against each parameter: every run, the median of the runs at each value "
                              f"and, where each value has {MIN_RUNS_FOR_BAND} runs or more, their 10th-90th "
                              "percentile band. With several parameters the runs at a value differ in the others "
                              "too: a slope may be another parameter's effect."),
                "heatmap": "The first output's mean over the first two parameters, with the runs in each cell.",
                "distributions": "Each output over all runs.",
                "loss": "The calibration loss trial by trial, and the best so far.",
                "fans": "The regime's share of the theatre over time for the low, middle and high thirds of the first "
                        "parameter's values over the design's points: median and 10th-90th percentile band "
                        "(python run.py fans draws any metric, by any parameter); in a Morris study, of all runs."}
    sections = {"study": ("Study", intro)}
    sections.update(extra)
    sections["charts"] = ("Charts", "".join(figure(path, captions.get(name, name)) for name, path in drawn.items()))
    sections["reproduce"] = ("Reproduce", f"<pre>{esc(command)}</pre><p>Runs are in runs.parquet (one row per run: "
                             "point, replicate, seed, parameter values, outcomes); manifest.json holds the design and "
                             "every seed.</p>")
    return write_text_atomic(directory / "report.html", page(title, title, esc(str(directory)), sections))


def table_html(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(
        ("<td class='num'>n/a</td>" if v != v else f"<td class='num'>{format(v, formats.get(c, '.3g'))}</td>")
        if isinstance(v, float) else f"<td>{esc(v)}</td>"
        for c, v in row.items()) + "</tr>" for _, row in frame.iterrows())
    return f"<table><tr>{head}</tr>{rows}</table>"


def outputs_html(outputs: list[str]) -> str:
    return ", ".join(f"<b>{esc(o)}</b> ({esc(label(o))})" for o in outputs)
