"""A scenario discovery written down: the lines the command prints, boxes.csv, scores.csv, trajectory.csv,
the three charts and discover.html (self-contained, charts embedded), all written atomically."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from wargame.output.files import write_csv_atomic, write_text_atomic
from wargame.report.html import esc, figure, page
from wargame.report.style import save_figure
from wargame.study import discover_charts
from wargame.study.discover import PEEL_ALPHA, SIGNIFICANCE, THRESHOLD, Discovery, restricted_levers
from wargame.study.report import table_html
from wargame.study.roles import LEVER, UNCERTAINTY

OPERATOR_WORDS = {"<=": "le", ">=": "ge", "==": "eq", "!=": "ne", "<": "lt", ">": "gt", "(": "", ")": ""}


def slug(outcome: str) -> str:
    """A directory name for an outcome: `fell_hama < 10` -> `fell_hama-lt-10`."""
    text = outcome
    for op, word in OPERATOR_WORDS.items():
        text = text.replace(op, f" {word} ")
    return re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-").lower()[:80] or "outcome"


def default_directory(discovery: Discovery) -> Path:
    """STUDY_DIR/discover-<outcome>, with the threshold when it is not the default: another threshold's
    answer is written beside the first, not over it."""
    threshold = f"-t{discovery.threshold:g}" if discovery.threshold != THRESHOLD else ""
    return discovery.study.directory / f"discover-{slug(discovery.outcome)}{threshold}"


def boxes_table(discovery: Discovery) -> pd.DataFrame:
    """One row per restricted parameter of each box, with the box's statistics repeated on each."""
    frames = []
    for box in discovery.boxes:
        limits = box.limits.copy()
        stats = {"box": box.number, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                 "runs": box.runs, "runs_of_interest": box.runs_of_interest, "meets_threshold": box.meets_threshold}
        for k, (name, value) in enumerate(stats.items()):
            limits.insert(k, name, value)
        frames.append(limits)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def summary_lines(discovery: Discovery) -> list[str]:
    """What the command prints: the share, the ranked scores by role, each box with its limits."""
    n, k = len(discovery.holds), int(discovery.holds.sum())
    lines = [f"outcome  {discovery.outcome!r} holds in {k} of {n} runs ({k / n:.0%})"]
    lines += [f"  CAUTION  {caution}" for caution in discovery.cautions]
    lines.append("feature scores (extra trees)")
    for role, title in ((UNCERTAINTY, "uncertainties"), (LEVER, "levers")):
        part = discovery.scores[discovery.scores["role"] == role]
        if len(part):
            lines.append(f"  {title}")
            lines += [f"    {int(r['rank']):>2}. {r['parameter']:<44} {r['score']:.3f}" for _, r in part.iterrows()]
    for box in discovery.boxes:
        short = "" if box.meets_threshold else f"  (short of the threshold density {discovery.threshold:g})"
        lines.append(f"box {box.number}   coverage {box.coverage:.2f}, density {box.density:.2f}, mass {box.mass:.2f}, "
                     f"{box.runs} runs ({box.runs_of_interest} of interest){short}")
        for _, r in box.limits.iterrows():
            lines.append(f"    {r['parameter']:<44} {r['low']:.4g} to {r['high']:.4g}   of {r['study_low']:.4g} to "
                         f"{r['study_high']:.4g}   ({r['role']})")
        lines += [f"    {line}" for line in box_notes(box, discovery)]
    return lines


def box_notes(box, discovery: Discovery) -> list[str]:
    """What a box's table alone would not say: no restriction at all, restrictions dropped as chance,
    which of its restrictions are levers."""
    notes = []
    if box.limits.empty:
        notes.append(f"restricts no parameter: the outcome holds in {discovery.share:.0%} of all runs, so the whole "
                     "study is the box (raise --threshold, or ask about a rarer outcome)" if box.meets_threshold else
                     "restricts no parameter that chance does not explain: no region of this study stands out")
    if box.dropped:
        notes.append(f"dropped as chance (quasi-p above {SIGNIFICANCE:g}): {', '.join(box.dropped)}")
    if box.repeeled:
        notes.append(f"peeled again on {', '.join(box.repeeled)} alone once those were dropped (density "
                     f"{box.density_before:.2f} before, {box.density:.2f} after)")
    if not box.meets_threshold and not box.limits.empty:
        # why a box falls short: PRIM peels a share of the box's runs at a step, so on few runs its steps are coarse
        notes.append(f"short because PRIM peels {PEEL_ALPHA:.0%} of the box's runs at a step (at least one run), so "
                     f"on {len(discovery.holds)} runs its steps are coarse: run more points, or give a lower "
                     f"--threshold")
    if not box.limits.empty:
        levers = restricted_levers(box)
        notes.append(f"levers restricted: {', '.join(levers) if levers else 'none (uncertainties only)'}")
    return notes


def write_discovery(discovery: Discovery, out: str | Path | None = None, command: str = "") -> Path:
    """Write the tables, charts and discover.html to `out` (default STUDY_DIR/discover-<slug>); returns it."""
    out = Path(out) if out else default_directory(discovery)
    figures = out / "figures"
    write_csv_atomic(out / "boxes.csv", boxes_table(discovery))
    write_csv_atomic(out / "scores.csv", discovery.scores)
    trajectories = [box.trajectory.assign(box=box.number, step=range(len(box.trajectory)), chosen=False)
                    for box in discovery.boxes]
    for box, steps in zip(discovery.boxes, trajectories):
        steps.loc[box.chosen, "chosen"] = True
    write_csv_atomic(out / "trajectory.csv", pd.concat(trajectories, ignore_index=True)[
        ["box", "step", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"]])
    drawn = {
        "scores": (save_figure(discover_charts.figure_scores(discovery), figures / "scores.png"),
                   "Feature scores (extra trees, seeded from the study's seed): how much each parameter helps tell "
                   "the runs where the outcome holds from the others; uncertainties and levers apart."),
        "limits": (save_figure(discover_charts.figure_limits(discovery), figures / "limits.png"),
                   "Each box's limits (coloured) within the study's range of each parameter (grey)."),
        "trajectory": (save_figure(discover_charts.figure_trajectory(discovery), figures / "trajectory.png"),
                       "PRIM's peeling trajectory: each step trades coverage for density; ringed, the box reported."),
    }
    write_text_atomic(out / "discover.html", _page(discovery, drawn, command))
    return out


def _page(discovery: Discovery, drawn: dict, command: str) -> str:
    study = discovery.study
    n, k = len(discovery.holds), int(discovery.holds.sum())
    intro = (f"<p>Outcome <b>{esc(discovery.outcome)}</b> holds in {k} of {n} runs ({k / n:.0%}) of the study "
             f"in {esc(study.directory)} ({esc(study.manifest.get('kind', 'study'))} of "
             f"{esc(study.manifest.get('spec', {}).get('scenario', '?'))}). PRIM (the EMA Workbench) looks for boxes "
             "of parameter space where it holds: <i>coverage</i> is the share of the runs of interest inside a box, "
             "<i>density</i> the share of a box's runs that are of interest, <i>mass</i> the share of all runs in it. "
             f"The box reported is the one of highest coverage whose density reaches {discovery.threshold:g} and "
             f"whose every restriction chance does not explain (quasi-p-value at most {SIGNIFICANCE:g}); if there is "
             "none, the widest such box less the restrictions chance explains.</p>"
             + "".join(f"<p><b>Caution:</b> {esc(caution)}.</p>" for caution in discovery.cautions))
    boxes = []
    for box in discovery.boxes:
        short = "" if box.meets_threshold else f" (short of the threshold density {discovery.threshold:g})"
        limits = box.limits.copy()
        for side in ("qp_low", "qp_high"):          # a side left at the study's bound has no test
            limits[side] = [f"{v:.3g}" if pd.notna(v) else "open" for v in limits[side]]
        limits = limits.rename(columns={"qp_low": "quasi-p (low)", "qp_high": "quasi-p (high)"})
        notes = "".join(f"<li>{esc(note)}</li>" for note in box_notes(box, discovery))
        boxes.append(f"<h3>Box {box.number}</h3><p>coverage {box.coverage:.2f}, density {box.density:.2f}, "
                     f"mass {box.mass:.2f}, {box.runs} runs ({box.runs_of_interest} of interest){esc(short)}.</p><ul>{notes}</ul>"
                     + (table_html(limits) if not limits.empty else ""))
    scores = "".join(f"<h3>{esc(title)}</h3>" + table_html(part) for role, title in
                     ((UNCERTAINTY, "Uncertainties"), (LEVER, "Levers"))
                     if len(part := discovery.scores[discovery.scores["role"] == role]))
    sections = {"outcome": ("Outcome", intro), "boxes": ("Boxes", "".join(boxes)),
                "scores": ("Feature scores", scores),
                "charts": ("Charts", "".join(figure(path, caption) for path, caption in drawn.values())),
                "reproduce": ("Reproduce", f"<pre>{esc(command)}</pre><p>boxes.csv, scores.csv and trajectory.csv "
                              "hold the tables; the runs are the study's runs.parquet.</p>")}
    title = f"Scenario discovery: {discovery.outcome}"
    return page(title, title, esc(str(study.directory)), sections)
