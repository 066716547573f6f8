"""The validation suite against history, on a reduced ensemble of every campaign (`python run.py
validate-history` runs 200 seeded runs of each). Marked `history`: CI runs it; `pytest -m "not history"`
skips it."""

import pytest

from wargame.experiments.validation import scenarios, validate_history

REDUCED_RUNS = 40


@pytest.mark.history
def test_every_campaign_meets_its_historical_bar_with_one_rule_set():
    report, frames = validate_history(runs=REDUCED_RUNS, master_seed=2024)
    text = "\n".join(report.lines())
    assert set(frames) == set(scenarios()) and all(len(frame) == REDUCED_RUNS for frame in frames.values())
    below = [f"{c.scenario} {c.met}/{c.checked}" for c in report.campaigns() if not c.passed]
    assert not below, f"campaigns below their bar: {below}\n{text}"
    broken = [r.description for r in report.regularities if r.passed is False]
    assert not broken, f"regularities failed: {broken}\n{text}"
    assert report.passed, text
