"""A colour per hex cell painted as pixels: the control shading of every map and frame of the film.

    paint = CellPaint(theatre, cells, zorder=Z_CONTROL, gid="control")
    ax.add_artist(paint)
    paint.set_colours(rgba)            # one RGBA row per entry of `cells`; the next draw shows them

Drawing some 8,000 hexagons as polygons took a tenth of a second a map and most of a frame of the film.
A hex grid needs no polygons: the hex a point lies in is the one whose centre is nearest (pointy-top
hexes are the cells of their centres' Voronoi diagram), so which cell each pixel of an axes' box shows
is worked out once per theatre, frame and pixel box (`cell_pixels`, kept) and each draw is a colour
lookup. A pixel shows the cell its centre lies in, as Agg fills a polygon drawn without antialiasing;
pixels whose cell is not among `cells` are left as they are.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
from matplotlib.artist import Artist

from wargame.core.theatre import Theatre
from wargame.core.theatre.hexmap import HexLayout

CACHE_SIZE = 16           # pixel maps kept (one per theatre, frame and box: a map with an inset uses two)

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def cell_under(layout: HexLayout, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Flat index of the hex each point (km) lies in, -1 where that hex is off the layout. The nearest
    centre lies in one of the two rows either side of the point (a third row is farther away than any
    point of the hex from its own centre), and in each row it is the one whose column rounds to it."""
    rows_from = np.floor((np.asarray(y, dtype=float) - layout.y0) / layout.row_km)
    best = np.full(np.shape(x), -1, dtype=np.int64)
    best_d2 = np.full(np.shape(x), np.inf)
    for row in (rows_from, rows_from + 1):
        shift = np.where(np.mod(row, 2) == (0 if layout.even_rows_shifted else 1), 0.5, 0.0)
        col = np.round((x - layout.x0) / layout.cell_km - shift)
        d2 = (x - (layout.x0 + layout.cell_km * (col + shift))) ** 2 + (y - (layout.y0 + layout.row_km * row)) ** 2
        on = (col >= 0) & (col < layout.ncols) & (row >= 0) & (row < layout.nrows)
        nearer = d2 < best_d2
        best = np.where(nearer, np.where(on, col.astype(np.int64) * layout.nrows + row.astype(np.int64), -1), best)
        best_d2 = np.minimum(d2, best_d2)
    return best


def cell_pixels(theatre: Theatre, ax, canvas_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Which cell each pixel of `ax`'s box shows on a canvas of `canvas_size` (w, h) pixels: the pixels'
    flat positions in the canvas (rows from the top) and their cells' flat indices, off-layout pixels left
    out. Worked out on first use for the axes' frame and box and kept, least recently used dropped."""
    width, height = canvas_size
    box = ax.bbox
    key = (theatre.spec, (width, height), tuple(round(float(v), 6) for v in (*box.extents, *ax.get_xlim(),
                                                                              *ax.get_ylim())))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    # the pixels whose centres lie in the box, as Agg clips to it
    cols = np.arange(max(math.ceil(box.x0 - 0.5), 0), min(math.ceil(box.x1 - 0.5), width))
    rows_up = np.arange(max(math.ceil(box.y0 - 0.5), 0), min(math.ceil(box.y1 - 0.5), height))
    to_data = ax.transData.inverted()
    x = to_data.transform(np.column_stack([cols + 0.5, np.full(cols.size, box.y0)]))[:, 0]
    y = to_data.transform(np.column_stack([np.full(rows_up.size, box.x0), rows_up + 0.5]))[:, 1]
    cells = cell_under(theatre.layout, x[None, :], y[:, None])          # rows up, columns right
    positions = (height - 1 - rows_up)[:, None] * width + cols[None, :]
    on = cells >= 0
    found = (positions[on].astype(np.int64), cells[on])
    with _lock:
        _cache[key] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def to_bytes(rgba: np.ndarray) -> np.ndarray:
    """Float RGBA (0-1) to the 8-bit values Agg draws them as."""
    return (np.clip(np.asarray(rgba, dtype=float), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


class CellPaint(Artist):
    """Opaque colours for the given cells, painted into the axes' box at the artist's zorder."""

    def __init__(self, theatre: Theatre, cells: np.ndarray, zorder: float, animated: bool = False,
                 gid: str | None = None):
        super().__init__()
        self.theatre = theatre
        self.cells = np.asarray(cells, dtype=np.int64)
        self._slot = np.full(theatre.n, -1, dtype=np.int64)           # cell -> its row of the colours
        self._slot[self.cells] = np.arange(self.cells.size)
        self._placed: tuple | None = None
        self.colours = np.zeros((self.cells.size, 4))
        self._pixels = np.zeros(self.cells.size, dtype=np.uint32)
        self.set_zorder(zorder)
        self.set_animated(animated)
        self.set_gid(gid)

    def set_colours(self, rgba: np.ndarray) -> None:
        """RGBA (0-1) per entry of `cells`; the alpha is ignored (the paint is opaque)."""
        self.colours = np.asarray(rgba, dtype=float)
        rgba8 = to_bytes(self.colours)
        rgba8[:, 3] = 255
        self._pixels = rgba8.view(np.uint32).ravel()                  # a pixel as one word: faster to copy
        self.stale = True

    def _painted(self, canvas_size) -> tuple[np.ndarray, np.ndarray]:
        """The flat pixel positions this paint covers and the row of the colours each shows."""
        found = cell_pixels(self.theatre, self.axes, canvas_size)
        if self._placed is None or self._placed[0] is not found:      # a frame of the film reuses it
            positions, cells = found
            slots = self._slot[cells]
            keep = slots >= 0
            self._placed = (found, positions[keep], slots[keep])
        return self._placed[1], self._placed[2]

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        if hasattr(renderer, "buffer_rgba"):          # Agg: straight into its pixels
            buffer = np.asarray(renderer.buffer_rgba())
            height, width = buffer.shape[:2]
            positions, slots = self._painted((width, height))
            buffer.view(np.uint32).reshape(-1)[positions] = self._pixels[slots]
        else:                                          # another renderer: an image of the canvas's size
            width, height = (round(v) for v in self.figure.bbox.size)
            positions, slots = self._painted((width, height))
            image = np.zeros(height * width, dtype=np.uint32)
            image[positions] = self._pixels[slots]
            gc = renderer.new_gc()
            renderer.draw_image(gc, 0, 0, np.ascontiguousarray(image.view(np.uint8).reshape(height, width, 4)[::-1]))
            gc.restore()
        self.stale = False
