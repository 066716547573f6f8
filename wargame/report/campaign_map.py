"""Campaign maps of a finished run: who holds the ground, where the forces stand and how steady they are,
and where each side advanced since the previous map.

Everything is read from the run directory (RunData), never from a model, so any saved run can be drawn
again. The layers that change with the step (control shading, the front line, the unit counters) are
built once as artists and updated in place by `MapLayers.update`; the animation relies on that to redraw
only them per frame.

    draw_map(run, step, "map.png", arrows_from_step=0)            # the whole theatre
    draw_map(run, step, "aleppo.png", zoom=("aleppo", 40))        # 40 km around a place
    draw_snapshots(run, run.directory)                            # maps/day_00.png ... maps/fall_aleppo.png
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from wargame.core.dates import format_date
from wargame.output.files import write_atomic
from wargame.report.style import STATE_COLOURS, faction_colours, short_name, side_colours
from wargame.report.theatre_map import KEY_TOWNS, TERRAIN_COLOURS, base_map, draw_places, draw_scale_bar
from wargame.core.theatre import TERRAIN_CLASSES, Theatre, TheatreSpec, build_theatre

MAP_DPI = 160              # the whole theatre ~1550 px tall: a 5 km hex's counter is ~11 px
CONTROL_ALPHA = 0.38       # weight of the side's colour over the (lightened) terrain
TERRAIN_LIGHTEN = 0.5      # terrain mixed this far towards white under the shading: the side's colour leads
COUNTER_SHARE = 0.74       # counter side / cell size: hex rows are 0.87 cells apart, so counters never touch
STACK_OFFSET = 0.16        # shadow of a stacked counter, as a share of the counter side
FRONT_COLOUR = "#1a1a1a"
COUNTER_EDGE = "#1a1a1a"
GOOD_ORDER, ROUTING, SURRENDERED = 0, 1, 2
STATE_CODE = {"active": GOOD_ORDER, "shaken": GOOD_ORDER, "routing": ROUTING, "surrendered": SURRENDERED}
# zorders relative to theatre_map's layers: terrain 1, rivers 3, border 4, roads 5, graticule 6,
# place markers 7, labels 8: the shading tints the terrain only; counters sit under the place names.
Z_CONTROL, Z_FRONT, Z_COUNTER, Z_TAKEN, Z_ARROW = 1.5, 5.6, 6.3, 7.3, 7.6


@dataclass
class Counters:
    """One counter per occupied cell: the cell's leading unit (in good order before routing before
    surrendered, then the most personnel), how many units stand there, and the personnel-weighted
    morale of the leading faction's units in the cell."""

    cell: np.ndarray
    faction: np.ndarray       # index into CampaignView.faction_ids
    state: np.ndarray         # GOOD_ORDER, ROUTING or SURRENDERED
    morale: np.ndarray        # 0..1
    stack: np.ndarray         # units in the cell

    def __len__(self) -> int:
        return int(self.cell.size)


@dataclass
class Advance:
    """An arrow of advance: `side` took `cells` cells pushing from `tail` towards `head` (km)."""

    side: str
    tail: tuple[float, float]
    head: tuple[float, float]
    cells: int


def run_theatre(run) -> Theatre:
    t = run.scenario.theatre
    return build_theatre(TheatreSpec(t.south, t.north, t.west, t.east, t.cell_km))


class CampaignView:
    """What the maps need from a run, prepared once: the theatre, colours, the units on the map
    sorted by step, and the geometry of the hex edges the front line is drawn along."""

    def __init__(self, run):
        self.run = run
        scenario = run.scenario
        self.theatre = run_theatre(run)
        self.side_ids = list(scenario.sides)
        self.faction_ids = list(scenario.factions)
        self.side_colour = side_colours(scenario)
        self.faction_colour = faction_colours(scenario)
        self.faction_rgba = np.array([to_rgba(self.faction_colour[f]) for f in self.faction_ids] + [to_rgba("grey")])
        self.cells = np.flatnonzero(self.theatre.inside)
        # The shading is blended with the terrain here and drawn opaque: alpha-blended hexes would
        # double up where neighbours overlap by a pixel and draw the hex grid over the whole map.
        palette = np.array([to_rgba(TERRAIN_COLOURS[name]) for name in TERRAIN_CLASSES])[:, :3]
        terrain = palette[self.theatre.terrain[self.cells]]
        self.ground = terrain * (1 - TERRAIN_LIGHTEN) + TERRAIN_LIGHTEN
        # one row per side; the extra last row (what index -1 picks) is no tint: ground nobody holds
        self.side_rgb = np.array([to_rgba(self.side_colour[s])[:3] for s in self.side_ids] + [(1.0, 1.0, 1.0)])
        self.side_weight = np.array([CONTROL_ALPHA] * len(self.side_ids) + [0.0])
        self._prepare_units(run.units)
        self._prepare_edges()

    # -- time -----------------------------------------------------------------------------------------
    @property
    def steps(self) -> np.ndarray:
        if len(self.run.control_steps):
            return np.asarray(self.run.control_steps)
        return self.run.metrics["step"].to_numpy() if len(self.run.metrics) else np.zeros(1, dtype=int)

    @property
    def last_step(self) -> int:
        return int(self.run.metrics["step"].max()) if len(self.run.metrics) else int(self.steps.max())

    def day_at(self, step: int) -> float:
        metrics = self.run.metrics
        row = metrics.index[metrics["step"] == step] if len(metrics) else []
        if len(row):
            return float(metrics.at[row[0], "day"])
        return step * float(self.run.info.get("hours_per_step", 24)) / 24.0

    def step_at(self, day: float) -> int:
        """The first step at or after `day` (the last step if the run ended before it)."""
        metrics = self.run.metrics
        if not len(metrics):
            return int(round(day * 24.0 / float(self.run.info.get("hours_per_step", 24))))
        days = metrics["day"].to_numpy(dtype=float)
        later = np.flatnonzero(days >= day - 1e-9)
        return int(metrics["step"].iloc[later[0] if later.size else -1])

    def when(self, step: int):
        return self.run.dates([self.day_at(step)])[0]

    def date_line(self, step: int) -> str:
        return f"day {self.day_at(step):g}, {format_date(self.when(step), 'long')}"

    def short_date(self, step: int) -> str:
        return format_date(self.when(step), "short")

    def event_step(self, event: dict) -> int:
        if "step" in event:
            return int(event["step"])
        return int(round(float(event["day"]) * 24.0 / float(self.run.info.get("hours_per_step", 24))))

    # -- control --------------------------------------------------------------------------------------
    def control_at(self, step: int) -> np.ndarray:
        """The side index holding each cell at `step` (the latest snapshot at or before it)."""
        control = self.run.control
        if control.size == 0:
            return np.full(self.theatre.n, -1, dtype=np.int8)
        k = int(np.searchsorted(self.run.control_steps, step, side="right")) - 1
        return control[max(k, 0)]

    def _prepare_edges(self) -> None:
        """Every pair of neighbouring inside cells and the hex edge between them (the front line is the
        edges whose two cells are held by different sides)."""
        th = self.theatre
        adjacency = th.adjacency.tocoo()
        keep = adjacency.row < adjacency.col
        a, b = adjacency.row[keep], adjacency.col[keep]
        mid = np.stack([(th.x[a] + th.x[b]) / 2, (th.y[a] + th.y[b]) / 2], axis=1)
        along = np.stack([th.y[a] - th.y[b], th.x[b] - th.x[a]], axis=1)      # perpendicular to a-b
        along /= np.linalg.norm(along, axis=1, keepdims=True)
        half = th.layout.cell_km / math.sqrt(3) / 2                            # half the hex side
        self._edge_cells = (a, b)
        self._edge_segments = np.stack([mid - half * along, mid + half * along], axis=1)

    def front_segments(self, control: np.ndarray) -> np.ndarray:
        a, b = self._edge_cells
        ca, cb = control[a], control[b]
        return self._edge_segments[(ca != cb) & (ca >= 0) & (cb >= 0)]

    def control_colours(self, control: np.ndarray) -> np.ndarray:
        """RGBA per inside cell: its side's colour over the lightened terrain."""
        held = control[self.cells]
        w = self.side_weight[held][:, None]
        rgb = self.ground * (1 - w) + self.side_rgb[held] * w
        return np.concatenate([rgb, np.ones((rgb.shape[0], 1))], axis=1)

    def territory_share(self, control: np.ndarray) -> dict[str, float]:
        held = control[self.cells]
        total = max(int((held >= 0).sum()), 1)
        return {s: float((held == i).sum()) / total for i, s in enumerate(self.side_ids)}

    # -- units ----------------------------------------------------------------------------------------
    def _prepare_units(self, units) -> None:
        if units is None or len(units) == 0:
            self._u = None
            return
        on_map = units[(units["cell"] >= 0) & units["state"].isin(list(STATE_CODE))]
        order = np.argsort(on_map["step"].to_numpy(), kind="stable")
        index = {f: i for i, f in enumerate(self.faction_ids)}
        self._u = {
            "step": on_map["step"].to_numpy()[order],
            "cell": on_map["cell"].to_numpy(dtype=np.int64)[order],
            "faction": on_map["faction"].map(index).fillna(len(self.faction_ids)).to_numpy(dtype=np.int64)[order],
            "state": on_map["state"].map(STATE_CODE).to_numpy(dtype=np.int64)[order],
            "personnel": on_map["personnel"].to_numpy(dtype=float)[order],
            "morale": on_map["morale"].to_numpy(dtype=float)[order],
        }

    def counters(self, step: int) -> Counters:
        u = self._u
        if u is None:
            empty = np.zeros(0, dtype=np.int64)
            return Counters(empty, empty, empty, np.zeros(0), empty)
        lo, hi = np.searchsorted(u["step"], [step, step + 1])
        cell, fac, state = u["cell"][lo:hi], u["faction"][lo:hi], u["state"][lo:hi]
        personnel, morale = u["personnel"][lo:hi], u["morale"][lo:hi]
        order = np.lexsort((-personnel, state, cell))       # by cell, then good order first, then strongest
        cell_sorted = cell[order]
        first = np.flatnonzero(np.r_[True, cell_sorted[1:] != cell_sorted[:-1]])
        stack = np.diff(np.r_[first, cell_sorted.size])
        lead = order[first]
        group = np.repeat(np.arange(first.size), stack)
        weight = np.where(fac[order] == fac[lead][group], np.maximum(personnel[order], 1.0), 0.0)
        mean_morale = np.bincount(group, weight * morale[order]) / np.bincount(group, weight)
        return Counters(cell[lead], fac[lead], state[lead], np.clip(mean_morale, 0.0, 1.0), stack)

    def factions_in(self, limits, step: int | None = None) -> np.ndarray:
        """Indices of the factions with a unit on the map inside `limits` at `step` (at any step: None)."""
        u = self._u
        if u is None:
            return np.zeros(0, dtype=np.int64)
        lo, hi = np.searchsorted(u["step"], [step, step + 1]) if step is not None else (0, u["step"].size)
        x, y = self.theatre.x[u["cell"][lo:hi]], self.theatre.y[u["cell"][lo:hi]]
        seen = (x >= limits[0]) & (x <= limits[1]) & (y >= limits[2]) & (y <= limits[3])
        return np.unique(u["faction"][lo:hi][seen])

    # -- advances -------------------------------------------------------------------------------------
    def advances(self, from_step: int, to_step: int, max_per_side: int = 4, min_cells: int = 4,
                 spacing_km: float = 45.0) -> list[Advance]:
        """A few arrows per side for the ground it took between two steps.

        Each taken cell is traced back to the nearest cell the side held before (where the push came
        from); taken cells are grouped by connected patch, and a wide patch is split along the old front
        by those origins, so one arrow stands for one thrust. The arrow runs from the mean origin to the
        depth reached by most (the 85th percentile) of its cells; shallow nibbles are left out.
        """
        th = self.theatre
        before, after = self.control_at(from_step), self.control_at(to_step)
        xy = np.stack([th.x, th.y], axis=1)
        arrows: list[Advance] = []
        for i, side in enumerate(self.side_ids):
            gained = np.flatnonzero(th.inside & (after == i) & (before != i))
            held = np.flatnonzero(th.inside & (before == i))
            if gained.size < min_cells or held.size == 0:
                continue
            _, nearest = cKDTree(xy[held]).query(xy[gained])
            origin = xy[held[nearest]]
            sub = th.adjacency[gained][:, gained]
            _, patch = csgraph.connected_components(sub, directed=False)
            found = []
            for p in np.unique(patch):
                members = np.flatnonzero(patch == p)
                if members.size < min_cells:
                    continue
                spread = np.ptp(origin[members], axis=0).max() if members.size > 1 else 0.0
                k = int(min(3, max(1, math.ceil(spread / spacing_km)), members.size // min_cells))
                labels = _cluster(origin[members], max(k, 1))
                for c in np.unique(labels):
                    cluster = members[labels == c]
                    if cluster.size < min_cells:
                        continue
                    arrow = _arrow(side, origin[cluster], xy[gained[cluster]], th.layout.cell_km)
                    if arrow is not None:
                        found.append(arrow)
            found.sort(key=lambda a: -a.cells)
            arrows += found[:max_per_side]
        return arrows

    def captures(self, from_step: int | None, to_step: int, kinds=("city", "town")) -> list[dict]:
        """city_captured events after `from_step` up to `to_step` whose place is of one of `kinds`."""
        places = self.theatre.geodata.places
        out = []
        for e in self.run.events:
            if e.get("kind") != "city_captured" or e.get("city") not in places:
                continue
            s = self.event_step(e)
            if places[e["city"]].kind in kinds and (from_step is None or s > from_step) and s <= to_step:
                out.append(e)
        return out


def _cluster(points: np.ndarray, k: int, rounds: int = 8) -> np.ndarray:
    """k-means with a farthest-point start: deterministic, and enough for the two or three thrusts of
    one patch of taken ground."""
    if k <= 1 or len(points) <= k:
        return np.zeros(len(points), dtype=int)
    centres = [points[np.argmax(np.linalg.norm(points - points.mean(axis=0), axis=1))]]
    for _ in range(1, k):
        dist = np.min([np.linalg.norm(points - c, axis=1) for c in centres], axis=0)
        centres.append(points[np.argmax(dist)])
    centres = np.array(centres)
    for _ in range(rounds):
        labels = np.argmin(np.linalg.norm(points[:, None, :] - centres[None], axis=2), axis=1)
        centres = np.array([points[labels == j].mean(axis=0) if np.any(labels == j) else centres[j]
                            for j in range(k)])
    return labels


def _arrow(side: str, origins: np.ndarray, taken: np.ndarray, cell_km: float) -> Advance | None:
    tail = origins.mean(axis=0)
    direction = taken.mean(axis=0) - tail
    norm = float(np.linalg.norm(direction))
    if norm < 1e-6:
        return None
    unit = direction / norm
    depth = float(np.percentile((taken - tail) @ unit, 85))
    if depth < 2.5 * cell_km:                                 # a nibble at the front, not an advance
        return None
    tail = tail - unit * cell_km                              # start just inside the old front
    head = tail + unit * (depth + cell_km)
    return Advance(side, (float(tail[0]), float(tail[1])), (float(head[0]), float(head[1])), int(len(taken)))


def view_of(run) -> CampaignView:
    """The run's CampaignView, built once per RunData object (the snapshots and the animation share it)."""
    if isinstance(run, CampaignView):
        return run
    view = run.__dict__.get("_campaign_view")
    if view is None or view.run is not run:
        view = CampaignView(run)
        run.__dict__["_campaign_view"] = view
    return view


# -- counters ---------------------------------------------------------------------------------------------
def _squares(x, y, half) -> np.ndarray:
    return np.stack([np.stack([x - half, y - half], -1), np.stack([x + half, y - half], -1),
                     np.stack([x + half, y + half], -1), np.stack([x - half, y + half], -1)], axis=1)


def counter_geometry(x, y, side_km: float, morale, state, stack):
    """Polygons and marks of the counters centred at x, y: shadows (a counter behind, for a stack),
    the counters, their morale fill (from the bottom, as high as the morale) and the routing slash and
    surrendered cross."""
    half = side_km / 2
    off = STACK_OFFSET * side_km
    stacked = stack > 1
    shadows = _squares(x[stacked] + off, y[stacked] + off, half)
    boxes = _squares(x, y, half)
    top = y - half + side_km * np.where(state == SURRENDERED, 0.0, morale)
    fills = boxes.copy()
    fills[:, 2, 1] = top
    fills[:, 3, 1] = top
    slash = state >= ROUTING
    cross = state == SURRENDERED
    marks = np.concatenate([
        np.stack([np.stack([x[slash] - half, y[slash] - half], -1), np.stack([x[slash] + half, y[slash] + half], -1)], 1),
        np.stack([np.stack([x[cross] - half, y[cross] + half], -1), np.stack([x[cross] + half, y[cross] - half], -1)], 1),
    ])
    mark_states = np.concatenate([state[slash], state[cross]])
    return shadows, boxes, fills, marks, mark_states


class MapLayers:
    """The artists that change with the step, added to `ax` once: control shading (one hexagon per
    theatre cell), the front line, and the unit counters. `update(step)` sets their data in place."""

    def __init__(self, ax, view: CampaignView, animated: bool = False, px_per_km: float = 2.5, limits=None):
        self.ax, self.view = ax, view
        th = view.theatre
        # only the hexes in view (and a rim): a zoomed map or animation frame need not shade the rest
        self.shaded = np.arange(view.cells.size)
        if limits is not None:
            x, y, rim = th.x[view.cells], th.y[view.cells], th.layout.cell_km
            self.shaded = np.flatnonzero((x > limits[0] - rim) & (x < limits[1] + rim)
                                         & (y > limits[2] - rim) & (y < limits[3] + rim))
        counter_px = COUNTER_SHARE * th.layout.cell_km * px_per_km
        self.counter_km = COUNTER_SHARE * th.layout.cell_km
        self.edge_lw = float(np.clip(counter_px / 28, 0.3, 0.9))     # points; thin at full-map scale
        cells = view.cells[self.shaded]
        verts = th.layout.hexagon(th.x[cells], th.y[cells])
        self.control = PolyCollection(verts, facecolors="none", edgecolors="none", antialiased=False,
                                      zorder=Z_CONTROL, animated=animated, gid="control")
        self.front = LineCollection([], colors=FRONT_COLOUR, linewidths=float(np.clip(px_per_km / 2.2, 0.8, 2.2)),
                                    capstyle="round", zorder=Z_FRONT, animated=animated, gid="front")
        common = dict(animated=animated, closed=True)
        self.shadows = PolyCollection([], edgecolors=COUNTER_EDGE, linewidths=self.edge_lw, zorder=Z_COUNTER,
                                      gid="counter_stacks", **common)
        self.boxes = PolyCollection([], edgecolors=COUNTER_EDGE, linewidths=self.edge_lw, zorder=Z_COUNTER + 0.01,
                                    gid="counters", **common)
        self.fills = PolyCollection([], edgecolors="none", zorder=Z_COUNTER + 0.02, gid="morale", **common)
        self.marks = LineCollection([], linewidths=self.edge_lw * 2.2, zorder=Z_COUNTER + 0.03, animated=animated,
                                    capstyle="butt", gid="counter_marks")
        for artist in self.artists:
            ax.add_collection(artist, autolim=False)
        self.stack_labels: list = []
        self.show_stack_numbers = counter_px >= 22          # only where a digit fits inside a counter

    @property
    def artists(self) -> list:
        return [self.control, self.front, self.shadows, self.boxes, self.fills, self.marks]

    def update(self, step: int) -> Counters:
        view, th = self.view, self.view.theatre
        control = view.control_at(step)
        self.control.set_facecolor(view.control_colours(control)[self.shaded])
        self.front.set_segments(view.front_segments(control))
        c = view.counters(step)
        x, y = th.x[c.cell], th.y[c.cell]
        shadows, boxes, fills, marks, mark_states = counter_geometry(x, y, self.counter_km, c.morale, c.state, c.stack)
        colour = view.faction_rgba[c.faction]
        white = np.ones_like(colour)
        grey = np.array(to_rgba("#bdbdbd"))
        box_face = np.where((c.state == SURRENDERED)[:, None], grey, white)
        self.shadows.set_verts(shadows)
        self.shadows.set_facecolor(colour[c.stack > 1] * [0.75, 0.75, 0.75, 1.0])
        self.boxes.set_verts(boxes)
        self.boxes.set_facecolor(box_face)
        self.fills.set_verts(fills)
        self.fills.set_facecolor(colour)
        self.marks.set_segments(marks)
        self.marks.set_color([STATE_COLOURS["routing"] if s == ROUTING else "#111111" for s in mark_states])
        for label in self.stack_labels:
            label.remove()
        self.stack_labels = []
        if self.show_stack_numbers:
            half = self.counter_km / 2
            for cx, cy, n in zip(x[c.stack > 1], y[c.stack > 1], c.stack[c.stack > 1]):
                self.stack_labels.append(self.ax.text(
                    cx + half, cy + half, str(n), fontsize=5.5, ha="center", va="center", zorder=Z_COUNTER + 0.05,
                    color="white", weight="bold", clip_on=True,
                    bbox=dict(boxstyle="circle,pad=0.15", fc="#222222", ec="none")))
        return c


# -- legend keys ------------------------------------------------------------------------------------------
@dataclass
class CounterKey:
    colour: str
    morale: float = 1.0
    state: int = GOOD_ORDER
    stacked: bool = False


@dataclass
class ArrowKey:
    colour: str


class _CounterHandler(HandlerBase):
    def create_artists(self, legend, key, x0, y0, width, height, fontsize, trans):
        side = min(width, height) * 1.15
        x, y = x0 + (width - side) / 2, y0 + (height - side) / 2
        out = []
        if key.stacked:
            d = side * STACK_OFFSET * 1.4
            out.append(Rectangle((x + d, y + d), side, side, fc=np.array(to_rgba(key.colour)) * [0.75, 0.75, 0.75, 1],
                                 ec=COUNTER_EDGE, lw=0.6, transform=trans))
        face = "#bdbdbd" if key.state == SURRENDERED else "white"
        out.append(Rectangle((x, y), side, side, fc=face, ec=COUNTER_EDGE, lw=0.6, transform=trans))
        if key.state != SURRENDERED:
            out.append(Rectangle((x, y), side, side * key.morale, fc=key.colour, ec="none", transform=trans))
        if key.state >= ROUTING:
            colour = STATE_COLOURS["routing"] if key.state == ROUTING else "#111111"
            out.append(Line2D([x, x + side], [y, y + side], color=colour, lw=1.4, transform=trans))
        if key.state == SURRENDERED:
            out.append(Line2D([x, x + side], [y + side, y], color="#111111", lw=1.4, transform=trans))
        out.append(Rectangle((x, y), side, side, fc="none", ec=COUNTER_EDGE, lw=0.6, transform=trans))
        return out


class _ArrowHandler(HandlerBase):
    def create_artists(self, legend, key, x0, y0, width, height, fontsize, trans):
        verts = arrow_polygon((x0 - 2, y0 + height * 0.35), (x0 + width + 2, y0 + height * 0.5), height * 0.55,
                              bend=0.1)
        return [Polygon(verts, closed=True, fc=key.colour, ec="#111111", lw=0.6, transform=trans)]


HANDLERS = {CounterKey: _CounterHandler(), ArrowKey: _ArrowHandler()}


def _legend_column(ax, sections, fontsize: float, x: float = 1.01, top: float = 1.0) -> list[Legend]:
    """Legends stacked down the right of the map, one per (title, handles, labels) section."""
    renderer = ax.figure.canvas.get_renderer()
    legends = []
    for title, handles, labels in sections:
        if not handles:
            continue
        legend = Legend(ax, handles, labels, loc="upper left", bbox_to_anchor=(x, top), fontsize=fontsize,
                        title=title, title_fontproperties={"weight": "bold", "size": fontsize + 0.5},
                        handler_map=HANDLERS, frameon=False, borderaxespad=0, alignment="left",
                        handlelength=1.6, handleheight=1.1, labelspacing=0.45)
        ax.add_artist(legend)
        legend.set_clip_on(False)           # add_artist clips to the axes, and bbox_inches="tight" then drops it
        legends.append(legend)
        box = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        top = box.y0 - 0.025
    return legends


def legend_sections(view: CampaignView, step: int | None, factions, since: str | None = None,
                    arrows: list[Advance] = (), taken: bool = False) -> list:
    """(title, handles, labels) of the map's legend: ground held (with each side's share at `step`, if
    given), the forces of `factions` (indices, those with a counter in view), and the counter key."""
    scenario = view.run.scenario
    share = view.territory_share(view.control_at(step)) if step is not None else None
    open_ground = np.array(to_rgba(TERRAIN_COLOURS["open"])[:3]) * (1 - TERRAIN_LIGHTEN) + TERRAIN_LIGHTEN
    ground_h = [Patch(fc=open_ground * (1 - CONTROL_ALPHA) + np.array(to_rgba(view.side_colour[s])[:3]) * CONTROL_ALPHA,
                      ec="#777777") for s in view.side_ids]
    ground_l = [short_name(scenario.sides[s].name) + (f": {100 * share[s]:.0f}%" if share else "")
                for s in view.side_ids]
    ground_h.append(Line2D([], [], color=FRONT_COLOUR, lw=1.4))
    ground_l.append("front line")
    for s in dict.fromkeys(a.side for a in arrows):
        ground_h.append(ArrowKey(view.side_colour[s]))
        ground_l.append(f"{short_name(scenario.sides[s].name)}: advance since {since}")
    if taken:
        ground_h.append(Line2D([], [], marker="o", color="none", markerfacecolor="none", markeredgecolor="#111111",
                               markeredgewidth=1.6, markersize=9))
        ground_l.append(f"city or town taken since {since} (ring in the taker's colour)")
    present = [i for i in sorted(set(int(f) for f in factions)) if i < len(view.faction_ids)]
    forces_h = [CounterKey(view.faction_colour[view.faction_ids[i]]) for i in present]
    forces_l = [short_name(scenario.factions[view.faction_ids[i]].name) for i in present]
    key_colour = "#555555"
    key_h = [CounterKey(key_colour, 1.0), CounterKey(key_colour, 0.5), CounterKey(key_colour, 0.15),
             CounterKey(key_colour, 0.6, stacked=True), CounterKey(key_colour, 0.1, ROUTING),
             CounterKey(key_colour, 0.0, SURRENDERED)]
    key_l = ["morale high (counter full)", "morale half", "morale low (nearly empty)", "several units in the hex",
             "routing", "surrendered"]
    return [("Ground held (share of territory)" if share else "Ground held", ground_h, ground_l),
            ("Forces (counter: the hex's leading unit)", forces_h, forces_l),
            ("Counters: fill = morale", key_h, key_l)]


# -- the map ----------------------------------------------------------------------------------------------
def zoom_limits(theatre: Theatre, zoom) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) in km: the whole theatre for None; (place id, radius km) around a place; or a
    (south, north, west, east) box in degrees."""
    if zoom is None:
        return (float(theatre.x.min()) - 5, float(theatre.x.max()) + 5,
                float(theatre.y.min()) - 5, float(theatre.y.max()) + 5)
    if len(zoom) == 2 and isinstance(zoom[0], str):
        place = theatre.geodata.places[zoom[0]]
        x, y = theatre.projection.forward(place.lat, place.lon)
        r = float(zoom[1])
        return float(x) - r, float(x) + r, float(y) - r, float(y) + r
    south, north, west, east = (float(v) for v in zoom)
    lat = np.array([south, south, north, north, south, north])
    lon = np.array([west, east, west, east, (west + east) / 2, (west + east) / 2])
    x, y = theatre.projection.forward(lat, lon)
    return float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y))


def fighting_area(run, margin_km: float = 35.0, min_km: float = 200.0, full_share: float = 0.7):
    """A (south, north, west, east) box around every cell that changed hands in the run, with a margin;
    None (the whole theatre) when that box would be most of the theatre anyway or nothing changed."""
    view = view_of(run)
    th, control = view.theatre, view.run.control
    if control.size == 0:
        return None
    changed = np.flatnonzero((control != control[0]).any(axis=0) & th.inside)
    if changed.size == 0:
        return None
    x0, x1, y0, y1 = zoom_limits(th, None)
    cx0, cx1 = th.x[changed].min() - margin_km, th.x[changed].max() + margin_km
    cy0, cy1 = th.y[changed].min() - margin_km, th.y[changed].max() + margin_km
    grow_x, grow_y = max(0.0, min_km - (cx1 - cx0)) / 2, max(0.0, min_km - (cy1 - cy0)) / 2
    cx0, cx1 = max(x0, cx0 - grow_x), min(x1, cx1 + grow_x)
    cy0, cy1 = max(y0, cy0 - grow_y), min(y1, cy1 + grow_y)
    if (cx1 - cx0) * (cy1 - cy0) > full_share * (x1 - x0) * (y1 - y0):
        return None
    lat, lon = th.projection.inverse(np.array([cx0, cx1, cx0, cx1]), np.array([cy0, cy0, cy1, cy1]))
    return float(lat.min()), float(lat.max()), float(lon.min()), float(lon.max())


def _hide_outside(ax, limits, margin: float = 0.04) -> None:
    """Texts anchored outside the view or at its very edge (graticule labels, country names) are not
    clipped by matplotlib; hide them so a zoomed map shows no stray or half-cut words at its margins."""
    x0, x1, y0, y1 = limits
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    for text in ax.texts:
        x, y = text.xy if hasattr(text, "xy") else text.get_position()
        if not (x0 + mx <= x <= x1 - mx and y0 + my <= y <= y1 - my):
            text.set_visible(False)


def _places_in(theatre: Theatre, limits, kinds) -> list[str]:
    x0, x1, y0, y1 = limits
    out = []
    for p in theatre.geodata.places.values():
        if p.kind in kinds and p.id in theatre.place_cell:
            x, y = theatre.projection.forward(p.lat, p.lon)
            if x0 <= x <= x1 and y0 <= y <= y1:
                out.append(p.id)
    return out


def prepare_axes(view: CampaignView, ax=None, zoom=None, figsize=(13.2, 10.6), dpi: float = MAP_DPI,
                 animated: bool = False, label_fontsize: float = 6.5):
    """The base map (terrain, rivers, roads, border, places) with the step layers on top, not yet filled."""
    th = view.theatre
    own_figure = ax is None
    fig, ax = base_map(th, figsize=figsize, ax=ax, dpi=dpi)
    if own_figure:                                   # room on the right for the legend column
        fig.subplots_adjust(left=0.02, right=0.72, bottom=0.035, top=0.92)
    limits = zoom_limits(th, zoom)
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.apply_aspect()                                # the box the equal aspect leaves, for labels and counters
    if zoom is not None:
        _hide_outside(ax, limits)
        towns = _places_in(th, limits, ("town", "landmark", "port"))
        draw_places(ax, th, kinds=("city", "town", "airbase", "port", "crossing", "garrison"),
                    label_towns=towns, fontsize=label_fontsize + 1.5, within=ax.get_window_extent())
        span = limits[1] - limits[0]
        bar = 10.0 if span < 120 else 20.0 if span < 250 else 50.0
        at = (limits[1] - bar - span * 0.04, limits[2] + span * 0.04)
        draw_scale_bar(ax, th, km=bar, at=at, label_km=span * 0.018)
        pad = span * 0.012                           # a backing, as counters may stand under the bar
        ax.add_patch(Rectangle((at[0] - pad, at[1] - pad), bar + 2 * pad, span * 0.045, fc="white", ec="none",
                               alpha=0.8, zorder=7.95))   # over counters, under place names
    else:
        draw_places(ax, th, label_towns=_key_towns(view), fontsize=label_fontsize)
    px_per_km = ax.get_window_extent().width / (limits[1] - limits[0])
    layers = MapLayers(ax, view, animated=animated, px_per_km=px_per_km, limits=limits)
    return fig, ax, layers, limits


def _key_towns(view: CampaignView) -> tuple[str, ...]:
    """Towns worth a label on the whole-theatre map: theatre_map's list plus every town that changed
    hands in the run (a fight the reader will look for)."""
    taken = {e["city"] for e in view.run.events if e.get("kind") == "city_captured"}
    return tuple(dict.fromkeys([*KEY_TOWNS, *sorted(taken)]))


def arrow_polygon(tail, head, neck: float, bend: float = 0.12, n: int = 20) -> np.ndarray:
    """Vertices of a campaign-map arrow from `tail` to `head`: a gently curved body widening from the
    tail to a `neck` width, then a broad head (in the units of the points)."""
    p0, p2 = np.asarray(tail, float), np.asarray(head, float)
    length = float(np.linalg.norm(p2 - p0))
    along = (p2 - p0) / length
    normal = np.array([-along[1], along[0]])
    control = (p0 + p2) / 2 + normal * bend * length
    head_len = min(1.7 * neck, 0.45 * length)
    end_dir = (p2 - control) / np.linalg.norm(p2 - control)
    neck_at = p2 - end_dir * head_len
    t = np.linspace(0.0, 1.0, n)[:, None]
    body = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t ** 2 * neck_at
    tangent = 2 * (1 - t) * (control - p0) + 2 * t * (neck_at - control)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    side = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    half = (0.35 + 0.65 * t) * neck / 2
    end_side = np.array([-end_dir[1], end_dir[0]])
    return np.concatenate([body + side * half, [neck_at + end_side * neck * 1.15, p2, neck_at - end_side * neck * 1.15],
                           (body - side * half)[::-1]])


def draw_advances(ax, view: CampaignView, arrows: list[Advance], limits) -> list:
    """The arrows, widest for the biggest gains, in the side's colour with a dark edge and a white halo
    so they read on any shading; sized to the view, so a zoomed map's arrows are not huge."""
    if not arrows:
        return []
    span = min(limits[1] - limits[0], limits[3] - limits[2])
    biggest = max(a.cells for a in arrows)
    out = []
    for a in arrows:
        length = math.dist(a.tail, a.head)
        # a short thrust keeps an arrow's proportions rather than becoming a fat triangle
        neck = min(span * (0.011 + 0.009 * math.sqrt(a.cells / biggest)), 0.28 * length)
        patch = Polygon(arrow_polygon(a.tail, a.head, neck), closed=True, fc=view.side_colour[a.side], ec="#111111",
                        lw=0.8, alpha=0.9, zorder=Z_ARROW, joinstyle="round",
                        path_effects=[patheffects.withStroke(linewidth=2.6, foreground="white")])
        ax.add_patch(patch)
        out.append(patch)
    return out


def mark_captures(ax, view: CampaignView, captures: list[dict], fontsize: float = 6.5) -> None:
    th = view.theatre
    for e in captures:
        place = th.geodata.places[e["city"]]
        x, y = th.projection.forward(place.lat, place.lon)
        big = place.kind == "city"
        ax.scatter([x], [y], s=260 if big else 140, facecolors="none", edgecolors=view.side_colour[e["side"]],
                   linewidths=2.2, zorder=Z_TAKEN)
        ax.scatter([x], [y], s=260 if big else 140, facecolors="none", edgecolors="#111111", linewidths=0.6,
                   zorder=Z_TAKEN)


def draw_map(run, step: int, path: str | Path | None = None, title: str | None = None, ax=None,
             arrows_from_step: int | None = None, zoom=None, inset=None, legend: bool = True,
             label: str | None = None):
    """Draw the campaign at `step`: terrain, roads, places, control shading with the front line, one
    counter per occupied hex, and (with `arrows_from_step`) arrows of advance and rings on the places
    taken since then.

    zoom: None (the whole theatre), (place id, radius km) or (south, north, west, east) in degrees.
    inset: the same kinds of zoom, drawn as an inset in the lower right (e.g. around a fallen city).
    label: a line for the title (e.g. "Fall of Aleppo"). Returns `path` when given (the figure is
    saved and closed), else the Axes (the caller owns the figure).
    """
    view = view_of(run)
    step = int(step)
    own_figure = ax is None
    fig, ax, layers, limits = prepare_axes(view, ax=ax, zoom=zoom,
                                           figsize=(13.2, 10.6) if zoom is None else (11.5, 9.2))
    counters = layers.update(step)
    arrows = view.advances(arrows_from_step, step) if arrows_from_step is not None else []
    draw_advances(ax, view, arrows, limits)
    taken = view.captures(arrows_from_step, step) if arrows_from_step is not None else []
    mark_captures(ax, view, taken)
    since = view.short_date(arrows_from_step) if arrows_from_step is not None else None
    if legend:
        _legend_column(ax, legend_sections(view, step, view.factions_in(limits, step), since, arrows, bool(taken)),
                       fontsize=8.0)
    heading = title if title is not None else view.run.scenario.meta.title
    lines = [heading] if heading else []
    date = view.date_line(step)
    lines.append(f"{label}: {date}" if label else date[0].upper() + date[1:])
    if own_figure:
        ax.set_title("\n".join(lines), fontsize=12, loc="left", pad=8)
        fig.text(0.02, 0.012, _footnote(view), fontsize=7, color="#555555", ha="left", va="bottom")
    else:
        ax.set_title(lines[-1] if not title else title, fontsize=8, loc="left", pad=3)
    if inset is not None:
        corner = _draw_inset(ax, view, step, inset, arrows_from_step, limits, counters)
    if zoom is None:                                 # the scale bar keeps clear of an inset
        km = 100.0
        low = inset is None or corner[1] > 0.3 or corner[0] < 0.3
        x = limits[1] - km - 25 if low else limits[0] + 0.62 * (limits[1] - limits[0])
        y = limits[2] + 20 if low else limits[3] - 22
        draw_scale_bar(ax, view.theatre, km=km, at=(x, y))
    if path is None:
        return ax
    path = Path(path)
    try:
        # not style.save_figure: a map wants its own resolution and the tight box around the legend column
        write_atomic(path, lambda p: fig.savefig(p, format="png", dpi=MAP_DPI, bbox_inches="tight",
                                                 pad_inches=0.12, facecolor="white"))
    finally:
        if own_figure:
            plt.close(fig)
    return path


def _footnote(view: CampaignView) -> str:
    info = view.run.info
    return (f"Simulated campaign, not a record of events: wargame run of scenario {info.get('scenario', '?')}, "
            f"seed {info.get('seed')}. Control shaded per {view.theatre.layout.cell_km:g} km hex; one counter per "
            "occupied hex (its leading unit's faction), filled to the morale of that faction's units there.")


INSET_SIZE = 0.41          # share of the map's width and height


def _draw_inset(ax, view: CampaignView, step: int, zoom, arrows_from_step, limits, counters: Counters):
    """A zoomed inset in the corner of the map that hides least (fewest theatre cells and counters,
    never the zoomed area itself), with its area outlined on the main map. Returns the corner's lower
    left in axes fractions."""
    th = view.theatre
    x0, x1, y0, y1 = limits
    zx0, zx1, zy0, zy1 = zoom_limits(th, zoom)
    w, h = INSET_SIZE * (x1 - x0), INSET_SIZE * (y1 - y0)
    best = None
    for fx, fy in ((0.585, 0.005), (0.005, 0.005), (0.585, 0.585), (0.005, 0.585)):
        cx, cy = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
        hidden = (th.inside & (th.x > cx) & (th.x < cx + w) & (th.y > cy) & (th.y < cy + h)).sum()
        ux, uy = th.x[counters.cell], th.y[counters.cell]
        hidden += 30 * ((ux > cx) & (ux < cx + w) & (uy > cy) & (uy < cy + h)).sum()
        if zx0 < cx + w and zx1 > cx and zy0 < cy + h and zy1 > cy:
            hidden += 10 ** 9
        if best is None or hidden < best[0]:
            best = (hidden, (fx, fy))
    corner = best[1]
    inset_ax = ax.inset_axes([corner[0], corner[1], INSET_SIZE, INSET_SIZE])
    draw_map(view, step, ax=inset_ax, arrows_from_step=arrows_from_step, zoom=zoom, legend=False,
             title=_zoom_title(view, zoom))
    ax.add_patch(Rectangle((zx0, zy0), zx1 - zx0, zy1 - zy0, fc="none", ec="#111111", lw=1.1, ls="--", zorder=9))
    for spine in inset_ax.spines.values():
        spine.set_linewidth(1.2)
    return corner


def _zoom_title(view: CampaignView, zoom) -> str:
    if len(zoom) == 2 and isinstance(zoom[0], str):
        return f"{view.theatre.geodata.places[zoom[0]].name} and {zoom[1]:g} km around"
    return "detail"


# -- snapshots --------------------------------------------------------------------------------------------
def snapshot_steps(run, days=None) -> list[tuple[int, str]]:
    """The steps to map, as (step, label) pairs in step order: the chosen days (by default the start,
    every ~5 days and the end: "day_05") and the step at which each city (not town) fell
    ("fall_aleppo"; "fall_aleppo_2" if it fell again)."""
    view = view_of(run)
    last = view.last_step
    last_day = view.day_at(last)
    if days is None:
        every = 5 if last_day >= 8 else max(1, round(last_day / 3))
        days = [d for d in range(0, int(last_day) + 1, every) if last_day - d >= every / 2 or d == 0] + [last_day]
    chosen: dict[int, str] = {}
    for day in days:
        s = min(view.step_at(float(day)), last)
        label = f"day_{int(round(view.day_at(s))):02d}"
        if label in chosen.values():                   # two chosen steps round to one day: keep the fraction
            label = f"day_{view.day_at(s):05.2f}".replace(".", "_")
        chosen.setdefault(s, label)
    out = [(s, lab) for s, lab in chosen.items()]
    seen: dict[str, int] = {}
    for e in view.captures(None, last, kinds=("city",)):
        seen[e["city"]] = seen.get(e["city"], 0) + 1
        n = seen[e["city"]]
        out.append((view.event_step(e), f"fall_{e['city']}" + (f"_{n}" if n > 1 else "")))
    out.sort(key=lambda pair: (pair[0], pair[1].startswith("fall_")))
    return out


def draw_snapshots(run, out_dir: str | Path, days=None, inset_km: float = 45.0) -> list[Path]:
    """Write maps/day_XX.png and maps/fall_<city>.png under `out_dir`, each with arrows of advance from
    the previous snapshot; a city's fall map has an inset of the city and its surroundings."""
    view = view_of(run)
    maps = Path(out_dir) / "maps"
    names = {e["city"]: e["name"] for e in run.events if e.get("kind") == "city_captured"}
    written, drawn = [], []
    for step, label in snapshot_steps(run, days):
        if label.startswith("fall_"):
            city = label[5:] if label[5:] in view.theatre.geodata.places else label[5:].rsplit("_", 1)[0]
            caption = f"Fall of {names.get(city, city)}"
            inset = (city, inset_km)
        else:
            caption, inset = ("Start" if step == 0 else None), None
        earlier = [s for s in drawn if s < step]       # a fall on a snapshot day still gets that day's arrows
        from_step = max(earlier) if earlier else None
        written.append(draw_map(view, step, maps / f"{label}.png", arrows_from_step=from_step, inset=inset,
                                label=caption))
        drawn.append(step)
    return written
