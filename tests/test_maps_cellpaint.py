"""Per-cell colours painted as pixels (wargame.report.maps.cellpaint): each pixel shows the hex its centre
lies in, in that cell's colour, and what is not among the painted cells is left as it was."""

import numpy as np
import pytest
from matplotlib.patches import Polygon

from wargame.core.scenario import load_scenario
from wargame.report.maps import new_figure, zoom_limits
from wargame.report.maps.cellpaint import CellPaint, grid_cells, to_bytes
from wargame.report.maps.frame import set_frame
from wargame.report.maps.theatre import scenario_theatre


@pytest.fixture(scope="module")
def theatre():
    return scenario_theatre(load_scenario("hts_2024_classroom").scenario)


def test_a_point_lies_in_the_hex_of_the_nearest_centre(theatre):
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(theatre.x.min() - 20, theatre.x.max() + 20, 60))
    y = np.sort(rng.uniform(theatre.y.min() - 20, theatre.y.max() + 20, 50))
    found = grid_cells(theatre.layout, x, y)
    assert found.shape == (50, 60)
    px, py = np.meshgrid(x, y)
    d2 = (theatre.x[None, :] - px.reshape(-1, 1)) ** 2 + (theatre.y[None, :] - py.reshape(-1, 1)) ** 2
    nearest, distance = np.argmin(d2, axis=1), np.sqrt(d2.min(axis=1))
    # on the layout: the nearest of all the centres; past its edge by more than a hex: no cell
    inner = distance < theatre.layout.cell_km / 2                     # inside the hex's inscribed circle
    assert inner.sum() > 1000
    assert (found.ravel()[inner] == nearest[inner]).all()
    assert (found.ravel()[distance > theatre.layout.cell_km] == -1).all()
    # the centres themselves
    cells = rng.choice(theatre.n, 5)
    for cell in cells:
        assert grid_cells(theatre.layout, theatre.x[[cell]], theatre.y[[cell]])[0, 0] == cell


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
    to_data = ax.transData.inverted()
    x = to_data.transform(np.column_stack([cols + 0.5, rows_up[:1] + 0.5 + 0 * cols]))[:, 0]
    y = to_data.transform(np.column_stack([cols[:1] + 0.5 + 0 * rows_up, rows_up + 0.5]))[:, 1]
    under = grid_cells(theatre.layout, x, y).ravel()
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


def test_a_vector_file_shows_the_paint_the_right_way_up_in_the_axes_box(theatre):
    """SVG and PDF take the paint as an image: north at the top, placed and sized as the axes' box."""
    import base64
    import io
    import re

    from matplotlib.image import imread

    fig = new_figure((4, 4), 100)
    ax = fig.add_axes((0.1, 0.2, 0.8, 0.6))
    set_frame(ax, zoom_limits(theatre, ("aleppo", 40)))
    middle = float(np.mean(ax.get_ylim()))
    cells = np.flatnonzero(theatre.inside)
    north = theatre.y[cells] > middle
    paint = CellPaint(theatre, cells, zorder=1)
    ax.add_artist(paint)
    paint.set_colours(np.where(north[:, None], [[1.0, 0.0, 0.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]]))
    out = io.BytesIO()
    fig.savefig(out, format="svg", dpi=100)
    svg = out.getvalue().decode()
    tag = re.search(r"<image.*?/>", svg, re.S)
    assert tag, "no embedded image in the SVG"
    tag = tag.group(0)
    width, height = (float(re.search(rf'{name}="([\d.]+)"', tag).group(1)) for name in ("width", "height"))
    fig.canvas.draw()                                                 # the axes' box at 100 dpi, in points
    assert width == pytest.approx(ax.bbox.width * 0.72, abs=1.5) and height == pytest.approx(ax.bbox.height * 0.72,
                                                                                             abs=1.5)
    data = re.search(r"base64,([^\"]+)\"", tag).group(1)
    picture = imread(io.BytesIO(base64.b64decode("".join(data.split()))))
    rows = picture.shape[0]
    top, bottom = picture[: rows // 5].reshape(-1, 4), picture[-rows // 5:].reshape(-1, 4)
    top, bottom = top[top[:, 3] > 0], bottom[bottom[:, 3] > 0]        # painted pixels only
    assert len(top) and len(bottom)
    assert (top[:, 0] > 0.9).mean() > 0.95 and (bottom[:, 2] > 0.9).mean() > 0.95   # red north, blue south
    pdf = io.BytesIO()
    fig.savefig(pdf, format="pdf", dpi=100)
    assert pdf.getvalue().startswith(b"%PDF")
