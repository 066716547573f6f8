"""The report drawn in worker processes: the same files as drawn in one process, failures that name the
piece that failed and leave no report, no forking where it is unsafe, and --no-animation."""

from __future__ import annotations

import os
import shutil
import threading

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import wargame.report.charts
from wargame.cli import main
from wargame.core.model import WarModel
from wargame.output import write_run
from wargame.report import workers
from wargame.report.render import film_shares, render_run
from wargame.report.workers import DrawingFailed, DrawingPool, drawing_workers

STEPS = 14         # three and a half days: towns and Aleppo fall, so there are fall maps with insets

can_fork = pytest.mark.skipif(drawing_workers(2) != 2, reason="worker processes are not forked here")


@pytest.fixture(scope="module")
def data_only(tmp_path_factory):
    """A run directory with its data and no report."""
    model = WarModel("hts_2024_classroom", rng=3)
    for _ in range(STEPS):
        model.step()
    return write_run(model, tmp_path_factory.mktemp("runs") / "run")


def _copy(source, target):
    shutil.copytree(source, target)
    return target


def _drawn_files(directory) -> dict[str, bytes]:
    names = [p for p in directory.rglob("*") if p.is_file() and p.suffix in (".png", ".gif", ".html")]
    return {str(p.relative_to(directory)): p.read_bytes() for p in names}


@can_fork
def test_workers_draw_the_same_files_as_one_process_byte_for_byte(data_only, tmp_path):
    alone = _copy(data_only, tmp_path / "alone")
    side_by_side = _copy(data_only, tmp_path / "side_by_side")
    render_run(alone, workers=1)
    render_run(side_by_side, workers=4)          # four workers: the film is drawn in two shares of frames
    one, many = _drawn_files(alone), _drawn_files(side_by_side)
    assert sorted(one) == sorted(many)
    assert {"campaign.gif", "report.html", "figures/forces.png", "figures/why.png"} <= set(one)
    assert any(name.startswith("maps/fall_") for name in one)
    assert [name for name in one if one[name] != many[name]] == []


def test_the_film_is_shared_in_contiguous_runs_of_frames_that_cover_every_step():
    steps = list(range(0, 80, 2))
    for count in (0, 1, 2, 3, 4, 7, 200):
        shares = film_shares(steps, count)
        assert [s for share in shares for s in share] == steps
        assert len(shares) == max(1, min(len(steps), count // 2))


def _broken_chart(run):
    raise RuntimeError("the air chart's data is not there")


@pytest.mark.parametrize("count", [1, pytest.param(2, marks=can_fork)])
def test_a_piece_that_fails_names_itself_and_leaves_no_report(data_only, tmp_path, monkeypatch, count):
    directory = _copy(data_only, tmp_path / "run")
    monkeypatch.setitem(wargame.report.charts.FIGURES, "air", _broken_chart)
    with pytest.raises(DrawingFailed, match=r"figures/air\.png failed: RuntimeError: the air chart's data"):
        render_run(directory, animation=False, workers=count)
    assert not (directory / "report.html").exists()
    assert not (directory / "figures" / "air.png").exists()
    assert not [p for p in directory.rglob("*.partial")]       # every file written is whole, or not there


def _die(run):
    os._exit(3)                                # a worker killed outright, as by the kernel's OOM killer


@can_fork
def test_a_worker_that_dies_is_a_clear_error(data_only):
    from wargame.output import RunData

    with DrawingPool(RunData.load(data_only), workers=2) as pool:
        piece = pool.submit("maps/day_00.png", _die)
        with pytest.raises(DrawingFailed, match=r"worker process .* stopped .* maps/day_00\.png"):
            piece.result()


def test_workers_are_not_forked_with_one_core_or_beside_another_thread(monkeypatch):
    assert drawing_workers(1) == 0 and drawing_workers(0) == 0
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert drawing_workers(2) == 0          # a lock that thread held at the fork would stay held
    finally:
        release.set()
        thread.join()
    monkeypatch.setattr(workers, "available_cores", lambda: 1)
    assert drawing_workers() == 0
    monkeypatch.setattr(workers.sys, "platform", "darwin")
    assert not workers.fork_is_safe()


def test_a_figure_with_a_legend_past_its_edge_is_cut_with_the_legend_in(tmp_path):
    from wargame.report.png import write_png

    fig = Figure(figsize=(2.0, 2.0), dpi=100)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.plot([0, 1], [0, 1])
    fig.text(1.4, 0.5, "a legend past the right edge", fontsize=10)    # savefig's tight box would keep it
    path = write_png(fig, tmp_path / "cut.png", tight_pad_in=0.1)
    image = np.asarray(Image.open(path).convert("RGB"))
    dark_columns = np.flatnonzero((image.min(axis=2) < 100).any(axis=0))
    assert image.shape[1] > 400 and dark_columns.max() > 300          # the text is in, whole
    assert image.shape[1] - dark_columns.max() >= 5                    # with the margin after it


def test_no_animation_writes_no_film_and_the_report_says_it_was_left_out(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "hts_2024_classroom", "--out", str(out), "--no-animation", "--quiet"]) == 0
    assert not (out / "campaign.gif").exists() and not (out / "campaign.mp4").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "The campaign animation was left out of this report" in page
    assert "campaign.gif" not in page and "campaign.mp4" not in page
    assert len(list((out / "maps").glob("*.png"))) >= 2


def _huge_pages_state(run) -> str:
    with open("/proc/self/status") as status:
        return next((line.split()[1] for line in status if line.startswith("THP_enabled:")), "unknown")


@can_fork
def test_a_worker_draws_without_transparent_huge_pages(data_only):
    from wargame.output import RunData

    if not os.path.exists("/proc/self/status") or _huge_pages_state(None) == "unknown":
        pytest.skip("the kernel does not report THP_enabled")
    here = _huge_pages_state(None)
    with DrawingPool(RunData.load(data_only), 2) as pool:
        assert pool.submit("state", _huge_pages_state).result() == "0"
    assert _huge_pages_state(None) == here                      # this process is left as it was
