"""Historical targets in files (wargame/experiments/targets), their scoring, the calibration loss target by
target, and the validation page with December 2024 kept apart."""

import math

import pandas as pd
import pytest

from wargame.core.errors import WargameError
from wargame.experiments.history import (
    Target,
    all_targets,
    campaign_of,
    campaigns,
    load_targets,
    loss_breakdown,
    score,
    target_loss,
)
from wargame.experiments.validation import validate_history
from wargame.report.validation import write_validation_page
from wargame.study.calibrate import historical_base

ONE_TARGET = '''campaign = "demo_2000"
title = "demo"
facts = "none"
[[targets]]
id = "T1"
label = "a town falls"
column = "fell_town"
historical = 4.0
window = [3.0, 5.0]
confidence = "L"
source = "a claim"
'''   # a campaign file with one target graded L


def test_every_campaign_file_loads_and_no_target_is_dated_after_1_december_2024():
    known = campaigns()
    assert {"aleppo_2016", "hts_2024"} <= set(known)
    for scenario, campaign in known.items():
        assert campaign.targets and all(t.scenario == scenario and t.source for t in campaign.targets)
        assert all(t.confidence in "HMLU" for t in campaign.targets)
    hts = known["hts_2024"]
    assert all(t.high <= 5.0 + 1e-9 or t.column == "fell_kuweires" for t in hts.targets)   # 27 Nov - 1 Dec (day 4)
    scored = {t.column for t in all_targets()}
    assert not scored & {o.column for o in hts.out_of_sample}      # December 2024 is never a target


def test_every_target_names_an_outcome_column_its_campaign_gives():
    from wargame.core.model import WarModel
    from wargame.experiments.outcomes import campaign_outcome

    for scenario, campaign in campaigns().items():
        model = WarModel(scenario, rng=1, collect_metrics=False)
        model.step()                                  # one step is enough: the columns are the same at the end
        columns = set(campaign_outcome(model))
        missing = [t.column for t in campaign.targets if t.column not in columns]
        missing += [o.column for o in campaign.out_of_sample if o.column not in columns]
        assert not missing, f"{scenario}: {missing}"


def test_a_target_whose_column_the_runs_lack_is_a_clear_error():
    target = Target("demo_2000", "fell_atlantis", "Atlantis falls", 3.0, 2.0, 4.0, 0.7, "test", id="T9")
    with pytest.raises(WargameError, match="targets/demo_2000.toml: target T9: the runs have no outcome column"):
        score(target, pd.DataFrame({"fell_aleppo": [1.0]}))


def test_only_h_and_m_targets_are_checked_unless_a_file_says_otherwise(tmp_path):
    path = tmp_path / "demo_2000.toml"
    path.write_text(ONE_TARGET + '''[[targets]]
id = "T2"
label = "the capital holds"
column = "fell_capital"
never = true
window = [0.0, 30.0]
confidence = "H"
source = "two reports"
''')
    demo = load_targets(path)
    assert [t.checked for t in demo.targets] == [False, True]
    assert math.isnan(demo.targets[1].historical) and demo.targets[1].never


@pytest.mark.parametrize("change, complaint", [
    ('window = [3.0, 5.0]', 'window = [5.0, 3.0]'),
    ('confidence = "L"', 'confidence = "X"'),
    ('historical = 4.0\n', ''),
])
def test_a_bad_target_file_names_the_file_and_the_field(tmp_path, change, complaint):
    text = ONE_TARGET
    path = tmp_path / "demo_2000.toml"
    path.write_text(text.replace(change, complaint))
    with pytest.raises(WargameError) as caught:
        load_targets(path)
    message = str(caught.value)
    assert str(path) in message and "targets" in message


def test_a_never_target_hits_the_runs_where_it_did_not_happen_in_its_window():
    target = Target("demo", "fell_hama", "Hama holds", math.nan, 0.0, 30.0, 0.7, "test", never=True)
    frame = pd.DataFrame({"fell_hama": [math.nan, 40.0, 12.0, math.nan], "end_day": [45.0] * 4})
    assert target.hits(frame).tolist() == [True, True, False, True]
    assert score(target, frame).passed is True                      # 75% held; 70% needed
    assert target_loss(target, frame)["median"] == pytest.approx(0.5)  # twice the share in which it fell


def test_the_loss_counts_checked_targets_only_and_scores_the_spread():
    tight = Target("demo", "fell_town", "a town falls", 4.0, 3.0, 5.0, 0.7, "test", spread=2.0)
    reported = Target("demo", "fell_town", "reported", 4.0, 3.0, 5.0, 0.7, "test", checked=False)
    certain = pd.DataFrame({"fell_town": [4.0] * 10, "end_day": [20.0] * 10})
    spread = pd.DataFrame({"fell_town": [3.0, 3.0, 3.5, 4.0, 4.0, 4.0, 4.0, 4.5, 5.0, 5.0], "end_day": [20.0] * 10})
    assert target_loss(tight, certain)["median"] == 0.0
    assert target_loss(tight, certain)["spread"] > target_loss(tight, spread)["spread"]   # false certainty costs
    assert sum(target_loss(reported, spread).values()) == 0.0


def test_the_validation_page_shows_each_campaign_and_keeps_december_2024_apart(tmp_path):
    report, frames = validate_history(runs=3, master_seed=5, workers=1, only=("hts_2024",))
    page = write_validation_page(tmp_path, report, frames, "python run.py validate-history --runs 3")
    html = page.read_text()
    assert (tmp_path / "figures" / "targets_hts_2024.png").stat().st_size > 5_000
    assert (tmp_path / "figures" / "out_of_sample.png").stat().st_size > 5_000
    body, december = html.split('<section id="out_of_sample">')
    assert "Aleppo falls on day 2 to 5" in body and "Hama falls" not in body   # not a target, not in the loss
    assert "Hama falls" in december and "never targets and never in the loss" in december
    assert set(loss_breakdown(frames)["target"]) == {"A1-aleppo", "A1-kuweires"}
    assert "python run.py validate-history --runs 3" in html


def test_a_value_target_of_one_exact_count_costs_a_finite_loss():
    changes = Target("demo", "changes_town", "the town changes hands three times", 3.0, 3.0, 3.0, 0.7, "test",
                     kind="value")
    twice = pd.DataFrame({"changes_town": [2.0] * 4, "end_day": [70.0] * 4})
    assert target_loss(changes, twice)["median"] == pytest.approx(1 / 0.75)


def test_a_variant_belongs_to_the_campaign_at_the_root_of_its_extends_chain(write_toml, duel_file):
    assert campaign_of("south_2018_no_reconciliation") == "south_2018"
    mine = write_toml('extends = "idlib_2020_no_turkish_drones"\n', "my_variant.toml")
    assert campaign_of(str(mine)) == "idlib_2020" == historical_base(str(mine))    # two files up
    assert campaign_of(str(duel_file)) == "duel"                  # a campaign of its own, with no targets
    with pytest.raises(WargameError, match=r"duel.toml: no historical targets to calibrate against; .* one of "
                                           r"aleppo_2016, hts_2024, idlib_2015, idlib_2020, south_2018$"):
        historical_base(str(duel_file))


def test_a_score_gives_no_percentile_band_under_the_fewest_runs_a_band_is_drawn_from():
    from wargame.experiments.bands import MIN_RUNS_FOR_BAND
    from wargame.experiments.validation import _day

    target = Target("demo", "fell_town", "a town falls", 4.0, 3.0, 5.0, 0.7, "test")
    few = score(target, pd.DataFrame({"fell_town": [3.0, 9.0][:MIN_RUNS_FOR_BAND - 1]}))
    assert math.isnan(few.p10) and math.isnan(few.p90) and few.median == 6.0   # the median still stands
    assert _day(few.p10) == "n/a"                                                # the console shows no band
    many = score(target, pd.DataFrame({"fell_town": [float(d) for d in range(1, 41)]}))
    assert (many.p10, many.p90) == (4.0, 36.0)                 # 40 runs: the band of the actual runs, unchanged


def test_the_validation_tables_write_no_band_as_n_a_and_a_band_as_its_days():
    from wargame.experiments.validation import band_days

    target = Target("demo", "fell_town", "a town falls", 4.0, 3.0, 5.0, 0.7, "test")
    assert band_days(score(target, pd.DataFrame({"fell_town": [3.0, 9.0]}))) == "n/a"
    assert band_days(score(target, pd.DataFrame({"fell_town": [float(d) for d in range(1, 41)]}))) == "4.0-36.0"
