"""What a user trial of issue 17's outputs found: each fix held to its behaviour."""

from __future__ import annotations

import contextlib
import io

import pytest

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
