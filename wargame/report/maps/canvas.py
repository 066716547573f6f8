"""Figures drawn without pyplot (safe in a server's threads), PNG bytes, and redrawing by blitting.

    fig = new_figure((7.0, 7.3), dpi=100)
    blit = Blit(fig)                          # draws the unchanging parts once (animated artists left out)
    buffer = blit.frame([map_artists, figure_texts])   # each frame: those parts, then the artists given
    buffer = blit.frame([map_artists], stamped=[caption])   # a text that often repeats: drawn once a string
    png = encode_png(buffer)
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from wargame.report.agg import TextCanvasAgg


def new_figure(size_in: tuple[float, float], dpi: float) -> Figure:
    """A figure with its own Agg canvas (no pyplot: nothing global, nothing to close), which draws each text
    in one piece (report.agg)."""
    fig = Figure(figsize=size_in, dpi=dpi)
    TextCanvasAgg(fig)
    return fig


def encode_png(rgba: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of an RGBA buffer (its RGB), compressed lightly by default: a live frame is sent once to
    a browser on this machine or the LAN."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()


class Blit:
    """A figure redrawn by blitting: its unchanging parts (everything not animated) are drawn once and
    kept; `frame(groups)` restores them and draws the given artists, each group in zorder, group after
    group (the map's artists, then texts over the whole figure). Returns the canvas's own RGBA buffer.

    `stamped` texts are drawn last, and each string only once: a text over the unchanging background
    (the film's caption and shares, which repeat from frame to frame) is kept as the pixels it covers and
    copied back when its string comes again. A text whose box is not over the background as it was kept
    (something drawn there this frame) is drawn as usual."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = fig.canvas
        self.canvas.draw()
        self.background = np.asarray(self.canvas.buffer_rgba()).copy()
        self._stamps: dict = {}

    def frame(self, groups, stamped=()) -> np.ndarray:
        buffer = np.asarray(self.canvas.buffer_rgba())          # the canvas's own memory
        buffer[...] = self.background
        renderer = self.canvas.get_renderer()
        for group in groups:
            for artist in sorted(group, key=lambda a: a.get_zorder()):
                artist.draw(renderer)
        for text in stamped:
            self._stamp(text, renderer, buffer)
        return buffer

    def _stamp(self, text, renderer, buffer: np.ndarray) -> None:
        key = (id(text), text.get_text())
        kept = self._stamps.get(key)
        if kept is None:
            region = _text_region(text, renderer, buffer.shape[0])
            over_background = np.array_equal(buffer[region], self.background[region])
            text.draw(renderer)
            if over_background:
                self._stamps[key] = (region, buffer[region].copy())
        elif np.array_equal(buffer[kept[0]], self.background[kept[0]]):
            buffer[kept[0]] = kept[1]
        else:
            text.draw(renderer)


def _text_region(text, renderer, height: int) -> tuple[slice, slice]:
    """The rows and columns of the canvas (rows from the top) a text and its box may cover, with a margin
    for antialiasing."""
    text.update_bbox_position_size(renderer)
    boxes = [text.get_window_extent(renderer)]
    if text.get_bbox_patch() is not None:
        boxes.append(text.get_bbox_patch().get_window_extent(renderer))
    box = Bbox.union(boxes)
    rows = slice(max(int(np.floor(height - box.y1)) - 3, 0), max(int(np.ceil(height - box.y0)) + 3, 0))
    cols = slice(max(int(np.floor(box.x0)) - 3, 0), max(int(np.ceil(box.x1)) + 3, 0))
    return rows, cols
