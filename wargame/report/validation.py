"""The validation page (`python run.py validate-history` writes validation.html): each campaign's historical
targets beside the model's distribution, the campaign's bar, Dupuy's regularities, the calibration loss
target by target, and the December 2024 prediction in a section of its own (never a target, never in the loss).

It reads the report and outcome frames the validation suite returns (experiments.validation); it runs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wargame.core.errors import WargameError
from wargame.experiments.history import campaigns, loss_breakdown
from wargame.experiments.validation import band_days
from wargame.output.files import write_text_atomic
from wargame.report.html import esc, figure, page
from wargame.report.style import save_figure, theme

PASS_COLOUR, FAIL_COLOUR, REPORTED_COLOUR = "#1b7837", "#b2182b", "#777777"
WINDOW_COLOUR = "#f1d58a"
RUN_ALPHA = 0.25
JITTER = 0.18                # vertical spread of the runs' dots about their target's row
CAPTION = ("Each target: history's window (shaded; hatched where the event must not happen), history's day "
           "(black bar), every run (dots; at the right edge, runs in which it never happened), the model's median "
           "(circle) and 10th-90th percentile (bar), green where the target passes, red where it fails, grey "
           "where it is only reported.")


def _timing(scenario: str, frame: pd.DataFrame) -> tuple[dt.datetime | None, float]:
    """The campaign's day 0 and its length in days (runs that met the campaign's end stop early)."""
    from wargame.core.scenario import load_scenario

    ran = float(frame["end_day"].max()) if len(frame) else 1.0
    try:
        meta = load_scenario(scenario).scenario.meta
    except WargameError:     # the page still draws with days alone if a scenario no longer loads
        return None, ran
    return meta.start, max(ran, float(meta.duration_days))


def _day(value: float) -> str:
    if math.isnan(value):                    # no band under MIN_RUNS_FOR_BAND runs
        return "n/a"
    return "never" if math.isinf(value) else f"{value:.1f}"


def _result(passed: bool | None, none: str = "reported") -> str:
    colour, word = {True: (PASS_COLOUR, "PASS"), False: (FAIL_COLOUR, "FAIL"), None: (REPORTED_COLOUR, none)}[passed]
    return f'<b style="color:{colour}">{word}</b>'


def figure_targets(title: str, scores: list, frame: pd.DataFrame, start: dt.datetime | None, end: float) -> Figure:
    """One row per day target: the historical window (shaded), the day history gives (a black bar), every
    run (faint dots; runs in which it never happened at the right edge) and the model's median and
    10th-90th percentile (a coloured line): green where the target passes, red where it fails, grey where it
    is only reported."""
    rows = [s for s in scores if s.target.kind == "day"]
    never_x = end * 1.04 + 1.0
    fig = Figure(figsize=(9.5, 1.3 + 0.5 * len(rows)))
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)           # the jitter of the dots only; nothing of the model
    for y, s in enumerate(rows):
        t = s.target
        ax.axhspan(y - 0.4, y + 0.4, xmin=0, xmax=1, color="#f7f7f7" if y % 2 else "white", zorder=0)
        high = min(t.high, end)
        ax.fill_betweenx([y - 0.32, y + 0.32], t.low, high, color=WINDOW_COLOUR, alpha=0.8, zorder=1,
                         hatch="//" if t.never else None, edgecolor="#b08d2a" if t.never else None, linewidth=0)
        if not t.never and not math.isnan(t.historical):
            ax.plot([t.historical, t.historical], [y - 0.34, y + 0.34], color="black", lw=2.2, zorder=4)
        values = frame[t.column].to_numpy(dtype=float) if t.column in frame else np.array([])
        xs = np.where(np.isnan(values), never_x, values)
        ax.scatter(xs, y + rng.uniform(-JITTER, JITTER, xs.size), s=7, color="#333333", alpha=RUN_ALPHA,
                   zorder=2, linewidths=0)
        colour = {True: PASS_COLOUR, False: FAIL_COLOUR, None: REPORTED_COLOUR}[s.passed]
        p10, p90, median = (min(v, never_x) for v in (s.p10, s.p90, s.median))
        ax.plot([p10, p90], [y, y], color=colour, lw=3.2, solid_capstyle="butt", zorder=5)
        ax.plot([median], [y], marker="o", ms=7, color=colour, markeredgecolor="white", zorder=6)
    ax.set_yticks(range(len(rows)), [f"{s.target.id}  {s.target.label}"[:58] for s in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, never_x + 1.0)
    ax.axvline(end * 1.02 + 0.5, color="#999999", lw=0.8, ls=":")
    ticks = [x for x in ax.get_xticks() if 0 <= x <= end]
    ax.set_xticks([*ticks, never_x], [*(f"{x:g}" for x in ticks), "never"])
    when = f" (day 0 = {start:%d %b %Y})" if start else ""
    ax.set_xlabel(f"days from the start{when}")
    ax.set_title(title, loc="left", fontsize=10)
    fig.set_layout_engine("constrained")
    return fig


def figure_out_of_sample(rows: list[tuple[str, str, object]], frames: dict[str, pd.DataFrame]) -> Figure:
    """The December 2024 events as the model predicts them: every run's day, median and 10th-90th
    percentile. No window and no history is drawn: the page states what happened in a table beside it."""
    fig = Figure(figsize=(9.5, 1.3 + 0.45 * len(rows)))
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)
    end = max(_timing(s, frames[s])[1] for s, _, _ in rows)
    never_x = end * 1.04 + 1.0
    for y, (scenario, _, s) in enumerate(rows):
        column = s.target.column
        values = frames[scenario][column].to_numpy(dtype=float)
        xs = np.where(np.isnan(values), never_x, values)
        ax.scatter(xs, y + rng.uniform(-JITTER, JITTER, xs.size), s=7, color="#333333", alpha=RUN_ALPHA,
                   linewidths=0)
        p10, p90, median = (min(v, never_x) for v in (s.p10, s.p90, s.median))
        ax.plot([p10, p90], [y, y], color="#24527a", lw=3.2, solid_capstyle="butt")
        ax.plot([median], [y], marker="o", ms=7, color="#24527a", markeredgecolor="white")
    ax.set_yticks(range(len(rows)), [label for _, label, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, never_x + 1.0)
    ticks = [x for x in ax.get_xticks() if 0 <= x <= end]
    ax.set_xticks([*ticks, never_x], [*(f"{x:g}" for x in ticks), "never"])
    ax.set_xlabel("days from 27 Nov 2024 05:00")
    ax.set_title("December 2024, out of sample", loc="left", fontsize=10)
    fig.set_layout_engine("constrained")
    return fig


def _targets_table(scores: list) -> str:
    head = ("<tr><th>id</th><th>target</th><th>conf.</th><th>history</th><th>window</th><th>median</th>"
            "<th>10th-90th</th><th>in window</th><th>needs</th><th>result</th><th>source</th></tr>")
    rows = []
    for s in scores:
        t = s.target
        history = "does not happen" if t.never else (f"{t.historical:g}" if t.kind == "value" else f"day {t.historical:g}")
        needs = ("median" if t.on_median else f"{t.required:.0%}") if t.checked else "-"
        rows.append(f"<tr><td>{esc(t.id)}</td><td>{esc(t.label)}</td><td>{esc(t.confidence)}</td>"
                    f"<td>{esc(history)}</td><td class='num'>{t.low:g}-{t.high:g}</td>"
                    f"<td class='num'>{_day(s.median)}</td><td class='num'>{band_days(s)}</td>"
                    f"<td class='num'>{s.hit:.0%}</td><td class='num'>{needs}</td><td>{_result(s.passed)}</td>"
                    f"<td class='dim'>{esc(t.source)}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _regularities_table(regularities: list) -> str:
    head = "<tr><th>campaign</th><th>regularity</th><th>held in</th><th>result</th><th>detail</th></tr>"
    rows = "".join(f"<tr><td>{esc(r.scenario)}</td><td>{esc(r.description)}</td>"
                   f"<td class='num'>{r.holds:.0%} of {r.observed}</td><td>{_result(r.passed, 'n/a')}</td>"
                   f"<td class='dim'>{esc(r.detail)}</td></tr>" for r in regularities)
    return f"<table>{head}{rows}</table>"


def _loss_table(frames: dict[str, pd.DataFrame]) -> str:
    table = loss_breakdown(frames)
    if table.empty:
        return "<p>No checked target.</p>"
    head = ("<tr><th>campaign</th><th>target</th><th>conf.</th><th>weight</th><th>median error</th>"
            "<th>spread error</th><th>missed bar</th><th>loss</th><th>share</th></tr>")
    rows = "".join(f"<tr><td>{esc(r.scenario)}</td><td>{esc(r.target)} {esc(r.label)}</td><td>{esc(r.confidence)}</td>"
                   f"<td class='num'>{r.weight:g}</td><td class='num'>{r.median:.2f}</td>"
                   f"<td class='num'>{r.spread:.2f}</td><td class='num'>{r.penalty:.1f}</td>"
                   f"<td class='num'><b>{r.loss:.2f}</b></td><td class='num'>{r.share:.0%}</td></tr>"
                   for r in table.itertuples())
    total = f"<p>Total loss <b>{table['loss'].sum():.3f}</b> over {len(table)} checked targets.</p>"
    return total + f"<table>{head}{rows}</table>"


def write_validation_page(directory: Path, report, frames: dict[str, pd.DataFrame], command: str = "") -> Path:
    """validation.html in `directory`, with its figures under figures/."""
    known = campaigns()
    figures = Path(directory) / "figures"
    results = {r.campaign.scenario: r for r in report.campaigns()}
    verdict = "PASS" if report.passed else "FAIL"
    summary = "".join(
        f"<tr><td><a href='#{r.campaign.scenario}'>{esc(r.campaign.scenario)}</a></td><td>{esc(r.campaign.title)}</td>"
        f"<td class='num'>{r.met} of {r.checked}</td><td class='num'>{r.share:.0%}</td>"
        f"<td class='num'>{r.campaign.bar:.0%}</td><td>{_result(r.passed)}</td></tr>" for r in results.values())
    intro = (f"<p>{report.runs} seeded runs of each campaign (master seed {report.master_seed}) with one rule "
             f"set; only the situation differs between the scenarios. Overall: {_result(report.passed)}.</p>"
             "<p>Each campaign must meet its bar: the share of its checked targets (those the facts files grade "
             "H or M) that pass. Targets graded L or U are drawn and listed but neither pass nor fail. A target "
             "passes when the share of runs in its window reaches the share it needs.</p>"
             "<table><tr><th>campaign</th><th></th><th>targets met</th><th>share</th><th>bar</th><th>result</th></tr>"
             f"{summary}</table>")
    sections: dict[str, tuple[str, str]] = {"summary": ("Summary", intro)}
    with theme():
        for scenario, frame in frames.items():
            campaign = known.get(scenario)
            scores = [s for s in report.scores if s.target.scenario == scenario]
            if campaign is None or not scores:
                continue
            start, end = _timing(scenario, frame)
            drawn = save_figure(figure_targets(campaign.title, scores, frame, start, end),
                                figures / f"targets_{scenario}.png")
            result = results.get(scenario)
            line = (f"<p>{esc(campaign.facts)}. {result.met} of {result.checked} checked targets met "
                    f"({result.share:.0%}; the bar is {campaign.bar:.0%}): {_result(result.passed)}.</p>"
                    if result else "")
            sections[scenario] = (campaign.title, line + figure(drawn, CAPTION) + _targets_table(scores))
        sections["regularities"] = ("Dupuy's regularities", _regularities_table(report.regularities))
        sections["loss"] = ("The calibration loss, target by target",
                            "<p>What the joint calibration minimises (experiments/history.py, target_loss): each "
                            "checked target's median error scaled by its window, the error of its spread (10th-90th "
                            "percentile) against what the sources allow, and a penalty if it misses its bar.</p>"
                            + _loss_table(frames))
        if report.out_of_sample:
            rows = list(report.out_of_sample)
            drawn = save_figure(figure_out_of_sample(rows, frames), figures / "out_of_sample.png")
            history = {(c.scenario, o.label): o.history for c in known.values() for o in c.out_of_sample}
            table = "".join(f"<tr><td>{esc(label)}</td><td class='num'>{s.happened:.0%}</td>"
                            f"<td class='num'>{_day(s.median)}</td><td class='num'>{band_days(s)}</td>"
                            f"<td>{esc(history.get((scenario, label), ''))}</td></tr>" for scenario, label, s in rows)
            sections["out_of_sample"] = (
                "December 2024: the out-of-sample prediction",
                "<p>The events after 1 December 2024 (the fall of Hama, Homs and Damascus, the south, the regime's "
                "collapse) are the out-of-sample test. They are never targets and never in the loss; nothing was "
                "tuned to them. This is what the model predicts, whatever it is.</p>"
                + figure(drawn, "December 2024 as the model predicts it: every run (dots; at the right edge, runs in "
                                "which it never happened), the median (circle) and 10th-90th percentile (bar).")
                + "<table><tr><th>event</th><th>share of runs</th><th>median day</th><th>10th-90th</th>"
                  f"<th>what happened</th></tr>{table}</table>")
    if command:
        sections["reproduce"] = ("Reproduce", f"<pre>{esc(command)}</pre><p>The outcome rows of every run are in "
                                 "&lt;campaign&gt;_outcomes.csv, the scores in summary.csv, the loss in loss.csv.</p>")
    title = f"Validation against history: {verdict}"
    stamp = dt.datetime.now().strftime("%d %b %Y %H:%M")
    return write_text_atomic(Path(directory) / "validation.html",
                             page(title, title, f"written {esc(stamp)}", sections))
