"""Modellers' studies: designs, study files, execution (serial, local processes, a real Dask cluster),
results that survive a killed process, sensitivity indices and calibration."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from wargame import output
from wargame.core.errors import ScenarioError, WargameError
from wargame.study.designs import Parameter, design_points, grid, latin_hypercube
from wargame.study.execute import DaskExecutor, LocalExecutor, SerialExecutor
from wargame.study.spec import ParameterSpec, StudySpec, load_study, resolve_parameters
from wargame.study.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
DUEL = str(ROOT / "tests" / "data" / "duel.toml")
ATTRITION = "rules.combat.attrition_per_day"
IRRELEVANT = "factions.iran_axis.morale"          # the duel has no Iranian-backed unit


def duel_sweep(points: int = 4, reps: int = 2, **extra) -> StudySpec:
    return StudySpec(kind="sweep", scenario=DUEL, replicates=reps, seed=7, outputs=["killed_saa", "personnel_hts"],
                     parameters={ATTRITION: ParameterSpec(), "factions.saa.morale": ParameterSpec(range=[0.3, 0.9])},
                     design={"kind": "lhs", "points": points}, **extra)


def test_designs_cover_their_ranges_and_are_repeatable():
    a, b = Parameter("a", 0.0, 1.0), Parameter("b", 10.0, 20.0)
    assert grid([a, b], levels=3).shape == (9, 2)
    assert grid([Parameter("c", 0, 1, values=(0.1, 0.7))], levels=5).ravel().tolist() == [0.1, 0.7]
    lhs = latin_hypercube([a, b], 8, seed=1)
    for column, p in zip(lhs.T, (a, b)):              # one point in each of the 8 strata of every parameter
        strata = np.floor((column - p.low) / (p.high - p.low) * 8).astype(int)
        assert sorted(strata.tolist()) == list(range(8))
    np.testing.assert_array_equal(lhs, latin_hypercube([a, b], 8, seed=1))
    sobol = design_points("sobol", [a, b], 16, seed=3)
    assert sobol.shape == (16, 2) and (sobol[:, 1] >= 10).all() and (sobol[:, 1] <= 20).all()


def test_a_study_file_is_validated_with_the_file_and_field_named(tmp_path):
    bad = tmp_path / "study.toml"
    bad.write_text('kind = "sweep"\nscenario = "hts_2024"\nreplicates = 0\n[parameters]\n"factions.saa.pay" = {}\n'
                   '[design]\nkind = "latin"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_study(bad)
    text = str(error.value)
    assert "study.toml" in text and "replicates" in text and "design.kind" in text
    spec = StudySpec(kind="sweep", scenario="hts_2024", parameters={"factions.saa.paid": ParameterSpec(),
                                                                   "factions.saa.pay": ParameterSpec(range=[0.5, 3.0])})
    with pytest.raises(ScenarioError) as error:
        resolve_parameters(spec, "my.toml")
    text = str(error.value)
    assert "parameters.factions.saa.paid: not a tunable parameter" in text
    assert "outside the allowed bounds" in text                       # pay is a share: at most 1
    points = tmp_path / "points.csv"
    points.write_text("factions.saa.pay\n0.1\nabc\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="row 3"):
        design_points("csv", [Parameter("factions.saa.pay", 0, 1)], 0, 0, file=points)


@pytest.fixture(scope="module")
def dask_scheduler(tmp_path_factory):
    """A real local Dask cluster: a scheduler and two single-threaded workers, separate processes on 127.0.0.1."""
    pytest.importorskip("distributed")
    where = tmp_path_factory.mktemp("dask")
    file = where / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", "0", "--no-dashboard", "--scheduler-file", str(file)], cwd=where, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        processes.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers",
                                           "2", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"], cwd=where,
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_serial_local_and_dask_give_identical_results(tmp_path, dask_scheduler):
    spec = duel_sweep(points=5, reps=2)
    frames = {}
    for name, executor in (("serial", SerialExecutor()), ("local", LocalExecutor(2)),
                           ("dask", DaskExecutor(dask_scheduler))):
        try:
            run_sweep(spec, "test", tmp_path / name, executor)
        finally:
            executor.close()
        frames[name] = pd.read_parquet(tmp_path / name / "runs.parquet")
        assert len(frames[name]) == 10 and frames[name]["job"].tolist() == list(range(10))
    pd.testing.assert_frame_equal(frames["serial"], frames["local"])
    pd.testing.assert_frame_equal(frames["serial"], frames["dask"])
    assert frames["serial"]["killed_saa"].nunique() > 1                 # the parameters did something
    # common random numbers: replicate r has one seed at every point
    assert frames["serial"].groupby("replicate")["seed"].nunique().eq(1).all()


def test_a_study_killed_at_random_points_resumes_to_exactly_the_uninterrupted_results(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text(f'kind = "sweep"\nscenario = "{DUEL}"\nreplicates = 3\nseed = 11\n'
                     f'outputs = ["killed_saa"]\n[parameters]\n"{ATTRITION}" = {{}}\n[design]\nkind = "sobol"\n'
                     'points = 16\n', encoding="utf-8")
    whole = tmp_path / "whole"
    command = [sys.executable, str(ROOT / "run.py"), "sweep", "--study", str(study), "--workers", "2"]
    subprocess.run(command + ["--out", str(whole)], check=True, cwd=ROOT, capture_output=True)
    expected = pd.read_parquet(whole / "runs.parquet")

    rng = np.random.default_rng(5)
    cut = tmp_path / "cut"
    kills = 0
    for attempt in range(3):
        wanted = int(rng.integers(1, 8))                   # kill once this many batches are on disk
        flags = ["--resume"] if (cut / "manifest.json").exists() else []
        process = subprocess.Popen(command + ["--out", str(cut)] + flags, cwd=ROOT, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        parts = cut / "results"
        while process.poll() is None and len(list(parts.glob("part-*.parquet"))) < wanted + 2 * attempt:
            time.sleep(0.01)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)         # the study and its worker processes, at once
            kills += 1
        process.wait()
    assert kills >= 1
    done = subprocess.run(command + ["--out", str(cut), "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(cut / "runs.parquet"), expected)
    xr.testing.assert_identical(output.load_study(cut).series, output.load_study(whole).series)   # and every run's series
    assert not list((cut / "results").glob(".*"))          # no temporary file left behind


def test_a_study_refuses_to_resume_a_different_study(tmp_path):
    run_sweep(duel_sweep(points=2, reps=1), "test", tmp_path / "s", SerialExecutor())
    with pytest.raises(WargameError, match="already there"):
        run_sweep(duel_sweep(points=2, reps=1), "test", tmp_path / "s", SerialExecutor())
    with pytest.raises(WargameError, match=r"differs from this one in points, spec\.design\.points;"):
        run_sweep(duel_sweep(points=3, reps=1), "test", tmp_path / "s", SerialExecutor(), resume=True)
    assert "2 points x 1 replicate)" in (tmp_path / "s" / "report.html").read_text(encoding="utf-8")


def test_sobol_indices_rank_a_parameter_that_matters_above_one_that_cannot(tmp_path):
    pytest.importorskip("SALib")
    from wargame.study.sensitivity import run_sensitivity

    spec = StudySpec(kind="sensitivity", scenario=DUEL, replicates=1, seed=3, outputs=["killed_saa"],
                     parameters={ATTRITION: ParameterSpec(), IRRELEVANT: ParameterSpec()},
                     sensitivity={"method": "sobol", "samples": 16})
    run_sensitivity(spec, "test", tmp_path / "sobol", SerialExecutor())
    indices = pd.read_csv(tmp_path / "sobol" / "indices.csv").set_index("parameter")
    assert indices.loc[ATTRITION, "rank"] == 1 and indices.loc[ATTRITION, "ST"] > 0.8
    assert abs(indices.loc[IRRELEVANT, "ST"]) < 0.05 and abs(indices.loc[IRRELEVANT, "S1"]) < 0.05
    assert (tmp_path / "sobol" / "figures" / "indices.png").is_file()


def test_calibration_is_repeatable_across_executors_and_writes_a_runnable_best_scenario(tmp_path):
    pytest.importorskip("optuna")
    from wargame.core.scenario import load_scenario
    from wargame.study.calibrate import run_calibration

    spec = StudySpec(kind="calibrate", scenario="hts_2024_classroom", replicates=1, seed=4,
                     parameters={"rules.morale.contagion_weight": ParameterSpec()}, calibrate={"trials": 5})
    run_calibration(spec, "test", tmp_path / "a", SerialExecutor())
    executor = LocalExecutor(2)
    try:
        run_calibration(spec, "test", tmp_path / "b", executor)
    finally:
        executor.close()
    a, b = pd.read_csv(tmp_path / "a" / "trials.csv"), pd.read_csv(tmp_path / "b" / "trials.csv")
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 5 and a["rules.morale.contagion_weight"].nunique() == 5
    best = load_scenario(tmp_path / "a" / "best.toml")
    assert best.params["rules.morale.contagion_weight"].value == pytest.approx(
        a.loc[a["loss"].idxmin(), "rules.morale.contagion_weight"])
    fit = pd.read_csv(tmp_path / "a" / "fit.csv")
    assert any("Aleppo falls on day 2 to 5" in target for target in fit["target"])
    assert fit["p10"].isna().all() and fit["p90"].isna().all()       # one run each: no 10th-90th percentile band
    report = (tmp_path / "a" / "report.html").read_text()
    assert "python run.py run best.toml<" not in report             # the path as typed from the working directory


def test_a_joint_calibration_runs_every_campaign_at_every_trial_and_fits_rules_only(tmp_path, monkeypatch):
    pytest.importorskip("optuna")
    import tomllib

    from wargame.core.errors import ScenarioError
    from wargame.experiments import history
    from wargame.experiments.history import loss_breakdown
    from wargame.study.calibrate import run_calibration
    from wargame.study.spec import JOINT

    two = {name: c for name, c in history.campaigns().items() if name in ("aleppo_2016", "hts_2024")}
    monkeypatch.setattr(history, "campaigns", lambda: two)           # two short campaigns: the plumbing only

    spec = StudySpec(kind="calibrate", scenario=JOINT, replicates=1, seed=4,
                     parameters={"rules.friction.tempo_sd": ParameterSpec()}, calibrate={"trials": 2},
                     overrides={"meta.duration_days": 6})           # short runs: the test checks the plumbing
    run_calibration(spec, "test", tmp_path / "joint", SerialExecutor())
    runs = pd.read_parquet(tmp_path / "joint" / "runs.parquet")
    assert sorted(runs.groupby("trial")["campaign"].nunique().unique()) == [len(two)]
    assert set(runs["campaign"]) == set(two)
    for _, rows in runs.groupby("trial"):                     # the loss is the sum over every campaign
        frames = dict(iter(rows.groupby("campaign")))
        assert rows["loss"].iloc[0] == pytest.approx(loss_breakdown(frames)["loss"].sum())
    best = tomllib.loads((tmp_path / "joint" / "best.toml").read_text())
    assert set(best) == {"rules", "meta"} and "tempo_sd" in best["rules"]["friction"]
    assert "--set rules.friction.tempo_sd=" in (tmp_path / "joint" / "best_set.txt").read_text()
    situation = spec.model_copy(update={"parameters": {"factions.saa.pay": ParameterSpec()}})
    with pytest.raises(ScenarioError, match="situation parameter"):
        run_calibration(situation, "test", tmp_path / "bad", SerialExecutor())


def test_a_named_output_the_scenario_cannot_give_is_a_clear_error():
    import pandas as pd

    from wargame.core.errors import WargameError
    from wargame.study.report import add_outputs

    rows = pd.DataFrame({"end_day": [5.0, 5.0], "fell_defender_town": [2.0, None]})   # no Aleppo in this scenario
    with pytest.raises(WargameError, match="'aleppo_days' needs the outcome column 'fell_aleppo'.*fell_defender_town"):
        add_outputs(rows, ["aleppo_days"])
    assert add_outputs(rows, ["fell_defender_town"])["fell_defender_town"].tolist() == [2.0, 5.0]
