"""The shared map renderer (wargame.report.maps) from plain arrays: the cached base bitmaps, control
shading, counters, blitting, and the classroom's picture of a team's fog of war."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from wargame.core.scenario import load_scenario
from wargame.report.maps import (
    Blit,
    ControlShading,
    CounterLayer,
    MapAxes,
    PlaceStyle,
    base_layers,
    counters_from_dicts,
    draw_picture_png,
    front_segments,
    group_counters,
    new_figure,
    picture_legend_html,
    zoom_limits,
)
from wargame.report.maps.counters import GOOD_ORDER, ROUTING, SURRENDERED
from wargame.report.maps.frame import area_limits, box_ratio
from wargame.report.maps.picture import AXES_RECT, PICTURE_SIZES
from wargame.report.maps.theatre import base_map, draw_places, scenario_theatre
from wargame.report.style import faction_colours, side_colours

SCENARIO = "hts_2024_classroom"


@pytest.fixture(scope="module")
def spec():
    return load_scenario(SCENARIO).scenario


@pytest.fixture(scope="module")
def theatre(spec):
    return scenario_theatre(spec)


def pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def test_the_base_bitmaps_line_up_with_the_theatre_drawn_as_vectors(theatre):
    limits = zoom_limits(theatre, ("aleppo", 60))
    places = PlaceStyle(label_towns=("saraqib", "al_bab"), fit=False)
    vector = new_figure((5, 5), 100)
    ax = vector.add_axes((0.05, 0.05, 0.9, 0.9))
    base_map(theatre, ax=ax)
    ax.set_xlim(limits[:2])
    ax.set_ylim(limits[2:])
    ax.apply_aspect()
    draw_places(ax, theatre, label_towns=places.label_towns)
    raster = new_figure((5, 5), 100)
    MapAxes(raster.add_axes((0.05, 0.05, 0.9, 0.9)), theatre, limits, places)
    a, b = pixels(vector), pixels(raster)
    assert a.shape == b.shape
    # the same picture up to antialiasing and a sub-pixel shift of the bitmaps
    assert np.mean(np.abs(a - b).max(axis=2) > 40) < 0.02


def test_the_base_is_drawn_once_per_frame_and_size(theatre):
    limits = zoom_limits(theatre, None)
    first = base_layers(theatre, limits, (300, 320), 100, PlaceStyle())
    assert base_layers(theatre, limits, (300, 320), 100, PlaceStyle()) is first
    assert base_layers(theatre, limits, (300, 321), 100, PlaceStyle()) is not first
    assert first.background.shape == (320, 300, 4) and (first.background[..., 3] == 255).all()
    for overlay in first.overlays.values():             # transparent layers: a few percent of the pixels
        assert 0 < overlay.rows.size < 0.5 * overlay.shape[0] * overlay.shape[1]


def test_counters_lead_with_units_in_good_order_and_weigh_morale_by_personnel():
    # cell 7: a routing strong unit of faction 0 and two in good order of faction 1; cell 9: one surrendered
    c = group_counters(cell=[7, 7, 7, 9], faction=[0, 1, 1, 2], state=[ROUTING, GOOD_ORDER, GOOD_ORDER, SURRENDERED],
                       personnel=[900, 100, 300, 50], morale=[0.9, 0.2, 0.6, 0.1])
    assert list(c.cell) == [7, 9] and list(c.stack) == [3, 1]
    assert list(c.faction) == [1, 2] and list(c.state) == [GOOD_ORDER, SURRENDERED]
    assert c.morale[0] == pytest.approx((0.2 * 100 + 0.6 * 300) / 400)      # the leading faction's units only
    assert list(c.personnel) == [1300, 50]
    units = [{"cell": 7, "faction": "b", "state": "active", "personnel": 100, "morale": 0.2},
             {"cell": 7, "faction": "b", "state": "shaken", "personnel": 300, "morale": 0.6},
             {"cell": 7, "faction": "a", "state": "routing", "personnel": 900, "morale": 0.9},
             {"cell": 9, "faction": "c", "state": "surrendered", "personnel": 50, "morale": 0.1},
             {"cell": -1, "faction": "a"}, {"cell": 4, "faction": "a", "state": "destroyed"}]
    d = counters_from_dicts(units, ["a", "b", "c"])
    for name in ("cell", "faction", "state", "morale", "stack", "personnel"):
        np.testing.assert_allclose(getattr(d, name), getattr(c, name))


def test_control_shading_greys_unknown_ground_and_the_front_runs_between_known_sides(theatre):
    shading = ControlShading(theatre, ["#ff0000", "#00ff00"], unknown="#8a8a8a")
    cells = shading.cells
    control = np.full(theatre.n, -1)
    control[cells[: cells.size // 2]] = 0
    control[cells[cells.size // 2:]] = 1
    rgba = shading.colours(control)
    assert rgba[0, 0] > rgba[0, 1] and rgba[-1, 1] > rgba[-1, 0]        # red ground, green ground
    assert len(front_segments(theatre, control)) > 0
    control[cells[cells.size // 2:]] = -1                                  # the rest unknown: grey, no front
    rgba = shading.colours(control)
    assert np.ptp(rgba[-1, :3]) < 0.12
    assert len(front_segments(theatre, control)) == 0
    no_tint = ControlShading(theatre, ["#ff0000"]).colours(np.full(theatre.n, -1))
    np.testing.assert_allclose(no_tint[:, :3], shading.ground)


def test_a_blitted_frame_is_the_map_drawn_whole(theatre, spec):
    limits = zoom_limits(theatre, None)
    side_ids = list(spec.sides)
    shading = ControlShading(theatre, [side_colours(spec)[s] for s in side_ids])
    control = np.where(theatre.inside, (theatre.x > np.median(theatre.x)).astype(int), -1)
    rgba = np.array([to_rgba(c) for c in faction_colours(spec).values()])
    counters = group_counters(theatre.place_cell["aleppo"] + np.arange(3), [0, 1, 2], [0, 1, 2], [500] * 3,
                              [0.9, 0.5, 0.1])
    frames = []
    for animated in (False, True):
        fig = new_figure((5, 5), 100)
        m = MapAxes(fig.add_axes((0.01, 0.01, 0.98, 0.98)), theatre, limits, shading=shading, animated=animated)
        layer = CounterLayer(m.ax, rgba, theatre.layout.cell_km, m.px_per_km, animated=animated)
        m.control.update(control)
        layer.update(theatre, counters)
        if animated:
            frames.append(Blit(fig).frame([[*m.changing, *layer.artists], m.spines])[..., :3].astype(int))
        else:
            frames.append(pixels(fig))
    assert np.mean(np.abs(frames[0] - frames[1]).max(axis=2) > 8) < 0.002


def test_a_stamped_text_is_the_text_drawn_and_gives_way_to_what_is_drawn_under_it():
    drawn_moving = []

    def film(stamped: bool) -> list[np.ndarray]:
        fig = new_figure((3, 2), 100)
        ax = fig.add_axes((0.1, 0.5, 0.8, 0.45))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        dot = ax.plot([0.5], [0.5], "o", ms=30, animated=True)[0]
        caption = fig.text(0.1, 0.3, "", fontsize=9, animated=True, bbox={"fc": "white", "ec": "#999999"})
        moving = fig.text(0.22, 0.72, "", fontsize=9, animated=True)         # over the dot's ground
        if stamped:
            draw = moving.draw
            moving.draw = lambda renderer: (drawn_moving.append(moving.get_text()), draw(renderer))
        blit = Blit(fig)
        frames = []
        # the dot stays clear of the moving text but on the last frame, when it passes under the stamp of "first"
        for x, words in zip([0.8, 0.6, 0.8, 0.2], ["first", "second", "first", "first"], strict=True):
            dot.set_xdata([x])
            caption.set_text(words)
            moving.set_text(words)
            texts = [caption, moving]
            buffer = blit.frame([[dot]], stamped=texts) if stamped else blit.frame([[dot], texts])
            frames.append(buffer.copy())
        return frames

    for kept, drawn in zip(film(True), film(False), strict=True):
        np.testing.assert_array_equal(kept, drawn)
    # drawn for the two new texts, stamped on the third frame, drawn again when the dot came under it
    assert drawn_moving == ["first", "second", "first"]


# -- the classroom's pictures -------------------------------------------------------------------------------
def cell_pixel(theatre, cell: int, area: str, size: str) -> tuple[int, int]:
    """Row and column of a cell's centre in a picture."""
    w, h, dpi = PICTURE_SIZES[size]
    fig = new_figure((w, h), dpi)
    ax = fig.add_axes(AXES_RECT)
    x0, x1, y0, y1 = area_limits(theatre, area, box_ratio(ax))
    box = ax.get_window_extent()
    col = box.x0 + (theatre.x[cell] - x0) / (x1 - x0) * box.width
    row = fig.bbox.height - (box.y0 + (theatre.y[cell] - y0) / (y1 - y0) * box.height)
    return round(row), round(col)


def quiet_cell(theatre, picture) -> int:
    """An open inside cell on the front map far from Idlib (unseen), any place and any unit."""
    from wargame.core.theatre import TERRAIN

    x, y = theatre.x, theatre.y
    x0, x1, y0, y1 = area_limits(theatre, "front", 1.0)
    well_inside = (x > x0 + 30) & (x < x1 - 30) & (y > y0 + 30) & (y < y1 - 30)     # 30 km clear of the edges
    ok = theatre.inside & (theatre.terrain == TERRAIN["open"]) & well_inside
    busy = [theatre.place_cell[p] for p in theatre.place_cell]
    busy += [u["cell"] for key in ("own", "friendly", "enemies", "last_seen") for u in picture[key]]
    for c in busy:
        ok &= np.hypot(x - x[c], y - y[c]) > 12
    idlib = theatre.place_cell["idlib"]
    ok &= np.hypot(x - x[idlib], y - y[idlib]) > 80
    return int(np.flatnonzero(ok)[0])


def decode(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def picture(theatre, spec):
    """A rebels' picture: control known around Idlib only, their own units, an ally, an enemy seen and one
    last seen."""
    side_ids = list(spec.sides)
    control = np.full(theatre.n, -1)
    near = theatre.inside & (np.hypot(theatre.x - theatre.x[theatre.place_cell["idlib"]],
                                      theatre.y - theatre.y[theatre.place_cell["idlib"]]) < 60)
    control[near] = side_ids.index("opposition")
    aleppo, hama = theatre.place_cell["aleppo"], theatre.place_cell["hama"]
    return {
        "control": control.tolist(),
        "own": [{"unit": "hts-1", "faction": "hts", "cell": theatre.place_cell["idlib"], "state": "active",
                 "personnel": 800, "morale": 0.8}],
        "friendly": [{"unit": "sna-1", "faction": "sna", "cell": theatre.place_cell["azaz"]}],
        "enemies": [{"unit": "saa-1", "faction": "saa", "cell": hama}],
        "last_seen": [{"unit": "saa-2", "faction": "saa", "cell": aleppo, "day": 1.0}],
    }


def test_a_team_picture_shows_its_units_enemies_seen_and_unknown_ground(theatre, spec, picture):
    side_ids = list(spec.sides)
    png = draw_picture_png(theatre, spec, side_ids, picture, truth=False, area="front", size="large")
    image = decode(png)
    w, h, dpi = PICTURE_SIZES["large"]
    assert image.shape == (round(h * dpi), round(w * dpi), 3)
    colours = faction_colours(spec)
    for key, faction in (("enemies", "saa"), ("friendly", "sna")):
        row, col = cell_pixel(theatre, picture[key][0]["cell"], "front", "large")
        patch = image[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3)
        want = np.array(to_rgba(colours[faction])[:3]) * 255
        assert np.abs(patch - want).sum(axis=1).min() < 30, f"no {key} marker in {faction}'s colour"
    # the ground the team has not seen is grey; the truth shows who holds it
    truth = {"control": [0 if i else -1 for i in theatre.inside], "units": picture["own"]}
    true_image = decode(draw_picture_png(theatre, spec, side_ids, truth, truth=True, area="front", size="large"))
    row, col = cell_pixel(theatre, quiet_cell(theatre, picture), "front", "large")
    seen, known = image[row, col], true_image[row, col]
    assert np.ptp(seen) < 15 and known[0] - known[1] > 25                # grey, then the regime's red
    assert np.abs(image - true_image).max(axis=2).mean() > 5


def test_pictures_of_each_area_and_size_reuse_the_cached_base(theatre, spec, picture):
    import time

    from wargame.report.maps import base

    side_ids = list(spec.sides)
    shapes = {}
    for area in ("front", "all"):
        for size in ("large", "small"):
            shapes[area, size] = decode(draw_picture_png(theatre, spec, side_ids, picture, truth=False, area=area,
                                                         size=size)).shape
    assert shapes["front", "small"] == shapes["all", "small"] != shapes["front", "large"]
    cached = len(base._cache)
    started = time.perf_counter()
    draw_picture_png(theatre, spec, side_ids, picture, truth=False, area="front", size="large")
    assert len(base._cache) == cached                       # no new base drawn
    assert time.perf_counter() - started < 1.5


def test_the_picture_key_lists_what_the_picture_shows(spec, picture):
    side_ids = list(spec.sides)
    team = picture_legend_html(spec, side_ids, picture, truth=False)
    assert "enemy units in sight" in team and "not seen: who holds it is unknown" in team
    for faction in ("hts", "sna", "saa"):
        assert spec.factions[faction].name.split(" (")[0] in team
    assert "Syrian Democratic Forces" not in team                      # no SDF unit in the picture
    truth = picture_legend_html(spec, side_ids, {"control": [0, 1], "units": picture["own"]}, truth=True)
    assert "not seen" not in truth and "enemy units" not in truth and "the front" in truth
