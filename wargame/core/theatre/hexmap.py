"""Geometry and topology of the hex grid, as numpy arrays.

Cells are Mesa ``HexGrid`` coordinates ``(col, row)``; a cell's flat index is ``col * nrows + row`` so that
a flat array reshaped to ``(ncols, nrows)`` is laid out like a Mesa ``PropertyLayer``. Rows are pointy-top
hex rows stacked northwards, one row every ``cell_km * sqrt(3) / 2``; alternate rows are shifted east
by half a cell.

Which rows are shifted is read from Mesa itself. Mesa 3.5.1 wires odd rows to the west of even ones
while ``Cell.position`` assumes the opposite (upstream: mesa PR #3773), so we never use
``Cell.position`` or ``HexGrid.find_nearest_cell``: positions are computed here, consistent with the
neighbours Mesa actually connects, and a test checks the two agree.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass

import numpy as np
from scipy import sparse

SQRT3 = math.sqrt(3.0)


@functools.cache
def mesa_even_rows_shifted() -> bool:
    """True if Mesa's HexGrid connects cells as if even rows sit half a cell east of odd rows."""
    from mesa.discrete_space import HexGrid

    grid = HexGrid((3, 3), random=random.Random(0))
    neighbours = {cell.coordinate for cell in grid[(1, 1)].neighborhood}
    if neighbours == {(0, 0), (1, 0), (0, 1), (2, 1), (0, 2), (1, 2)}:
        return True
    if neighbours == {(1, 0), (2, 0), (0, 1), (2, 1), (1, 2), (2, 2)}:
        return False
    raise RuntimeError(f"unexpected HexGrid wiring in this Mesa version: {sorted(neighbours)}")


@dataclass(frozen=True)
class HexLayout:
    """A rectangle of ``ncols`` x ``nrows`` pointy-top hexes, ``cell_km`` apart, lower-left centre at x0, y0."""

    ncols: int
    nrows: int
    cell_km: float
    x0: float
    y0: float
    even_rows_shifted: bool

    @property
    def n(self) -> int:
        return self.ncols * self.nrows

    @property
    def row_km(self) -> float:
        return self.cell_km * SQRT3 / 2

    def index(self, col, row):
        return np.asarray(col) * self.nrows + np.asarray(row)

    def coords(self, index):
        """(col, row) of flat indices."""
        return np.divmod(np.asarray(index), self.nrows)

    def shifted(self, row):
        """Whether each row is shifted half a cell east (pointy-top hexes: every other row)."""
        row = np.asarray(row)
        return (row % 2 == 0) if self.even_rows_shifted else (row % 2 == 1)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x, y (km) of every cell centre, by flat index."""
        col, row = self.coords(np.arange(self.n))
        x = self.x0 + self.cell_km * (col + 0.5 * self.shifted(row))
        y = self.y0 + self.row_km * row
        return x, y

    def adjacency(self) -> sparse.csr_matrix:
        """Symmetric boolean adjacency matrix of the six hex neighbours, built with numpy."""
        col, row = self.coords(np.arange(self.n))
        shifted = self.shifted(row)
        sources, targets = [], []
        for dcol_if_shifted, dcol_if_not, drow in ((0, -1, -1), (1, 0, -1), (0, -1, 1), (1, 0, 1),
                                                    (-1, -1, 0), (1, 1, 0)):
            ncol = col + np.where(shifted, dcol_if_shifted, dcol_if_not)
            nrow = row + drow
            ok = (ncol >= 0) & (ncol < self.ncols) & (nrow >= 0) & (nrow < self.nrows)
            sources.append(np.flatnonzero(ok))
            targets.append(self.index(ncol[ok], nrow[ok]))
        i, j = np.concatenate(sources), np.concatenate(targets)
        return sparse.csr_matrix((np.ones(i.size, dtype=bool), (i, j)), shape=(self.n, self.n))

    def axial(self, index) -> tuple[np.ndarray, np.ndarray]:
        """Axial hex coordinates (q, r) of flat indices, for distances."""
        col, row = self.coords(index)
        if self.even_rows_shifted:
            q = col - (row + (row & 1)) // 2
        else:
            q = col - (row - (row & 1)) // 2
        return q, row

    def distance(self, a, b):
        """Hex steps between cells a and b (arrays broadcast)."""
        qa, ra = self.axial(a)
        qb, rb = self.axial(b)
        dq, dr = qa - qb, ra - rb
        return (np.abs(dq) + np.abs(dr) + np.abs(dq + dr)) // 2

    def hexagon(self, x, y) -> np.ndarray:
        """Vertices (..., 6, 2) of the pointy-top hexagons centred at x, y, for drawing."""
        radius = self.cell_km / SQRT3
        angles = np.radians(30 + 60 * np.arange(6))
        x = np.asarray(x)[..., None]
        y = np.asarray(y)[..., None]
        return np.stack([x + radius * np.cos(angles), y + radius * np.sin(angles)], axis=-1)
