"""Control shading and the front line: who holds each hex, from a plain array of side indices per cell.

    shading = ControlShading(theatre, ["#c8102e", "#2e7d32"])            # one colour per side index
    layer = ControlLayer(ax, shading)
    layer.update(control)                  # control[cell] = side index, -1: nobody (or unknown)

The shading is each side's colour blended over the terrain (lightened, so the side's colour leads) and
drawn opaque: alpha-blended hexes would double up where neighbours overlap by a pixel and draw the hex
grid over the whole map. A team's picture (`unknown=`) shows the cells it has not seen in grey. The front
line runs along the hex edges between cells held by different sides.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from wargame.core.theatre import TERRAIN_CLASSES, Theatre
from wargame.report.maps.cellpaint import CellPaint
from wargame.report.maps.layers import Z_CONTROL, Z_FRONT
from wargame.report.maps.theatre import TERRAIN_COLOURS

CONTROL_ALPHA = 0.38       # weight of the side's colour over the (lightened) terrain
TERRAIN_LIGHTEN = 0.5      # terrain mixed this far towards white under the shading: the side's colour leads
UNKNOWN_COLOUR = "#8a8a8a"
UNKNOWN_ALPHA = 0.62       # ground a team has not seen: grey enough to tell from any side's
FRONT_COLOUR = "#1a1a1a"


class ControlShading:
    """The colour of every inside cell for a control array, and the front line's segments."""

    def __init__(self, theatre: Theatre, side_colours, unknown: str | None = None, alpha: float = CONTROL_ALPHA,
                 unknown_alpha: float = UNKNOWN_ALPHA):
        self.theatre = theatre
        self.cells = np.flatnonzero(theatre.inside)
        palette = np.array([to_rgba(TERRAIN_COLOURS[name]) for name in TERRAIN_CLASSES])[:, :3]
        self.ground = palette[theatre.terrain[self.cells]] * (1 - TERRAIN_LIGHTEN) + TERRAIN_LIGHTEN
        # one row per side; the extra last row (what index -1 picks) is ground nobody holds (no tint) or,
        # in a team's picture, ground whose holder it does not know (grey)
        last = to_rgba(unknown)[:3] if unknown else (1.0, 1.0, 1.0)
        self.side_rgb = np.array([to_rgba(c)[:3] for c in side_colours] + [last])
        self.side_weight = np.array([alpha] * len(side_colours) + [unknown_alpha if unknown else 0.0])

    def colours(self, control: np.ndarray) -> np.ndarray:
        """RGBA per inside cell: its side's colour over the lightened terrain."""
        held = np.asarray(control)[self.cells]
        w = self.side_weight[held][:, None]
        rgb = self.ground * (1 - w) + self.side_rgb[held] * w
        return np.concatenate([rgb, np.ones((rgb.shape[0], 1))], axis=1)

    def swatch(self, index: int) -> np.ndarray:
        """RGB of side `index` (-1: nobody / unknown) over open ground, as a legend shows it."""
        return swatch(self.side_rgb[index], self.side_weight[index])


def swatch(colour, weight: float = CONTROL_ALPHA) -> np.ndarray:
    """RGB of a side's colour at `weight` over open ground, as the shading draws it."""
    ground = np.array(to_rgba(TERRAIN_COLOURS["open"])[:3]) * (1 - TERRAIN_LIGHTEN) + TERRAIN_LIGHTEN
    return ground * (1 - weight) + np.array(to_rgba(colour)[:3]) * weight


_edges: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _edge_geometry(theatre: Theatre):
    """Every pair of neighbouring inside cells and the hex edge between them; once per theatre."""
    if theatre not in _edges:
        adjacency = theatre.adjacency.tocoo()
        keep = adjacency.row < adjacency.col
        a, b = adjacency.row[keep], adjacency.col[keep]
        mid = np.stack([(theatre.x[a] + theatre.x[b]) / 2, (theatre.y[a] + theatre.y[b]) / 2], axis=1)
        along = np.stack([theatre.y[a] - theatre.y[b], theatre.x[b] - theatre.x[a]], axis=1)   # perpendicular to a-b
        along /= np.linalg.norm(along, axis=1, keepdims=True)
        half = theatre.layout.cell_km / math.sqrt(3) / 2                                      # half the hex side
        _edges[theatre] = (a, b, np.stack([mid - half * along, mid + half * along], axis=1))
    return _edges[theatre]


def front_segments(theatre: Theatre, control: np.ndarray) -> np.ndarray:
    """(n, 2, 2) segments: the hex edges between cells held by two different (known) sides."""
    a, b, segments = _edge_geometry(theatre)
    control = np.asarray(control)
    ca, cb = control[a], control[b]
    return segments[(ca != cb) & (ca >= 0) & (cb >= 0)]


def territory_share(theatre: Theatre, control: np.ndarray, side_ids) -> dict[str, float]:
    """{side id: share of the held inside cells}."""
    held = np.asarray(control)[theatre.inside]
    total = max(int((held >= 0).sum()), 1)
    return {s: float((held == i).sum()) / total for i, s in enumerate(side_ids)}


class ControlLayer:
    """The shading (each inside cell's hex painted in its colour: cellpaint.CellPaint) and the front line,
    added to `ax` once; `update(control)` sets their colours and segments in place. The paint covers what
    the axes show, whatever their limits."""

    def __init__(self, ax, shading: ControlShading, front_lw: float = 1.1, animated: bool = False):
        self.shading = shading
        self.control = CellPaint(shading.theatre, shading.cells, zorder=Z_CONTROL, animated=animated, gid="control")
        self.front = LineCollection([], colors=FRONT_COLOUR, linewidths=front_lw, capstyle="round", zorder=Z_FRONT,
                                    animated=animated, gid="front")
        ax.add_artist(self.control)
        ax.add_collection(self.front, autolim=False)

    @property
    def artists(self) -> list:
        return [self.control, self.front]

    def update(self, control: np.ndarray) -> None:
        self.control.set_colours(self.shading.colours(control))
        self.front.set_segments(front_segments(self.shading.theatre, control))
