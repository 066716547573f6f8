"""Who took what: falls to the campaign's attacker kept apart from retakings, and the campaign's objectives said
first in the console, the ensemble report and the comparison report."""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings

import matplotlib.collections
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tests.conftest import ensemble_by_command
from wargame.cli import main
from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario
from wargame.experiments.outcomes import campaign_outcome
from wargame.experiments.places import FALL, OTHER, RETAKING, attacker_sides, classify_capture, place_captures
from wargame.report.ensemble import (
    EnsembleData,
    captures_html,
    comparison_effects,
    ensemble_captures,
    figure_city_falls,
    figure_fans,
    write_comparison,
)

ATTACKERS = {"opposition"}


# --- the classification, on synthetic captures ----------------------------------------------------------

@pytest.mark.parametrize(("first_owner", "taker", "kind"), [
    ("regime", "opposition", FALL),          # the offensive takes a regime town
    ("opposition", "regime", RETAKING),      # the regime takes back ground the attacker held (Ariha in 2024)
    ("regime", "sdf", OTHER),                # two other sides
    ("sdf", "opposition", FALL),             # the attacker takes from a third side: still its fall
])
def test_a_capture_is_a_fall_only_when_the_attacker_makes_it(first_owner, taker, kind):
    assert classify_capture(first_owner, taker, ATTACKERS) == kind


def test_without_an_attacker_every_first_fall_is_a_fall():
    assert classify_capture("regime", "opposition", set()) == FALL
    assert classify_capture("opposition", "regime", set()) == FALL


def test_the_attacker_is_the_side_with_the_most_capture_objectives():
    assert attacker_sides(load_scenario("hts_2024").scenario) == {"opposition"}
    assert attacker_sides(load_scenario("aleppo_2016").scenario) == {"regime"}
    assert attacker_sides(load_scenario("idlib_2020").scenario) == {"regime"}    # the rebels' one: retake Saraqib


SEQUENCES = pd.DataFrame({
    # run 0: the attacker takes it and keeps it; run 1: takes it, its first owner takes it back;
    # run 2: never falls; run 3: the defence takes the attacker's own town; run 4: a third side takes it
    "fell_x": [1.0, 2.0, np.nan, 3.0, 4.0],
    "taken_by_x": ["opposition", "opposition", "", "regime", "sdf"],
    "retaken_x": [np.nan, 5.0, np.nan, np.nan, np.nan],
    "held_x": ["opposition", "regime", "regime", "regime", "sdf"],
    "first_owner_x": ["regime", "regime", "regime", "opposition", "regime"],
})


def test_each_run_of_a_place_keeps_its_fall_and_its_retaking_apart():
    c = place_captures(SEQUENCES, "x", ATTACKERS)
    assert c["fall"].tolist()[:2] == [1.0, 2.0] and c["fall"].iloc[2:].isna().all()
    assert c["fall_by"].tolist() == ["opposition", "opposition", "", "", ""]
    assert c["retaking"].isna().tolist() == [True, False, True, False, True]
    assert c.loc[1, "retaking"] == 5.0 and c.loc[1, "retaken_by"] == "regime"        # its first owner, later
    assert c.loc[3, "retaking"] == 3.0 and c.loc[3, "retaken_by"] == "regime"        # a counter-attack
    assert c.loc[4, "other"] == 4.0 and c.loc[4, "other_by"] == "sdf"
    assert math.isnan(c.loc[3, "fall"])                  # the defence's gain is not the offensive's


def test_old_outcomes_without_the_first_owner_read_a_defenders_capture_as_a_retaking():
    c = place_captures(SEQUENCES.drop(columns="first_owner_x"), "x", ATTACKERS)
    assert c.loc[3, "retaking"] == 3.0 and math.isnan(c.loc[3, "fall"])


# --- hts_2024: a town retaken by the regime is reported as retaken ---------------------------------------

def _hts_run_with_ariha_retaken(seed: int, give: bool) -> dict:
    """A short hts_2024 run in which (when `give`) the white cell hands Ariha, the opposition's at the start,
    to the regime on day 1: the regime's retaking of it, made deterministic."""
    model = WarModel("hts_2024", rng=seed)
    for _ in range(4):
        model.step()
    if give:
        model.give_city("ariha", "regime")
    for _ in range(2):
        model.step()
    return campaign_outcome(model)


@pytest.fixture(scope="module")
def hts_retaken(tmp_path_factory) -> EnsembleData:
    rows = [_hts_run_with_ariha_retaken(seed, give=seed < 3) for seed in range(4)]
    outcomes = pd.DataFrame(rows).assign(run=range(4), seed=range(4))
    directory = tmp_path_factory.mktemp("hts")
    info = {"scenario": "hts_2024", "title": "HTS 2024", "runs": 4, "start": "2024-11-27T06:00:00", "master_seed": 1,
            "reproduce": "-", "reproduce_one": "-", "written": "-"}
    series = pd.DataFrame({"run": [0], "step": [0], "day": [0.0]})
    return EnsembleData(directory, info, outcomes, series, load_scenario("hts_2024").scenario)


def test_hts_2024_reports_a_town_retaken_by_the_regime_as_retaken(hts_retaken):
    table = ensemble_captures(hts_retaken)
    ariha = table[table["place"] == "ariha"]
    assert ariha["capture"].tolist() == [RETAKING]          # never a fall: the offensive did not take it
    assert ariha["by"].tolist() == ["regime"] and ariha["share"].tolist() == [0.75]
    html = captures_html(hts_retaken, table)
    assert "<td>Ariha</td><td>town</td><td>retaken by the regime</td><td class='num count'>3 of 4</td>" in html
    assert not re.search(r"Ariha</td><td>town</td><td>fell to", html)


def test_the_paired_effects_measure_retakings_apart_from_falls(hts_retaken):
    other = EnsembleData(hts_retaken.directory, hts_retaken.info, hts_retaken.outcomes.assign(
        fell_ariha=np.nan, taken_by_ariha="", retaken_ariha=np.nan), hts_retaken.series, hts_retaken.scenario)
    effects = comparison_effects(hts_retaken, other).set_index("measure")
    assert effects.loc["Ariha: retaken from the attacker (share of runs)", "base"] == 0.75
    assert effects.loc["Ariha: retaken from the attacker (share of runs)", "other"] == 0.0
    assert not any(m.startswith("Ariha: fell") for m in effects.index)


def test_the_chart_of_falls_writes_the_runs_beside_each_and_draws_retakings_apart(hts_retaken):
    fig = figure_city_falls(hts_retaken)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    row = labels.index("Ariha: retaken by the regime")
    assert texts[row] == "3 of 4"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("retaking" in t for t in legend) and any("n of N" in t for t in legend)


def test_nothing_changed_hands_is_said_in_a_sentence_not_an_empty_table(hts_retaken):
    quiet = EnsembleData(hts_retaken.directory, hts_retaken.info,
                         hts_retaken.outcomes[["run", "seed", "end_day"]], hts_retaken.series, hts_retaken.scenario)
    table = ensemble_captures(quiet)
    assert table.empty
    html = captures_html(quiet, table)
    assert "<table" not in html and "No city, town or airbase changed hands" in html
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # an empty chart has a height: no 'identical low and high ylims'
        fig = figure_city_falls(quiet)
    assert "No city, town or airbase changed hands" in fig.axes[0].texts[0].get_text()
    plt.close(fig)


# --- aleppo_2016: the objective first, in the console and the reports ------------------------------------

@pytest.fixture(scope="module")
def aleppo(tmp_path_factory):
    return ensemble_by_command(tmp_path_factory.mktemp("aleppo") / "ens", "aleppo_2016", reps=4, seed=3)


def test_aleppo_2016_ensemble_says_first_that_the_regime_took_east_aleppo(aleppo):
    printed, ens = aleppo
    days = ens.outcomes["achieved_east_aleppo"].dropna()
    assert len(days) >= 3                     # the campaign's objective, taken in (nearly) every run
    listed = [f"{d:.2f}" for d in sorted(days)]             # under 5 runs: the days themselves, no percentile
    sentence = (f"The regime took east Aleppo: {len(days)} of 4 runs, median day {days.median():.2f} (days "
                f"{', '.join(listed[:-1])} and {listed[-1]}")
    lines = printed.splitlines()
    assert sentence in lines[2]               # the first line after the title and the heading of the objectives
    report = (ens.directory / "report.html").read_text(encoding="utf-8")
    first_table = report[report.index("<table"):report.index("</table>")]
    assert "The regime took east Aleppo" in first_table
    assert f"<td class='num count'>{len(days)} of 4</td>" in first_table and f"{days.median():.2f}" in first_table
    assert report.index('id="objectives"') < report.index('id="summary"') < report.index('id="falls"')


def test_the_comparison_report_opens_with_the_objectives(aleppo, tmp_path):
    _, ens = aleppo
    other = EnsembleData.load(ens.directory)
    other.info = dict(other.info, scenario="aleppo_2016_again")
    report = write_comparison(tmp_path, [ens, other], "python run.py compare ...").read_text(encoding="utf-8")
    first_table = report[report.index("<table"):report.index("</table>")]
    assert "The regime took east Aleppo" in first_table and "aleppo_2016_again" in first_table
    assert "aleppo_2016 vs aleppo_2016_again, 4 paired seeds" in report
    effects = comparison_effects(ens, other)
    assert effects["measure"].iloc[0] == "The regime took east Aleppo (share of runs)"    # objectives first here too


def test_fans_of_too_few_runs_draw_each_run_and_say_so(aleppo):
    _, ens = aleppo                                   # 4 runs: under MIN_RUNS_FOR_BAND
    fig = figure_fans(ens)
    ax = fig.axes[0]
    assert not any(isinstance(c, matplotlib.collections.PolyCollection) for c in ax.collections)
    assert "too few for a band" in " ".join(t.get_text() for t in fig.axes[1].get_legend().get_texts())
    assert ax.get_ylim()[0] == 0                      # territory counted from none


# --- one run: objectives first; breaks and units broken apart; factions without men left out ---------------

def test_the_run_summary_opens_with_the_objectives_and_names_breaks_apart(tmp_path):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", "hts_2024", "--seed", "2", "--out", str(tmp_path / "run"), "--no-report",
                     "--quiet"]) == 0
    summary = (tmp_path / "run" / "summary.txt").read_text(encoding="utf-8")
    assert summary.index("Objectives:") < summary.index("Cities and towns that changed hands")
    objectives = summary[summary.index("Objectives:"):summary.index("Cities and towns")]
    assert "took Aleppo and Aleppo International Airport on day" in objectives
    assert "The regime collapsed on day" in objectives or "The regime did not collapse" in objectives
    forces = summary[summary.index("Forces:"):summary.index("Territory held")]
    assert "units broken at the end" in forces
    assert not re.search(r"\s0 ->\s+0\s", forces)    # a faction with no men at the start or end is not listed
    if "Why units broke" in summary:
        assert re.search(r"\d+ breaks by \d+ units: a unit can break more than once", summary)
