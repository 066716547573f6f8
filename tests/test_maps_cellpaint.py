"""Per-cell colours painted as pixels (wargame.report.maps.cellpaint): each pixel shows the hex its centre
lies in, in that cell's colour, and what is not among the painted cells is left as it was."""

import numpy as np
import pytest
from matplotlib.patches import Polygon

from wargame.core.scenario import load_scenario
from wargame.report.maps import new_figure, zoom_limits
from wargame.report.maps.cellpaint import CellPaint, cell_under, to_bytes
from wargame.report.maps.frame import set_frame
from wargame.report.maps.theatre import scenario_theatre


@pytest.fixture(scope="module")
def theatre():
    return scenario_theatre(load_scenario("hts_2024_classroom").scenario)


def test_a_point_lies_in_the_hex_of_the_nearest_centre(theatre):
    rng = np.random.default_rng(1)
    cells = rng.choice(theatre.n, 300)
    assert (cell_under(theatre.layout, theatre.x[cells], theatre.y[cells]) == cells).all()
    # anywhere on the layout: the nearest of all the centres
    x = rng.uniform(theatre.x.min(), theatre.x.max(), 500)
    y = rng.uniform(theatre.y.min(), theatre.y.max(), 500)
    nearest = np.argmin((theatre.x[None, :] - x[:, None]) ** 2 + (theatre.y[None, :] - y[:, None]) ** 2, axis=1)
    assert (cell_under(theatre.layout, x, y) == nearest).all()
    # past the layout's edge by more than a hex: no cell
    far = cell_under(theatre.layout, np.array([theatre.x.min() - 3 * theatre.layout.cell_km]),
                     np.array([theatre.y.max() + 3 * theatre.layout.cell_km]))
    assert far[0] == -1


def test_each_pixel_shows_the_colour_of_the_cell_under_it(theatre):
    fig = new_figure((4, 4), 100)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    set_frame(ax, zoom_limits(theatre, ("aleppo", 40)))
    backdrop = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)], transform=ax.transAxes, fc="#123456", zorder=0)
    ax.add_patch(backdrop)
    painted = np.flatnonzero(theatre.inside)[::2]                      # every other inside cell
    rgba = np.random.default_rng(2).uniform(0, 1, (painted.size, 4))
    paint = CellPaint(theatre, painted, zorder=1)
    ax.add_artist(paint)
    paint.set_colours(rgba)
    fig.canvas.draw()
    buffer = np.asarray(fig.canvas.buffer_rgba())
    height = buffer.shape[0]
    box = ax.bbox
    cols = np.arange(int(box.x0) + 3, int(box.x1) - 3, 7)          # clear of the frame's lines
    rows_up = np.arange(int(box.y0) + 3, int(box.y1) - 3, 7)
    cx, cy = np.meshgrid(cols + 0.5, rows_up + 0.5)
    x, y = ax.transData.inverted().transform(np.column_stack([cx.ravel(), cy.ravel()])).T
    under = cell_under(theatre.layout, x, y)
    shown = buffer[height - 1 - cy.ravel().astype(int), cx.ravel().astype(int)]
    colour_of = {cell: to_bytes(c) for cell, c in zip(painted, rgba, strict=True)}
    checked = 0
    for cell, pixel in zip(under, shown, strict=True):
        if cell in colour_of:
            np.testing.assert_array_equal(pixel[:3], colour_of[cell][:3])
            assert pixel[3] == 255                                     # opaque, whatever the alpha given
            checked += 1
        else:                                                          # not painted: the backdrop shows
            np.testing.assert_array_equal(pixel[:3], [0x12, 0x34, 0x56])
    assert checked > 100
