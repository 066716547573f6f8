"""Charts of studies: each output over each parameter (all runs pooled, with a band only where there are
enough runs for one), heat maps of an output over two parameters, the distribution of each output over all
runs, and sensitivity indices with their confidence intervals (Sobol bars; Morris mu* against sigma).

Axes say what they measure: shares run from 0 to 1, counts have whole-number ticks, other outputs start at
zero, and an axis that does not says so ("zoomed: ...")."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from wargame.report.charts import count_ticks
from wargame.report.style import theme
from wargame.study.outputs import is_count, is_share, label

BINS = 8
# A 10th-90th percentile band needs at least this many runs at a level: with fewer, the "percentiles" are
# the lowest and highest runs (or lie between them by interpolation), a band that claims a spread the runs
# have not shown. Below it the runs themselves are drawn.
MIN_BAND_RUNS = 5
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
    elif values.size and values.min() > 0:
        text += f"\n(zoomed: runs span {values.min():.3g}-{values.max():.3g})"
    set_label(text, fontsize=8.5)


def figure_responses(frame: pd.DataFrame, paths: list[str], outputs: list[str], title: str):
    """One panel per (output, parameter): every run as a dot, the median of the runs at each level (or bin)
    as a line, and their 10th-90th percentile as a band when every level has MIN_BAND_RUNS runs or more.
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
                if counts.min() >= MIN_BAND_RUNS:
                    ax.fill_between(centres, groups.quantile(0.1), groups.quantile(0.9), color=BAND_COLOUR,
                                    alpha=0.2, linewidth=0)
                ax.plot(centres, groups.median(), color=BAND_COLOUR, marker="o", markersize=3)
                value_axis(ax, output, frame[output])
                if j:
                    ax.set_ylabel("")
                ax.set_xlabel(path.split(".", 1)[-1] if i == len(outputs) - 1 else "", fontsize=8.5)
                ax.tick_params(labelsize=7.5)
        banded = fewest is not None and fewest >= MIN_BAND_RUNS
        handles = [Line2D([], [], marker="o", linestyle="", color=RUN_COLOUR, label="one run"),
                   Line2D([], [], color=BAND_COLOUR, marker="o", markersize=3,
                          label="median of the runs at that value (or bin)" + (" (other parameters varying)" if pooled else ""))]
        if banded:
            handles.append(Patch(color=BAND_COLOUR, alpha=0.2, label="10th-90th percentile of those runs"))
        else:
            handles.append(Patch(color="none", label=f"no percentile band: {fewest} run{'s' * (fewest != 1)} at some "
                                                     f"values, fewer than {MIN_BAND_RUNS}"))
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
        ax.set_title(textwrap.fill(f"{title}: mean {label(output)} by {x.split('.', 1)[-1]} and "
                                   f"{y.split('.', 1)[-1]}", 80))
    return fig


def figure_distributions(frame: pd.DataFrame, outputs: list[str], title: str):
    with theme():
        fig, axes = plt.subplots(1, len(outputs), figsize=(4.0 * len(outputs) + 0.5, 3.6), squeeze=False)
        for ax, output in zip(axes[0], outputs):
            values = frame[output].dropna()
            ax.hist(values, bins=min(30, max(5, len(values) // 5)), color=BAND_COLOUR, alpha=0.8)
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
    ax.set_yticks(y, [p.split(".", 1)[-1] for p in part["parameter"]], fontsize=8)
    ax.legend(fontsize=7.5, loc="lower right")


def _morris_panel(ax, part: pd.DataFrame) -> None:
    """mu* (x) against sigma (y): one labelled point per parameter, mu*'s 95% interval as a horizontal bar
    through the point, and the lines sigma = 0.1, 0.5 and 1 x mu*."""
    ax.errorbar(part["mu_star"], part["sigma"], xerr=part["mu_star_conf"], fmt="o", color="#2b6c9e", ecolor="#2b6c9e",
                elinewidth=1.0, capsize=3, markersize=5, label="parameter: mu* with its 95% interval")
    for _, row in part.iterrows():
        ax.annotate(row["parameter"].split(".", 1)[-1], (row["mu_star"], row["sigma"]), xytext=(4, 4),
                    textcoords="offset points", fontsize=7.5)
    top = float(max(np.nanmax(part["mu_star"] + part["mu_star_conf"]), np.nanmax(part["sigma"]), 1e-12)) * 1.15
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
        what = ("first- and total-order indices with 95% intervals, parameters ranked" if method == "sobol" else
                "mu* against sigma per parameter, mu* with its 95% interval; above the dashed line sigma = mu* a "
                "parameter acts mostly through interactions or non-linearity")
        _suptitle(fig, f"{title}: {what}")
        _warn(fig, list(warnings))
    return fig
