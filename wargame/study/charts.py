"""Charts of studies: how each output responds to each parameter (with a band over runs), heat maps of an
output over two parameters, the distribution of each output over all runs, and sensitivity indices with
their confidence intervals."""

from __future__ import annotations

import itertools
import textwrap
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from wargame.report.style import theme
from wargame.study.outputs import label

BINS = 8


def _suptitle(fig, text: str) -> None:
    """A figure title wrapped to the figure's width (narrow figures of one or two parameters included)."""
    width = max(30, int(fig.get_figwidth() * 10))
    fig.suptitle(textwrap.fill(text, width), fontsize=11.5)
BAND_COLOUR = "#2b6c9e"


def _bins(values: pd.Series, most: int = BINS) -> pd.Series:
    """Levels as they are when there are few (a grid), else quantile bins; each bin labelled by its centre."""
    unique = np.unique(values)
    if len(unique) <= 12:
        return values
    codes = pd.qcut(values, q=most, duplicates="drop")
    return codes.map(lambda interval: interval.mid).astype(float)


def figure_responses(frame: pd.DataFrame, paths: list[str], outputs: list[str], title: str):
    """One panel per (output, parameter): every run as a dot, the median over runs at each level (or bin)
    as a line, the 10th-90th percentile as a band."""
    with theme():
        fig, axes = plt.subplots(len(outputs), len(paths), figsize=(3.3 * len(paths) + 1.0, 2.7 * len(outputs) + 0.8),
                                 squeeze=False)
        for i, output in enumerate(outputs):
            for j, path in enumerate(paths):
                ax = axes[i, j]
                ax.scatter(frame[path], frame[output], s=6, color="#888888", alpha=0.35, linewidths=0)
                groups = frame.groupby(_bins(frame[path]))[output]
                centres = np.array(groups.median().index, dtype=float)
                ax.fill_between(centres, groups.quantile(0.1), groups.quantile(0.9), color=BAND_COLOUR, alpha=0.2,
                                linewidth=0)
                ax.plot(centres, groups.median(), color=BAND_COLOUR, marker="o", markersize=3)
                if i == len(outputs) - 1:
                    ax.set_xlabel(path.split(".", 1)[-1], fontsize=8.5)
                if j == 0:
                    ax.set_ylabel(label(output), fontsize=8.5)
                ax.tick_params(labelsize=7.5)
        _suptitle(fig, f"{title}: response of each output to each parameter (dots: runs; line: median; band: 10th-90th)")
    return fig


def figure_heatmap(frame: pd.DataFrame, x: str, y: str, output: str, title: str):
    """The mean of an output over two parameters (levels of a grid, or bins of a sampled design)."""
    table = frame.assign(_x=_bins(frame[x]), _y=_bins(frame[y])).pivot_table(index="_y", columns="_x", values=output,
                                                                            aggfunc="mean")
    with theme():
        fig, ax = plt.subplots(figsize=(7.5, 5.8))
        image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(table.columns)), [f"{v:.3g}" for v in table.columns], rotation=45, fontsize=8)
        ax.set_yticks(range(len(table.index)), [f"{v:.3g}" for v in table.index], fontsize=8)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(False)
        for (r, c), value in np.ndenumerate(table.to_numpy()):
            if np.isfinite(value) and table.size <= 100:
                ax.text(c, r, f"{value:.3g}", ha="center", va="center", fontsize=7, color="white")
        fig.colorbar(image, ax=ax, label=f"mean {label(output)}")
        ax.set_title(f"{title}: {label(output)}")
    return fig


def figure_distributions(frame: pd.DataFrame, outputs: list[str], title: str):
    with theme():
        fig, axes = plt.subplots(1, len(outputs), figsize=(4.0 * len(outputs) + 0.5, 3.4), squeeze=False)
        for ax, output in zip(axes[0], outputs):
            values = frame[output].dropna()
            ax.hist(values, bins=min(30, max(5, len(values) // 5)), color=BAND_COLOUR, alpha=0.8)
            ax.axvline(values.median(), color="black", linewidth=1.2, label=f"median {values.median():.3g}")
            ax.set_xlabel(label(output))
            ax.set_ylabel("runs")
            ax.legend(fontsize=8)
        _suptitle(fig, f"{title}: distribution of each output over all {len(frame)} runs")
    return fig


def figure_indices(indices: pd.DataFrame, method: str, title: str):
    """Bars of the sensitivity indices per output, parameters ranked, with 95% confidence intervals."""
    outputs = list(dict.fromkeys(indices["output"]))
    with theme():
        fig, axes = plt.subplots(1, len(outputs), figsize=(5.2 * len(outputs) + 1.0, 0.42 * indices["parameter"].nunique()
                                                            + 2.0), squeeze=False)
        for ax, output in zip(axes[0], outputs):
            part = indices[indices["output"] == output]
            if method == "sobol":
                part = part.sort_values("ST", ascending=True)
                y = np.arange(len(part))
                ax.barh(y + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], color="#2b6c9e", label="total order (ST)",
                        error_kw={"elinewidth": 0.8, "capsize": 2})
                ax.barh(y - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], color="#9ecae1", label="first order (S1)",
                        error_kw={"elinewidth": 0.8, "capsize": 2})
                ax.set_xlabel("Sobol index (share of the output's variance)")
            else:
                part = part.sort_values("mu_star", ascending=True)
                y = np.arange(len(part))
                ax.barh(y, part["mu_star"], xerr=part["mu_star_conf"], color="#2b6c9e", label="mu* (mean |effect|)",
                        error_kw={"elinewidth": 0.8, "capsize": 2})
                ax.scatter(part["sigma"], y, color="#d95f02", zorder=3, label="sigma (interactions, non-linearity)")
                ax.set_xlabel("Morris elementary effect")
            ax.set_yticks(y, [p.split(".", 1)[-1] for p in part["parameter"]], fontsize=8)
            ax.set_title(label(output))
            ax.legend(fontsize=7.5, loc="lower right")
        _suptitle(fig, f"{title}: indices with 95% confidence intervals, parameters ranked")
    return fig


# --- fan charts of a metric over time, across a design's points ----------------------------------------
FAN_BAND = (0.10, 0.90)      # the band's quantiles over a group's runs
MIN_BAND_RUNS = 5            # fewer runs than this in a group: its runs are drawn one by one, not summarised
FAN_GROUPS = ("low", "middle", "high")     # terciles of the grouping parameter's values over the design's points
FAN_COLOURS = ("#2166ac", "#1b9e77", "#b2182b")   # low to high; several chosen points cycle through tab10


SHARE_PREFIXES = ("territory_",)           # metrics that are shares of the theatre: drawn as percentages


def metric_label(metric: str) -> str:
    """An axis label for a per-step metric (the model's DataCollector column)."""
    if metric.startswith("territory_"):
        return f"share of the theatre held by {metric.removeprefix('territory_')}"
    return label(metric)


def check_metric(series, metric: str) -> None:
    """A clear error for a metric the series lacks, naming the closest ones."""
    import difflib

    from wargame.core.errors import WargameError

    if metric not in series.data_vars:
        close = difflib.get_close_matches(metric, list(series.data_vars), n=6, cutoff=0.5)
        hint = f"close: {', '.join(close)}" if close else f"{len(series.data_vars)} metrics, such as " + \
            ", ".join(list(series.data_vars)[:6])
        raise WargameError(f"--metric {metric!r}: no such metric in the study's series ({hint})")


def fan_groups(series, by: str | None = None, points=None) -> list[tuple[str, np.ndarray]]:
    """(label, run ids) of each group a fan chart draws: the terciles of parameter `by` over the design's
    points (as many groups as it has distinct values when fewer than three), or each of the chosen
    `points`, or every run."""
    from wargame.core.errors import WargameError

    runs = series["run"].to_numpy()
    if by is not None:
        along_run = [name for name, coord in series.coords.items() if coord.dims == ("run",) and name != "run"]
        if by not in along_run:
            raise WargameError(f"--by {by!r}: not a parameter of the study (its runs are labelled by "
                               f"{', '.join(along_run)})")
        per_point = pd.Series(series[by].to_numpy(), index=series["point"].to_numpy()).groupby(level=0).first()
        if per_point.nunique() <= len(FAN_GROUPS):
            levels = sorted(per_point.unique())
            names = [f"{by} = {v:.3g}" for v in levels]
            codes = per_point.map({v: k for k, v in enumerate(levels)})
        else:
            codes, edges = pd.qcut(per_point, q=len(FAN_GROUPS), labels=False, retbins=True, duplicates="drop")
            words = FAN_GROUPS if len(edges) == len(FAN_GROUPS) + 1 else [f"group {k + 1}" for k in range(len(edges))]
            names = [f"{words[k]} {by} ({edges[k]:.3g} to {edges[k + 1]:.3g})" for k in range(len(edges) - 1)]
        point_of_run = series["point"].to_numpy()
        return [(name, runs[np.isin(point_of_run, codes.index[codes == k])]) for k, name in enumerate(names)]
    if points is not None:
        known = set(series["point"].to_numpy().tolist())
        unknown = [p for p in points if p not in known]
        if unknown:
            raise WargameError(f"--points {unknown}: the study's points are 0 to {max(known)}")
        return [(f"point {p}", runs[series["point"].to_numpy() == p]) for p in points]
    return [("all runs", runs)]


def figure_series_fans(series, metric: str, title: str, by: str | None = None, points=None):
    """A metric over time for groups of runs (fan_groups): the median and the 10th-90th percentile band of
    each group with at least MIN_BAND_RUNS runs, each run's own line for a smaller group (the legend says
    which). A run that ended early keeps its last value to the end (its campaign stopped there)."""
    check_metric(series, metric)
    groups = fan_groups(series, by, points)
    values = series[metric].to_pandas().ffill(axis=1)
    day = series["day"]
    days = day.to_numpy() if day.dims == ("step",) else np.nanmax(day.to_numpy(), axis=0)
    colours = plt.get_cmap("tab10").colors
    if by is not None and len(groups) <= len(FAN_COLOURS):      # ordered groups: low blue to high red
        colours = [FAN_COLOURS[0], FAN_COLOURS[-1]] if len(groups) == 2 else FAN_COLOURS
    with theme(), warnings.catch_warnings():
        # a metric a group's runs all lack (a faction absent from a joint calibration's campaign) is NaN: no line
        warnings.simplefilter("ignore", RuntimeWarning)
        fig, ax = plt.subplots(figsize=(9.0, 4.8))
        for (name, runs), colour in zip(groups, itertools.cycle(colours)):
            matrix = values.loc[runs].to_numpy(dtype=float)
            if len(runs) >= MIN_BAND_RUNS:
                low, high = np.nanquantile(matrix, FAN_BAND, axis=0)
                ax.fill_between(days, low, high, color=colour, alpha=0.18, linewidth=0)
                ax.plot(days, np.nanmedian(matrix, axis=0), color=colour, linewidth=2.0,
                        label=f"{name}: median and 10th-90th of {len(runs)} runs")
            else:
                for k, row in enumerate(matrix):
                    ax.plot(days, row, color=colour, linewidth=0.9, alpha=0.8,
                            label=f"{name}: each of {len(runs)} runs (too few for a band)" if k == 0 else None)
        ax.set_xlabel("day of the campaign (a run that ended earlier is held at its last value)")
        ax.set_ylabel(metric_label(metric))
        if metric.startswith(SHARE_PREFIXES):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        ax.set_xlim(days[0], days[-1])
        ax.legend(fontsize=8, loc="best")
        ax.set_title(textwrap.fill(f"{title}: {metric_label(metric)} over time", 90), fontsize=11)
    return fig
