"""The validation suite against history, on a reduced ensemble of every campaign (`python run.py
validate-history` runs 200 seeded runs of each). Marked `history`: CI runs it; `pytest -m "not history"`
skips it."""

import pytest

from wargame.experiments.validation import scenarios, validate_history

REDUCED_RUNS = 40
# Campaigns that do not yet meet issue 15's bar, with why; the test fails if one of them starts passing
# (then take it off this list) or if any other campaign falls below its bar.
BELOW_BAR = {
    "idlib_2020": "8 of 14 checked targets at 200 runs (needs 70%): Nayrab falls three days early; Saraqib, "
                  "the M5 and the western Aleppo countryside spread over a week against windows of four to six "
                  "days; the regime rarely retakes Saraqib a second time before the ceasefire. Why: a town "
                  "garrison not broken in the first push is never broken by numbers (fire saturates at the "
                  "frontage and the garrison reads favourable odds); docs/CALIBRATION.md, issue 15",
}


@pytest.mark.history
def test_the_campaigns_meet_their_bars_with_one_rule_set_but_those_listed_below_it():
    report, frames = validate_history(runs=REDUCED_RUNS, master_seed=2024)
    text = "\n".join(report.lines())
    assert set(frames) == set(scenarios()) and all(len(frame) == REDUCED_RUNS for frame in frames.values())
    below = {r.campaign.scenario for r in report.campaigns() if not r.passed}
    assert below == set(BELOW_BAR), f"campaigns below their bar: {sorted(below)} (known: {sorted(BELOW_BAR)})\n{text}"
    broken = [r.description for r in report.regularities if r.passed is False]
    assert not broken, f"regularities failed: {broken}\n{text}"
    assert any(r.passed for r in report.regularities if r.name == "urban"), text
