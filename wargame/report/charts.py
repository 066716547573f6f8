"""The analysts' charts of a finished run: forces, unit states, territory, air, supply, captured equipment and
the will to fight.

Each chart is a function ``figure_<name>(run) -> Figure`` over a RunData (files only, no model), and
``draw_charts(run, out_dir)`` writes them all as ``<name>.png``. What the metrics are (see wargame/core/metrics.py):
personnel, morale, cohesion, unit states, territory, cities, supply and aircraft are levels at each step;
killed/captured tallies, air sorties, strikes, missiles, drone raids and captured equipment are running
totals since the start, so the air chart turns them into totals per day.

Values are joined by straight lines: a metric is sampled at the end of each step, and when in the step a
change came is not known (step lines would also hide the value of the first or the last step).

A side or faction that is zero throughout a chart is left out of it; a panel with nothing to show keeps
its axes and says "none in this run", so a short or quiet run still gets every chart.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from wargame.core.agents.unit import STATES
from wargame.core.campaign import regime_name
from wargame.experiments.bands import BAND, MIN_RUNS_FOR_BAND
from wargame.output import RunData
from wargame.report.agg import TextCanvasAgg
from wargame.report.style import (
    STATE_COLOURS,
    date_numbers,
    faction_styles,
    format_date_axis,
    run_caption,
    save_figure,
    short_name,
    side_styles,
    theme,
)
from wargame.report.will import FACTOR_NAMES, collapsed_days, entries, major_falls

WIDTH = 10.5                    # inches: the report's column; legends go in a strip on the right
LEGEND_STRIP = 0.45             # the most of a chart's width that strip takes: the panels keep the rest
NONE_NOTE = "none in this run"
EQUIPMENT = {                   # metric kind: what one of it is
    "armour": "armoured vehicles",
    "artillery": "artillery pieces",
    "air_defence": "air-defence systems",
    "aircraft": "aircraft",
}
AIR = {                         # metric prefix: (panel title, what is counted)
    "sorties": ("Sorties flown", "sorties"),
    # a wing spreads its sorties over targets (at most rules.air max_sorties_per_target each), so a day of few
    # sorties may still strike several targets, each with a share of one: the count is of targets
    "air_strikes": ("Targets struck from the air", "targets"),
    "missiles": ("Missiles fired", "missiles"),
    # a faction's `drones` raiding bases; drones flown as an air wing (Turkey's in 2020) count as sorties
    "drone_raids": ("Drone raids on airbases", "raids"),
}


def draw_fan(ax, x, values: np.ndarray, colour, label: str, few_label: str, linestyle: str = "-",
             linewidth: float | None = None) -> None:
    """Runs (rows of `values`) over `x`: their median and 10th-90th percentile band, labelled `label`; with
    fewer than MIN_RUNS_FOR_BAND runs (whose percentiles would be the lowest and highest run) each run's own
    line instead, the first labelled `few_label`. Ensemble, comparison and study fans all draw this way."""
    if len(values) < MIN_RUNS_FOR_BAND:
        for k, run in enumerate(values):
            ax.plot(x, run, color=colour, linestyle=linestyle, linewidth=0.9, alpha=0.75,
                    label=few_label if k == 0 else None)
        return
    low, mid, high = np.nanquantile(values, [BAND[0], 0.5, BAND[1]], axis=0)
    ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
    ax.plot(x, mid, color=colour, linestyle=linestyle, linewidth=linewidth, label=label)


def count_ticks() -> MaxNLocator:
    """Whole-number ticks at round steps (5, 10, 20 ... rather than 8, 16, 24) for a count axis."""
    return MaxNLocator(integer=True, steps=(1, 2, 5, 10))


# Counts on a y axis: thousands separated, and no rounding of a fractional tick to a repeated label
COUNT_FORMAT = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 100 or v == round(v) else f"{v:g}")


# ---------------------------------------------------------------- shared pieces

def _column(run: RunData, name: str) -> np.ndarray:
    """A metric as floats; zeros when an older run lacks it (so a chart degrades instead of failing)."""
    m = run.metrics
    return m[name].to_numpy(dtype=float) if name in m else np.zeros(len(m))


def _x(run: RunData) -> np.ndarray:
    return date_numbers(run, run.metrics["day"].to_numpy(dtype=float))


def _figure(run: RunData, what: str, nrows: int, ncols: int = 1, height: float = 2.3, ratios=None,
            note: str = "", **kwargs):
    """A figure of nrows x ncols panels (`height` inches per unit of `ratios`), titled with the chart, the
    scenario and the seed, and captioned at the foot with what the run was."""
    ratios = list(ratios) if ratios is not None else [1.0] * nrows
    gridspec = {"height_ratios": ratios, **kwargs.pop("gridspec_kw", {})}
    # A bare Figure with its own Agg canvas, not pyplot's: nothing global to leak or close if drawing
    # fails, and no dependence on the session's backend; its texts drawn in one piece (report.agg).
    fig = Figure(figsize=(WIDTH, 1.25 + height * sum(ratios)))
    TextCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, gridspec_kw=gridspec, **kwargs)
    title = f"{what} — {run.scenario.meta.title} (seed {run.info.get('seed')})"
    fig.suptitle(textwrap.fill(title, 100))
    fig.supxlabel(textwrap.fill(" ".join(filter(None, (run_caption(run), note))), 175), fontsize=8,
                  color="#555555")
    return fig, axes


def _none(ax, note: str = NONE_NOTE) -> None:
    """An empty panel: its axes and dates stay, a note in the middle says why there is nothing."""
    ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", fontsize=10, style="italic",
            color="#777777")
    ax.set_ylim(0, 1)
    ax.set_yticks([])


def _dates(axes, run: RunData) -> None:
    """Date ticks on every time axis (labels only at the bottom of a column), day numbers on top."""
    for ax in axes:
        format_date_axis(ax, run)
    format_date_axis(axes[0], run, day_axis=True)


def _legend_right(ax, handles, labels, title: str | None = None, bold: tuple[int, ...] = ()):
    """A legend in the strip right of `ax` (the top panel of the right-hand column for a figure-wide
    one), top-aligned with it (_finish makes room). Entries in `bold` are group headings."""
    legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.015, 1.0), borderaxespad=0,
                       handlelength=2.6, title=title, alignment="left")
    for i in bold:
        legend.get_texts()[i].set_fontweight("bold")
    return legend


def _finish(fig) -> Figure:
    """Make room for the legends in a strip on the right. They are kept out of constrained layout, which
    would otherwise stretch a panel's margin to the height of a tall legend beside it (squashing the
    panel), and the layout is confined to the figure less the widest legend instead."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    if not legends:
        return fig
    renderer = fig.canvas.get_renderer()
    widest = 0.0
    room = (LEGEND_STRIP - 0.03) * fig.bbox.width
    for legend in legends:
        legend.set_in_layout(False)
        if legend.get_window_extent(renderer).height > 0.85 * fig.bbox.height:
            legend.set_ncols(2)                       # a very long list: two columns rather than off the foot
        _wrap_to(legend, renderer, room)
        widest = max(widest, legend.get_window_extent(renderer).width)
    strip = min(LEGEND_STRIP, widest / fig.bbox.width + 0.03)
    fig.get_layout_engine().set(rect=(0, 0, 1 - strip, 1))
    return fig


def _wrap_to(legend, renderer, room: float) -> None:
    """Wrap the entries of a legend wider than `room` pixels onto more lines, so that it stays inside the
    figure (a long faction's name with its will, start and end, ran off the edge of the will chart)."""
    width = legend.get_window_extent(renderer).width
    if width <= room:
        return
    texts = legend.get_texts()
    widths = [t.get_window_extent(renderer).width for t in texts]
    keep = room - (width - max(widths))               # what an entry may take beside its handle and padding
    for text, own in zip(texts, widths):
        if own <= keep:
            continue
        label = text.get_text()
        chars = max(12, int(len(label) * keep / own))
        text.set_text("\n".join(textwrap.fill(line, chars, break_on_hyphens=False) for line in label.split("\n")))


def _shown_sides(run: RunData, prefix: str) -> list[str]:
    return [sid for sid in run.scenario.sides if np.any(_column(run, f"{prefix}_{sid}") != 0)]


def _side_handles(run: RunData, sides, labels=None):
    styles = side_styles(run.scenario)
    handles = [Line2D([], [], lw=2, **styles[sid].line()) for sid in sides]
    return handles, labels or [short_name(run.scenario.sides[sid].name) for sid in sides]


# ---------------------------------------------------------------- forces

def figure_forces(run: RunData) -> Figure:
    """Personnel, morale and cohesion of each faction over time (factions never fielded left out)."""
    sc = run.scenario
    styles = faction_styles(sc)
    shown = [fid for fid in sc.factions if np.any(_column(run, f"personnel_{fid}") > 0)]
    with theme():
        fig, axes = _figure(run, "Forces by faction", 3, sharex=True, height=2.25)
        axes = axes[:, 0]
        x = _x(run)
        for fid in shown:
            personnel = _column(run, f"personnel_{fid}")
            fielded = personnel > 0           # morale and cohesion of a faction with no one left mean nothing
            axes[0].plot(x, personnel / 1000, **styles[fid].line())
            for ax, measure in zip(axes[1:], ("morale", "cohesion")):
                ax.plot(x, np.where(fielded, _column(run, f"{measure}_{fid}"), np.nan), **styles[fid].line())
        axes[0].set_title("Personnel")
        axes[0].set_ylabel("personnel (thousands)")
        axes[0].set_ylim(bottom=0)
        axes[1].set_title("Morale (personnel-weighted mean)")
        axes[1].set_ylabel("morale (0–1)")
        axes[2].set_title("Cohesion (personnel-weighted mean)")
        axes[2].set_ylabel("cohesion (0–1)")
        for ax in axes[1:]:
            ax.set_ylim(0, 1.02)
        if not shown:
            for ax in axes:
                _none(ax)
        _dates(axes, run)
        handles, labels, bold = [], [], []
        for sid, side in sc.sides.items():            # factions listed under their side
            members = [fid for fid in shown if sc.factions[fid].side == sid]
            if not members:
                continue
            bold.append(len(labels))
            handles.append(Line2D([], [], color="none"))
            labels.append(short_name(side.name))
            handles += [Line2D([], [], lw=2, **styles[fid].line()) for fid in members]
            labels += [short_name(sc.factions[fid].name) for fid in members]
        if handles:
            _legend_right(axes[0], handles, labels, bold=tuple(bold))
    return _finish(fig)


# ---------------------------------------------------------------- unit states

def figure_unit_states(run: RunData) -> Figure:
    """Each side's units by state over time, stacked (active at the bottom); a panel per side."""
    sc = run.scenario
    blank = np.zeros(len(run.metrics))
    counts = {}
    for sid in sc.sides:
        factions = [fid for fid, f in sc.factions.items() if f.side == sid]
        per_state = {state: sum((_column(run, f"units_{state}_{fid}") for fid in factions), blank)
                     for state in STATES}
        if any(v.any() for v in per_state.values()):
            counts[sid] = per_state
    states = [s for s in STATES if any(c[s].any() for c in counts.values())]
    panels = max(len(counts), 1)
    ncols = 1 if panels <= 4 else 2               # full-width panels keep the dates readable
    nrows = math.ceil(panels / ncols)
    with theme():
        fig, grid = _figure(run, "Units by state", nrows, ncols, sharex=True, height=2.1 if ncols == 1 else 1.9)
        x = _x(run)
        flat = list(grid.ravel())
        for ax, (sid, per_state) in zip(flat, counts.items()):
            ax.stackplot(x, [per_state[s] for s in states], colors=[STATE_COLOURS[s] for s in states],
                         linewidth=0)
            total = sum(per_state[s][-1] for s in states)
            ax.set_title(textwrap.fill(f"{short_name(sc.sides[sid].name)}: {total:,.0f} units in all",
                                       95 if ncols == 1 else 55))
            ax.set_ylim(0, max(1.0, sum(per_state[s] for s in states).max() * 1.04))
            ax.yaxis.set_major_locator(count_ticks())
            ax.grid(axis="x", visible=False)
            ax.set_ylabel("units")
        if not counts:
            flat[0].set_title("Units of all sides")
            flat[0].set_ylabel("units")
            _none(flat[0])
        for ax in flat[panels:]:
            ax.remove()                               # the empty end of the last row ...
            above = grid[nrows - 2, list(flat).index(ax) % ncols]
            above.xaxis.set_tick_params(labelbottom=True)       # ... so the panel above it carries the dates
        for i, ax in enumerate(flat[:panels]):
            format_date_axis(ax, run, day_axis=i < ncols)
        if states:
            handles = [Patch(facecolor=STATE_COLOURS[s]) for s in reversed(states)]
            _legend_right(flat[ncols - 1], handles, list(reversed(states)), title="State\n(top of stack first)")
    return _finish(fig)


# ---------------------------------------------------------------- territory

def figure_territory(run: RunData) -> Figure:
    """Share of the theatre each side holds, and the cities and towns it holds."""
    styles = side_styles(run.scenario)
    sides = run.scenario.sides
    with theme():
        fig, axes = _figure(run, "Territory and cities", 2, sharex=True, height=2.8)
        axes = axes[:, 0]
        x = _x(run)
        held = [sid for sid in sides if np.any(_column(run, f"territory_{sid}") > 0)]
        labels = []
        for sid in held:
            share = _column(run, f"territory_{sid}") * 100
            axes[0].plot(x, share, **styles[sid].line())
            labels.append(f"{short_name(sides[sid].name)}: {share[0]:.1f}% → {share[-1]:.1f}%")
        handles = [Line2D([], [], lw=2, **styles[sid].line()) for sid in held]
        if held:
            nobody = 100 - sum(_column(run, f"territory_{sid}") for sid in sides) * 100
            if nobody.max() > 0.5:                    # cells no side holds (contested or abandoned)
                axes[0].plot(x, nobody, color="#888888", linestyle=(0, (1.2, 1.5)))
                handles.append(Line2D([], [], color="#888888", linestyle=(0, (1.2, 1.5)), lw=2))
                labels.append(f"held by no side: {nobody[0]:.1f}% → {nobody[-1]:.1f}%")
            _legend_right(axes[0], handles, labels)
            axes[0].set_ylim(0, min(100, max(axes[0].get_ylim()[1], 5)))
        else:
            _none(axes[0])
        axes[0].set_title("Share of the theatre held")
        axes[0].set_ylabel("share of theatre (%)")

        cities = [sid for sid in sides if np.any(_column(run, f"cities_{sid}") > 0)]
        labels = []
        for sid in cities:
            held_cities = _column(run, f"cities_{sid}")
            axes[1].plot(x, held_cities, **styles[sid].line())
            labels.append(f"{short_name(sides[sid].name)}: {held_cities[0]:.0f} → {held_cities[-1]:.0f}")
        if cities:
            _legend_right(axes[1], [Line2D([], [], lw=2, **styles[sid].line()) for sid in cities], labels)
            axes[1].set_ylim(bottom=0)
            axes[1].yaxis.set_major_locator(count_ticks())
        else:
            _none(axes[1])
        axes[1].set_title("Cities and towns held")
        axes[1].set_ylabel("cities and towns")
        _dates(axes, run)
    return _finish(fig)


# ---------------------------------------------------------------- air

def daily_totals(days: np.ndarray, cumulative: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(window starts, window lengths, amount per day) over consecutive days of the run from a running total.

    Windows are whole days from the start (day 0-1, 1-2, ...); a last part-day is scaled to a daily rate.
    """
    first, last = float(days[0]), float(days[-1])
    edges = np.arange(first, last, 1.0)
    ends = np.minimum(edges + 1.0, last)
    lengths = ends - edges
    keep = lengths > 1e-9
    edges, ends, lengths = edges[keep], ends[keep], lengths[keep]
    amount = np.interp(ends, days, cumulative) - np.interp(edges, days, cumulative)
    return edges, lengths, amount / lengths


def figure_air(run: RunData) -> Figure:
    """Sorties, strikes, missiles and drone raids of each side, per day of the run."""
    sides = run.scenario.sides
    styles = side_styles(run.scenario)
    days = run.metrics["day"].to_numpy(dtype=float)
    shown = {prefix: _shown_sides(run, prefix) if len(days) > 1 else [] for prefix in AIR}
    with theme():
        fig, axes = _figure(run, "Air and missile activity", len(AIR), sharex=True, height=1.9,
                            ratios=[1.0 if shown[p] else 0.55 for p in AIR],
                            note="Per-day values are the daily rise of the run's running totals.")
        axes = axes[:, 0]
        for ax, (prefix, (title, counted)) in zip(axes, AIR.items()):
            ax.set_title(title)
            ax.set_ylabel(f"{counted} per day\n(from running total)")
            if not shown[prefix]:
                ax.set_ylabel("per day")
                _none(ax)
                continue
            labels = []
            for k, sid in enumerate(shown[prefix]):
                total = _column(run, f"{prefix}_{sid}")
                edges, lengths, per_day = daily_totals(days, total)
                width = lengths * 0.82 / len(shown[prefix])
                left = date_numbers(run, edges + lengths * 0.09) + width * k
                ax.bar(left, per_day, width=width, align="edge", **styles[sid].fill())
                labels.append(f"{short_name(sides[sid].name)}: {total[-1] - total[0]:,.0f} in all")
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_locator(count_ticks())
            ax.yaxis.set_major_formatter(COUNT_FORMAT)
            ax.grid(axis="x", visible=False)
            _legend_right(ax, [Patch(**styles[sid].fill()) for sid in shown[prefix]], labels)
        _dates(axes, run)
    return _finish(fig)


# ---------------------------------------------------------------- supply

def figure_supply(run: RunData) -> Figure:
    """Supplied and encircled ground of each side, and its units cut off from supply."""
    sides = run.scenario.sides
    styles = side_styles(run.scenario)
    cell_km2 = math.sqrt(3) / 2 * run.scenario.theatre.cell_km ** 2          # a hex, cell_km across the flats
    supplied_any = sum((_column(run, f"supplied_cells_{sid}") for sid in sides), np.zeros(len(run.metrics)))
    # Supply is first traced during step 1: step 0's zero supplied ground (and so all ground "encircled")
    # is not a state of the war, so those rows are left out.
    begin = int(np.argmax(supplied_any > 0)) if supplied_any.any() else 0
    x = _x(run)[begin:]
    panels = (("supplied_cells", "Ground in supply", "area (thousand km²)", cell_km2 / 1000),
              ("encircled_cells", "Ground held but cut off from supply (encircled)", "area (km²)", cell_km2),
              ("units_cut_off", "Units cut off from supply", "units", 1.0))
    note = f"Areas are hex cells of {run.scenario.theatre.cell_km:g} km ({cell_km2:.1f} km² each)."
    if begin:
        note += f" Supply is first traced in step {begin}; earlier steps are left out."
    with theme():
        fig, axes = _figure(run, "Supply and encirclement", 3, sharex=True, height=2.2, note=note)
        axes = axes[:, 0]
        drawn: list[str] = []
        for ax, (prefix, title, unit, scale) in zip(axes, panels):
            ax.set_title(title)
            ax.set_ylabel(unit)
            shown = [sid for sid in sides if np.any(_column(run, f"{prefix}_{sid}")[begin:] != 0)]
            for sid in shown:
                ax.plot(x, _column(run, f"{prefix}_{sid}")[begin:] * scale, **styles[sid].line())
            drawn += [sid for sid in shown if sid not in drawn]
            if shown:
                ax.set_ylim(bottom=0)
                ax.yaxis.set_major_formatter(COUNT_FORMAT)
                if prefix == "units_cut_off":
                    ax.yaxis.set_major_locator(count_ticks())
            else:
                _none(ax)
        _dates(axes, run)
        if drawn:
            _legend_right(axes[0], *_side_handles(run, [sid for sid in sides if sid in drawn]), title="Side")
    return _finish(fig)


# ---------------------------------------------------------------- equipment

def figure_equipment(run: RunData) -> Figure:
    """Equipment each faction captured, a row per kind: the total at the end (bars) and its build-up."""
    sc = run.scenario
    styles = faction_styles(sc)
    kinds = [kind for kind in EQUIPMENT
             if any(_column(run, f"captured_{kind}_{fid}").max() > 0 for fid in sc.factions)]
    # The same factions on every row (those that captured anything), so rows compare at a glance.
    takers = [fid for fid in sc.factions if any(_column(run, f"captured_{k}_{fid}").max() > 0 for k in kinds)]
    with theme():
        if not kinds:
            fig, axes = _figure(run, "Equipment captured", 1, height=2.4)
            ax = axes[0, 0]
            ax.set_title("Armour, artillery, air defence and aircraft captured")
            ax.set_ylabel("captured (running total)")
            _none(ax)
            format_date_axis(ax, run, day_axis=True)
            return _finish(fig)
        fig, axes = _figure(run, "Equipment captured", len(kinds), 2, height=0.5 + 0.3 * len(takers),
                            gridspec_kw={"width_ratios": (1, 1.7)}, note="Totals can be fractional: a captor "
                            "takes a set share of a broken unit's equipment.")
        x = _x(run)
        y = np.arange(len(takers))
        names = [short_name(sc.factions[f].name) for f in takers]
        for kind, (bars, lines) in zip(kinds, axes):
            noun = EQUIPMENT[kind]
            series = {fid: _column(run, f"captured_{kind}_{fid}") for fid in takers}
            ends = [series[fid][-1] for fid in takers]
            for fid, yy, end in zip(takers, y, ends):
                bars.barh(yy, end, height=0.62, **styles[fid].fill())
                bars.annotate(f"{end:,.1f}" if end else "0", (end, yy), xytext=(3, 0), textcoords="offset points",
                              va="center", fontsize=8.5)
            bars.set_yticks(y, names)
            bars.set_ylim(len(takers) - 0.5, -0.5)
            bars.set_xlim(0, max(ends) * 1.22)
            bars.set_xlabel(f"{noun} (at the end)")
            bars.grid(axis="y", visible=False)
            bars.set_title(noun.capitalize())
            for fid in takers:
                if series[fid].any():
                    lines.plot(x, series[fid], **styles[fid].line())
            lines.set_title("Running total")
            lines.set_ylabel(noun.replace(" ", "\n", 1) if len(noun) > 12 else noun)
            lines.set_ylim(bottom=0)
        for ax in axes[:, 1]:                       # no day axis: it would push the top row's titles apart
            format_date_axis(ax, run)
        _legend_right(axes[0, 1], [Line2D([], [], lw=2, **styles[f].line()) for f in takers], names,
                      title="Captured by")
    return _finish(fig)


# ---------------------------------------------------------------- the will to fight

# One colour per factor of the will's ledger (rules.will.WILL_FACTORS): losses in warm and dark tones,
# recovery (mostly a gain) in green, so the bars read at a glance
WILL_COLOURS = {
    "cities": "#b2182b", "bases": "#ef8a62", "advance": "#8c510a", "breaks": "#7b3294", "desertion": "#c2a5cf",
    "patrons": "#2166ac", "leaders": "#fdb863", "conditions": "#878787", "recovery": "#5aae61",
}
COLLAPSE_COLOUR = "#d7301f"


def figure_will(run: RunData) -> Figure:
    """The will to fight of each faction and each leadership over time, a panel per side: the collapse
    threshold, the day a regime collapsed and the fall of the governorate capitals marked."""
    sc = run.scenario
    styles = faction_styles(sc)
    found = [e for e in entries(run) if f"will_{e.id}" in run.metrics]
    sides = [sid for sid in sc.sides if any(e.side == sid for e in found)]
    collapsed = collapsed_days(run)
    falls = major_falls(run)
    threshold = float(sc.rules.will.collapse)
    # a side whose will barely moved gets a shallower panel: its lines say "nothing happened" at any height
    ratios = [1.0 if any(e.side == sid and (e.leadership or np.ptp(_column(run, f"will_{e.id}")) > 0.05)
                         for e in found) else 0.6 for sid in sides] or [1.0]
    marks = (["dashed grey lines: the fall of a governorate capital"] if falls else []) + (
        ["red line: a regime's collapse"] if collapsed else [])
    note = "; ".join(marks).capitalize() + (". " if marks else "") + "What moved each will: figure will_factors."
    with theme():
        fig, grid = _figure(run, "The will to fight", len(ratios), sharex=True, height=2.0, ratios=ratios, note=note)
        axes = list(grid[:, 0])
        x = _x(run)
        for ax, sid in zip(axes, sides):
            mine = [e for e in found if e.side == sid]
            handles, labels = [], []
            for e in mine:
                y = _column(run, f"will_{e.id}")
                if e.leadership:       # the state's will: heavier and black, over its factions' lines
                    line = {"color": "#1d1d1d", "linewidth": 2.6}
                    ax.plot(x, y, zorder=4, **line)
                else:
                    line = {**styles[e.id].line(), "linewidth": 1.5}
                    ax.plot(x, y, **line)
                handles.append(Line2D([], [], **line))
                labels.append(f"{_capital(e.label)}: {y[0]:.2f} → {y[-1]:.2f}")
            if any(e.leadership for e in mine):
                threshold_line = {"color": COLLAPSE_COLOUR, "linestyle": (0, (1.2, 1.5)), "linewidth": 1.0}
                ax.axhline(threshold, **threshold_line)
                handles.append(Line2D([], [], **threshold_line))
                labels.append(f"the regime collapses below {threshold:.2f}")
            ax.set_title(short_name(sc.sides[sid].name))
            ax.set_ylabel("will (0–1)")
            ax.set_ylim(0, 1.02)
            _legend_right(ax, handles, labels)
        if not sides:
            axes[0].set_title("Will to fight")
            _none(axes[0], "this run kept no will to fight")
        for ax in axes:
            for day, _ in falls:
                ax.axvline(date_numbers(run, [day])[0], color="#9a9a9a", linewidth=0.9, linestyle=(0, (4, 2)),
                           zorder=1)
            for day in collapsed.values():
                ax.axvline(date_numbers(run, [day])[0], color=COLLAPSE_COLOUR, linewidth=1.6, zorder=3)
        # named once, in the panel of the side with a leadership (the one the falls and collapse concern),
        # the cities reading down from its top, where its falling lines are not
        marked = next((ax for ax, sid in zip(axes, sides) if any(e.side == sid and e.leadership for e in found)),
                      axes[0])
        at = blended_transform_factory(marked.transData, marked.transAxes)
        for day, names in falls:
            marked.text(date_numbers(run, [day])[0], 0.97, ", ".join(names), transform=at, rotation=90,
                        ha="right", va="top", fontsize=7.5, color="#555555",
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
        for sid, day in collapsed.items():
            marked.text(date_numbers(run, [day])[0], 0.55, f"{regime_name(sid)} collapsed, day {day:g} ",
                        transform=at, ha="right", va="center", fontsize=8, color=COLLAPSE_COLOUR, fontweight="bold",
                        bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}, zorder=5)
        _dates(axes, run)
    return _finish(fig)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def figure_will_factors(run: RunData) -> Figure:
    """What moved each will over the whole run, factor by factor (will.json's ledger): diverging bars,
    losses left of zero and gains right, a diamond at the net change; leaderships first."""
    found = sorted(entries(run), key=lambda e: not e.leadership)
    ledgers = [e for e in found if any(abs(v) >= 0.005 for v in e.ledger.values())]
    factors = [f for f in WILL_COLOURS if any(abs(e.ledger.get(f, 0.0)) >= 0.005 for e in ledgers)]
    still = [_capital(e.label) for e in found if e not in ledgers]
    note = ("Each bar is the sum of one factor's changes over the run (the will's ledger); start + every factor = "
            "end." + (f" Not moved (by 0.005 or more): {', '.join(still)}." if still and ledgers else ""))
    with theme():
        fig, grid = _figure(run, "What moved the will to fight", 1, height=0.42 * max(len(ledgers), 3) + 0.5,
                            note=note)
        ax = grid[0, 0]
        ax.set_title("Change of will by factor over the run")
        ax.set_xlabel("change of will over the run (on its 0–1 scale); diamond: the net change")
        if not ledgers:
            _none(ax, "no ledger of the will in this run" if not run.will else "no will moved in this run")
            return _finish(fig)
        y = np.arange(len(ledgers))
        for sign in (-1, 1):
            left = np.zeros(len(ledgers))
            for f in factors:
                values = np.array([e.ledger.get(f, 0.0) for e in ledgers])
                part = np.where(np.sign(values) == sign, values, 0.0)
                ax.barh(y, part, left=left, height=0.64, color=WILL_COLOURS[f], edgecolor="white", linewidth=0.4)
                left += part
        ax.scatter([e.end - e.start for e in ledgers], y, marker="D", s=24, color="black", zorder=3)
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, [f"{textwrap.fill(_capital(e.label), 34)}\n{e.start:.2f} → {e.end:.2f}" for e in ledgers])
        for tick, e in zip(ax.get_yticklabels(), ledgers):
            if e.leadership:
                tick.set_fontweight("bold")
        ax.set_ylim(len(ledgers) - 0.5, -0.5)
        reach = max(0.05, *(sum(max(0.0, -v) for v in e.ledger.values()) for e in ledgers),
                    *(sum(max(0.0, v) for v in e.ledger.values()) for e in ledgers))
        ax.set_xlim(-reach * 1.05, reach * 1.05)
        ax.grid(axis="y", visible=False)
        handles = [Patch(facecolor=WILL_COLOURS[f]) for f in factors] + [
            Line2D([], [], marker="D", color="black", linestyle="none", markersize=5)]
        _legend_right(ax, handles, [FACTOR_NAMES[f] for f in factors] + ["net change"], title="Factor")
    return _finish(fig)

FIGURES = {
    "forces": figure_forces,
    "unit_states": figure_unit_states,
    "territory": figure_territory,
    "air": figure_air,
    "supply": figure_supply,
    "equipment": figure_equipment,
    "will": figure_will,
    "will_factors": figure_will_factors,
}


def draw_charts(run: RunData, out_dir: str | Path) -> dict[str, Path]:
    """Draw every chart of the run as ``out_dir/<name>.png``; returns {name: path}."""
    out_dir = Path(out_dir)
    return {name: save_figure(make(run), out_dir / f"{name}.png") for name, make in FIGURES.items()}


__all__ = ["FIGURES", "daily_totals", "draw_charts", "figure_air", "figure_equipment", "figure_forces",
           "figure_supply", "figure_territory", "figure_unit_states", "figure_will",
           "figure_will_factors"]
