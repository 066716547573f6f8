"""Unit counters: one per occupied hex, in the colour of its leading unit's faction, filled from the
bottom as high as the morale of that faction's units there, a slash when routing, a cross when
surrendered, a shadow counter behind when several units stand in the hex.

    counters = group_counters(cell, faction, state, personnel, morale)   # arrays, one row per unit
    counters = counters_from_dicts(units, faction_ids)                   # a classroom picture's units
    layer = CounterLayer(ax, faction_rgba, cell_km, px_per_km)
    layer.update(theatre, counters)

States are coded GOOD_ORDER (active, shaken), ROUTING, SURRENDERED (STATE_CODE maps the unit states).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba

from wargame.report.maps.layers import Z_COUNTER
from wargame.report.style import STATE_COLOURS

GOOD_ORDER, ROUTING, SURRENDERED = 0, 1, 2
STATE_CODE = {"active": GOOD_ORDER, "shaken": GOOD_ORDER, "routing": ROUTING, "surrendered": SURRENDERED}
COUNTER_SHARE = 0.74       # counter side / cell size: hex rows are 0.87 cells apart, so counters never touch
STACK_OFFSET = 0.16        # shadow of a stacked counter, as a share of the counter side
COUNTER_EDGE = "#1a1a1a"
SURRENDERED_FACE = "#bdbdbd"
SHADOW_SHADE = np.array([0.75, 0.75, 0.75, 1.0])


@dataclass
class Counters:
    """One counter per occupied cell: the cell's leading unit (in good order before routing before
    surrendered, then the most personnel), how many units stand there, their personnel, and the
    personnel-weighted morale of the leading faction's units in the cell."""

    cell: np.ndarray
    faction: np.ndarray       # index into the map's factions
    state: np.ndarray         # GOOD_ORDER, ROUTING or SURRENDERED
    morale: np.ndarray        # 0..1
    stack: np.ndarray         # units in the cell
    personnel: np.ndarray     # all units in the cell

    def __len__(self) -> int:
        return int(self.cell.size)


def no_counters() -> Counters:
    empty = np.zeros(0, dtype=np.int64)
    return Counters(empty, empty, empty, np.zeros(0), empty, np.zeros(0))


def group_counters(cell, faction, state, personnel, morale) -> Counters:
    """The counters of units given as arrays (one row per unit on the map; `state` coded)."""
    cell = np.asarray(cell, dtype=np.int64)
    if cell.size == 0:
        return no_counters()
    fac, state = np.asarray(faction, dtype=np.int64), np.asarray(state, dtype=np.int64)
    personnel, morale = np.asarray(personnel, dtype=float), np.asarray(morale, dtype=float)
    order = np.lexsort((-personnel, state, cell))       # by cell, then good order first, then strongest
    cell_sorted = cell[order]
    first = np.flatnonzero(np.r_[True, cell_sorted[1:] != cell_sorted[:-1]])
    stack = np.diff(np.r_[first, cell_sorted.size])
    lead = order[first]
    group = np.repeat(np.arange(first.size), stack)
    weight = np.where(fac[order] == fac[lead][group], np.maximum(personnel[order], 1.0), 0.0)
    mean_morale = np.bincount(group, weight * morale[order]) / np.bincount(group, weight)
    total = np.bincount(group, personnel[order])
    return Counters(cell[lead], fac[lead], state[lead], np.clip(mean_morale, 0.0, 1.0), stack, total)


def counters_from_dicts(units: list[dict], faction_ids) -> Counters:
    """The counters of units given as dicts (cell, faction id, state, personnel, morale: a classroom
    picture's); units off the map or gone are left out, missing numbers taken as middling."""
    index = {f: i for i, f in enumerate(faction_ids)}
    shown = [u for u in units if u.get("cell", -1) >= 0 and u.get("state", "active") in STATE_CODE]
    return group_counters([u["cell"] for u in shown], [index.get(u["faction"], 0) for u in shown],
                          [STATE_CODE[u.get("state", "active")] for u in shown],
                          [u.get("personnel", 1) for u in shown], [u.get("morale", 0.5) for u in shown])


def _squares(x, y, half) -> np.ndarray:
    return np.stack([np.stack([x - half, y - half], -1), np.stack([x + half, y - half], -1),
                     np.stack([x + half, y + half], -1), np.stack([x - half, y + half], -1)], axis=1)


def counter_geometry(x, y, side_km: float, morale, state, stack):
    """Polygons and marks of the counters centred at x, y: shadows (a counter behind, for a stack),
    the counters, their morale fill (from the bottom, as high as the morale) and the routing slash and
    surrendered cross, with the state of each mark."""
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


class CounterLayer:
    """The counters' artists, added to `ax` once; `update(theatre, counters)` sets them in place.

    A counter is COUNTER_SHARE of a cell wide, or `min_px` pixels if that is more (a whole-theatre
    picture, where a cell is a few pixels); its edges thin at small scale. Stack sizes are written on
    the counters where a digit fits."""

    def __init__(self, ax, faction_rgba: np.ndarray, cell_km: float, px_per_km: float, min_px: float = 0.0,
                 edge_lw: float | None = None, zorder: float = Z_COUNTER, animated: bool = False):
        self.ax = ax
        self.faction_rgba = np.asarray(faction_rgba, dtype=float)
        self.counter_km = max(COUNTER_SHARE * cell_km, min_px / px_per_km)
        counter_px = self.counter_km * px_per_km
        self.edge_lw = float(np.clip(counter_px / 28, 0.3, 0.9)) if edge_lw is None else edge_lw   # points
        common = {"animated": animated, "closed": True}
        self.shadows = PolyCollection([], edgecolors=COUNTER_EDGE, linewidths=self.edge_lw, zorder=zorder,
                                      gid="counter_stacks", **common)
        self.boxes = PolyCollection([], edgecolors=COUNTER_EDGE, linewidths=self.edge_lw, zorder=zorder + 0.01,
                                    gid="counters", **common)
        self.fills = PolyCollection([], edgecolors="none", zorder=zorder + 0.02, gid="morale", **common)
        self.marks = LineCollection([], linewidths=self.edge_lw * 2.2, zorder=zorder + 0.03, animated=animated,
                                    capstyle="butt", gid="counter_marks")
        for artist in (self.shadows, self.boxes, self.fills, self.marks):
            ax.add_collection(artist, autolim=False)
        self.zorder, self.animated = zorder, animated
        self.stack_labels: list = []
        self.show_stack_numbers = counter_px >= 22          # only where a digit fits inside a counter

    @property
    def artists(self) -> list:
        return [self.shadows, self.boxes, self.fills, self.marks, *self.stack_labels]

    def update(self, theatre, c: Counters) -> None:
        x, y = theatre.x[c.cell], theatre.y[c.cell]
        shadows, boxes, fills, marks, mark_states = counter_geometry(x, y, self.counter_km, c.morale, c.state,
                                                                     c.stack)
        colour = self.faction_rgba[c.faction]
        box_face = np.where((c.state == SURRENDERED)[:, None], np.array(to_rgba(SURRENDERED_FACE)), np.ones(4))
        self.shadows.set_verts(shadows)
        self.shadows.set_facecolor(colour[c.stack > 1] * SHADOW_SHADE)
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
            many = c.stack > 1
            for cx, cy, n in zip(x[many], y[many], c.stack[many]):
                self.stack_labels.append(self.ax.text(
                    cx + half, cy + half, str(n), fontsize=5.5, ha="center", va="center", zorder=self.zorder + 0.05,
                    color="white", weight="bold", clip_on=True, animated=self.animated,
                    bbox={"boxstyle": "circle,pad=0.15", "fc": "#222222", "ec": "none"}))
