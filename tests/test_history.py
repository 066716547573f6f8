"""The validation suite against history, on a reduced ensemble (`python run.py validate-history` runs 200
seeded runs of each campaign). Marked `history`: CI runs it; `pytest -m "not history"` skips it."""

import pytest

from wargame.experiments.validation import validate_history

REDUCED_RUNS = 40


@pytest.mark.history
def test_both_campaigns_meet_the_historical_bar_with_one_rule_set():
    report, frames = validate_history(runs=REDUCED_RUNS, master_seed=2024)
    text = "\n".join(report.lines())
    assert all(len(frame) == REDUCED_RUNS for frame in frames.values())
    failed = [s.target.label for s in report.scores if s.passed is False]
    assert not failed, f"targets failed: {failed}\n{text}"
    broken = [r.description for r in report.regularities if r.passed is False]
    assert not broken, f"regularities failed: {broken}\n{text}"
    assert report.passed, text
