"""The theatre's base layers as bitmaps: drawn once per theatre, frame, pixel size and place style, and
shared by every map that shows that frame (the report's snapshots, the animation, the lab, the
classroom's pictures).

Drawing the base (some 8,000 terrain hexes, the roads, the places and their names, placed so that no
two overlap) takes far longer than drawing what changes over it. So `base_layers` draws it once, splits
it into the bands of layers.BANDS and keeps each band as pixels: the opaque background (sea, terrain)
and three transparent overlays kept as the pixels they cover (the lines over the control shading, the
place markers, the place names). A `BaseImage` artist puts one band into an Axes at its zorder, so a
map is composed in the usual draw order whether it is saved as a whole or redrawn frame by frame:

    ax.add_artist(BaseImage(theatre, PlaceStyle(), "labels"))

The bitmaps are made for the axes' box as drawn (its size in pixels, the dpi, the limits), so they line
up with the vector layers to the pixel; a box of another size gets bitmaps of its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from wargame.core.theatre import Theatre
from wargame.report.agg import TextCanvasAgg
from wargame.report.maps.frame import hide_outside
from wargame.report.maps.layers import BANDS
from wargame.report.maps.theatre import base_map, draw_places

PAD = 48                  # pixels drawn around the box: names and graticule labels may stand past its edge
CACHE_SIZE = 12           # frames kept (a whole-theatre map at 160 dpi is ~10 MB)


@dataclass(frozen=True)
class PlaceStyle:
    """Which places a map marks and names, at what size; `fit`: names must fit inside the frame (one that
    finds no room is left out); `trim`: a detail map, whose texts anchored outside the frame or at its
    very edge (graticule labels, countries' names) are hidden."""

    kinds: tuple[str, ...] = ("city", "airbase", "port", "crossing", "garrison")
    label_kinds: tuple[str, ...] = ("city", "airbase", "crossing", "garrison")
    label_towns: tuple[str, ...] = ()
    fontsize: float = 6.5
    fit: bool = False
    trim: bool = False


class Overlay:
    """A transparent layer kept as the pixels it covers (a few percent of the frame): their rows and
    columns, alpha and premultiplied colour. `paint` lays it over an RGBA buffer in numpy, which is
    what keeps a frame of the animation or the lab to tens of milliseconds."""

    def __init__(self, rgba: np.ndarray):
        self.shape = rgba.shape[:2]
        rows, cols = np.nonzero(rgba[..., 3])
        self.rows, self.cols = rows.astype(np.int32), cols.astype(np.int32)
        self.alpha = rgba[rows, cols, 3:4].astype(np.float32) / 255.0
        self.colour = rgba[rows, cols, :3].astype(np.float32) * self.alpha        # Agg's buffer is straight alpha
        self.extent = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1) if rows.size \
            else (0, 0, 0, 0)                             # left, top, right, bottom of what it covers
        self._placed: dict = {}

    def paint(self, buffer: np.ndarray, left: int, top: int) -> None:
        """Blend the layer onto `buffer` (H x W x 4 uint8, rows from the top) with its top left corner
        at column `left`, row `top`; what falls outside the buffer is left out."""
        key = (buffer.shape, left, top)
        placed = self._placed.get(key)
        if placed is None:
            r, c = self.rows + top, self.cols + left
            keep = (r >= 0) & (r < buffer.shape[0]) & (c >= 0) & (c < buffer.shape[1])
            placed = (r[keep].astype(np.int64) * buffer.shape[1] + c[keep], np.flatnonzero(keep))
            self._placed = {key: placed}                  # one placement at a time is all a map reuses
        where, kept = placed
        pixels = buffer.reshape(-1, 4)
        alpha = self.alpha[kept]
        under = pixels[where, :3].astype(np.float32)
        pixels[where, :3] = (under * (1.0 - alpha) + self.colour[kept] + 0.5).astype(np.uint8)
        pixels[where, 3] = np.maximum(pixels[where, 3], (alpha[:, 0] * 255).astype(np.uint8))

    def rgba(self) -> np.ndarray:
        """The layer as a straight-alpha RGBA array (for a renderer other than Agg)."""
        out = np.zeros((*self.shape, 4), dtype=np.uint8)
        safe = np.maximum(self.alpha, 1e-6)
        out[self.rows, self.cols, :3] = np.clip(self.colour / safe + 0.5, 0, 255).astype(np.uint8)
        out[self.rows, self.cols, 3] = (self.alpha[:, 0] * 255 + 0.5).astype(np.uint8)
        return out


@dataclass(frozen=True)
class BaseLayers:
    """One frame's base: the background (h x w x 4, the axes' box) and the overlays (each the box with
    PAD pixels around it) by band name."""

    background: np.ndarray
    overlays: dict


_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def base_layers(theatre: Theatre, limits, size: tuple[int, int], dpi: float, places: PlaceStyle) -> BaseLayers:
    """The base of a frame: `limits` (x0, x1, y0, y1 km) filling a box of `size` (w, h) pixels at `dpi`.
    Drawn on first use (a fraction of a second) and kept, least recently used dropped; thread-safe."""
    key = (theatre.spec, tuple(round(float(v), 6) for v in limits), tuple(size), float(dpi), places)
    with _lock:                                # two sessions opening at once draw it once
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        layers = _draw(theatre, limits, size, dpi, places)
        _cache[key] = layers
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return layers


def _draw(theatre: Theatre, limits, size, dpi: float, places: PlaceStyle) -> BaseLayers:
    w, h = size
    width, height = w + 2 * PAD, h + 2 * PAD
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    canvas = TextCanvasAgg(fig)
    fig.patch.set_alpha(0)
    ax = fig.add_axes((PAD / width, PAD / height, w / width, h / height))
    base_map(theatre, ax=ax)
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.set_aspect("auto")                      # the box already has the limits' shape
    for spine in ax.spines.values():
        spine.set_visible(False)
    if places.trim:
        hide_outside(ax, limits)
    draw_places(ax, theatre, kinds=places.kinds, label_kinds=places.label_kinds, label_towns=places.label_towns,
                fontsize=places.fontsize, within=ax.get_window_extent() if places.fit else None)
    artists = [*ax.collections, *ax.lines, *ax.patches, *ax.texts, *ax.artists]

    def band(name):
        low, high, _ = BANDS[name]
        return sorted((a for a in artists if low <= a.get_zorder() < high), key=lambda a: a.get_zorder())

    for artist in artists:
        artist.set_animated(artist not in band("background"))
    canvas.draw()
    background = np.asarray(canvas.buffer_rgba())[PAD:PAD + h, PAD:PAD + w].copy()
    background[..., 3] = 255
    overlays = {}
    renderer = canvas.get_renderer()
    for name in BANDS:
        if name == "background":
            continue
        renderer.clear()                       # transparent
        for artist in band(name):
            artist.draw(renderer)
        overlays[name] = Overlay(np.asarray(canvas.buffer_rgba()))
    return BaseLayers(background, overlays)


class BaseImage(Artist):
    """One band of the theatre's base, drawn into its Axes at the band's zorder (layers.BANDS). The
    bitmaps are looked up (or drawn) for the axes' box as it is drawn, so the artist stays right when a
    figure is saved at another size or cropped to its tight box."""

    def __init__(self, theatre: Theatre, places: PlaceStyle, band: str, animated: bool = False):
        super().__init__()
        self.theatre, self.places, self.band = theatre, places, band
        self.set_zorder(BANDS[band][2])
        self.set_animated(animated)

    def layers(self, renderer=None) -> tuple[BaseLayers, tuple[int, int, int, int]]:
        """The base for the axes' box now, and the box (left, bottom, w, h) in display pixels."""
        ax = self.axes
        box = ax.get_window_extent(renderer)
        w, h = round(box.width), round(box.height)
        limits = (*ax.get_xlim(), *ax.get_ylim())
        base = base_layers(self.theatre, limits, (w, h), self.figure.dpi, self.places)
        return base, (round(box.x0), round(box.y0), w, h)

    def get_window_extent(self, renderer=None):
        """What the band covers, in display pixels: the tight box of a saved map takes in names that
        stand past the frame's edge."""
        base, (left, bottom, w, h) = self.layers(renderer)
        if self.band == "background":
            return Bbox.from_bounds(left, bottom, w, h)
        x0, y0, x1, y1 = base.overlays[self.band].extent
        top = bottom + h + PAD                          # the overlay's top edge, display y
        return Bbox.from_extents(left - PAD + x0, top - y1, left - PAD + x1, top - y0)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        base, (left, bottom, w, h) = self.layers(renderer)
        pad = 0 if self.band == "background" else PAD
        if hasattr(renderer, "buffer_rgba"):          # Agg: straight into its pixels (rows from the top)
            buffer = np.asarray(renderer.buffer_rgba())
            top = buffer.shape[0] - bottom - h
            if self.band == "background":
                rows = slice(max(top, 0), min(top + h, buffer.shape[0]))
                cols = slice(max(left, 0), min(left + w, buffer.shape[1]))
                buffer[rows, cols] = base.background[rows.start - top:rows.stop - top,
                                                     cols.start - left:cols.stop - left]
            else:
                base.overlays[self.band].paint(buffer, left - pad, top - pad)
        else:                                          # another renderer: an image, rows from the bottom
            image = base.background if self.band == "background" else base.overlays[self.band].rgba()
            gc = renderer.new_gc()
            renderer.draw_image(gc, left - pad, bottom - pad, np.ascontiguousarray(image[::-1]))
            gc.restore()
        self.stale = False
