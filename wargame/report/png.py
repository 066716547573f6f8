"""Figures saved as PNG files for the reports: drawn once, cut to their tight box, encoded by Pillow.

    write_png(fig, "figures/forces.png")                   # the whole figure at its dpi
    write_png(fig, "maps/day_05.png", tight_pad_in=0.12)   # cut to what is drawn, with a margin
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from wargame.output.files import write_atomic
from wargame.report.agg import TextCanvasAgg

# zlib level of the report's PNGs: level 6 (matplotlib's and Pillow's default) takes about twice as long
# to encode a map or chart as level 3 and makes the file only 2-3 % smaller
SAVED_PNG_COMPRESSION = 3


def write_png(fig: Figure, path: str | Path, facecolor="white", tight_pad_in: float | None = None,
              compress_level: int = SAVED_PNG_COMPRESSION) -> Path:
    """Write `fig` as an opaque RGB PNG at its own dpi (atomically), drawing it once.

    fig.savefig draws a figure twice when it has a layout engine or is cut to its tight box (once to lay
    it out or measure it, once to print), and its PNG is RGBA at zlib level 6: together most of the
    report's drawing time. Here the figure is drawn once on its canvas, cut to its tight box with a margin
    of `tight_pad_in` inches (when given) and encoded by Pillow. What stands past the canvas's right or top
    edge (a map's legend column) is made room for first (_grow_to_hold); a figure with an artist past its
    left or bottom edge goes to savefig."""
    path = Path(path)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else TextCanvasAgg(fig)
    fig.set_facecolor(facecolor)
    box = _grow_to_hold(fig, canvas) if tight_pad_in is not None else None
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    if box is not None:
        rgb = _cut_to_tight_box(fig, rgb, box, tight_pad_in, facecolor)
        if rgb is None:
            return write_atomic(path, lambda p: fig.savefig(p, format="png", dpi=fig.dpi, bbox_inches="tight",
                                                            pad_inches=tight_pad_in, facecolor=facecolor))
    image = Image.fromarray(np.ascontiguousarray(rgb))
    return write_atomic(path, lambda p: image.save(p, format="PNG", compress_level=compress_level))


def _grow_to_hold(fig: Figure, canvas: FigureCanvasAgg) -> Bbox:
    """Widen (heighten) the figure by what stands past its right (top) edge, every axes and figure text
    kept where it was in inches from the lower left corner: the drawing is then the one savefig would
    have cut to its tight box, with nothing left off the canvas. Returns the tight box (inches), which
    growing leaves where it was: measuring it again after the draw (a tenth of a second on a map, its
    texts laid out once more) would give the same box."""
    box = fig.get_tightbbox(canvas.get_renderer())             # inches
    width, height = fig.get_size_inches()
    grown = (max(width, float(np.ceil(box.x1 * fig.dpi + 1)) / fig.dpi),
             max(height, float(np.ceil(box.y1 * fig.dpi + 1)) / fig.dpi))
    if grown == (width, height):
        return box
    sx, sy = width / grown[0], height / grown[1]                 # old figure fractions to new ones
    placed = [(ax, ax.get_position(original=True)) for ax in fig.axes if ax.get_axes_locator() is None]
    texts = [(t, t.get_position()) for t in fig.texts if t.get_transform() == fig.transFigure]
    fig.set_size_inches(*grown, forward=False)
    for ax, pos in placed:
        ax.set_position([pos.x0 * sx, pos.y0 * sy, pos.width * sx, pos.height * sy])
    for text, (x, y) in texts:
        text.set_position((x * sx, y * sy))
    return box


def _cut_to_tight_box(fig: Figure, rgb: np.ndarray, box: Bbox, pad_in: float, facecolor) -> np.ndarray | None:
    """The pixels of the figure's tight `box` (inches, y up) with a margin of `pad_in` inches (the margin
    filled with `facecolor` where it falls past the canvas), or None when what is drawn reaches past the
    canvas."""
    height, width = rgb.shape[:2]
    x0, x1 = int(np.floor(box.x0 * fig.dpi)), int(np.ceil(box.x1 * fig.dpi))
    y0, y1 = int(np.floor(height - box.y1 * fig.dpi)), int(np.ceil(height - box.y0 * fig.dpi))   # rows
    slack = 1                                                  # a pixel of rounding past the edge is still inside
    if x0 < -slack or y0 < -slack or x1 > width + slack or y1 > height + slack:
        return None
    pad = round(pad_in * fig.dpi)
    out = np.empty((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad, 3), dtype=np.uint8)
    out[...] = np.round(np.asarray(to_rgb(facecolor)) * 255).astype(np.uint8)
    top, left = y0 - pad, x0 - pad                              # the output's corner on the canvas
    rows = slice(max(top, 0), min(top + out.shape[0], height))
    cols = slice(max(left, 0), min(left + out.shape[1], width))
    out[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = rgb[rows, cols]
    return out
