"""Unit symbols other than counters: dots for a small live map, and a team's markers for units it does
not command.

    dots = DotLayer(ax, faction_rgba)         # the lab: one dot per counter, its area growing with the
    dots.update(theatre, counters)            # personnel there, hollow when the leading unit routs
    seen = UnitMarkers(ax, "D", 8)            # a classroom picture: allied units, enemies seen and
    seen.update(theatre, cells, rgba)         # where others were last seen
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from wargame.report.maps.counters import COUNTER_EDGE, ROUTING, Counters
from wargame.report.maps.layers import Z_COUNTER


class DotLayer:
    """One dot per occupied cell in its leading unit's faction colour; a routing lead shows hollow."""

    def __init__(self, ax, faction_rgba: np.ndarray, zorder: float = Z_COUNTER, animated: bool = False):
        self.faction_rgba = np.asarray(faction_rgba, dtype=float)
        self.dots = ax.scatter([], [], s=[], zorder=zorder, linewidths=0.6, animated=animated)

    @property
    def artists(self) -> list:
        return [self.dots]

    def update(self, theatre, c: Counters) -> None:
        colour = self.faction_rgba[c.faction]
        hollow = (c.state >= ROUTING)[:, None]
        self.dots.set_offsets(np.column_stack([theatre.x[c.cell], theatre.y[c.cell]]) if len(c) else np.zeros((0, 2)))
        self.dots.set_sizes(np.clip(14.0 * np.sqrt(np.maximum(c.personnel, 1.0) / 300.0), 6.0, 60.0))  # points^2
        self.dots.set_facecolors(np.where(hollow, np.ones(4), colour))
        self.dots.set_edgecolors(np.where(hollow, colour, np.array(to_rgba(COUNTER_EDGE))))


class UnitMarkers:
    """Markers at cells (one per cell and faction), filled with a dark edge or hollow in the colour."""

    def __init__(self, ax, marker: str, size_px: float, zorder: float = Z_COUNTER, hollow: bool = False,
                 linewidth: float = 0.6, animated: bool = False):
        self.hollow = hollow
        self.points = ax.scatter([], [], marker=marker, s=size_px ** 2, zorder=zorder, linewidths=linewidth,
                                 animated=animated)

    @property
    def artists(self) -> list:
        return [self.points]

    def update(self, theatre, cells: np.ndarray, rgba: np.ndarray) -> None:
        cells = np.asarray(cells, dtype=np.int64)
        self.points.set_offsets(np.column_stack([theatre.x[cells], theatre.y[cells]]) if cells.size
                                else np.zeros((0, 2)))
        if self.hollow:
            self.points.set_facecolors("none")
            self.points.set_edgecolors(rgba)
        else:
            self.points.set_facecolors(rgba)
            self.points.set_edgecolors(COUNTER_EDGE)
