"""The analysts' charts: every chart is written as a real, non-blank PNG; titled, labelled and dated; no
legend or title lies over a plotting area; and a short run or one with nothing to show still gets every
chart. One short run of the classroom scenario is made once for the whole module."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from wargame.output import RunData, write_run
from wargame.report import style
from wargame.report.charts import AIR, EQUIPMENT, FIGURES, NONE_NOTE, daily_totals, draw_charts

NAMES = ("forces", "unit_states", "territory", "air", "supply", "equipment")
DATE_LABEL = re.compile(r"^(\d{1,2} [A-Z][a-z]{2}|\d\d:\d\d)$")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> RunData:
    from wargame.core.model import WarModel

    model = WarModel("hts_2024_classroom", rng=3)
    for _ in range(8):
        model.step()
    return RunData.load(write_run(model, tmp_path_factory.mktemp("charts") / "run"))


def shortened(run: RunData, rows: int) -> RunData:
    """The run cut to its first `rows` steps (what a run stopped early would have written)."""
    metrics = run.metrics.iloc[:rows].reset_index(drop=True)
    days = float(metrics["day"].iloc[-1])
    return dataclasses.replace(run, metrics=metrics, info={**run.info, "steps": rows - 1, "days": days})


def with_zeros(run: RunData, prefixes) -> RunData:
    metrics = run.metrics.copy()
    for column in metrics.columns:
        if column.startswith(tuple(prefixes)):
            metrics[column] = 0
    return dataclasses.replace(run, metrics=metrics)


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def legend_labels(fig) -> list[list[str]]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [[t.get_text() for t in legend.get_texts()] for legend in legends]


def check_layout(fig) -> None:
    """Titled, labelled and dated; no legend over any plotting area, the title over none."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = fig.get_suptitle().replace("\n", " ")
    assert "Classroom: the first six days of the 2024 offensive" in title and "seed 3" in title
    axes = fig.axes
    assert axes
    for ax in axes:
        assert any(ax.get_title(loc=loc) for loc in ("left", "center", "right")), "a panel without a title"
        assert ax.get_ylabel() or ax.get_xlabel(), f"{ax.get_title(loc='left')}: no axis label"
    legends = [ax.get_legend() for ax in axes if ax.get_legend() is not None] + list(fig.legends)
    boxes = [ax.get_window_extent(renderer) for ax in axes]
    for legend in legends:
        extent = legend.get_window_extent(renderer)
        assert [t.get_text() for t in legend.get_texts()], "an empty legend"
        for ax, box in zip(axes, boxes):
            assert not extent.overlaps(box), f"legend over the panel {ax.get_title(loc='left')!r}"
    suptitle = fig._suptitle.get_window_extent(renderer)
    for legend in legends:
        assert not suptitle.overlaps(legend.get_window_extent(renderer)), "the title runs into a legend"
    for box in boxes:
        assert not suptitle.overlaps(box)
    # The time axes are dated ("27 Nov", or times of day on a run this short): those that show their
    # labels (the bottom of each column); the only x axes with a label are the equipment bars, which count.
    labelled = [[t.get_text() for t in ax.xaxis.get_ticklabels() if t.get_visible() and t.get_text()]
                for ax in axes if not ax.get_xlabel()]
    labelled = [labels for labels in labelled if labels]
    assert labelled, "no dates under any panel"
    for labels in labelled:
        assert all(DATE_LABEL.match(label) for label in labels), labels


def test_draw_charts_writes_every_chart_as_a_non_blank_png(run, tmp_path):
    paths = draw_charts(run, tmp_path / "figures")
    assert tuple(paths) == NAMES
    for name, path in paths.items():
        assert path == tmp_path / "figures" / f"{name}.png" and path.is_file()
        with Image.open(path) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert 800 <= width <= 2000 and 300 <= height <= 2000, (name, image.size)
            pixels = np.asarray(image.convert("L"), dtype=float)
        assert pixels.std() > 10, f"{name} looks blank"
        assert (pixels < 128).mean() > 0.005, f"{name} has almost no ink"
    assert not list((tmp_path / "figures").glob("*.partial")), "a temporary file was left behind"
    assert not plt.get_fignums(), "draw_charts left figures open"


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_is_titled_labelled_and_uncluttered(run, name):
    fig = FIGURES[name](run)
    try:
        check_layout(fig)
    finally:
        plt.close(fig)


def test_forces_lists_factions_under_their_sides_and_omits_the_absent(run):
    fig = FIGURES["forces"](run)
    try:
        [labels] = legend_labels(fig)
        assert labels[0] == "Assad regime and its allies" and "Syrian Arab Army" in labels
        assert "Southern groups" not in labels                # no personnel in this scenario
        assert [ax.get_ylabel() for ax in fig.axes] == ["personnel (thousands)", "morale (0–1)", "cohesion (0–1)"]
    finally:
        plt.close(fig)


def test_air_chart_shows_daily_rates_and_leaves_out_sides_that_flew_nothing(run):
    fig = FIGURES["air"](run)
    try:
        sorties = fig.axes[0]
        assert "per day" in sorties.get_ylabel() and "running total" in sorties.get_ylabel()
        labels = [t.get_text() for t in sorties.get_legend().get_texts()]
        assert labels == [f"Assad regime and its allies: {run.metrics['sorties_regime'].iloc[-1]:,.0f} in all"]
        per_day = [p.get_height() for p in sorties.patches]          # two whole days: a bar for each
        assert len(per_day) == 2
        assert sum(per_day) == pytest.approx(run.metrics["sorties_regime"].iloc[-1], rel=1e-6)
        assert NONE_NOTE in [t.get_text() for t in fig.axes[2].texts]      # no missiles in this run
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", NAMES)
def test_a_short_run_gets_every_chart(run, name):
    fig = FIGURES[name](shortened(run, 5))                     # four steps: one day
    try:
        check_layout(fig)
    finally:
        plt.close(fig)


def test_a_run_of_no_steps_still_gets_its_figures(run):
    only_start = shortened(run, 1)
    for name in NAMES:
        fig = FIGURES[name](only_start)
        assert fig.axes
        if name == "air":                                      # no day has passed: no rate to show
            assert texts(fig).count(NONE_NOTE) == len(AIR)
        plt.close(fig)


def test_a_chart_with_nothing_to_show_says_so(run):
    quiet = with_zeros(run, ("sorties_", "air_strikes_", "missiles_", "drone_raids_")
                       + tuple(f"captured_{kind}_" for kind in EQUIPMENT))
    for name in ("air", "equipment"):
        fig = FIGURES[name](quiet)
        try:
            check_layout(fig)
            assert texts(fig).count(NONE_NOTE) == len(fig.axes)
            assert not legend_labels(fig)
        finally:
            plt.close(fig)


def test_daily_totals_turn_a_running_total_into_amounts_per_day():
    days = np.arange(0, 2.51, 0.25)
    total = np.cumsum(np.ones_like(days)) - 1                  # one more each quarter day: four a day
    starts, lengths, per_day = daily_totals(days, total)
    assert starts.tolist() == [0, 1, 2]
    assert lengths.tolist() == [1, 1, 0.5]
    assert per_day.tolist() == pytest.approx([4, 4, 4])        # the last half day scaled to a daily rate


def test_close_colours_are_told_apart_and_states_keep_their_order():
    scenario = SimpleNamespace(factions={
        "a": SimpleNamespace(colour="#1b7837"), "b": SimpleNamespace(colour="#1b7838"),
        "c": SimpleNamespace(colour="#2166ac"), "d": SimpleNamespace(colour="#1b7837")})
    styles = style.faction_styles(scenario)
    assert styles["c"].linestyle == "-"                        # far from the rest: plain
    assert len({str(styles[k].linestyle) for k in "abd"}) == 3
    assert styles["a"].hatch is None and styles["b"].hatch and styles["d"].hatch
    assert style.faction_colours(scenario)["b"] == "#1b7838"
    assert list(style.STATE_COLOURS) == ["active", "shaken", "routing", "surrendered", "dissolved", "defected",
                                         "destroyed", "withdrawn"]


def test_save_figure_writes_a_png_and_closes_the_figure(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = style.save_figure(fig, tmp_path / "sub" / "line.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)
