"""What a user trial of issue 17's outputs found: each fix held to its behaviour."""

from __future__ import annotations

import contextlib
import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ensemble_by_command
from wargame.cli import main
from wargame.core.scenario import load_scenario
from wargame.report.objectives import objective_label, place_names


@pytest.fixture(scope="module")
def hts_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("hts") / "run"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", "hts_2024", "--seed", "2", "--out", str(out), "--no-animation", "--workers", "1"]) == 0
    return printed.getvalue(), out


def test_the_run_report_opens_with_the_objectives_the_console_prints(hts_run):
    printed, out = hts_run
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.index('id="objectives"') < report.index('id="summary"')
    console = printed[printed.index("Objectives:"):].splitlines()[1:4]
    section = report[report.index('id="objectives"'):report.index('id="summary"')]
    for line in console:
        assert f"<li>{line.strip()}</li>" in section


def test_objectives_name_villages_by_their_names_not_their_ids():
    scenario = load_scenario("idlib_2020").scenario
    names = place_names(scenario)
    assert objective_label(scenario, "first_bound", names) == "Umm Jalal, Jarjanaz and Surman"
    assert "_" not in objective_label(scenario, "west_aleppo", names)


# --- one rule for spreads: under MIN_RUNS_FOR_BAND runs the days themselves, no percentile ----------------

@pytest.fixture(scope="module")
def hts_three(tmp_path_factory):
    return ensemble_by_command(tmp_path_factory.mktemp("hts3") / "ens", "hts_2024", reps=3, seed=1)


def test_under_five_runs_no_percentile_is_given_anywhere(hts_three):
    import matplotlib.pyplot as plt

    from wargame.report.ensemble import ensemble_captures, figure_city_falls

    printed, ens = hts_three
    body = printed.split("\n", 1)[1]
    assert not re.search(r"percentile \d", body)           # no "10th-90th percentile 9.10-9.90" over 3 runs
    days = ens.outcomes["achieved_aleppo"].dropna().sort_values()
    assert f"days {', '.join(f'{d:.2f}' for d in days.iloc[:-1])} and {days.iloc[-1]:.2f}" in printed
    table = ensemble_captures(ens)
    assert table["p10"].isna().all() and (table["days"].map(len) <= 3).all()
    fig = figure_city_falls(ens, table)
    assert not [p for p in fig.axes[0].patches if isinstance(p, plt.Rectangle) and p.get_edgecolor()[0] < 0.5]
    plt.close(fig)
    report = (ens.directory / "report.html").read_text(encoding="utf-8")
    falls = report[report.index('id="falls"'):]
    assert "under 5 runs: the days" in falls and re.search(r"<td class='num'>\d+\.\d\d, \d+\.\d\d", falls)


def test_five_runs_or_more_keep_the_percentile():
    from wargame.report.objectives import spread_text, when_text

    row = {"p10": 2.0, "p90": 4.0, "days": (1.0, 2.0, 3.0, 4.0, 5.0), "median": 3.0}
    assert spread_text(row) == "10th-90th percentile 2.00-4.00"
    import datetime as dt
    assert when_text(dict(row, p10=math.nan, p90=math.nan, days=(1.0, 5.0)), dt.datetime(2024, 1, 1)) \
        == ", median day 3.00 (days 1.00 and 5.00, 4 Jan 2024)"


def test_the_console_keeps_objective_places_and_retakings_and_counts_the_rest():
    from wargame.cli.run import console_captures
    from wargame.experiments.places import FALL, RETAKING

    scenario = load_scenario("hts_2024").scenario
    rows = [{"place": f"village_{k}", "capture": FALL} for k in range(20)]
    rows += [{"place": "homs", "capture": FALL}, {"place": "ariha", "capture": RETAKING}]
    captures = pd.DataFrame(rows)
    shown = console_captures(scenario, captures, 5)
    assert set(shown["place"]) >= {"homs", "ariha"} and len(shown) == 7
    assert list(shown.index) == sorted(shown.index)       # the table's order is kept


# --- compare: a run that ends at the regime's collapse is not a capture the other scenario caused ----------

def _synthetic(scenario, name, achieved, collapsed, lost, tmp_path):
    from wargame.report.ensemble import EnsembleData

    runs = len(achieved)
    outcomes = pd.DataFrame({"run": range(runs), "seed": range(runs), "end_day": [21.0] * runs,
                             "achieved_damascus": achieved, "collapsed_regime": collapsed,
                             "lost_regime_damascus": lost})
    return EnsembleData(tmp_path / name, {"scenario": name, "title": name, "runs": runs}, outcomes,
                        pd.DataFrame(), scenario)


def test_compare_counts_the_collapse_as_the_regime_losing_damascus(tmp_path):
    from wargame.report.ensemble import _effects_html, comparison_effects

    scenario = load_scenario("hts_2024").scenario
    nan = math.nan
    # base: the regime collapses on day 9 before anyone enters Damascus; other: it holds on and Damascus is
    # stormed on day 15. The regime lost Damascus in every run of both.
    base = _synthetic(scenario, "base", [nan] * 6, [9.0] * 6, [9.0] * 6, tmp_path)
    other = _synthetic(scenario, "other", [15.0] * 6, [nan] * 6, [15.0] * 6, tmp_path)
    effects = comparison_effects(base, other).set_index("measure")
    took = effects.loc["HTS-led coalition and the SNA took Damascus (share of runs)"]
    assert took["effect"] == 1.0 and "a run ends at the collapse" in took["note"]
    lost = effects.loc["The regime lost Damascus (taken, or by its collapse) (share of runs)"]
    assert lost["base"] == lost["other"] == 1.0 and lost["effect"] == 0.0
    html = _effects_html(effects.reset_index(), "base")
    assert "a run ends at the collapse" in html
    # without a collapse before the capture, no such row: nothing to explain
    plain = comparison_effects(other, other)
    assert not plain["measure"].str.contains("by its collapse").any()


def test_the_compare_console_prints_objectives_side_by_side_and_the_largest_effects(tmp_path):
    from wargame.report.ensemble import compared_lines, comparison_effects

    scenario = load_scenario("hts_2024").scenario
    nan = math.nan
    base = _synthetic(scenario, "base", [nan] * 6, [9.0] * 6, [9.0] * 6, tmp_path)
    other = _synthetic(scenario, "other", [15.0] * 6, [nan] * 6, [15.0] * 6, tmp_path)
    lines = compared_lines([base, other], comparison_effects(base, other))
    damascus = next(line for line in lines if "took Damascus" in line and "of 6" in line)
    assert re.search(r"0 of 6\s+6 of 6, day 15\.00$", damascus)
    effect = lines.index(next(line for line in lines if "took Damascus (share of runs) 0.00 -> 1.00, +1.00" in line))
    assert "counting the collapse: The regime lost Damascus" in lines[effect + 1] and "+0.00" in lines[effect + 1]
    assert any(line.startswith("  note: The regime collapsed in 6 of 6 runs of base") for line in lines)


# --- smaller: wording, empty charts, margins --------------------------------------------------------------

def test_wording_of_one_run_and_of_the_regime():
    from wargame.report.ensemble import runs_drawn
    from wargame.study.charts import metric_label

    assert runs_drawn(1) == "one run: no band" and "each of 3 runs" in runs_drawn(3)
    assert metric_label("territory_regime") == "share of the theatre held by the regime"


def test_nothing_fell_names_the_count_the_threshold_means(hts_three):
    from wargame.report.ensemble import EnsembleData, figure_city_falls, nothing_fell_text

    _, ens = hts_three
    quiet = EnsembleData(ens.directory, ens.info, ens.outcomes[["run", "seed", "end_day"]], ens.series, ens.scenario)
    assert nothing_fell_text(quiet) == "No city, town or airbase changed hands in any of the 3 runs."
    many = EnsembleData(ens.directory, ens.info, pd.concat([quiet.outcomes] * 20, ignore_index=True), ens.series,
                        ens.scenario)
    assert "in 3 or more of the 60 runs" in nothing_fell_text(many)
    fig = figure_city_falls(quiet)
    assert not fig.axes[0].axison                          # a sentence, not empty axes
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_the_last_collapse_dot_is_inside_the_will_chart(hts_three):
    import matplotlib.pyplot as plt

    from wargame.report.ensemble import figure_will_fans

    _, ens = hts_three
    fig = figure_will_fans(ens)
    rug = fig.axes[-1]
    right = rug.get_xlim()[1]
    dots = rug.collections[0].get_offsets()[:, 0]
    span = right - rug.get_xlim()[0]
    assert (dots < right - 0.005 * span).all()            # a dot on the last day is drawn whole
    plt.close(fig)


def test_a_long_title_is_wrapped_inside_the_figure(hts_three):
    import copy

    import matplotlib.pyplot as plt

    from wargame.report.ensemble import figure_city_falls

    ens = copy.copy(hts_three[1])                         # the fixture's own info is left as it was
    ens.info = dict(ens.info, title="A campaign with a very long title " * 6)
    fig = figure_city_falls(ens)
    fig.canvas.draw()
    extent = fig._suptitle.get_window_extent()
    assert "\n" in fig._suptitle.get_text() and extent.x0 >= 0 and extent.x1 <= fig.bbox.width
    plt.close(fig)


def test_nothing_fell_points_to_the_area_a_campaign_was_fought_for():
    """aleppo_2016 is fought for east Aleppo, an area: "no place changed hands" alone, under "the regime took
    east Aleppo: 6 of 6", reads as a contradiction."""
    from wargame.core.scenario import load_scenario
    from wargame.report.ensemble import EnsembleData, nothing_fell_text

    scenario = load_scenario("aleppo_2016").scenario
    quiet = EnsembleData(Path("."), {}, pd.DataFrame({"run": [0, 1], "end_day": [30.0, 30.0]}), pd.DataFrame(),
                         scenario)
    text = nothing_fell_text(quiet)
    assert text.startswith("No city, town or airbase changed hands in any of the 2 runs.")
    assert "an area, east Aleppo: the objectives above say who took it" in text


def test_a_count_of_runs_is_kept_on_one_line_in_the_objectives_table():
    """"6 of 6" wrapped as "6 of" over "6" in narrow columns: the cell is of a class the page keeps unbroken."""
    from wargame.report.html import CSS
    from wargame.report.objectives import objectives_html

    table = pd.DataFrame([{"objective": "x", "side": "regime", "kind": "area", "text": "The regime took x",
                           "achieved": 6, "runs": 6, "share": 1.0, "median": 3.0, "p10": 2.0, "p90": 4.0,
                           "days": (2.0, 3.0, 4.0)}])
    import datetime as dt
    html = objectives_html(table, dt.datetime(2016, 11, 15))
    assert "<td class='num count'>6 of 6</td>" in html
    assert re.search(r"td\.count[^{]*\{\s*white-space:\s*nowrap", CSS)


def test_a_single_runs_unfinished_objective_over_places_counts_places_not_a_share():
    """"held 67% of it" of Tal Rifaat, Kuweires and As-Safira reads as ground: it is 2 of its 3 places."""
    from wargame.core.scenario import load_scenario
    from wargame.report.objectives import run_objective_lines

    loaded = load_scenario("hts_2024")
    outcome = {"achieved_sna_north": math.nan, "progress_sna_north": 2 / 3, "achieved_damascus": math.nan,
               "progress_damascus": 0.0, "progress_regime_cities": 0.5}
    lines = run_objective_lines(loaded.scenario, outcome, loaded.scenario.meta.start)
    assert any("did not take Tal Rifaat" in line and line.endswith("(held 2 of its 3 places at the end)")
               for line in lines)
    assert any(line.endswith("did not take Damascus") for line in lines)          # one place: no "0% of it"
    assert any(line.endswith("(held 3 of its 6 places at the end)") and "did not hold all of" in line
               for line in lines)
    assert not any("%" in line for line in lines)


def test_the_effects_table_gives_shares_in_percent_and_no_scientific_notation():
    """The trial's compare read "0.673" for a territory and "-8e-05" for its interval's end."""
    from wargame.report.ensemble import _effects_html

    effects = pd.DataFrame([
        {"scenario": "other", "measure": "Syrian Democratic Forces: territory at the end", "base": 0.6726683,
         "other": 0.6514417, "effect": -0.0212267, "low": -0.0283113, "high": -7.999e-05, "direction": "down",
         "note": ""},
        {"scenario": "other", "measure": "Damascus: days before it fell to the attacker", "base": 9.6666667,
         "other": 13.458333, "effect": 3.7916667, "low": 2.83125, "high": 4.6666667, "direction": "up", "note": ""}])
    html = _effects_html(effects, "base")
    assert "67.3%" in html and "65.1%" in html and "-2.1\u00a0pp" in html and "-2.8\u00a0pp to -0.01\u00a0pp" in html
    assert "9.67" in html and "+3.79" in html and "+2.83 to +4.67" in html
    assert not re.search(r"\de[+-]\d", html)                       # nothing in scientific notation
