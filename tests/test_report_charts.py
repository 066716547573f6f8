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

NAMES = ("forces", "unit_states", "territory", "air", "supply", "equipment", "will", "will_factors")
UNDATED = ("will_factors",)          # bars of the whole run: no time axis
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


def check_layout(fig, dated: bool = True) -> None:
    """Titled, labelled and dated (unless not `dated`); no legend over any plotting area, the title over none."""
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
    for legend in legends:
        extent = legend.get_window_extent(renderer)
        assert extent.x1 <= fig.bbox.x1 + 1 and extent.y0 >= fig.bbox.y0 - 1, "a legend runs off the chart"
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
    assert labelled or not dated, "no dates under any panel"
    for labels in labelled:
        assert all(DATE_LABEL.match(label) for label in labels), labels


def test_draw_charts_writes_every_chart_as_a_non_blank_png(run, tmp_path):
    open_before = set(plt.get_fignums())          # what other tests left open is theirs, not draw_charts'
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
    assert set(plt.get_fignums()) <= open_before, "draw_charts left figures open"


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_is_titled_labelled_and_uncluttered(run, name):
    fig = FIGURES[name](run)
    try:
        check_layout(fig, dated=name not in UNDATED)
    finally:
        plt.close(fig)


def with_long_name(run: RunData) -> RunData:
    """The run with the regime's army named at the length of idlib_2020's HTS (68 characters) and more."""
    sc = run.scenario
    saa = sc.factions["saa"].model_copy(update={"name": "Hayat Tahrir al-Sham, the Turkistan Islamic Party, "
                                                        "Hurras al-Din and the Syrian Arab Army"})
    return dataclasses.replace(run, scenario=sc.model_copy(update={"factions": {**sc.factions, "saa": saa}}))


@pytest.mark.parametrize("name", NAMES)
def test_a_long_faction_name_is_wrapped_to_keep_every_legend_inside_its_chart(run, name):
    fig = FIGURES[name](with_long_name(run))
    try:
        check_layout(fig, dated=name not in UNDATED)
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
        check_layout(fig, dated=name not in UNDATED)
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


def test_a_short_name_drops_the_detail_in_parentheses_but_keeps_what_follows_it():
    assert style.short_name("4th (Mechanised) Division") == "4th Division"        # not "4th"
    assert style.short_name("Syrian Arab Army (11th Armoured Division, Tiger Forces) and NDF") == \
        "Syrian Arab Army and NDF"
    assert style.short_name("Khalid ibn al-Walid Army (Islamic State)") == "Khalid ibn al-Walid Army"
    assert style.short_name("Jillin (Jaleen)") == "Jillin"
    assert style.short_name("Rebels (no single command") == "Rebels"             # an unclosed one ends the name


def test_save_figure_writes_a_png_and_closes_the_figure(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = style.save_figure(fig, tmp_path / "sub" / "line.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)


# ---------------------------------------------------------------- the will to fight


def collapsed_run(run: RunData) -> RunData:
    """The run as if the regime had lost Aleppo on day 1 and collapsed on day 1.75: the events and will.json a
    collapse writes, on the run's own metrics."""
    will = {**run.will, "collapsed": {"regime": 1.75}}
    events = [*run.events,
              {"kind": "city_captured", "step": 4, "day": 1.0, "city": "aleppo", "name": "Aleppo",
               "side": "opposition", "from_side": "regime"},
              {"kind": "regime_collapsed", "step": 7, "day": 1.75, "side": "regime", "will": 0.1,
               "why": "cities -0.40", "deserted": 3, "surrendered": 2, "withdrew": 1}]
    return dataclasses.replace(run, will=will, events=events)


def test_the_will_chart_draws_every_faction_and_the_leadership_from_the_metrics(run):
    fig = FIGURES["will"](run)
    try:
        lines = {}
        for ax in fig.axes:
            labels = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
            drawn = [line for line in ax.get_lines() if len(line.get_xdata()) == len(run.metrics)]
            for label, line in zip(labels, drawn):
                lines[label.split(":")[0]] = np.asarray(line.get_ydata(), dtype=float)
        assert "The regime's leadership" in lines and "Syrian Arab Army" in lines
        assert np.allclose(lines["The regime's leadership"], run.metrics["will_regime_leadership"])
        assert np.allclose(lines["Syrian Arab Army"], run.metrics["will_saa"])
        assert "the regime collapses below 0.15" in sum(legend_labels(fig), [])
        assert not any("collapsed" in t for t in texts(fig))       # it did not collapse in this run
    finally:
        plt.close(fig)


def test_the_will_chart_marks_a_collapse_and_the_fall_of_a_major_city(run):
    fig = FIGURES["will"](collapsed_run(run))
    try:
        check_layout(fig)
        assert "the regime collapsed, day 1.75 " in texts(fig) and "Aleppo" in texts(fig)
        x = style.date_numbers(run, [1.0, 1.75])
        marks = [float(line.get_xdata()[0]) for line in fig.axes[0].get_lines() if len(line.get_xdata()) == 2]
        assert np.isclose(marks, x[0]).any() and np.isclose(marks, x[1]).any()
    finally:
        plt.close(fig)


def test_the_will_factors_chart_stacks_each_ledger_to_its_net_change(run):
    moved = dataclasses.replace(run, will={**run.will, "entries": [
        {"id": "saa", "side": "regime", "leadership": False, "start": 0.5, "end": 0.2,
         "ledger": {"cities": -0.25, "breaks": -0.1, "recovery": 0.05}},
        {"id": "regime_leadership", "side": "regime", "leadership": True, "start": 0.6, "end": 0.6,
         "ledger": {"cities": 0.0}}]})
    fig = FIGURES["will_factors"](moved)
    try:
        check_layout(fig, dated=False)
        ax = fig.axes[0]
        widths = [round(p.get_width(), 6) for p in ax.patches if abs(p.get_width()) > 0]
        assert sorted(widths) == [-0.25, -0.1, 0.05]                 # one bar per factor that moved it
        assert [t.get_text() for t in ax.get_yticklabels()] == ["Syrian Arab Army\n0.50 → 0.20"]
        [[net, _]] = ax.collections[0].get_offsets().tolist()
        assert net == pytest.approx(-0.3)                          # the diamond at the net change
        assert "regime's leadership" in fig._supxlabel.get_text()  # not moved: said, not drawn
    finally:
        plt.close(fig)
