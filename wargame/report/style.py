"""The shared look of the report's figures: colours of sides, factions and unit states, the date axis,
figure defaults and saving. The charts (charts.py) and the campaign maps both draw with it.

Colours come from the scenario (each side and faction has one), so a faction is the same colour in every
chart and on the maps. Factions whose colours are too close to tell apart in a thin line (the opposition's
greens, say) get a second cue: a line style and a bar hatch, assigned in scenario order so the first of a
group keeps the solid line and plain fill.

    faction_colours(scenario) -> {faction id: "#rrggbb"}; side_colours(scenario) likewise
    faction_styles(scenario) -> {faction id: Style}; side_styles(scenario) likewise
        Style.colour, .linestyle, .hatch; ax.plot(x, y, **style.line()); ax.bar(x, h, **style.fill())
    STATE_COLOURS -> {unit state: "#rrggbb"}, in the states' order (active ... destroyed, withdrawn)
    short_name(name) -> the name without its parenthesised detail, for legends
    theme() -> context manager with the report's rcParams (sizes, dpi, constrained layout)
    date_numbers(run, days) -> x values of run days; format_date_axis(ax, run, day_axis=False)
        "27 Nov" ticks (times of day on a short run), daily minor ticks; day_axis adds "day N" on top
    run_caption(run) -> one line naming the scenario, seed, dates and steps, for a figure's foot
    save_figure(fig, path) -> path: PNG at DPI, written atomically; the figure is closed

    with theme():
        fig, ax = plt.subplots(figsize=(10, 4))
        for fid, style in faction_styles(run.scenario).items():
            ax.plot(date_numbers(run, run.metrics["day"]), run.metrics[f"morale_{fid}"], **style.line())
        format_date_axis(ax, run, day_axis=True)
    save_figure(fig, out / "morale.png")
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib

# Figures go to files (the server, worker processes, CI): Agg, chosen here for every module that draws, which
# all import this one. A notebook's inline backend, already chosen (ipykernel sets it), is kept, or importing
# a chart module would stop the analyst's own figures from showing.
if "inline" not in str(dict.__getitem__(matplotlib.rcParams, "backend")):
    matplotlib.use("Agg")
import matplotlib.dates as mdates
import numpy as np
from matplotlib.colors import to_hex, to_rgb
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from wargame.core.agents.unit import STATES
from wargame.core.dates import date_of, format_date
from wargame.report.png import write_png

DPI = 110
EPOCH = dt.datetime(1970, 1, 1)              # matplotlib's default date epoch: date number 0

# Unit states from fighting to gone, green through amber and red to near-black; the order is the stacking
# order of the unit-state charts (active at the bottom).
STATE_COLOURS: dict[str, str] = {
    "active": "#4d9a4b",
    "shaken": "#c9c23b",
    "routing": "#f08a24",
    "surrendered": "#d7301f",
    "dissolved": "#8c6bb1",
    "defected": "#5b4a8b",
    "destroyed": "#2b2b2b",
    "withdrawn": "#8fa3b8",
}
assert tuple(STATE_COLOURS) == STATES, "STATE_COLOURS must list the unit states in their order"

# Readable at report size (figures ~10 in wide shown at ~100%): nothing below 8 pt.
RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 9,
    "legend.frameon": False,
    "figure.titlesize": 12.5,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.6,
    "figure.constrained_layout.use": True,
}

LINESTYLES = ("-", (0, (5, 2)), (0, (1.2, 1.5)), (0, (6, 2, 1.2, 2)))
HATCHES = (None, "////", "....", "xxxx")
CLOSE_DELTA_E = 26.0       # CIELAB distance (ΔE76) under which two colours are hard to tell apart in a thin line


@dataclass(frozen=True)
class Style:
    """How one side or faction is drawn: its scenario colour, and a line style and hatch that tell it
    apart from another of near-identical colour (solid and None when no other is close)."""

    colour: str
    linestyle: object = "-"
    hatch: str | None = None

    def line(self) -> dict:
        """Keyword arguments for ax.plot."""
        return {"color": self.colour, "linestyle": self.linestyle}

    def fill(self) -> dict:
        """Keyword arguments for ax.bar / ax.barh / fill_between."""
        # the hatch is drawn in the edge colour: white lines over the fill
        return {"facecolor": self.colour, "hatch": self.hatch, "edgecolor": "white" if self.hatch else self.colour,
                "linewidth": 0}


def _lab(colour: str) -> np.ndarray:
    """sRGB colour to CIELAB (D65), for a perceptual distance between two colours."""
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distinguish(colours: dict[str, str]) -> dict[str, Style]:
    """Styles for named colours: each takes the first line style (and hatch) not used by an earlier one
    of near-identical colour, so identical or close colours still differ in how they are drawn."""
    styles: dict[str, Style] = {}
    labs = {key: _lab(colour) for key, colour in colours.items()}
    for key, colour in colours.items():
        taken = {LINESTYLES.index(s.linestyle) for other, s in styles.items()
                 if np.linalg.norm(labs[key] - labs[other]) < CLOSE_DELTA_E}
        k = next((i for i in range(len(LINESTYLES)) if i not in taken), len(styles) % len(LINESTYLES))
        styles[key] = Style(to_hex(colour), LINESTYLES[k], HATCHES[k])
    return styles


def faction_styles(scenario) -> dict[str, Style]:
    """{faction id: Style} in scenario order."""
    return distinguish({fid: f.colour for fid, f in scenario.factions.items()})


def side_styles(scenario) -> dict[str, Style]:
    """{side id: Style} in scenario order."""
    return distinguish({sid: s.colour for sid, s in scenario.sides.items()})


def faction_colours(scenario) -> dict[str, str]:
    """{faction id: '#rrggbb'} as the scenario gives them."""
    return {fid: to_hex(f.colour) for fid, f in scenario.factions.items()}


def side_colours(scenario) -> dict[str, str]:
    """{side id: '#rrggbb'} as the scenario gives them."""
    return {sid: to_hex(s.colour) for sid, s in scenario.sides.items()}


def short_name(name: str) -> str:
    """A faction, side or place name without its parenthesised detail, for legends, keeping what follows
    it: "4th (Mechanised) Division" is the 4th Division, not "4th". An unclosed parenthesis ends the name."""
    return re.sub(r"\s*\([^()]*\)", "", name).split(" (")[0].strip()


@contextmanager
def theme() -> Iterator[None]:
    """The report's matplotlib settings, for figures created and drawn inside the block (they do not
    leak into the caller's global settings)."""
    with matplotlib.rc_context(RC):
        yield


def date_numbers(run, days) -> np.ndarray:
    """Matplotlib date numbers of the given run days (the x values every time chart plots against)."""
    return mdates.date2num(run.start) + np.asarray(days, dtype=float)


class DateTicks(mdates.DateLocator):
    """Ticks at midnight every 1, 2, 3, 7, 14 or 28 days (every 6 or 12 hours on a run of a few days),
    as many as fit the axis's drawn width: the same rule gives a full-width and a narrow panel legible
    labels, because it is applied at draw time, after the layout has sized the axes."""

    STEPS = (0.25, 0.5, 1, 2, 3, 7, 14, 28, 56, 91, 182, 364)

    def __init__(self, inches_per_label: float = 0.6):
        super().__init__()
        self.inches_per_label = inches_per_label

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def step(self, vmin: float, vmax: float) -> float:
        ax = self.axis.axes if self.axis is not None else None
        width = ax.get_window_extent().width / ax.figure.dpi if ax is not None else 6.0
        fit = max(2, int(width / self.inches_per_label))
        return next((s for s in self.STEPS if (vmax - vmin) / s <= fit), self.STEPS[-1])

    def tick_values(self, vmin, vmax):
        step = self.step(vmin, vmax)
        first = np.ceil(vmin / step - 1e-9) * step if step < 1 else np.ceil(vmin - 1e-9)
        return np.arange(first, vmax + 1e-9, step)


@lru_cache(maxsize=4096)
def _date_label(x: float, _pos=None) -> str:
    # Date numbers are days since the epoch: whole ones are midnights. Plain arithmetic is much quicker
    # than num2date, which the draw would call for every tick of every panel several times over.
    when = EPOCH + dt.timedelta(days=round(x * 96) / 96)          # to the quarter hour
    return format_date(when, "axis" if when.hour == 0 and when.minute == 0 else "time")


def format_date_axis(ax, run, day_axis: bool = False) -> None:
    """Dates on the x axis ("27 Nov", and "12:00" between midnights on a short run), minor ticks by day
    (by 6 hours on a short run), limits from the run's first to its last step.

    With day_axis, a secondary axis on top counts the run's days (day 0 = the start), for reading
    against the event log and the summary, which give days.
    """
    days = run.metrics["day"].to_numpy(dtype=float) if len(run.metrics) else np.zeros(1)
    first, last = float(days.min()), float(days.max())
    span = max(last - first, 0.25)
    start = mdates.date2num(run.start)
    ax.set_xlim(start + first, start + first + span)
    ax.xaxis.set_major_locator(DateTicks())
    ax.xaxis.set_major_formatter(FuncFormatter(_date_label))
    # midnights (or every 6 h) are whole (quarter) date numbers, so a plain multiple locator finds them
    ax.xaxis.set_minor_locator(MultipleLocator(0.25 if span <= 3 else 1.0))
    if day_axis:
        top = ax.secondary_xaxis("top", functions=(lambda x: x - start, lambda d: d + start))
        top.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, steps=(1, 2, 5, 10)) if span > 3
                                    else MultipleLocator(0.25 if span <= 1.5 else 0.5))
        top.set_xlabel("day of the run", fontsize=8.5, color="#555555", labelpad=3)
        top.tick_params(labelsize=8, colors="#555555")


def run_caption(run) -> str:
    """One line saying what the run was: scenario, seed, dates and steps (for a figure's foot)."""
    info = run.info
    start = run.start
    end = date_of(start, info.get("days", 0.0))
    return (f"Scenario {info.get('scenario', '?')}, seed {info.get('seed')}; {format_date(start, 'minute')} to "
            f"{format_date(end, 'minute')}, {info.get('steps', len(run.metrics) - 1)} steps of "
            f"{info.get('hours_per_step', '?')} h. Day 0 is the start.")


TITLE_ROOM = 0.96          # the share of the figure's width a title may fill (a margin either side)


def fit_title(artist):
    """Wrap a text (a suptitle, an axes title or label) where it stands, measured with the figure's renderer,
    so that neither edge of it leaves the figure: a centred text gets twice the room to the nearer edge, a
    left-aligned one the room to the right edge. Returns the artist."""
    fig = artist.figure
    renderer = fig.canvas.get_renderer()
    width, margin = fig.bbox.width, fig.bbox.width * (1 - TITLE_ROOM) / 2
    text = " ".join(artist.get_text().split())

    def room() -> float:
        extent = artist.get_window_extent(renderer)
        if artist.get_horizontalalignment() == "left":
            return width - margin - extent.x0
        centre = (extent.x0 + extent.x1) / 2
        return 2 * (min(centre, width - centre) - margin)

    chars = len(text)
    while chars > 20 and artist.get_window_extent(renderer).width > room():
        chars = int(chars * 0.9)
        artist.set_text(textwrap.fill(text, chars, break_on_hyphens=False))
    return artist


def save_figure(fig, path: str | Path) -> Path:
    """Write the figure as PNG at `path` (atomically: a reader never sees half an image) and close it (a
    pyplot figure; a bare Figure has nothing to close)."""
    try:
        if fig.dpi != DPI:                  # a figure made outside theme(): savefig's dpi argument did this
            fig.set_dpi(DPI)
        return write_png(fig, path)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")   # not imported by the report: its figures are bare
        if pyplot is not None and getattr(fig.canvas, "manager", None) is not None:
            pyplot.close(fig)
