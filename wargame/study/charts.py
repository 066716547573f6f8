"""Charts of studies: how each output responds to each parameter (with a band over runs), heat maps of an
output over two parameters, the distribution of each output over all runs, and sensitivity indices with
their confidence intervals."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

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
