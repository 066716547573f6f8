"""The will to fight as the analysts' outputs show it: the run directory's will.json, the after-action
report's section on why the regime collapsed (or held) and its timeline, the printed summaries of a run
and of an ensemble, and the ensemble's fan chart.

The collapsed run is the classroom scenario with a leadership that starts low and gives up early (about
seventeen steps: a second's work), so the whole path from model to report is exercised on a real collapse."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from wargame.core.model import WarModel
from wargame.core.rules.will import WILL_FACTORS
from wargame.output import RunData, write_run
from wargame.report.aar import write_report
from wargame.report.charts import draw_charts
from wargame.report.summary import summarise
from wargame.report.will import FACTOR_WORDS, WillEntry, decision_chain, factor_lines, name_of_place, regime_verdicts

FRAGILE = {"actors.regime_hq.will": 0.5, "rules.will.collapse": 0.25}      # collapses on day 4 or so


def _run(directory, overrides: dict, steps: int | None = None) -> tuple[WarModel, RunData]:
    model = WarModel("hts_2024_classroom", rng=3, overrides=overrides, collect_units=False)
    if steps is None:
        model.run()
    else:
        for _ in range(steps):
            model.step()
    run = RunData.load(write_run(model, directory))
    write_report(run, run.directory, draw_charts(run, run.directory / "figures"), [], [])
    return model, RunData.load(run.directory)


@pytest.fixture(scope="module")
def collapsed(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("will") / "collapsed", FRAGILE)


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("will") / "held", {}, steps=8)


def text_of(page: str) -> str:
    """The report's words, tags taken out and entities read."""
    import html

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def section(page: str, key: str) -> str:
    match = re.search(rf'<section id="{key}">(.*?)</section>', page, flags=re.S)
    assert match, f"no section {key}"
    return text_of(match.group(1)).strip()


def test_will_json_holds_each_entrys_ledger_summing_from_start_to_end(collapsed):
    model, run = collapsed
    assert run.will["collapsed"] == {"regime": pytest.approx(model.day)}
    assert run.will["leadership"] == {"regime": "regime_leadership"} and run.will["army"] == {"regime": "saa"}
    assert [e["id"] for e in run.will["entries"]] == model.will.names
    for entry in run.will["entries"]:
        assert set(entry["ledger"]) == set(WILL_FACTORS)
        assert entry["start"] + sum(entry["ledger"].values()) == pytest.approx(entry["end"], abs=1e-3)


def test_the_report_of_a_collapse_says_why_with_the_top_factor_and_the_chain(collapsed):
    model, run = collapsed
    page = (run.directory / "report.html").read_text(encoding="utf-8")
    assert '<section id="will"><h2>Why the regime collapsed</h2>' in page
    will = section(page, "will")
    # the leadership's largest loss, in words and with its value, first in its list
    ledger = model.will.ledger[model.will.entry("regime_leadership")]
    worst = WILL_FACTORS[int(ledger.argmin())]
    first = re.search(r"What broke the leadership's will .*? → \d\.\d\d; losses first, largest first (.*?)\(", will)
    assert first and first.group(1).strip() == f"{FACTOR_WORDS[worst][0]}: {ledger.min():+.2f}"
    assert "What broke its army's will Syrian Arab Army" in will
    assert f"collapsed on day {model.day:g}" in will
    # the chain of decisions: the fall-back (named places, no ids) and the collapse last
    assert "The regime's command falls back to Damascus" in will
    chain = will.split("The chain of decisions")[1].split("The will to fight of each faction")[0]
    assert re.search(r"collapse The regime collapses \(its leadership's will 0\.\d\d; [a-z]+ -0\.\d\d.*\): \d+ units go "
                     r"home, \d+ surrender, \d+ leave the theatre\s*$", chain)        # the collapse ends the chain
    assert "regime_hq" not in will + section(page, "timeline") and "damascus," not in will
    # both will charts are in the section, not in the charts section
    assert page.count('alt="The will to fight of each faction') == 1
    assert "will_factors" not in section(page, "charts") and "The will to fight of each" not in section(page, "charts")


def test_the_timeline_words_the_new_events_with_names(collapsed):
    _, run = collapsed
    timeline = section((run.directory / "report.html").read_text(encoding="utf-8"), "timeline")
    kinds = {e["kind"] for e in run.events}
    assert {"regime_collapsed", "local_deal", "uprising"} <= kinds           # this run has them all
    assert "regime collapsed The regime collapses (its leadership's will" in timeline
    deal = next(e for e in run.events if e["kind"] == "local_deal")
    assert re.search(r"local deal \d+ units? of the (Syrian Arab Army|Iranian-backed forces) \([\d,]+ men\) settles?"
                     r" with the HTS-led coalition and the SNA at ", timeline)
    assert f"at {name_of_place(deal['place'], {})}: " in timeline                # the place's name, not its id
    assert re.search(r"uprising [A-Z][^:]* rise at [A-Z]", timeline)
    # decisions read as sentences under their actors' names; the same course of several factions is one line
    assert "Turkey backs the offensive" in timeline and "turkey:" not in timeline
    exploits = [e for e in run.events if e["kind"] == "strategic_decision" and e["decision"].startswith("exploits")]
    if len(exploits) > 1:
        assert timeline.count("exploit") == len({e["step"] for e in exploits})


def test_a_regime_that_held_is_said_to_have_held(held):
    model, run = held
    page = (run.directory / "report.html").read_text(encoding="utf-8")
    assert '<section id="will"><h2>Why the regime held</h2>' in page
    lead = model.will.value[model.will.entry("regime_leadership")]
    assert f"it held, {lead - 0.15:.2f} above the 0.15" in section(page, "will")
    assert [v.collapsed for v in regime_verdicts(run)] == [False]


def test_the_printed_summary_says_whether_and_when_the_regime_collapsed(collapsed, held):
    model, run = collapsed
    text = summarise(run.scenario, run.info, run.metrics, run.events)
    assert re.search(rf"The regime collapsed on day {model.day:.2f} \(\d{{4}}-\d\d-\d\d \d\d:\d\d\): its leadership's "
                     r"will 0\.50 -> 0\.\d\d", text)
    assert "Syrian Arab Army" in text.split("The will to fight")[1]
    assert f"The regime's leadership                      0.50 -> {run.metrics['will_regime_leadership'].iloc[-1]:.2f}" \
        in text
    _, quiet = held
    text = summarise(quiet.scenario, quiet.info, quiet.metrics, quiet.events)
    assert "The regime held: its leadership's will 0.65 -> " in text and "(it collapses below 0.15)" in text


def test_the_printed_summary_gives_short_names_and_marks_a_name_cut_to_its_column(held):
    _, run = held
    sc = run.scenario
    renamed = {"saa": "Syrian Arab Army (11th Armoured Division, 155th Brigade, Tiger Forces) and NDF",
               "hts": "Hayat Tahrir al-Sham, the Turkistan Islamic Party and Hurras al-Din"}
    factions = {**sc.factions, **{f: sc.factions[f].model_copy(update={"name": n}) for f, n in renamed.items()}}
    text = summarise(sc.model_copy(update={"factions": factions}), run.info, run.metrics, run.events)
    forces = text.split("Forces:")[1].split("Territory")[0]
    assert "  Syrian Arab Army and NDF " in forces and "(11th" not in text       # not "Syrian Arab Army (11th Armou"
    assert "  Hayat Tahrir al-Sham, the Turkistan I... " in forces               # 40 characters, the cut shown
    assert "  Hayat Tahrir al-Sham, the Turkistan Islam... " in text.split("The will to fight")[1]   # 44


def test_a_run_written_before_the_will_still_gets_its_report(collapsed, tmp_path):
    import shutil

    _, run = collapsed
    old = tmp_path / "old"
    shutil.copytree(run.directory, old)
    (old / "will.json").unlink()
    again = RunData.load(old)
    assert again.will is None
    charts = draw_charts(again, old / "figures")
    write_report(again, old, charts, [], [])
    will = section((old / "report.html").read_text(encoding="utf-8"), "will")
    assert "Why the regime collapsed" in (old / "report.html").read_text(encoding="utf-8")
    assert "Nothing moved it." in will                  # no ledger to read, but the fall and the chain are there
    assert "The chain of decisions" in will


# ---------------------------------------------------------------- ensembles


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    from wargame.core.scenario import load_scenario
    from wargame.experiments.runner import run_ensemble
    from wargame.report.ensemble import write_ensemble

    loaded = load_scenario("hts_2024_classroom", FRAGILE)
    rows = run_ensemble("hts_2024_classroom", 4, master_seed=5, overrides=FRAGILE, workers=1, series=True)
    return write_ensemble(tmp_path_factory.mktemp("ensemble") / "ens", loaded, rows, 5, "test")


def test_an_ensembles_collapse_rows_and_will_fan(ensemble):
    from wargame.report.ensemble import (
        collapse_sentences,
        collapse_table,
        draw_ensemble,
        figure_will_fans,
        write_ensemble_report,
    )

    table = collapse_table(ensemble)
    days = ensemble.outcomes["collapsed_regime"]
    [row] = table.to_dict("records")
    assert row["collapsed"] == days.notna().sum() and row["runs"] == 4
    assert row["median"] == pytest.approx(days.dropna().median())
    [sentence] = collapse_sentences(ensemble)
    assert sentence.startswith(f"The regime collapsed in {row['collapsed']} of 4 runs ({row['share']:.0%})")
    fig = figure_will_fans(ensemble)
    try:
        lead = fig.axes[0]
        _, values = ensemble.matrix("will_regime_leadership")
        # 4 runs are too few for a 10th-90th band (MIN_RUNS_FOR_BAND): each run is drawn, and the legend says so
        labelled = [line for line in lead.get_lines() if line.get_label().startswith("The regime's leadership")]
        assert labelled and np.allclose(labelled[0].get_ydata(), values[0])
        assert "too few for a band" in labelled[0].get_label()
        dots = fig.axes[-1].collections[0].get_offsets()
        assert len(dots) == row["collapsed"]                       # a dot per run that collapsed
    finally:
        plt.close(fig)
    figures = draw_ensemble(ensemble)
    assert figures["will"].is_file()
    page = write_ensemble_report(ensemble, figures).read_text(encoding="utf-8")
    summary = section(page, "summary")
    assert summary.startswith(f"Summary {sentence}")                # first among the summary's rows
    assert '<section id="will">' in page


def test_the_ensemble_command_prints_the_collapse_and_the_will_at_the_end(ensemble, capsys, monkeypatch):
    from wargame.cli import main
    from wargame.report import ensemble_runs

    monkeypatch.setattr(ensemble_runs, "run_ensemble_to_directory", lambda *a, **k: ensemble)
    assert main(["run", "hts_2024_classroom", "--reps", "4", "--seed", "5", "--no-report"]
                + [f"--set={k}={v}" for k, v in FRAGILE.items()]) == 0
    out = capsys.readouterr().out
    assert re.search(r"The regime collapsed in \d of 4 runs", out)
    assert "the will to fight at the end (median over the runs" in out
    lead = ensemble.outcomes["will_regime_leadership"].median()
    assert re.search(rf"The regime's leadership +{lead:.2f}", out)


def test_a_comparison_tests_the_collapse_on_paired_seeds(ensemble):
    import dataclasses

    from wargame.report.ensemble import comparison_effects

    later = ensemble.outcomes.assign(collapsed_regime=ensemble.outcomes["collapsed_regime"] + 1.0,
                                     end_day=ensemble.outcomes["end_day"] + 1.0)
    other = dataclasses.replace(ensemble, outcomes=later)
    effects = comparison_effects(ensemble, other).set_index("measure")
    held = effects.loc["The regime: days before it collapsed"]
    assert held["effect"] == pytest.approx(1.0)
    assert effects.loc["The regime: collapsed (share of runs)", "effect"] == pytest.approx(0.0)
    assert isinstance(effects, pd.DataFrame) and json.dumps(float(held["base"]))


def test_an_actor_sharing_a_factions_id_is_the_actor_and_a_patron_beyond_the_theatre_has_a_proper_name():
    # idlib_2020: the Turkish army in Idlib is the faction `turkey`, Ankara the actor `turkey`; south_2018's
    # timeline has the United States tell the rebels not to expect its help
    run = SimpleNamespace(scenario=SimpleNamespace(
        factions={"turkey": SimpleNamespace(name="Turkish Armed Forces in Idlib (observation posts)"),
                  "hts": SimpleNamespace(name="Hayat Tahrir al-Sham")},
        timeline=[SimpleNamespace(event="patron", patron="united_states")]), events=[
        {"kind": "strategic_decision", "step": 20, "day": 5.0, "actor": "united_states",
         "decision": "tells the Southern Front not to expect US military intervention"},
        {"kind": "strategic_decision", "step": 40, "day": 10.0, "actor": "hts",
         "decision": "exploits: the enemy leadership's will is 0.39"},
        {"kind": "strategic_decision", "step": 311, "day": 77.75, "actor": "turkey",
         "decision": "a Russia-Turkey deal freezes the north-west"}])
    assert decision_chain(run, "regime") == [
        (5.0, "patron", "United States: tells the Southern Front not to expect US military intervention"),
        (10.0, "course", "Hayat Tahrir al-Sham exploits: the enemy leadership's will is 0.39"),
        (77.75, "patron", "Turkey: a Russia-Turkey deal freezes the north-west")]


def test_one_unit_broken_is_one_unit():
    run = SimpleNamespace(events=[{"kind": "unit_broke", "unit": "u1", "faction": "hezbollah", "personnel": 260}])
    entry = WillEntry("hezbollah", "Hezbollah", "regime", False, 0.6, 0.51, {"breaks": -0.09})
    assert factor_lines(run, entry) == [("breaks", -0.09, "its units breaking: -0.09 (1 unit, 260 men)")]
