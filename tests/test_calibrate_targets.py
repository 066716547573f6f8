"""Calibration the modeller controls: targets from a file, the loss target by target (with each target's
share), and the Optuna study kept in SQLite so that a calibration killed with SIGKILL resumes from it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from wargame.core.errors import ScenarioError, WargameError
from wargame.experiments.history import REPORTED, calibration_loss, campaigns, load_targets, loss_breakdown
from wargame.study.execute import SerialExecutor
from wargame.study.spec import ParameterSpec, StudySpec

optuna = pytest.importorskip("optuna")

ROOT = Path(__file__).resolve().parents[1]
PARAM = "rules.morale.contagion_weight"
CALIBRATE = [sys.executable, str(ROOT / "run.py"), "calibrate", "hts_2024", "--param", PARAM, "--trials", "8",
             "--reps", "2", "--seed", "3", "--workers", "1"]
STUDY_NAME = "calibrate-hts_2024-seed3"

ALEPPO_ONLY = '''campaign = "hts_2024"
title = "Aleppo only"
facts = "docs/history/facts.md, section A"

[[targets]]
id = "aleppo"
label = "Aleppo falls on day 2 to 5"
place = "aleppo"
historical = 3.0
window = [2.0, 5.0]
confidence = "H"
source = "facts.md A1"
'''


def _sqlite_trials(directory: Path) -> pd.DataFrame:
    study = optuna.load_study(study_name=STUDY_NAME, storage=f"sqlite:///{directory / 'optuna.db'}")
    rows = [{"trial": t.user_attrs["trial"], "loss": t.value, **t.params} for t in study.trials]
    return pd.DataFrame(rows).sort_values("trial").reset_index(drop=True)


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    """A calibration that ran straight through (8 trials of 2 runs of hts_2024)."""
    out = tmp_path_factory.mktemp("calibrate") / "whole"
    done = subprocess.run(CALIBRATE + ["--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "loss     A1-" in done.stdout                   # the console names the targets of largest share
    return out


def test_a_calibration_killed_with_sigkill_resumes_from_its_sqlite_study(whole, tmp_path):
    cut = tmp_path / "cut"
    process = subprocess.Popen(CALIBRATE + ["--out", str(cut)], cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = cut / "results"
    while process.poll() is None and len(list(parts.glob("part-*.parquet"))) < 5:   # into the second batch
        time.sleep(0.01)
    assert process.poll() is None, "the calibration finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = _sqlite_trials(cut)
    assert 0 < len(before) < 8                            # killed mid-way, some trials already in SQLite

    done = subprocess.run(CALIBRATE + ["--out", str(cut), "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    resumed, expected = _sqlite_trials(cut), _sqlite_trials(whole)
    assert list(resumed["trial"]) == list(range(8))          # every trial exactly once
    pd.testing.assert_frame_equal(resumed, expected)
    pd.testing.assert_frame_equal(pd.read_csv(cut / "trials.csv"), pd.read_csv(whole / "trials.csv"))


def test_trials_stored_but_missing_from_the_sqlite_study_are_added_on_resume(whole, tmp_path):
    """Killed between a batch's last run and its trials reaching SQLite: the runs are there, the trials not."""
    from wargame.study.calibrate import run_calibration
    from wargame.study.launch import study_from_options

    copy = tmp_path / "copy"
    shutil.copytree(whole, copy)
    (copy / "optuna.db").unlink()
    old = optuna.load_study(study_name=STUDY_NAME, storage=f"sqlite:///{whole / 'optuna.db'}")
    new = optuna.create_study(study_name=STUDY_NAME, storage=f"sqlite:///{copy / 'optuna.db'}", direction="minimize")
    new.add_trials(sorted(old.trials, key=lambda t: t.user_attrs["trial"])[:3])   # batch 1 half recorded
    spec, source = study_from_options("calibrate", scenario="hts_2024", parameters=[PARAM], replicates=2, seed=3,
                                      settings={"trials": 8})
    run_calibration(spec, source, copy, SerialExecutor(), resume=True)
    pd.testing.assert_frame_equal(_sqlite_trials(copy), _sqlite_trials(whole))


def test_the_loss_table_lists_each_targets_share_and_the_reported_targets_apart(whole):
    losses = pd.read_csv(whole / "loss.csv", keep_default_na=False)
    hts = campaigns()["hts_2024"].targets
    assert list(losses["target"]) == [t.id for t in hts]
    scored = losses[losses["note"] == ""]
    assert set(scored["target"]) == {t.id for t in hts if t.in_loss}
    assert scored["share"].sum() == pytest.approx(1.0)
    assert (scored["loss"] == scored[["median", "spread", "penalty"]].sum(axis=1)).all()
    reported = losses[losses["note"] == REPORTED]
    assert len(reported) == sum(not t.in_loss for t in hts) > 0
    assert (reported["loss"] == 0).all() and (reported["share"] == 0).all()
    trials = pd.read_csv(whole / "trials.csv")
    parts = [f"loss_{t}" for t in scored["target"]]
    assert trials[parts].sum(axis=1).to_numpy() == pytest.approx(trials["loss"].to_numpy())
    best = trials.loc[trials["loss"].idxmin()]
    assert best[parts].to_numpy(dtype=float) == pytest.approx(scored["loss"].to_numpy())
    report = (whole / "report.html").read_text(encoding="utf-8")
    assert "share" in report and REPORTED in report


def test_an_unchecked_target_never_adds_to_the_loss(whole):
    """The M5 towns of 2024 are reported, not targets: however wrong the model is about them, the loss is
    the same; a checked target's error does move it."""
    runs = pd.read_parquet(whole / "runs.parquet")
    frame = runs[runs["trial"] == 0]
    unchecked = [t for t in campaigns()["hts_2024"].targets if not t.checked]
    assert {t.column for t in unchecked} >= {"fell_saraqib", "fell_maarat_al_numan"}
    wrong = frame.assign(**{t.column: 20.0 for t in unchecked})
    assert calibration_loss({"hts_2024": wrong}) == calibration_loss({"hts_2024": frame})
    assert calibration_loss({"hts_2024": frame.assign(fell_aleppo=20.0)}) > calibration_loss({"hts_2024": frame})
    table = loss_breakdown({"hts_2024": wrong}, reported=True)
    assert (table.loc[table["note"] == REPORTED, "loss"] == 0).all()


def _spec(targets: Path | None, trials: int = 2) -> StudySpec:
    return StudySpec(kind="calibrate", scenario="hts_2024", replicates=1, seed=5, parameters={PARAM: ParameterSpec()},
                     calibrate={"trials": trials, "targets": None if targets is None else str(targets)})


def test_a_targets_file_replaces_the_campaigns_targets(tmp_path):
    from wargame.study.calibrate import run_calibration

    file = tmp_path / "aleppo.toml"
    file.write_text(ALEPPO_ONLY, encoding="utf-8")
    run_calibration(_spec(file), "test", tmp_path / "mine", SerialExecutor())
    losses = pd.read_csv(tmp_path / "mine" / "loss.csv")
    assert list(losses["target"]) == ["aleppo"] and losses["share"].tolist() == [1.0]
    trials = pd.read_csv(tmp_path / "mine" / "trials.csv")
    assert [c for c in trials if c.startswith("loss_")] == ["loss_aleppo"]
    assert trials["loss"].tolist() == trials["loss_aleppo"].tolist()
    runs = pd.read_parquet(tmp_path / "mine" / "runs.parquet")     # the built-in targets would score more
    for k, rows in runs.groupby("trial"):
        assert calibration_loss({"hts_2024": rows}) > trials.loc[k, "loss"]
    header = (tmp_path / "mine" / "best.toml").read_text(encoding="utf-8").split("\nextends")[0]
    assert "(aleppo.toml)" in header and str(tmp_path) not in header          # no path of this machine
    manifest = json.loads((tmp_path / "mine" / "manifest.json").read_text())
    assert [t["id"] for t in manifest["targets"]["hts_2024"]] == ["aleppo"]
    with pytest.raises(WargameError, match=r"differs from this one in spec\.calibrate\.targets, targets\.hts_2024;"):
        run_calibration(_spec(None), "test", tmp_path / "mine", SerialExecutor(), resume=True)


@pytest.mark.parametrize("change, expected", [
    (('window = [2.0, 5.0]', 'window = [5.0, 2.0]'), r"aleppo\.toml, target 'aleppo'.*low must not exceed high"),
    (('confidence = "H"', 'confidence = "X"'), r"target 'aleppo'.*confidence.*must be one of"),
    (('place = "aleppo"', 'place = "aleppo"\nwieght = 2'), r"target 'aleppo'.*wieght.*did you mean 'weight'"),
    (('place = "aleppo"', 'place = "aleppo"\ncolumn = "fell_aleppo"'), r"give either column .* or place"),
    (('campaign = "hts_2024"', 'campaign = "aleppo_2016"'), r"aleppo\.toml: campaign = 'aleppo_2016'.*fits hts_2024"),
    (('place = "aleppo"', 'place = "alepo"'), r"target 'aleppo': column 'fell_alepo' is not an outcome.*fell_aleppo"),
])
def test_a_bad_targets_file_is_a_clear_error_naming_the_file_target_and_field(tmp_path, change, expected):
    from wargame.study.calibrate import run_calibration

    file = tmp_path / "aleppo.toml"
    file.write_text(ALEPPO_ONLY.replace(*change), encoding="utf-8")
    with pytest.raises((ScenarioError, WargameError), match=expected) as caught:
        run_calibration(_spec(file), "test", tmp_path / "bad", SerialExecutor())
    assert "aleppo.toml" in str(caught.value)
    assert not (tmp_path / "bad").exists()                    # refused before any run


def test_write_targets_copies_the_campaigns_targets_to_edit(tmp_path):
    out = tmp_path / "mine.toml"
    done = subprocess.run([sys.executable, str(ROOT / "run.py"), "calibrate", "hts_2024_classroom",
                           "--write-targets", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # compared as text: a target without a spread holds NaN, which equals no NaN but itself
    assert repr(load_targets(out).targets) == repr(tuple(
        t.__class__(**{**t.__dict__, "file": str(out)}) for t in campaigns()["hts_2024"].targets))
    again = subprocess.run([sys.executable, str(ROOT / "run.py"), "calibrate", "hts_2024", "--write-targets", str(out)],
                           cwd=ROOT, capture_output=True, text=True)
    assert again.returncode != 0 and "already exists" in again.stderr


def test_the_chart_title_says_what_was_fitted_to_what():
    from wargame.study.calibrate import chart_title

    title = chart_title(_spec(None), 16, 2, 5, "Early 2024: the HTS offensive")
    assert title == "hts_2024: 16 trials of 2 parameters fitted to 5 targets\nof Early 2024: the HTS offensive"
    assert chart_title(_spec(None), 8, 1, 1, "x.toml").startswith("hts_2024: 8 trials of 1 parameter fitted to 1 target")


def test_a_study_files_targets_are_found_beside_it(tmp_path):
    from wargame.study.spec import load_study

    (tmp_path / "aleppo.toml").write_text(ALEPPO_ONLY, encoding="utf-8")
    study = tmp_path / "study.toml"
    study.write_text(f'kind = "calibrate"\nscenario = "hts_2024"\n[parameters]\n"{PARAM}" = {{}}\n'
                     '[calibrate]\ntrials = 4\ntargets = "aleppo.toml"\n', encoding="utf-8")
    spec, _ = load_study(study)
    assert spec.calibrate.targets == str((tmp_path / "aleppo.toml").resolve())


def test_a_joint_calibrations_targets_file_may_not_reuse_another_campaigns_target_id(tmp_path, monkeypatch):
    """The ids name trials.csv's loss columns: one id in two campaigns would merge two targets' losses."""
    from wargame.experiments import history
    from wargame.study.calibrate import run_calibration
    from wargame.study.spec import JOINT

    two = {name: c for name, c in history.campaigns().items() if name in ("aleppo_2016", "hts_2024")}
    monkeypatch.setattr(history, "campaigns", lambda: two)
    taken = two["aleppo_2016"].targets[0].id
    file = tmp_path / "aleppo.toml"
    file.write_text(ALEPPO_ONLY.replace('id = "aleppo"', f'id = "{taken}"'), encoding="utf-8")
    spec = _spec(file).model_copy(update={"scenario": JOINT, "parameters": {"rules.friction.tempo_sd": ParameterSpec()}})
    with pytest.raises(WargameError, match=f"aleppo.toml: target id {taken} is also a target of another campaign"):
        run_calibration(spec, "test", tmp_path / "joint", SerialExecutor())


def test_a_weight_on_an_unchecked_target_is_warned_of_in_warnings_and_the_report(tmp_path):
    from wargame.study.calibrate import run_calibration

    file = tmp_path / "aleppo.toml"
    file.write_text(ALEPPO_ONLY.replace('confidence = "H"', 'confidence = "H"\nchecked = false\nweight = 2.0')
                    + ALEPPO_ONLY[ALEPPO_ONLY.index("[[targets]]"):].replace('"aleppo"\nlabel', '"second"\nlabel'),
                    encoding="utf-8")
    report = run_calibration(_spec(file), "test", tmp_path / "w", SerialExecutor()).read_text(encoding="utf-8")
    expected = ("target aleppo has weight 2 but is not checked (checked = false): it is reported, not in the loss")
    assert (tmp_path / "w" / "warnings.txt").read_text(encoding="utf-8") == expected + "\n"
    assert expected in report


def test_the_loss_chart_starts_at_zero():
    from wargame.study.calibrate import figure_loss

    fig = figure_loss(pd.DataFrame({"trial": range(4), "loss": [10.2, 7.37, 9.0, 8.1]}), "t")
    low, high = fig.axes[0].get_ylim()
    assert low == 0 and high >= 10.2


def test_a_bad_targets_file_is_refused_before_the_progress_bar_is_drawn(tmp_path, capsys):
    from wargame.cli import main

    file = tmp_path / "aleppo.toml"
    file.write_text(ALEPPO_ONLY.replace('confidence = "H"', 'confidence = "X"'), encoding="utf-8")
    assert main(["calibrate", "hts_2024", "--param", PARAM, "--trials", "2", "--reps", "1", "--workers", "1",
                 "--targets", str(file), "--out", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "must be one of" in err and "run/s" not in err and "calibrate (" not in err
