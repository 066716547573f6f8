"""Ensembles, checkpoints and the validation suite's scoring (on small or synthetic data)."""

import math
import os

import numpy as np
import pandas as pd

from wargame.experiments.history import campaigns, score
from wargame.experiments.runner import Job, run_ensemble, run_jobs
from wargame.experiments.validation import (
    regularity_campaigns,
    surprise_side_loses_less,
    urban_defenders_lose_less,
    winners_lose_less,
)


def test_ensembles_are_the_same_serial_or_parallel_and_resume_from_a_checkpoint(tmp_path, duel_file):
    serial = run_ensemble(str(duel_file), 4, master_seed=3, workers=1)
    parallel = run_ensemble(str(duel_file), 4, master_seed=3, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    jobs = [Job(i, str(duel_file), seed) for i, seed in enumerate((5, 6, 7, 8, 9))]
    finished = tmp_path / "parallel.jsonl"          # one job a chunk: five chunks on two processes, any order
    pd.testing.assert_frame_equal(pd.DataFrame(run_jobs(jobs, workers=2, chunk=1, checkpoint=finished)),
                                  pd.DataFrame(run_jobs(jobs, workers=1)))
    assert len(finished.read_text().splitlines()) == 5

    checkpoint = tmp_path / "finished.jsonl"
    jobs = [Job(i, str(duel_file), seed) for i, seed in enumerate((11, 12, 13))]
    calls = []
    first = run_jobs(jobs[:2], workers=1, checkpoint=checkpoint, progress=lambda d, t: calls.append((d, t)))
    assert len(checkpoint.read_text().splitlines()) == 2
    with checkpoint.open("a") as out:
        out.write('{"key": "torn')                      # an interrupted write is ignored
    calls.clear()
    resumed = run_jobs(jobs, workers=1, checkpoint=checkpoint, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 3), (3, 3)]                     # the bar starts at the two done; only the third ran
    calls.clear()
    run_jobs(jobs, workers=1, checkpoint=checkpoint, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(3, 3)]                             # and its row was not swallowed by the torn line
    pd.testing.assert_frame_equal(pd.DataFrame(resumed[:2]), pd.DataFrame(first))
    assert resumed[2]["seed"] == 13
    pd.testing.assert_frame_equal(pd.DataFrame(resumed), pd.DataFrame(run_jobs(jobs, workers=1)))   # as if fresh


def test_a_target_scores_runs_in_its_window_and_counts_never_as_beyond():
    target = next(t for t in campaigns()["hts_2024"].targets if t.column == "fell_aleppo")
    frame = pd.DataFrame({"fell_aleppo": [2.5, 3.0, 4.0, 6.0, math.nan]})
    result = score(target, frame)
    assert result.hit == 0.6 and result.happened == 0.8 and result.median == 4.0
    assert math.isinf(result.p90) and result.passed is False          # 60% in 2-5 days; 70% needed
    assert score(target, pd.DataFrame({"fell_aleppo": [2.5, 3.0, 4.0, 4.5]})).passed is True


def test_dupuy_regularities_are_judged_run_by_run():
    hts = next(c for c in regularity_campaigns() if c.scenario == "hts_2024")
    frame = pd.DataFrame({
        "fell_aleppo": [3.0, 3.5, math.nan, 4.0],
        "loss_rate_opposition": [0.01, 0.01, 0.05, 0.03],
        "loss_rate_regime": [0.04, 0.02, 0.01, 0.02],
        "loss_rate_window_opposition": [0.01, 0.02, 0.01, 0.01],
        "loss_rate_window_regime": [0.05, 0.04, 0.03, 0.005],
        "defender_loss_urban": [0.001, 0.002, np.nan, 0.004],
        "defender_loss_per_odds_urban": [0.001, 0.002, np.nan, 0.004],
        "defender_steps_urban": [10, 5, 0, 8],
        "defender_loss_open": [0.003, 0.003, 0.002, 0.003],
        "defender_loss_per_odds_open": [0.003, 0.003, 0.002, 0.003],
        "defender_steps_open": [10, 5, 7, 8],
    })
    winners = winners_lose_less(frame, hts)           # the run where Aleppo never fell does not count
    assert winners.observed == 3 and math.isclose(winners.holds, 2 / 3) and winners.passed is False
    urban = urban_defenders_lose_less(frame, "hts_2024")
    assert urban.observed == 3 and math.isclose(urban.holds, 2 / 3)
    surprise = surprise_side_loses_less(frame, hts)
    assert surprise.observed == 4 and surprise.holds == 0.75
    nobody_in_the_open = frame.assign(defender_steps_open=0)
    assert urban_defenders_lose_less(nobody_in_the_open, "hts_2024").passed is None


def test_cli_ensembles_report_bad_input_before_running(tmp_path, capsys):
    from wargame.cli import main

    assert main(["validate-history", "--set", "factions.saa.pay=7", "--out", str(tmp_path / "v")]) == 2
    assert "factions.saa.pay" in capsys.readouterr().err
    assert main(["counterfactuals", "--only", "no_such_lever", "--out", str(tmp_path / "c")]) == 2
    assert "no_such_lever" in capsys.readouterr().err
    assert not (tmp_path / "v").exists() and not (tmp_path / "c").exists()


def test_cli_counterfactuals_writes_the_effects(tmp_path, capsys):
    from wargame.cli import main

    out = tmp_path / "cf"
    assert main(["counterfactuals", "--only", "hts_2024_professional_saa", "--runs", "2", "--workers", "1",
                 "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert "hts_2024_professional_saa" in report and "95% interval" in report
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["measure"]) == {"aleppo_by_day5", "aleppo_days", "regime_territory", "regime_cities",
                                       "damascus_fell", "regime_collapsed", "regime_days"}


def test_effects_state_no_direction_from_too_few_pairs_and_counterfactuals_must_extend_their_base():
    from wargame.core.errors import WargameError
    from wargame.experiments.counterfactuals import Effect, check_extends

    few = Effect("cf", "lever", "aleppo_days", 3.0, 5.0, 2.0, 2.0, 2.0, pairs=1)
    assert few.direction == "too few runs"
    assert Effect("cf", "lever", "aleppo_days", 3.0, 5.0, 2.0, 1.0, 3.0, pairs=40).direction == "up"
    check_extends("hts_2024", "hts_2024_professional_saa")
    try:
        check_extends("hts_2024", "aleppo_2016")
    except WargameError as exc:
        assert "does not extend hts_2024" in str(exc)
    else:
        raise AssertionError("a scenario of another campaign was accepted as a counterfactual")


def test_progress_is_reported_before_the_first_run_and_after_each_one(duel_file):
    jobs = [Job(i, str(duel_file), seed) for i, seed in enumerate((21, 22, 23))]
    for workers in (1, 2):
        calls: list = []
        run_jobs(jobs, workers=workers, progress=lambda d, t, seen=calls: seen.append((d, t)))
        assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_the_progress_bar_rate_counts_only_runs_made_since_it_started():
    from tqdm import tqdm

    from wargame.cli.support import move_bar

    bar = tqdm(total=1000, disable=False, file=open(os.devnull, "w"))
    move_bar(bar, 600, 1000)                  # a resumed ensemble: 600 runs were done before
    bar.start_t -= 10.0                        # ten seconds later...
    bar.last_print_t -= 10.0
    move_bar(bar, 610, 1000)                   # ...ten more runs
    rate = bar.format_dict["rate"] or (bar.n - bar.initial) / (bar._time() - bar.start_t)
    assert 0.5 < rate < 1.5                    # about one run a second, not 61
    bar.close()


def test_a_counterfactual_of_another_campaign_is_measured_on_that_campaigns_targets(tmp_path):
    from wargame.experiments.counterfactuals import compare, measure_labels

    lever = tmp_path / "aleppo_2016_weak_rebels.toml"
    lever.write_text('extends = "aleppo_2016"\n[meta]\nlever = "half the rebel battalions in the east"\n'
                     '[units.east_rebels]\ncount = 7\n')
    labels = measure_labels("aleppo_2016")
    assert {"B1_in_window", "B1_days", "territory_regime", "territory_opposition"} <= set(labels)
    assert "aleppo_by_day5" not in labels and "B1-median_days" not in labels     # weight 0: the same event as B1
    base = run_ensemble("aleppo_2016", 3, master_seed=2, workers=1)
    other = run_ensemble(str(lever), 3, master_seed=2, workers=1)
    effects = {e.measure: e for e in compare("aleppo_2016", base, str(lever), other)}
    assert set(effects) == set(labels)
    assert effects["B1_days"].difference < 0                          # fewer rebels: east Aleppo falls sooner
