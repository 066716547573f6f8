"""The report's Agg canvas draws each text in one piece (wargame.report.agg): the same words in the same
places as matplotlib's own canvas, and mathtext left to matplotlib."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from wargame.report.agg import TextCanvasAgg, TextRendererAgg


def drawn(canvas_class, text: str, **kwargs) -> np.ndarray:
    fig = Figure(figsize=(4, 1.5), dpi=120)
    canvas = canvas_class(fig)
    fig.text(0.1, 0.3, text, **kwargs)
    canvas.draw()
    return 255 - np.asarray(canvas.buffer_rgba())[..., :3].astype(int).min(axis=2)     # ink, 0 where blank


@pytest.mark.parametrize(("text", "kwargs"), [
    ("Day 6.25, 3 December 2024 11:00", {"fontsize": 10.5}),
    ("69%  Assad regime\n 8%  HTS-led coalition", {"fontsize": 7.5, "weight": "bold"}),
    ("Déir ez-Zór – 45 km", {"fontsize": 8, "color": "#555555"}),
])
def test_a_text_is_drawn_where_and_as_matplotlib_draws_it(text, kwargs):
    ours, theirs = drawn(TextCanvasAgg, text, **kwargs), drawn(FigureCanvasAgg, text, **kwargs)
    assert ours.sum() > 0
    for axis in (0, 1):                         # the ink's extent, to a pixel (glyphs on whole pixels here)
        o, t = np.flatnonzero(ours.sum(axis=axis) > 0), np.flatnonzero(theirs.sum(axis=axis) > 0)
        assert abs(o[0] - t[0]) <= 1 and abs(o[-1] - t[-1]) <= 1
    assert ours.sum() == pytest.approx(theirs.sum(), rel=0.05)   # as much ink: the same glyphs and weight


@pytest.mark.parametrize(("text", "kwargs"), [(r"$\alpha^2$ of $x_i$", {}), ("personnel (thousands)", {"rotation": 90})])
def test_mathtext_and_rotated_texts_are_left_to_matplotlib(text, kwargs):
    np.testing.assert_array_equal(drawn(TextCanvasAgg, text, **kwargs), drawn(FigureCanvasAgg, text, **kwargs))


def test_the_canvas_keeps_its_renderer_until_the_figure_changes_size():
    fig = Figure(figsize=(2, 2), dpi=100)
    canvas = TextCanvasAgg(fig)
    first = canvas.get_renderer()
    assert isinstance(first, TextRendererAgg) and canvas.get_renderer() is first
    fig.set_size_inches(3, 2)
    assert canvas.get_renderer() is not first and isinstance(canvas.get_renderer(), TextRendererAgg)


def test_a_size_measured_once_serves_every_figure_and_follows_the_font():
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=9)
    first = TextCanvasAgg(Figure(dpi=100)).get_renderer()
    other = TextCanvasAgg(Figure(dpi=100)).get_renderer()
    plain = FigureCanvasAgg(Figure(dpi=100)).get_renderer()
    size = first.get_text_width_height_descent("Aleppo airport", prop, False)
    assert other.get_text_width_height_descent("Aleppo airport", prop, False) == size
    assert plain.get_text_width_height_descent("Aleppo airport", prop, False) == pytest.approx(size)
    prop.set_size(18)                               # the same object, changed: measured anew
    assert other.get_text_width_height_descent("Aleppo airport", prop, False)[0] > 1.8 * size[0]


def test_without_the_internals_it_leans_on_every_text_is_drawn_by_matplotlib(monkeypatch):
    """A matplotlib release without RendererAgg's font preparation or FT2Font's bitmap calls: the canvas
    falls back to matplotlib's own drawing, pixel for pixel."""
    import wargame.report.agg as agg

    monkeypatch.setattr(agg, "ONE_PIECE", False)
    text = "Day 6.25, 3 December 2024 11:00"
    np.testing.assert_array_equal(drawn(TextCanvasAgg, text), drawn(FigureCanvasAgg, text))
