"""Charts of studies: each output over each parameter (all runs pooled, with a band only where there are
enough runs for one), heat maps of an output over two parameters, the distribution of each output over all
runs, and sensitivity indices with their confidence intervals (Sobol bars; Morris mu* against sigma).

Axes say what they measure: shares run from 0 to 1, counts have whole-number ticks, other outputs start at
zero, and an axis that does not says so ("zoomed: ...")."""

from __future__ import annotations

import itertools
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from wargame.core.campaign import regime_name
from wargame.experiments.bands import BAND, MIN_RUNS_FOR_BAND
from wargame.report.charts import count_ticks, draw_fan
from wargame.report.style import theme
from wargame.study.outputs import is_count, is_share, label

BINS = 8
BAND_COLOUR = "#2b6c9e"
RUN_COLOUR = "#666666"
WARNING_COLOUR = "#b2182b"
# Morris guides: sigma = ratio x mu*. Above the line ratio 1 a parameter's effect changes across the space
# more than its mean size (interactions or non-linearity); near 0 it is the same everywhere (linear).
MORRIS_RATIOS = (0.1, 0.5, 1.0)
# A Sobol index is a share of variance, 0 to 1 in truth; estimates from a small sample can land far outside.
# The axis shows at most this span (room for the error to be seen) and writes the rest at its edge.
SOBOL_AXIS = (-0.5, 1.5)


def _suptitle(fig, text: str) -> None:
    """A figure title wrapped to the figure's width (narrow figures of one or two parameters included)."""
    width = max(30, int(fig.get_figwidth() * 10))
    fig.suptitle(textwrap.fill(text, width), fontsize=11.5)


def _bins(values: pd.Series, most: int = BINS) -> pd.Series:
    """Levels as they are when there are few (a grid), else quantile bins; each bin labelled by its centre."""
    unique = np.unique(values)
    if len(unique) <= 12:
        return values
    codes = pd.qcut(values, q=most, duplicates="drop")
    return codes.map(lambda interval: interval.mid).astype(float)


def value_axis(ax, output: str, values, axis: str = "y", from_zero: bool = True) -> None:
    """Limits and ticks of an axis that shows an output's values: a share from 0 to 1, anything else that
    cannot be negative from 0, and a count with whole-number ticks. With `from_zero` False (a histogram,
    whose bars would shrink to a line) the axis keeps to the data and its label says it is zoomed."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    set_lim = ax.set_ylim if axis == "y" else ax.set_xlim
    get_lim = ax.get_ylim if axis == "y" else ax.get_xlim
    set_label = ax.set_ylabel if axis == "y" else ax.set_xlabel
    text = label(output)
    if is_count(output):
        (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(count_ticks())
    if from_zero and is_share(output):
        set_lim(0, 1)
    elif from_zero and values.size and values.min() >= 0:
        set_lim(0, max(get_lim()[1], float(values.max())))
    elif values.size and np.ptp(values) == 0 and is_share(output):
        set_lim(0, 1)                  # every run the same share: the axis is still the whole 0 to 1
    elif values.size and values.min() > 0:
        text += f"\n(zoomed: runs span {values.min():.3g}-{values.max():.3g})"
        if is_share(output):           # a zoom inside 0 to 1, never past its ends
            low, high = get_lim()
            set_lim(max(0.0, low), min(1.0, high))
    set_label(text, fontsize=8.5)


def figure_responses(frame: pd.DataFrame, paths: list[str], outputs: list[str], title: str):
    """One panel per (output, parameter): every run as a dot, the median of the runs at each level (or bin)
    as a line, and their 10th-90th percentile as a band when every level has MIN_RUNS_FOR_BAND runs or more.
    With several parameters the runs at a level differ in the others too: the line is their pooled median,
    not the effect of this parameter alone, and the title says so."""
    pooled = len(paths) > 1
    fewest = None
    with theme():
        fig, axes = plt.subplots(len(outputs), len(paths), figsize=(3.3 * len(paths) + 1.0, 2.7 * len(outputs) + 1.4),
                                 squeeze=False)
        for i, output in enumerate(outputs):
            for j, path in enumerate(paths):
                ax = axes[i, j]
                ax.scatter(frame[path], frame[output], s=9, color=RUN_COLOUR, alpha=0.5, linewidths=0)
                groups = frame.groupby(_bins(frame[path]))[output]
                centres = np.array(groups.median().index, dtype=float)
                counts = groups.size()
                fewest = int(counts.min()) if fewest is None else min(fewest, int(counts.min()))
                if counts.min() >= MIN_RUNS_FOR_BAND:
                    ax.fill_between(centres, groups.quantile(BAND[0]), groups.quantile(BAND[1]), color=BAND_COLOUR,
                                    alpha=0.2, linewidth=0)
                ax.plot(centres, groups.median(), color=BAND_COLOUR, marker="o", markersize=3)
                value_axis(ax, output, frame[output])
                if j:
                    ax.set_ylabel("")
                ax.set_xlabel(path if i == len(outputs) - 1 else "", fontsize=8.5)
                ax.tick_params(labelsize=7.5)
        banded = fewest is not None and fewest >= MIN_RUNS_FOR_BAND
        handles = [Line2D([], [], marker="o", linestyle="", color=RUN_COLOUR, label="one run"),
                   Line2D([], [], color=BAND_COLOUR, marker="o", markersize=3,
                          label="median of the runs at that value (or bin)" + (" (other parameters varying)" if pooled else ""))]
        if banded:
            handles.append(Patch(color=BAND_COLOUR, alpha=0.2, label="10th-90th percentile of those runs"))
        else:
            handles.append(Patch(color="none", label=f"no percentile band: {fewest} run{'s' * (fewest != 1)} at some "
                                                     f"values, fewer than {MIN_RUNS_FOR_BAND}"))
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles) if len(paths) > 2 else 1,
                   fontsize=8, frameon=False)
        what = ("each output against each parameter, all runs pooled (the other parameters vary too: not the "
                "effect of one parameter alone)" if pooled else "each output against the parameter")
        _suptitle(fig, f"{title}: {what}")
    return fig


def figure_heatmap(frame: pd.DataFrame, x: str, y: str, output: str, title: str):
    """The mean of an output over two parameters (levels of a grid, or bins of a sampled design), each cell
    with its number of runs; the colour scale's span is written on it (a narrow span looks as vivid as a
    wide one)."""
    binned = frame.assign(_x=_bins(frame[x]), _y=_bins(frame[y]))
    table = binned.pivot_table(index="_y", columns="_x", values=output, aggfunc="mean")
    runs = binned.pivot_table(index="_y", columns="_x", values=output, aggfunc="size").reindex_like(table)
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
                n = runs.to_numpy()[r, c]
                red, green, blue, _ = image.cmap(image.norm(value))      # dark text on the bright cells
                ink = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "white"
                ax.text(c, r, f"{value:.3g}\n{n:.0f} run{'' if n == 1 else 's'}", ha="center", va="center", fontsize=6.5,
                        color=ink)
        low, high = np.nanmin(table.to_numpy()), np.nanmax(table.to_numpy())
        fig.colorbar(image, ax=ax, label=f"mean {label(output)}\n(colours span {low:.3g}-{high:.3g})")
        ax.set_title(textwrap.fill(f"{title}: mean {label(output)} by {x} and {y}", 80))
    return fig


def figure_distributions(frame: pd.DataFrame, outputs: list[str], title: str):
    with theme():
        fig, axes = plt.subplots(1, len(outputs), figsize=(4.0 * len(outputs) + 0.5, 3.6), squeeze=False)
        for ax, output in zip(axes[0], outputs):
            values = frame[output].dropna()
            bins = min(30, max(5, len(values) // 5))
            # every run the same share: matplotlib would centre one bar of width 1 on it (a share axis from
            # 0.5 to 1.5); the bins cover the share's own 0 to 1 instead
            whole = is_share(output) and values.size and np.ptp(values) == 0
            ax.hist(values, bins=20 if whole else bins, range=(0, 1) if whole else None, color=BAND_COLOUR, alpha=0.8)
            ax.axvline(values.median(), color="black", linewidth=1.2, label=f"median {values.median():.3g}")
            value_axis(ax, output, values, axis="x", from_zero=False)
            ax.set_ylabel("runs")
            ax.yaxis.set_major_locator(count_ticks())
            ax.legend(fontsize=8)
        _suptitle(fig, f"{title}: distribution of each output over all {len(frame)} runs")
    return fig


def _warn(fig, warnings) -> None:
    """The study's warnings drawn on the figure itself, so the picture cannot travel without them."""
    if warnings:
        width = max(40, int(fig.get_figwidth() * 12))
        fig.supxlabel("\n".join(textwrap.fill("Warning: " + w, width) for w in warnings), color=WARNING_COLOUR,
                      fontsize=9, fontweight="bold")


def _sobol_panel(ax, part: pd.DataFrame) -> None:
    part = part.sort_values("ST", ascending=True)
    y = np.arange(len(part))
    ax.barh(y + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], color="#2b6c9e", label="total order (ST)",
            error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.barh(y - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], color="#9ecae1", label="first order (S1)",
            error_kw={"elinewidth": 0.8, "capsize": 2})
    ends = np.concatenate([part[k] + sign * part[f"{k}_conf"] for k in ("S1", "ST") for sign in (-1, 1)])
    low = max(SOBOL_AXIS[0], min(0.0, float(np.nanmin(ends)) - 0.05))
    high = min(SOBOL_AXIS[1], max(1.0, float(np.nanmax(ends)) + 0.05))
    ax.set_xlim(low, high)
    for offset, key in ((0.2, "ST"), (-0.2, "S1")):           # estimates past the axis: written at its edge
        for row, value in zip(y, part[key]):
            if not low <= value <= high:
                ax.annotate(f"{key} {value:.3g}", (high if value > high else low, row + offset), fontsize=7,
                            color=WARNING_COLOUR, ha="right" if value > high else "left", va="center",
                            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of the output's variance)")
    ax.set_yticks(y, list(part["parameter"]), fontsize=8)
    ax.legend(fontsize=7.5, loc="lower right")


def _morris_panel(ax, part: pd.DataFrame) -> None:
    """mu* (x) against sigma (y): one labelled point per parameter, mu*'s 95% interval as a horizontal bar
    through the point (none, and the legend says why, where the interval could not be estimated: NaN), and
    the lines sigma = 0.1, 0.5 and 1 x mu*."""
    unknown = part["mu_star_conf"].isna().all()
    ax.errorbar(part["mu_star"], part["sigma"], xerr=None if unknown else part["mu_star_conf"].fillna(0), fmt="o",
                color="#2b6c9e", ecolor="#2b6c9e", elinewidth=1.0, capsize=3, markersize=5,
                label="parameter: mu* (its 95% interval cannot be estimated from so few trajectories)" if unknown
                else "parameter: mu* with its 95% interval")
    for _, row in part.iterrows():
        ax.annotate(row["parameter"], (row["mu_star"], row["sigma"]), xytext=(4, 4),
                    textcoords="offset points", fontsize=7.5)
    top = float(max(np.nanmax(part["mu_star"] + part["mu_star_conf"].fillna(0)), np.nanmax(part["sigma"]), 1e-12)) * 1.15
    xs = np.array([0.0, top])
    for ratio in MORRIS_RATIOS:
        ax.plot(xs, ratio * xs, color="#999999", linestyle="--" if ratio == 1 else ":", linewidth=0.9)
        ax.annotate(f"sigma = {ratio:g} mu*", (top, ratio * top), fontsize=7, color="#777777", ha="right", va="bottom")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean size of the elementary effect)")
    ax.set_ylabel("sigma (how much the effect varies)")
    ax.legend(fontsize=7.5, loc="upper left")


def figure_indices(indices: pd.DataFrame, method: str, title: str, warnings=()):
    """Per output: Sobol S1 and ST bars with 95% intervals, parameters ranked; or Morris mu* against sigma.
    `warnings` (too few trajectories, wide intervals) are drawn under the panels."""
    outputs = list(dict.fromkeys(indices["output"]))
    n = indices["parameter"].nunique()
    # Sobol's bars sit side by side; Morris's square scatter panels two to a row, legible at page width
    cols = len(outputs) if method == "sobol" else min(2, len(outputs))
    rows = -(-len(outputs) // cols)
    width, height = (5.2 * cols + 1.0, 0.42 * n + 2.0) if method == "sobol" else (6.2 * cols + 0.5, 4.8 * rows)
    with theme():
        fig, axes = plt.subplots(rows, cols, figsize=(width, height + 0.3 * len(warnings)), squeeze=False)
        for ax, output in zip(axes.flat, outputs):
            part = indices[indices["output"] == output]
            (_sobol_panel if method == "sobol" else _morris_panel)(ax, part)
            ax.set_title(label(output))
        for ax in axes.flat[len(outputs):]:
            ax.remove()
        estimable = "mu_star_conf" in indices and indices["mu_star_conf"].notna().any()
        interval = "mu* with its 95% interval" if estimable else "mu*'s interval n/a (too few trajectories)"
        what = ("first- and total-order indices with 95% intervals, parameters ranked" if method == "sobol" else
                f"mu* against sigma per parameter, {interval}; above the dashed line sigma = mu* a "
                "parameter acts mostly through interactions or non-linearity")
        _suptitle(fig, f"{title}: {what}")
        _warn(fig, list(warnings))
    return fig


# --- fan charts of a metric over time, across a design's points ----------------------------------------
FAN_GROUPS = ("low", "middle", "high")     # terciles of the grouping parameter's values over the design's points
FAN_COLOURS = ("#2166ac", "#1b9e77", "#b2182b")   # low to high; several chosen points cycle through tab10


def metric_label(metric: str) -> str:
    """An axis label for a per-step metric (the model's DataCollector column)."""
    if metric.startswith("territory_"):
        side = metric.removeprefix("territory_")
        # a regime as a sentence names it ("held by the regime", not "held by regime"); other sides by their id
        return f"share of the theatre held by {regime_name(side) if 'regime' in side.split('_') else side}"
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
        labels = series[by].to_numpy()
        if not pd.api.types.is_numeric_dtype(labels):       # a name (a joint calibration's campaign): each its own
            return [(f"{by} = {name}", runs[labels == name]) for name in sorted(set(labels.tolist()), key=str)]
        per_point = pd.Series(labels, index=series["point"].to_numpy()).groupby(level=0).first()
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


def _each_run(runs: int) -> str:
    return "its one run" if runs == 1 else f"each of {runs} runs"


def figure_series_fans(series, metric: str, title: str, by: str | None = None, points=None):
    """A metric over time for groups of runs (fan_groups): the median and the 10th-90th percentile band of
    each group with at least MIN_RUNS_FOR_BAND runs, each run's own line for a smaller group (the legend says
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
            few = f"{name}: {_each_run(len(runs))} (too few for a band)"
            draw_fan(ax, days, values.loc[runs].to_numpy(dtype=float), colour,
                     f"{name}: median and 10th-90th of {len(runs)} runs", few, linewidth=2.0)
        ax.set_xlabel("day of the campaign (a run that ended earlier is held at its last value)")
        ax.set_ylabel(metric_label(metric))
        if is_share(metric):
            # a share of the theatre from 0 to 100%, as the ensemble's fans draw it: a 65-71% axis would make
            # a few points' difference look like the whole theatre changing hands
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(days[0], days[-1])
        # kept to the runs' range so that a change of a few points shows, and labelled as such: a line's
        # height is not its share of the whole
        bottom = ax.get_ylim()[0]
        zoomed = f"\n(zoomed: the axis starts at {bottom:.1%})" if is_share(metric) else f"\n(zoomed: the axis starts at {bottom:.3g})"
        ax.set_ylabel(metric_label(metric) + (zoomed if bottom > 0 else ""))
        ax.legend(fontsize=8, loc="best")
        ax.set_title(textwrap.fill(f"{title}: {metric_label(metric)} over time", 90), fontsize=11)
    return fig
