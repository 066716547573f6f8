"""An Agg canvas that draws each text in one piece: the report's figures are most of their time text.

    fig = Figure(figsize=(10, 4)); TextCanvasAgg(fig)       # instead of FigureCanvasAgg(fig)

Matplotlib 3.11's Agg renderer draws a string glyph by glyph, each glyph set up, rendered and blended
from Python: about 0.1 ms a glyph, so a chart's tick labels, a map's legend column and the film's date,
caption and shares took seconds of the report. FreeType can lay out and render the whole string into one
bitmap in a single call (`FT2Font.set_text` and `draw_glyphs_to_bitmap`, what matplotlib itself did up
to 3.10), blended once: about twice as fast for a line of text, with the same glyphs, kerning and
hinting, placed on whole pixels. Rotated texts (a bitmap turned lands a pixel or two off the glyphs drawn
turned), mathtext, and texts asking for font features or a language (which only the glyph-by-glyph
layout honours) are drawn by matplotlib's own code; so is everything else.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag


class TextRendererAgg(RendererAgg):
    """RendererAgg drawing a plain string as one bitmap (see the module's notes)."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if angle or ismath or (mtext is not None and (mtext.get_fontfeatures() or mtext.get_language())):
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        font = self._prepare_font(prop)
        font.set_text(s, 0, flags=get_hinting_flag())
        font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
        x_offset, y_offset = (v / 64.0 for v in font.get_bitmap_offset())
        x = round(x + x_offset)
        y = round(y + y_offset + font.get_descent() / 64.0)
        self._renderer.draw_text_image(np.asarray(font.get_image()), x, y + 1, 0, gc)   # y: the image's bottom
        return None


class TextCanvasAgg(FigureCanvasAgg):
    """FigureCanvasAgg whose renderer is a TextRendererAgg (kept while the figure's size and dpi stay)."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        if self._lastKey != key or not isinstance(getattr(self, "renderer", None), TextRendererAgg):
            self.renderer = TextRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
