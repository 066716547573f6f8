"""Figures drawn without pyplot (safe in a server's threads), PNG bytes, and redrawing by blitting.

    fig = new_figure((7.0, 7.3), dpi=100)
    blit = Blit(fig)                          # draws the unchanging parts once (animated artists left out)
    buffer = blit.frame([map_artists, figure_texts])   # each frame: those parts, then the artists given
    png = encode_png(buffer)
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
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
    group (the map's artists, then texts over the whole figure). Returns the canvas's own RGBA buffer."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = fig.canvas
        self.canvas.draw()
        self.background = np.asarray(self.canvas.buffer_rgba()).copy()

    def frame(self, groups) -> np.ndarray:
        buffer = np.asarray(self.canvas.buffer_rgba())          # the canvas's own memory
        buffer[...] = self.background
        renderer = self.canvas.get_renderer()
        for group in groups:
            for artist in sorted(group, key=lambda a: a.get_zorder()):
                artist.draw(renderer)
        return buffer
