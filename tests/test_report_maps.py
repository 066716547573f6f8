"""Campaign maps and the animation, drawn from a short real run written to disk and read back."""

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from wargame.report import animation
from wargame.report.maps import STATE_CODE, draw_map, draw_snapshots, snapshot_plan, snapshot_steps, view_of
from wargame.report.maps.campaign import scale_bar_km
from wargame.report.maps.frame import zoom_limits
from wargame.report.maps.layers import Z_SCALE


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from wargame.core.model import WarModel
    from wargame.output import RunData, write_run

    model = WarModel("hts_2024_classroom", rng=3)
    for _ in range(8):
        model.step()
    return RunData.load(write_run(model, tmp_path_factory.mktemp("maps") / "run"))


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A run on a theatre of some 90 km, the size of the campaigns of 2015-2020 (not the whole west)."""
    from wargame.core.model import WarModel
    from wargame.output import RunData, write_run

    model = WarModel(str(Path(__file__).parent / "data" / "duel.toml"), rng=3)
    for _ in range(2):
        model.step()
    return RunData.load(write_run(model, tmp_path_factory.mktemp("small") / "run"))


def collection(ax, gid):
    return next(c for c in ax.get_children() if c.get_gid() == gid)


def close(ax):
    import matplotlib.pyplot as plt
    plt.close(ax.figure)


def with_event(run, **event):
    return dataclasses.replace(run, events=[*run.events, {"kind": "city_captured", "from_side": "regime", **event}])


def test_map_png_is_a_real_picture(run, tmp_path):
    last = int(run.metrics["step"].max())
    path = draw_map(run, last, tmp_path / "maps" / "end.png", arrows_from_step=0)
    assert path.is_file() and not list(path.parent.glob("*.partial"))
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    assert pixels.shape[0] > 1000 and pixels.shape[1] > 1000
    assert pixels.std() > 20                                       # not one flat colour
    assert len(np.unique(pixels.reshape(-1, 3)[::7], axis=0)) > 50


def test_control_shading_follows_the_control_array(run):
    view = view_of(run)
    step = int(run.control_steps[-1])
    ax = draw_map(run, step, legend=False)
    faces = collection(ax, "control").colours
    close(ax)
    np.testing.assert_allclose(faces, view.control_colours(run.control[-1]))
    held = run.control[-1][view.cells]
    assert len(np.unique(held)) > 1
    # a cell held by the regime (red) is redder than one held by the opposition (green)
    regime, opposition = view.side_ids.index("regime"), view.side_ids.index("opposition")
    red = faces[held == regime][:, 0].mean() - faces[held == regime][:, 1].mean()
    green = faces[held == opposition][:, 0].mean() - faces[held == opposition][:, 1].mean()
    assert red > green

    # all the ground to one side, then to the other: the rendered map's colour follows
    means = {}
    for side in (regime, opposition):
        control = np.where(run.control >= 0, side, -1).astype(np.int8)
        variant = dataclasses.replace(run, control=control)
        ax = draw_map(variant, step, legend=False, zoom=("aleppo", 60))
        ax.figure.canvas.draw()
        box = ax.get_window_extent()
        pixels = np.asarray(ax.figure.canvas.buffer_rgba())[:, :, :3].astype(float)
        height = pixels.shape[0]
        area = pixels[int(height - box.y1) + 5:int(height - box.y0) - 5, int(box.x0) + 5:int(box.x1) - 5]
        means[side] = area.reshape(-1, 3).mean(axis=0)
        assert len(collection(ax, "front").get_segments()) == 0     # one side everywhere: no front line
        close(ax)
    assert means[regime][0] - means[regime][1] > means[opposition][0] - means[opposition][1] + 20


def test_one_counter_per_occupied_cell(run):
    step = int(run.metrics["step"].max())
    ax = draw_map(run, step, legend=False)
    counters = collection(ax, "counters")
    stacks = collection(ax, "counter_stacks")
    close(ax)
    units = run.units[(run.units["step"] == step) & (run.units["cell"] >= 0) & run.units["state"].isin(list(STATE_CODE))]
    per_cell = units.groupby("cell").size()
    assert len(counters.get_paths()) == len(per_cell) > 0
    assert len(stacks.get_paths()) == int((per_cell > 1).sum())


def test_counters_lead_with_units_in_good_order_and_average_their_morale(run):
    view = view_of(run)
    c = view.counters(0)
    units = run.units[(run.units["step"] == 0) & (run.units["cell"] >= 0)]
    k = int(np.argmax(c.stack))
    here = units[units["cell"] == c.cell[k]]
    lead = here[here["faction"] == view.faction_ids[c.faction[k]]]
    expected = np.average(lead["morale"], weights=np.maximum(lead["personnel"], 1.0))
    assert c.stack[k] == len(here)
    assert c.morale[k] == pytest.approx(expected)


def test_arrows_point_along_the_ground_taken(run):
    view = view_of(run)
    th = view.theatre
    before = run.control[0].copy()
    opposition = view.side_ids.index("opposition")
    held = np.flatnonzero(before == opposition)
    front = held[np.argmax(th.x[held])]                            # the opposition's easternmost cell
    after = before.copy()
    push = th.inside & (th.x > th.x[front]) & (th.x < th.x[front] + 40) & (np.abs(th.y - th.y[front]) < 12)
    after[push] = opposition
    variant = dataclasses.replace(run, control=np.stack([before, after]), control_steps=np.array([0, 1]))
    arrows = [a for a in view_of(variant).advances(0, 1) if a.side == "opposition"]
    assert len(arrows) == 1
    (a,) = arrows
    assert a.head[0] - a.tail[0] > 25                               # eastwards, about as deep as the push
    assert abs(a.head[1] - a.tail[1]) < a.head[0] - a.tail[0]
    assert view_of(variant).advances(0, 0) == []                    # nothing taken, no arrows


def test_snapshots_include_each_city_fall_but_not_towns(run):
    last = int(run.metrics["step"].max())
    steps = snapshot_steps(with_event(run, city="aleppo", name="Aleppo", side="opposition", day=1.0, step=4))
    assert (4, "fall_aleppo") in steps
    assert steps[0] == (0, "day_00") and steps[-1][0] == last
    assert [s for s, _ in steps] == sorted(s for s, _ in steps)
    town = with_event(run, city="saraqib", name="Saraqib", side="opposition", day=1.0, step=4)
    assert not [label for _, label in snapshot_steps(town) if label.startswith("fall_")]
    twice = with_event(with_event(run, city="hama", name="Hama", side="opposition", day=0.5, step=2),
                       city="hama", name="Hama", side="regime", day=1.5, step=6)
    assert {(2, "fall_hama"), (6, "fall_hama_2")} <= set(snapshot_steps(twice))
    assert snapshot_steps(run, days=[0, 1])[:2] == [(0, "day_00"), (4, "day_01")]


def test_draw_snapshots_writes_day_and_fall_maps(run, tmp_path):
    fallen = with_event(run, city="aleppo", name="Aleppo", side="opposition", day=1.0, step=4)
    paths = draw_snapshots(fallen, tmp_path, days=[0])
    assert [p.name for p in paths] == ["day_00.png", "fall_aleppo.png"]
    assert all(p.parent == tmp_path / "maps" and Image.open(p).size[0] > 1000 for p in paths)


def test_animation_is_a_gif_with_a_frame_per_snapshot(run, tmp_path):
    written = animation.write_animation(run, tmp_path, every=2)
    gif = tmp_path / "campaign.gif"
    assert written[0] == gif
    steps = animation.frame_steps(run, every=2)
    assert steps == [0, 2, 4, 6, 8]
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.is_animated
        frames = [np.asarray(f.convert("RGB"), dtype=float) for f in ImageSequence.Iterator(image)]
    assert len(frames) == len(steps)
    assert frames[0].std() > 20
    assert np.abs(frames[-1] - frames[0]).max() > 0                # the campaign moves
    assert (tmp_path / "campaign.mp4").is_file() == bool(shutil.which("ffmpeg"))
    assert not list(tmp_path.glob("*.partial"))


def test_a_scale_bar_is_a_round_length_of_about_a_fifth_of_the_map():
    assert [scale_bar_km(span) for span in (558, 113, 92, 90, 22, 250)] == [100, 20, 10, 10, 2, 50]


def scale_bar_of(ax):
    (bar,) = [line for line in ax.get_lines() if line.get_zorder() == Z_SCALE]
    (label,) = [t for t in ax.texts if t.get_text().endswith(" km")]
    return bar.get_xdata(), label.get_text()


@pytest.mark.parametrize("fixture", ["run", "small_run"])
def test_the_scale_bar_fits_the_map_on_a_small_theatre_as_on_the_whole_west(fixture, request):
    run = request.getfixturevalue(fixture)
    ax = draw_map(run, 0)
    (x0, x1), label = scale_bar_of(ax)
    left, right = ax.get_xlim()
    close(ax)
    assert left < x0 < x1 < right and x1 - x0 <= 0.2 * (right - left)
    assert label == f"{x1 - x0:g} km" == ("100 km" if fixture == "run" else "10 km")


def test_a_fall_maps_inset_magnifies_its_city_on_a_small_theatre(run, small_run):
    fallen = with_event(run, city="aleppo", name="Aleppo", side="opposition", day=1.0, step=4)
    assert next(s.inset for s in snapshot_plan(fallen) if s.inset) == ("aleppo", 45.0)   # the whole west: as asked
    small = with_event(small_run, city="hama", name="Hama", side="opposition", day=0.25, step=1)
    (inset,) = [s.inset for s in snapshot_plan(small) if s.inset]
    x0, x1, y0, y1 = zoom_limits(view_of(small_run).theatre, None)      # the map's extent
    assert inset[0] == "hama" and 1 <= inset[1] <= 0.41 * min(x1 - x0, y1 - y0) / 4   # twice its scale at least
