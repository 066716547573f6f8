"""The modelling lab: a SolaraViz page for exploring a scenario outside a game.

``python run.py lab [SCENARIO]`` serves it (see cli.cmd_lab); ``solara run wargame.lab:page`` does the same,
the scenario taken from $WARGAME_LAB_SCENARIO. The page holds:

- in the sidebar, Mesa's controls (Reset, Play, Step; the seed) and our card with the scenario and its
  main levers: sliders whose ranges, defaults and notes come from the scenario's parameter metadata.
  A lever takes effect at the next Reset, as any SolaraViz model parameter does; a new scenario is
  loaded at once, with its own levers.
- the live map (terrain, control shading, the front line, units coloured by faction), charts of
  territory and cities by side and morale by faction, and the day, date and cities taken so far.

The map is drawn by blitting: the base map (terrain, roads, places) is rendered once per theatre into
bitmaps shared by every model and session, and each frame draws only the control shading, the front
and the units over them (tens of milliseconds; a step of the model takes a few).

Everything the browser loads comes from this server (solara-assets; see the `web` extra), so the lab
runs on a network with no internet.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import textwrap
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import numpy as np
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.ticker import FuncFormatter
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter
from PIL import Image

from wargame.core.agents.unit import GONE_FROM, ROUTING
from wargame.core.dates import date_of, format_date
from wargame.core.events import CampaignEnded, CityCaptured
from wargame.core.model import WarModel, fresh_seed
from wargame.report.campaign_map import CONTROL_ALPHA, TERRAIN_LIGHTEN, Z_CONTROL, Z_COUNTER, Z_FRONT
from wargame.report.style import DateTicks, faction_styles, short_name, side_colours, side_styles
from wargame.report.theatre_map import KEY_TOWNS, TERRAIN_COLOURS, base_map, draw_places
from wargame.core.scenario import DEFAULT_SCENARIO, builtin_names, load_scenario
from wargame.core.theatre import TERRAIN_CLASSES, Theatre, TheatreSpec, build_theatre

DEFAULT_SEED = 1
SCENARIO_ENV = "WARGAME_LAB_SCENARIO"     # how `python run.py lab NAME` hands the scenario to the page

# The main levers, in the order shown, with a short label each; a scenario shows those it has.
LEVERS = {
    "factions.saa.pay": "SAA pay",
    "factions.saa.professionalism": "SAA professionalism",
    "factions.saa.legitimacy": "SAA legitimacy",
    "rules.morale.contagion_weight": "Morale contagion",
    "rules.morale.force_ratio_weight": "Force-ratio morale loss",
    "actors.israel.strikes_per_week": "Israeli strikes a week",
    "actors.hezbollah.strength": "Hezbollah strength",
    "actors.iran.commitment": "Iranian commitment",
    "actors.russia_hq.ukraine_cap": "Russian forces Ukraine spares",
    "actors.turkey.support": "Turkish support",
    "actors.iraqi_militias.willingness": "Iraqi militias' willingness",
}

MAP_WIDTH = 7.0              # inches at MAP_DPI: 700 px; the height follows the theatre's shape
MAP_DPI = 100
CHART_SIZE = (4.3, 7.4)         # shown ~360 px wide beside the map: fonts of 8-9 pt stay legible
CHART_DPI = 100
UNIT_EDGE = "#1a1a1a"


# ---------------------------------------------------------------------------------------------- the model


class LabModel(WarModel):
    """WarModel as the lab builds it: the seed may arrive as text (Mesa 3.5's seed box passes a string,
    mesa#3516), and no per-unit records are kept (nothing in the lab reads them)."""

    def __init__(self, scenario=DEFAULT_SCENARIO, rng=DEFAULT_SEED, *, overrides: dict | None = None,
                 collect_units: bool = False, **params):
        seed, note = parse_seed(rng)
        # a copy: the lab's lever dict goes on changing after this model is built
        super().__init__(scenario, rng=seed, overrides=dict(overrides or {}), collect_units=collect_units,
                         **params)
        self.seed_note = note


def parse_seed(value) -> tuple[int, str | None]:
    """A seed from the lab's seed box: a whole number 0 or more; blank or anything else draws a fresh one
    (and says so, so the user sees which seed ran)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0:
        return int(value), None
    text = "" if value is None else str(value).strip()
    if text.isdigit():
        return int(text), None
    seed = fresh_seed()
    return seed, None if not text else f"{text!r} is not a whole number 0 or more: a fresh seed was drawn"


def lever_params(loaded) -> list:
    """The scenario's tunable parameters (Param: path, value, range, note) among the main levers."""
    return [loaded.params[path] for path in LEVERS if path in loaded.params]


def slider_step(low: float, high: float, whole: bool) -> float:
    """About a hundred notches across the range, at a round size (0.001, 0.002, 0.005, 0.01, ...)."""
    if whole:
        return max(1, round((high - low) / 100))
    raw = (high - low) / 100
    exponent = math.floor(math.log10(raw)) if raw > 0 else -2
    for mantissa in (1, 2, 5, 10):
        if mantissa * 10 ** exponent >= raw:
            return round(mantissa * 10 ** exponent, 12)
    return raw


def is_whole(param) -> bool:
    """A parameter counted in whole numbers (aircraft, fighters): whole value and bounds, a wide range."""
    low, high = param.range
    return all(float(v).is_integer() for v in (param.value, low, high)) and high - low >= 20


def show(value: float) -> str:
    return f"{value:.4g}"


# ------------------------------------------------------------------------------------------------ the map


@dataclass
class BaseLayers:
    """The base map of a theatre as bitmaps: the background (sea, terrain, neighbours' names) and the
    layers that must stay above the control shading, split into those under the units (rivers, border,
    roads, graticule) and those over them (place markers and names). Shared read-only by every map."""

    figsize: tuple                    # inches
    background: np.ndarray            # H x W x 4 uint8
    under: tuple                      # (pixel indices, alpha, premultiplied colour) of a transparent layer
    over: tuple
    position: tuple                   # the axes box (figure fraction) after the equal aspect
    limits: tuple                     # xlim + ylim in km
    front_cells: tuple                # every pair of neighbouring inside cells ...
    front_segments: np.ndarray        # ... and the hex edge between them


def _theatre_key(spec) -> tuple:
    t = spec.theatre
    return (t.south, t.north, t.west, t.east, t.cell_km)


@lru_cache(maxsize=4)
def _theatre(key: tuple) -> Theatre:
    return build_theatre(TheatreSpec(*key))


_base_lock = threading.Lock()


def base_layers(key: tuple) -> BaseLayers:
    """The theatre's base bitmaps, drawn on first use (a fraction of a second) and kept for the process."""
    with _base_lock:                 # two sessions opening at once draw it once
        return _base_layers(key)


@lru_cache(maxsize=4)
def _base_layers(key: tuple) -> BaseLayers:
    theatre = _theatre(key)
    aspect = (np.ptp(theatre.y) + 10) / (np.ptp(theatre.x) + 10)        # base_map's limits: 5 km margins
    figsize = (MAP_WIDTH, float(np.clip(MAP_WIDTH * aspect, 3.0, 9.0)))
    fig = Figure(figsize=figsize, dpi=MAP_DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
    base_map(theatre, ax=ax)
    ax.apply_aspect()
    draw_places(ax, theatre, label_towns=KEY_TOWNS, fontsize=6.0)
    above = [a for a in [*ax.collections, *ax.lines, *ax.patches, *ax.texts, *ax.artists]
             if a.get_zorder() > Z_CONTROL and not isinstance(a, Legend)]
    for artist in above:
        artist.set_animated(True)          # left out of the background; drawn into the overlays
    canvas.draw()
    background = np.asarray(canvas.buffer_rgba()).copy()
    under = _overlay(canvas, ax, [a for a in above if a.get_zorder() < Z_COUNTER])
    over = _overlay(canvas, ax, [a for a in above if a.get_zorder() >= Z_COUNTER])
    box = ax.get_position()
    # the front line runs along the edges between neighbouring cells held by different sides
    adjacency = theatre.adjacency.tocoo()
    keep = adjacency.row < adjacency.col
    a, b = adjacency.row[keep], adjacency.col[keep]
    mid = np.stack([(theatre.x[a] + theatre.x[b]) / 2, (theatre.y[a] + theatre.y[b]) / 2], axis=1)
    along = np.stack([theatre.y[a] - theatre.y[b], theatre.x[b] - theatre.x[a]], axis=1)
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    half = theatre.layout.cell_km / math.sqrt(3) / 2
    segments = np.stack([mid - half * along, mid + half * along], axis=1)
    return BaseLayers(figsize, background, under, over, (box.x0, box.y0, box.width, box.height),
                      (*ax.get_xlim(), *ax.get_ylim()), (a, b), segments)


def _overlay(canvas, ax, artists) -> tuple:
    """Render artists alone onto a cleared (transparent) canvas and keep only the pixels they cover."""
    canvas.get_renderer().clear()
    for artist in sorted(artists, key=lambda a: a.get_zorder()):
        ax.draw_artist(artist)
    pixels = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
    where = np.flatnonzero(pixels[:, 3])
    alpha = pixels[where, 3:4].astype(np.float32) / 255.0
    colour = pixels[where, :3].astype(np.float32) * alpha          # Agg's buffer is not premultiplied
    return where, alpha, colour


def _lay_over(buffer: np.ndarray, layer: tuple) -> None:
    where, alpha, colour = layer
    pixels = buffer.reshape(-1, 4)
    under = pixels[where, :3].astype(np.float32)
    pixels[where, :3] = (under * (1.0 - alpha) + colour + 0.5).astype(np.uint8)


class LiveMap:
    """The map of one live model: its own small figure for what changes (shading, front, units, date),
    drawn over the shared base bitmaps. `png()` renders the model as it is now."""

    def __init__(self, model: WarModel):
        self.model = weakref.ref(model)        # the map must not keep a Reset model alive
        self.base = base_layers(_theatre_key(model.spec))
        th = model.theatre
        self.fig = Figure(figsize=self.base.figsize, dpi=MAP_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.ax = self.fig.add_axes(self.base.position)
        ax.set_xlim(*self.base.limits[:2])
        ax.set_ylim(*self.base.limits[2:])
        ax.set_axis_off()
        self.cells = np.flatnonzero(th.inside)
        palette = np.array([to_rgba(TERRAIN_COLOURS[name]) for name in TERRAIN_CLASSES])[:, :3]
        self.ground = palette[th.terrain[self.cells]] * (1 - TERRAIN_LIGHTEN) + TERRAIN_LIGHTEN
        colours = side_colours(model.spec)
        # the last row is what index -1 (ground nobody holds) picks: no tint
        self.side_rgb = np.array([to_rgba(colours[s])[:3] for s in model.side_ids] + [(1.0, 1.0, 1.0)])
        self.side_weight = np.array([CONTROL_ALPHA] * len(model.side_ids) + [0.0])[:, None]
        self.faction_rgba = np.array([to_rgba(f.colour) for f in model.spec.factions.values()])
        # animated: drawn only when a frame asks (blitting), never by a full draw of the figure
        hexagons = th.layout.hexagon(th.x[self.cells], th.y[self.cells])
        self.control = PolyCollection(hexagons, facecolors="none", edgecolors="none", antialiased=False,
                                      zorder=Z_CONTROL, animated=True)
        self.front = LineCollection([], colors="#1a1a1a", linewidths=1.1, capstyle="round", zorder=Z_FRONT,
                                    animated=True)
        self.units = ax.scatter([], [], s=[], zorder=Z_COUNTER, linewidths=0.6, animated=True)
        for artist in (self.control, self.front):
            ax.add_collection(artist, autolim=False)
        x0, y0, _, height = self.base.position                           # in the map's top left corner
        box = {"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#999999", "alpha": 0.9}
        self.date = self.fig.text(x0 + 0.01, y0 + height - 0.01, "", fontsize=10, weight="bold", va="top",
                                  animated=True, bbox=box)
        self.canvas.draw()                     # sets up the renderer the frames draw with
        self.lock = threading.Lock()           # Play's thread and a re-render may ask at once

    def png(self) -> bytes:
        model = self.model()
        if model is None:
            return b""
        with self.lock:
            self.update(model)
            buffer = np.asarray(self.canvas.buffer_rgba())          # the canvas's own memory
            buffer[...] = self.base.background
            self.ax.draw_artist(self.control)
            _lay_over(buffer, self.base.under)
            self.ax.draw_artist(self.front)
            self.ax.draw_artist(self.units)
            _lay_over(buffer, self.base.over)
            self.fig.draw_artist(self.date)
            return encode_png(buffer)

    def update(self, model: WarModel) -> None:
        control = np.asarray(model.control)
        held = control[self.cells]
        w = self.side_weight[held]
        self.control.set_facecolor(np.concatenate(
            [self.ground * (1 - w) + self.side_rgb[held] * w, np.ones((held.size, 1))], axis=1))
        a, b = self.base.front_cells
        ca, cb = control[a], control[b]
        self.front.set_segments(self.base.front_segments[(ca != cb) & (ca >= 0) & (cb >= 0)])
        x, y, size, face, edge = unit_dots(model, self.faction_rgba)
        self.units.set_offsets(np.column_stack([x, y]) if x.size else np.zeros((0, 2)))
        self.units.set_sizes(size)
        self.units.set_facecolors(face)
        self.units.set_edgecolors(edge)
        self.date.set_text(date_line(model))


def unit_dots(model: WarModel, faction_rgba: np.ndarray):
    """One dot per occupied cell: the colour of its leading unit's faction (in good order before
    routing, then the strongest), its area growing with the personnel standing there; a routing lead
    shows hollow."""
    t = model.table
    n = t.n
    idx, state = t.idx[:n].copy(), t.state[:n].copy()       # copies: Play's thread may step meanwhile
    faction, personnel = t.faction[:n].copy(), t.personnel[:n].copy()
    on = (state < GONE_FROM) & (idx >= 0)
    idx, state, faction, personnel = idx[on], state[on], faction[on], personnel[on]
    if idx.size == 0:
        empty = np.zeros(0)
        return empty, empty, empty, np.zeros((0, 4)), np.zeros((0, 4))
    routing = state >= ROUTING
    order = np.lexsort((-personnel, routing, idx))
    cell_sorted = idx[order]
    first = np.flatnonzero(np.r_[True, cell_sorted[1:] != cell_sorted[:-1]])
    lead = order[first]
    total = np.add.reduceat(personnel[order], first)
    colour = faction_rgba[faction[lead]]
    hollow = routing[lead]
    face = np.where(hollow[:, None], np.array([1.0, 1.0, 1.0, 1.0]), colour)
    edge = np.where(hollow[:, None], colour, np.array(to_rgba(UNIT_EDGE)))
    size = np.clip(14.0 * np.sqrt(np.maximum(total, 1.0) / 300.0), 6.0, 60.0)     # points^2
    th = model.theatre
    return th.x[idx[lead]], th.y[idx[lead]], size, face, edge


def encode_png(rgba: np.ndarray) -> bytes:
    """PNG bytes, compressed lightly: a frame is sent once to a browser on this machine or the LAN."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def when(model: WarModel) -> dt.datetime:
    return date_of(model.spec.meta.start, model.day)


def date_line(model: WarModel) -> str:
    return f"{format_date(when(model), 'minute')}  ·  day {model.day:g}"


# --------------------------------------------------------------------------------------------- the charts


class LiveCharts:
    """Territory and cities held by each side and morale by faction, from the model's DataCollector,
    on a fixed date axis spanning the whole campaign (the lines grow across it)."""

    def __init__(self, model: WarModel):
        self.model = weakref.ref(model)
        spec = model.spec
        self.start = mdates.date2num(spec.meta.start)
        self.fig = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        territory, cities, morale = self.fig.subplots(3, 1, sharex=True)
        self.lines: list[tuple] = []            # (line, metric, scale)
        self.metrics: list[str] = []            # every column the lines read
        sides = side_styles(spec)
        names = {sid: short_name(side.name) for sid, side in spec.sides.items()}
        for sid, style in sides.items():
            self._line(territory, f"territory_{sid}", 100.0, names[sid], style)
            self._line(cities, f"cities_{sid}", 1.0, names[sid], style)
        fighting = [f for f in spec.factions if any(u.faction == f for u in spec.units.values())]
        styles = faction_styles(spec)
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
        for ax in (territory, cities, morale):
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

    def _line(self, ax, metric: str, scale: float, label: str, style) -> None:
        (line,) = ax.plot([], [], label=label, lw=1.5, **style.line())
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


def captures(model: WarModel) -> list[CityCaptured]:
    return model.events.of_kind(CityCaptured)


# --------------------------------------------------------------------------------------------- the page


@solara.component
def MapView(model: WarModel):
    update_counter.get()                      # re-render when Mesa's controller steps the model
    solara.Image(live_map(model).png(), width="100%")
    spec = model.spec
    sides = "".join(_chip(side.colour, f"<b>{side_label(sid)}</b> {escape(short_name(side.name))}",
                          square=True) for sid, side in spec.sides.items())
    factions = "".join(_chip(f.colour, escape(short_name(f.name))) for f in spec.factions.values())
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<div style='font-size:12px;line-height:1.7'>{sides}<br>{factions}<br>"
        "<span style='color:#555'>Shading: ground held by a side; black line: the front; dot: the leading "
        "unit of a cell (hollow when routing), larger with more personnel there.</span></div>"))


def _chip(colour: str, label: str, square: bool = False) -> str:
    shape = "2px" if square else "50%"
    return (f"<span style='display:inline-block;margin-right:10px;white-space:nowrap'>"
            f"<span style='display:inline-block;width:10px;height:10px;border-radius:{shape};"
            f"background:{colour};border:1px solid #333;margin-right:4px;vertical-align:middle'></span>"
            f"{label}</span>")


@solara.component
def ChartsView(model: WarModel):
    update_counter.get()
    solara.Image(live_charts(model).png(), width="100%")


@solara.component
def StatusView(model: WarModel):
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model))


def side_label(sid: str) -> str:
    """A side's id as a short label: "Regime", "Opposition", "SDF" (its full name is in the map's key)."""
    return sid.upper() if len(sid) <= 3 else sid.replace("_", " ").capitalize()


def status_html(model: WarModel) -> str:
    """The day, date and step, the seed, territory, and the cities and towns taken so far, as HTML
    (solara's Markdown would load a diagram library into the page on every update)."""
    spec = model.spec
    names = {sid: side_label(sid) for sid in spec.sides}
    parts = [(f"<b>{escape(date_line(model))}</b> (step {model.steps} of {spec.total_steps}, "
              f"{spec.meta.hours_per_step} h each)"),
             f"Scenario <code>{escape(model.loaded.name)}</code>, seed {model.seed}."]
    if getattr(model, "seed_note", None):
        parts.append(f"<i>{escape(model.seed_note)}</i>")
    shares = ", ".join(f"{escape(names[s])} {100 * model.metrics[f'territory_{s}']:.0f}%"
                       for s in model.side_ids)
    parts.append(f"Territory: {shares}.")
    ended = model.events.of_kind(CampaignEnded)
    if ended:
        parts.append(f"<b>The campaign has ended:</b> {escape(ended[-1].reason)}.")
    taken = captures(model)
    if taken:
        items = []
        for e in reversed(taken[-12:]):
            when_taken = format_date(date_of(spec.meta.start, e.day), "short")
            loser, taker = names.get(e.from_side, e.from_side), names.get(e.side, e.side)
            items.append(f"<li>{when_taken} <b>{escape(e.name)}</b>: "
                         f"{escape(loser)} &rarr; {escape(taker)}</li>")
        if len(taken) > 12:
            items.append(f"<li>... and {len(taken) - 12} earlier</li>")
        parts.append(f"Cities and towns taken so far ({len(taken)}), latest first:"
                     f"<ul style='margin:2px 0 0 0'>{''.join(items)}</ul>")
    else:
        parts.append("No city or town has changed hands yet.")
    body = "".join(f"<div style='margin-bottom:4px'>{p}</div>" for p in parts)
    return f"<div style='font-size:13px;line-height:1.45'>{body}</div>"


@solara.component
def LeverCard(model: WarModel, name: str, loaded, levers: dict, scenarios: list[str], on_scenario):
    """Our sidebar card: the scenario and its main levers. Each slider writes into `levers`, the dict
    Mesa passes to the model as its `overrides` at the next Reset."""
    values = solara.use_reactive(dict(levers))        # what the sliders show (levers is not reactive)
    applied = {p.path: p.value for p in lever_params(model.loaded)}
    params = lever_params(loaded)

    def setter(param):
        low, high = param.range

        def set_value(value) -> None:
            # within the range and without float noise (0.30000000000000004): the value is validated
            # against the parameter's bounds when the model is built
            value = min(max(round(float(value), 10), low), high)
            levers[param.path] = value
            values.set({**values.value, param.path: value})
        return set_value

    with solara.Sidebar(), solara.Card("Scenario and levers"):
        solara.Select("Scenario", value=name, values=scenarios, on_value=on_scenario)
        solara.Text(loaded.scenario.meta.title, style={"font-size": "12px", "color": "#555"})
        for p in params:
            whole = is_whole(p)
            value = values.value[p.path]
            changed = not math.isclose(value, applied.get(p.path, value), rel_tol=1e-9, abs_tol=1e-12)
            slider = solara.SliderInt if whole else solara.SliderFloat
            tip = (f"{p.path}: {p.note or 'no note'}. Range {show(p.range[0])} to {show(p.range[1])}; "
                   f"the scenario's value {show(p.value)}.")
            with solara.Tooltip(tip), solara.Column(gap="0px", style={"margin-top": "6px"}):
                solara.Text(f"{LEVERS[p.path]}: {show(value)}" + ("  (at Reset)" if changed else ""),
                            style={"font-size": "13px", "font-weight": "bold" if changed else "normal"})
                slider("", value=int(value) if whole else float(value), on_value=setter(p),
                       min=int(p.range[0]) if whole else float(p.range[0]),
                       max=int(p.range[1]) if whole else float(p.range[1]),
                       step=slider_step(*p.range, whole), thumb_label=True)
        pending = [LEVERS[p.path] for p in params
                   if not math.isclose(values.value[p.path], applied.get(p.path, p.value), rel_tol=1e-9,
                                       abs_tol=1e-12)]
        if pending:
            solara.Info(f"Press Reset to run with the new {', '.join(pending)}.", dense=True)

        def restore() -> None:
            for p in params:
                levers[p.path] = p.value
            values.set({p.path: p.value for p in params})

        solara.Button("Scenario's values", on_click=restore, text=True, small=True,
                      disabled=all(math.isclose(values.value[p.path], p.value) for p in params))


@solara.component
def LabBody(model: WarModel, name: str, loaded, levers: dict, scenarios: list[str], on_scenario):
    # A component below SolaraViz's level, so that our sidebar card comes after Mesa's controls:
    # solara orders sidebar entries by the depth of the component that adds them.
    LeverCard(model, name, loaded, levers, scenarios, on_scenario)
    with solara.Columns([3, 2]):
        with solara.Column():
            MapView(model)
        with solara.Column():
            ChartsView(model)
            StatusView(model)


@solara.component
def ScenarioLab(name: str, seed, scenarios: list[str], on_scenario):
    """The lab of one scenario: its model (rebuilt by Mesa's Reset) and its levers."""
    loaded = solara.use_memo(lambda: load_scenario(name), [name])
    levers = solara.use_memo(lambda: {p.path: p.value for p in lever_params(loaded)}, [name])
    first = solara.use_memo(lambda: LabModel(name, rng=seed, overrides=levers), [name])
    model = solara.use_reactive(first)
    model_params = {
        "scenario": name,
        "rng": {"type": "InputText", "value": str(seed), "label": "Seed (a whole number)"},
        # Mesa keeps the fixed parameters it was given and passes them at each Reset: this dict, which
        # the lever sliders write into, therefore reaches the new model with the sliders' values.
        "overrides": levers,
    }
    # SolaraViz puts its app bar and controls into the page's layout (portals) and draws nothing in place
    # with no components of its own, but its empty placeholders would leave a gap over the map.
    with solara.Div(style={"display": "none"}):
        SolaraViz(model, components=[], model_params=model_params,
                  name=f"Modelling lab: {loaded.scenario.meta.title}", play_interval=150, render_interval=1)
    LabBody(model.value, name, loaded, levers, scenarios, on_scenario)


@solara.component
def Lab(scenario: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED):
    """The page: a fresh lab (model, controls, levers) for each scenario chosen."""
    name = solara.use_reactive(scenario)
    scenarios = builtin_names()
    if name.value not in scenarios:                  # a scenario file given on the command line
        scenarios = [name.value, *scenarios]
    ScenarioLab(name.value, seed, scenarios, name.set).key(f"lab-{name.value}")


def make_page(scenario: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED):
    """The lab page for a scenario (a name or a file): what `solara run` serves."""
    return Lab(scenario=scenario, seed=seed)


page = make_page(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO)
