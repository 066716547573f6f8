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

A text's size is measured once per process, not once per figure: matplotlib keeps its measurements per
renderer, and every map and chart has a renderer of its own, so the same legend entries, place names and
tick labels were laid out by FreeType again in each of them. The size depends only on the string, the
font's properties, the dpi and the hinting, which make the key.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text


def font_key(prop: FontProperties) -> tuple:
    """What a FontProperties selects and sizes, as it is now (the object itself may be changed later)."""
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


MEASURED_MAX = 20_000                       # sizes kept (a report measures a few thousand texts)
_measured: dict = {}                        # (string, font_key, ismath, dpi, hinting) -> (width, height, descent)


# The one-piece drawing leans on RendererAgg's internals (its font preparation and text blending); where a
# matplotlib release lacks them, every text is drawn by matplotlib's own code (slower, the same words).
ONE_PIECE = (hasattr(RendererAgg, "_prepare_font")
             and all(hasattr(FT2Font, name) for name in ("set_text", "draw_glyphs_to_bitmap", "get_image",
                                                          "get_bitmap_offset", "get_descent")))
# font features and languages (matplotlib 3.10): a text that asks for them is drawn by matplotlib's own code
TEXT_FEATURES = hasattr(Text, "get_fontfeatures") and hasattr(Text, "get_language")


class TextRendererAgg(RendererAgg):
    """RendererAgg drawing a plain string as one bitmap and measuring each text once (the module's notes)."""

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath == "TeX":                         # measured through the texmanager, as matplotlib does
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, font_key(prop), ismath, float(self.dpi), get_hinting_flag())
        size = _measured.get(key)
        if size is None:
            if len(_measured) >= MEASURED_MAX:
                _measured.clear()
            size = _measured[key] = super().get_text_width_height_descent(s, prop, ismath)
        return size

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if not ONE_PIECE or angle or ismath or (mtext is not None and TEXT_FEATURES
                                                and (mtext.get_fontfeatures() or mtext.get_language())):
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
