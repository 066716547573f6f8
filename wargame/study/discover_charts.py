"""Charts of a scenario discovery: PRIM's peeling trajectory with the chosen box marked, each box's limits
against the study's ranges, and the feature scores with the uncertainties and the levers apart."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from wargame.report.style import theme
from wargame.study.roles import LEVER, UNCERTAINTY

ROLE_COLOURS = {UNCERTAINTY: "#2b6c9e", LEVER: "#d95f02"}
ROLE_TITLES = {UNCERTAINTY: "Uncertainties (no actor controls them)", LEVER: "Levers (an actor's policy)"}
RANGE_GREY = "#d9d9d9"


def _title(fig, text: str) -> None:
    fig.suptitle(textwrap.fill(text, max(40, int(fig.get_figwidth() * 11))), fontsize=11)


def figure_trajectory(discovery):
    """Coverage against density at every step of each box's peeling trajectory (colour: how many
    parameters the box restricts), the threshold as a dashed line and the chosen box ringed."""
    with theme():
        fig, ax = plt.subplots(figsize=(7.2, 5.0))
        most = max(int(box.trajectory["res_dim"].max()) for box in discovery.boxes) or 1
        points = None
        for box in discovery.boxes:
            steps = box.trajectory.iloc[:box.peeled]          # the peeling and pasting; drops are marked apart
            if box.dropped:
                picked = box.trajectory.iloc[box.picked]
                ax.scatter([picked["coverage"]], [picked["density"]], marker="s", s=110, facecolors="none",
                           edgecolors="black", linewidths=1.2, zorder=3,
                           label=f"box {box.number} as peeled, before the restrictions chance explains were dropped")
            points = ax.scatter(steps["coverage"], steps["density"], c=steps["res_dim"], cmap="viridis", vmin=0,
                                vmax=most, s=22, zorder=2)
            ax.plot(steps["coverage"], steps["density"], color="#999999", linewidth=0.8, zorder=1)
            ax.scatter([box.coverage], [box.density], s=170, facecolors="none", edgecolors="#d62728", linewidths=1.8,
                       zorder=3)
            # the reported box in its own colour on top: a step of the peeling drawn at the same point may restrict
            # more parameters than the box kept once chance restrictions were dropped
            ax.scatter([box.coverage], [box.density], c=[len(box.limits)], cmap="viridis", vmin=0, vmax=most, s=34,
                       edgecolors="white", linewidths=0.8, zorder=4)
            ax.annotate(f"box {box.number}: coverage {box.coverage:.2f}, density {box.density:.2f}",
                        (box.coverage, box.density), xytext=(-14, 0), textcoords="offset points", ha="right",
                        va="center", fontsize=8.5, color="#d62728",
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        ax.axhline(discovery.threshold, color="#d62728", linestyle="--", linewidth=0.9,
                   label=f"threshold density {discovery.threshold:g}")
        ax.axhline(discovery.share, color="#777777", linestyle=":", linewidth=0.9,
                   label=f"share of all runs {discovery.share:.2f}")
        colourbar = fig.colorbar(points, ax=ax, ticks=range(most + 1))
        colourbar.set_label("parameters restricted")
        ax.set_xlim(-0.02, 1.04)
        ax.set_ylim(0, 1.04)
        ax.set_xlabel("coverage (share of the runs of interest inside the box)")
        ax.set_ylabel("density (share of the box's runs of interest)")
        ax.legend(fontsize=8, loc="lower left")
        _title(fig, f"PRIM peeling trajectory for {discovery.outcome!r} ({discovery.holds.sum()} of "
                    f"{len(discovery.holds)} runs); ringed: the box reported")
    return fig


def figure_limits(discovery):
    """One row per restricted parameter of each box: the study's range in grey, the box's part of it in
    the colour of the parameter's role, the limits written at its ends."""
    rows = [(box, row) for box in discovery.boxes for _, row in box.limits.iterrows()]
    with theme():
        fig, ax = plt.subplots(figsize=(8.0, 0.55 * max(1, len(rows)) + 1.6))
        if not rows:                     # say so rather than draw an empty frame an analyst could misread
            ax.axis("off")
            ax.text(0.5, 0.5, textwrap.fill("No parameter restricted: the box is the whole study (see the "
                                            "report's notes).", 60), ha="center", va="center", fontsize=10)
            _title(fig, f"Where {discovery.outcome!r} holds")
            return fig
        labels = []
        for y, (box, row) in enumerate(reversed(rows)):
            span = row["study_high"] - row["study_low"] or 1.0
            low, high = (row["low"] - row["study_low"]) / span, (row["high"] - row["study_low"]) / span
            ax.barh(y, 1.0, left=0.0, height=0.5, color=RANGE_GREY, zorder=1)
            ax.barh(y, high - low, left=low, height=0.5, color=ROLE_COLOURS[row["role"]], zorder=2)
            ax.text(-0.01, y, f"{row['study_low']:.3g}", ha="right", va="center", fontsize=7.5, color="#555555")
            ax.text(1.01, y, f"{row['study_high']:.3g}", ha="left", va="center", fontsize=7.5, color="#555555")
            ax.text(low, y + 0.3, f"{row['low']:.3g}", ha="center", va="bottom", fontsize=7.5)
            ax.text(high, y + 0.3, f"{row['high']:.3g}", ha="center", va="bottom", fontsize=7.5)
            prefix = f"box {box.number}: " if len(discovery.boxes) > 1 else ""
            labels.append(f"{prefix}{row['parameter']}\n({row['role']})")
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.7, len(rows) - 0.2)
        ax.set_xticks([0, 0.5, 1], ["study's low", "middle", "study's high"])
        ax.grid(False)
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (*ROLE_COLOURS.values(), RANGE_GREY)]
        ax.legend(handles, ["box (uncertainty)", "box (lever)", "study's range"], fontsize=7.5, loc="upper center",
                  bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)
        stats = "; ".join(f"box {b.number}: coverage {b.coverage:.2f}, density {b.density:.2f}, {b.runs} runs"
                          for b in discovery.boxes)
        _title(fig, f"Where {discovery.outcome!r} holds: the parameters each box restricts ({stats})")
    return fig


def figure_scores(discovery):
    """Extra-trees feature scores, ranked within the uncertainties and within the levers, on one scale."""
    scores = discovery.scores
    groups = [(role, scores[scores["role"] == role]) for role in (UNCERTAINTY, LEVER)]
    groups = [(role, part) for role, part in groups if len(part)]
    top = float(scores["score"].max()) * 1.15 or 1.0
    even = 1.0 / len(scores)
    with theme():
        fig, axes = plt.subplots(len(groups), 1, figsize=(7.2, 0.38 * len(scores) + 1.2 * len(groups) + 0.6),
                                 squeeze=False, gridspec_kw={"height_ratios": [len(p) + 1 for _, p in groups]})
        for ax, (role, part) in zip(axes[:, 0], groups):
            part = part.iloc[::-1]
            y = np.arange(len(part))
            ax.barh(y, part["score"], color=ROLE_COLOURS[role], height=0.6)
            for yy, value in zip(y, part["score"]):
                ax.text(value + top * 0.01, yy, f"{value:.2f}", va="center", fontsize=7.5)
            ax.set_yticks(y, list(part["parameter"]), fontsize=8)
            # what each parameter would score if none told the runs apart better than another: a score near
            # it says little on a few dozen runs
            ax.axvline(even, color="#555555", linestyle=":", linewidth=1.0, label=f"an even share, 1/{len(scores)}")
            ax.set_xlim(0, top)
            ax.set_title(ROLE_TITLES[role], fontsize=9.5, loc="left")
        axes[-1, 0].legend(fontsize=7.5, loc="lower right")
        axes[-1, 0].set_xlabel("feature score (extra trees; all parameters sum to 1)")
        _title(fig, f"Which parameters tell apart the runs where {discovery.outcome!r} holds")
    return fig
