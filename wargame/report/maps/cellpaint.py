"""A colour per hex cell painted as pixels: the control shading of every map and frame of the film.

    paint = CellPaint(theatre, cells, zorder=Z_CONTROL, gid="control")
    ax.add_artist(paint)
    paint.set_colours(rgba)            # one RGBA row per entry of `cells`; the next draw shows them

Drawing some 8,000 hexagons as polygons took a tenth of a second a map and most of a frame of the film.
A hex grid needs no polygons: the hex a point lies in is the one whose centre is nearest (pointy-top
hexes are the cells of their centres' Voronoi diagram), so which cell each pixel of an axes' box shows
is worked out once per theatre, frame and pixel box (`box_cells`, kept) and each draw is a colour
lookup. A pixel shows the cell its centre lies in, as Agg fills a polygon drawn without antialiasing;
pixels whose cell is not among `cells` are left as they are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from matplotlib.artist import Artist

from wargame.core.theatre import Theatre
from wargame.core.theatre.hexmap import HexLayout

CACHE_SIZE = 16           # pixel maps kept (one per theatre, frame and box: a map with an inset uses two)
# rows worked out at once: temporaries the size of a whole box (tens of MB, several of them) are fresh pages
# from the kernel each time, which cost more than the arithmetic
CHUNK_ROWS = 128

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()
_scratch = threading.local()      # per thread: the pictures of a classroom are drawn in a server's threads


def grid_cells(layout: HexLayout, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Flat index of the hex each point (x[j], y[i]) km of a grid lies in, as (len(y), len(x)); -1 where
    that hex is off the layout. The nearest centre lies in one of the two hex rows either side of the
    point (a third row is farther away than any point of the hex from its own centre), and in each row
    it is the one whose column rounds to it. A hex row's columns depend only on whether it is shifted,
    so they are worked out once per grid column for each of the two cases, not per point."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    cols, dx2 = [], []                          # [not shifted, shifted] x (len(x),)
    for shift in (0.0, 0.5):
        col = np.round((x - layout.x0) / layout.cell_km - shift)
        cols.append(np.where((col >= 0) & (col < layout.ncols), col, -1).astype(np.int64))
        dx2.append((x - (layout.x0 + layout.cell_km * (col + shift))) ** 2)
    cols, dx2 = np.array(cols), np.array(dx2)
    below = np.floor((y - layout.y0) / layout.row_km)
    found = nearest = None
    for row in (below, below + 1):              # on a tie the lower row keeps the point
        shifted = layout.shifted(row.astype(np.int64)).astype(np.int64)
        d2 = dx2[shifted] + ((y - (layout.y0 + layout.row_km * row)) ** 2)[:, None]
        col = cols[shifted]
        on = (col >= 0) & ((row >= 0) & (row < layout.nrows))[:, None]
        cell = np.where(on, layout.index(col, row.astype(np.int64)[:, None]), -1)
        if found is None:
            found, nearest = cell, d2
        else:
            found = np.where(d2 < nearest, cell, found)
    return found


def box_cells(theatre: Theatre, limits, size: tuple[int, int]) -> np.ndarray:
    """(h, w) flat cell indices (-1: off the layout) of the pixels of a box of `size` (w, h) pixels showing
    `limits` (x0, x1, y0, y1 km), rows from the top: the hex under each pixel's centre. Worked out on first
    use and kept, least recently used dropped; a map and its base (base.py), drawn for the same box,
    share it."""
    w, h = size
    key = (theatre.spec, tuple(round(float(v), 6) for v in limits), (w, h))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    x0, x1, y0, y1 = limits
    x = x0 + (np.arange(w) + 0.5) * ((x1 - x0) / w)
    y = y1 - (np.arange(h) + 0.5) * ((y1 - y0) / h)
    cells = np.empty((h, w), dtype=np.int32)
    for top in range(0, h, CHUNK_ROWS):
        cells[top:top + CHUNK_ROWS] = grid_cells(theatre.layout, x, y[top:top + CHUNK_ROWS])
    with _lock:
        _cache[key] = cells
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return cells


def to_bytes(rgba: np.ndarray) -> np.ndarray:
    """Float RGBA (0-1) to the 8-bit values Agg draws them as."""
    return (np.clip(np.asarray(rgba, dtype=float), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


class CellPaint(Artist):
    """Opaque colours for the given cells, painted into the axes' box at the artist's zorder.

    A draw is a lookup of each box pixel's cell in a table of packed RGBA words (zero: a cell not painted,
    and the last entry, which the off-layout index -1 picks), then a copy of the painted words into the
    canvas. The scratch image and mask are kept between draws and shared by every paint of the thread
    (`_scratch_for`): a map's box is a few million pixels, and arrays that size allocated afresh for each
    map cost more in the kernel than the lookup (fresh pages; in a forked drawing worker several times as
    much as in one process)."""

    def __init__(self, theatre: Theatre, cells: np.ndarray, zorder: float, animated: bool = False,
                 gid: str | None = None):
        super().__init__()
        self.theatre = theatre
        self.cells = np.asarray(cells, dtype=np.int64)
        self.colours = np.zeros((self.cells.size, 4))
        self._words = np.zeros(theatre.n + 1, dtype=np.uint32)      # per cell; the last: off the layout
        self.set_zorder(zorder)
        self.set_animated(animated)
        self.set_gid(gid)

    def set_colours(self, rgba: np.ndarray) -> None:
        """RGBA (0-1) per entry of `cells`; the alpha is ignored (the paint is opaque)."""
        self.colours = np.asarray(rgba, dtype=float)
        rgba8 = to_bytes(self.colours)
        rgba8[:, 3] = 255                                             # never the zero word of "not painted"
        self._words[self.cells] = rgba8.view(np.uint32).ravel()
        self.stale = True

    def _box(self, canvas_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, slice, slice]:
        """The packed colour of each pixel of the axes' box and whether it is painted (views of the
        thread's scratch arrays, good until the next draw), and the rows (from the top) and columns of the
        canvas it covers. The box is placed on whole pixels, as BaseImage places the base's bitmaps, so the
        shading lines up with the terrain under it."""
        ax = self.axes
        box = ax.bbox
        w, h = round(box.width), round(box.height)
        left, top = round(box.x0), canvas_size[1] - round(box.y0) - h
        cells = box_cells(self.theatre, (*ax.get_xlim(), *ax.get_ylim()), (w, h))
        words, painted = _scratch_for(cells.shape)
        np.take(self._words, cells, out=words)                        # -1 picks the last word: zero
        np.not_equal(words, 0, out=painted)
        rows = slice(max(top, 0), min(top + h, canvas_size[1]))
        cols = slice(max(left, 0), min(left + w, canvas_size[0]))
        inside = (slice(rows.start - top, rows.stop - top), slice(cols.start - left, cols.stop - left))
        return words[inside], painted[inside], rows, cols

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        if hasattr(renderer, "buffer_rgba"):          # Agg: straight into its pixels
            buffer = np.asarray(renderer.buffer_rgba())
            words, painted, rows, cols = self._box((buffer.shape[1], buffer.shape[0]))
            np.copyto(buffer.view(np.uint32)[rows, cols, 0], words, where=painted)
        else:                                          # a vector renderer (SVG, PDF): an image of the axes' box
            self._draw_image(renderer)
        self.stale = False

    def _draw_image(self, renderer) -> None:
        """The box as an image at the renderer's image resolution (savefig's dpi over the vector units'
        72), top row first as renderers take images, with unpainted pixels transparent."""
        ax = self.axes
        box = ax.bbox
        magnify = renderer.get_image_magnification()
        w, h = max(1, round(box.width * magnify)), max(1, round(box.height * magnify))
        cells = box_cells(self.theatre, (*ax.get_xlim(), *ax.get_ylim()), (w, h))
        words = np.take(self._words, cells)                      # zero (transparent) where nothing is painted
        gc = renderer.new_gc()
        gc.set_clip_rectangle(box)
        renderer.draw_image(gc, box.x0, box.y0, np.ascontiguousarray(words.view(np.uint8).reshape(h, w, 4)))
        gc.restore()


def _scratch_for(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """This thread's scratch arrays for a box of `shape`: packed colours and a painted mask (the largest
    box drawn so far, viewed at the shape asked for)."""
    size = shape[0] * shape[1]
    held = getattr(_scratch, "arrays", None)
    if held is None or held[0].size < size:
        held = _scratch.arrays = (np.empty(size, dtype=np.uint32), np.empty(size, dtype=bool))
    return held[0][:size].reshape(shape), held[1][:size].reshape(shape)
