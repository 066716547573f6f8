"""The lab's live views of a model: the map and the charts, each rendered to PNG on request.

The map is the shared renderer's (wargame.report.maps): the theatre's base is drawn once per theatre
into bitmaps shared by every model and session, and each frame is blitted: only the control shading, the
front, the units (one dot per occupied cell) and the date are drawn over them, tens of milliseconds
where a step of the model takes a few.
"""

from __future__ import annotations

import textwrap
import threading
import weakref

import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from wargame.core.agents.unit import GONE_FROM, ROUTING
from wargame.core.campaign import regime_name
from wargame.core.dates import format_date
from wargame.core.model import WarModel
from wargame.lab.model import date_line
from wargame.report.maps import (
    Blit,
    ControlShading,
    Counters,
    DotLayer,
    MapAxes,
    PlaceStyle,
    encode_png,
    group_counters,
    new_figure,
    zoom_limits,
)
from wargame.report.maps import counters as counter_states
from wargame.report.maps.theatre import KEY_TOWNS
from wargame.report.style import DateTicks, Style, faction_styles, short_name, side_colours, side_styles

MAP_WIDTH = 7.0              # inches at MAP_DPI: 700 px; the height follows the theatre's shape
MAP_DPI = 100
MAP_PLACES = PlaceStyle(label_towns=KEY_TOWNS, fontsize=6.0, fit=True)
CHART_SIZE = (4.3, 9.6)         # shown ~360 px wide beside the map: fonts of 8-9 pt stay legible
CHART_DPI = 100
BLACK = Style("#1d1d1d")         # a leadership's will: black and heavy, as in the report


class LiveMap:
    """The map of one live model, blitted over the shared base. `png()` renders the model as it is now."""

    def __init__(self, model: WarModel):
        self.model = weakref.ref(model)        # the map must not keep a Reset model alive
        th = self.theatre = model.theatre
        aspect = (np.ptp(th.y) + 10) / (np.ptp(th.x) + 10)        # the whole theatre's limits: 5 km margins
        self.fig = new_figure((MAP_WIDTH, float(np.clip(MAP_WIDTH * aspect, 3.0, 9.0))), MAP_DPI)
        ax = self.fig.add_axes((0.005, 0.005, 0.99, 0.99))
        colours = side_colours(model.spec)
        shading = ControlShading(th, [colours[s] for s in model.side_ids])
        self.map = MapAxes(ax, th, zoom_limits(th, None), MAP_PLACES, shading=shading, front_lw=1.1, animated=True)
        self.dots = DotLayer(ax, np.array([to_rgba(f.colour) for f in model.spec.factions.values()]), animated=True)
        box = ax.get_position()                                     # in the map's top left corner
        self.date = self.fig.text(box.x0 + 0.01, box.y1 - 0.01, "", fontsize=10, weight="bold", va="top",
                                  animated=True,
                                  bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#999999", "alpha": 0.9})
        self.blit = Blit(self.fig)
        self.lock = threading.Lock()           # Play's thread and a re-render may ask at once

    def png(self) -> bytes:
        model = self.model()
        if model is None:
            return b""
        with self.lock:
            self.update(model)
            return encode_png(self.blit.frame([[*self.map.changing, *self.dots.artists], self.map.spines,
                                               [self.date]]))

    def update(self, model: WarModel) -> None:
        self.map.control.update(np.asarray(model.control))
        self.dots.update(self.theatre, model_counters(model))
        self.date.set_text(date_line(model))


def model_counters(model: WarModel) -> Counters:
    """The counters (one per occupied cell) of the model's units on the map now."""
    t = model.table
    n = t.n
    idx, state = t.idx[:n].copy(), t.state[:n].copy()       # copies: Play's thread may step meanwhile
    faction, personnel, morale = t.faction[:n].copy(), t.personnel[:n].copy(), t.morale[:n].copy()
    on = (state < GONE_FROM) & (idx >= 0)
    code = np.where(state[on] >= ROUTING, counter_states.ROUTING, counter_states.GOOD_ORDER)
    return group_counters(idx[on], faction[on], code, personnel[on], morale[on])


class LiveCharts:
    """Territory and cities held by each side, the will to fight of each faction and each leadership, and
    morale by faction, from the model's DataCollector, on a fixed date axis spanning the whole campaign (the
    lines grow across it)."""

    def __init__(self, model: WarModel):
        self.model = weakref.ref(model)
        spec = model.spec
        self.start = mdates.date2num(spec.meta.start)
        self.fig = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        territory, cities, will, morale = self.fig.subplots(4, 1, sharex=True)
        self.lines: list[tuple] = []            # (line, metric, scale)
        self.metrics: list[str] = []            # every column the lines read
        sides = side_styles(spec)
        names = {sid: short_name(side.name) for sid, side in spec.sides.items()}
        for sid, style in sides.items():
            self._line(territory, f"territory_{sid}", 100.0, names[sid], style)
            self._line(cities, f"cities_{sid}", 1.0, names[sid], style)
        fighting = [f for f in spec.factions if any(u.faction == f for u in spec.units.values())]
        styles = faction_styles(spec)
        # the will: the factions' in their colours (named in the morale legend below), each leadership black
        for fid in fighting:
            self._line(will, f"will_{fid}", 1.0, "_", styles[fid], lw=1.2)
        for entry in model.will.names[len(model.faction_ids):]:
            side = entry.removesuffix("_leadership")
            self._line(will, f"will_{entry}", 1.0, f"{regime_name(side).capitalize()}'s leadership", BLACK, lw=2.4)
        will.axhline(spec.rules.will.collapse, color="#d7301f", linestyle=(0, (1.2, 1.5)), lw=1.0,
                     label=f"collapse below {spec.rules.will.collapse:.2f}")
        for fid in fighting:
            # wrapped: a long name would squeeze the chart
            label = textwrap.fill(short_name(spec.factions[fid].name), 26)
            self._line(morale, f"morale_{fid}", 1.0, label, styles[fid])
        territory.set_ylim(0, 100)
        territory.set_title("Territory held (%)", fontsize=9.5, loc="left")
        cities.set_ylim(0, max(len(model.city_owner), 1))
        cities.set_title("Cities and towns held", fontsize=9.5, loc="left")
        morale.set_ylim(0, 1)
        morale.set_title("Morale by faction", fontsize=9.5, loc="left")
        will.set_ylim(0, 1.02)
        will.set_title("Will to fight (factions as below)", fontsize=9.5, loc="left")
        will.legend(fontsize=7.5, loc="lower left", frameon=False)
        for ax in (territory, cities, will, morale):
            ax.grid(True, color="#dddddd", lw=0.6)
            ax.tick_params(labelsize=8)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        territory.legend(fontsize=8, loc="center left", frameon=False)
        # below the chart: eight factions would hide the lines
        morale.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(-0.12, -0.12), frameon=False, ncol=2,
                      handlelength=1.8, columnspacing=0.8)
        morale.set_xlim(self.start, self.start + max(spec.meta.duration_days, 0.25))
        morale.xaxis.set_major_locator(DateTicks(inches_per_label=0.55))
        morale.xaxis.set_major_formatter(FuncFormatter(_day_month))
        self.lock = threading.Lock()

    def _line(self, ax, metric: str, scale: float, label: str, style, lw: float = 1.5) -> None:
        (line,) = ax.plot([], [], label=label, lw=lw, **style.line())
        self.lines.append((line, metric, scale))
        self.metrics.append(metric)
        if metric.startswith("morale_"):
            self.metrics.append("personnel_" + metric.removeprefix("morale_"))

    def png(self) -> bytes:
        model = self.model()
        if model is None:
            return b""
        with self.lock:
            data = model.datacollector.model_vars
            # with "Use Threads" the model may be collecting meanwhile: read every column to one length
            n = min(len(data[name]) for name in ("day", *self.metrics))
            x = self.start + np.asarray(data["day"][:n], dtype=float)
            for line, metric, scale in self.lines:
                y = np.asarray(data[metric][:n], dtype=float) * scale
                if metric.startswith("morale_"):     # a faction with nobody on the map has no morale
                    personnel = data["personnel_" + metric.removeprefix("morale_")][:n]
                    y = np.where(np.asarray(personnel, dtype=float) > 0, y, np.nan)
                line.set_data(x, y)
            self.canvas.draw()
            # the axes' limits, ticks and legends never change: the layout found for the first frame holds for
            # every later one, and not solving it again makes a frame a third cheaper
            self.fig.set_layout_engine("none")
            return encode_png(np.asarray(self.canvas.buffer_rgba()))


def _day_month(x: float, _pos=None) -> str:
    return format_date(mdates.num2date(x), "axis")


_maps: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_charts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_views_lock = threading.Lock()


def live_map(model: WarModel) -> LiveMap:
    """The model's map, made on first use (the base map itself is drawn once per theatre)."""
    with _views_lock:
        if model not in _maps:
            _maps[model] = LiveMap(model)
        return _maps[model]


def live_charts(model: WarModel) -> LiveCharts:
    with _views_lock:
        if model not in _charts:
            _charts[model] = LiveCharts(model)
        return _charts[model]
