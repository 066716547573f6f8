"""Time series in studies and ensembles: every run's per-step metrics kept as a labelled xarray Dataset,
resumable like the results, read back by wargame.output.load_study / load_ensemble, drawn as fan charts."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from matplotlib.collections import PolyCollection

from wargame.cli import main
from wargame.core.errors import WargameError
from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario
from wargame.experiments.bands import MIN_RUNS_FOR_BAND
from wargame.output import load_ensemble, load_study
from wargame.output.series import combine, read_series, write_series
from wargame.study.charts import figure_series_fans
from wargame.study.execute import SerialExecutor
from wargame.study.spec import ParameterSpec, StudySpec
from wargame.study.sweep import run_sweep

SCENARIO = "hts_2024"
PAY = "factions.saa.pay"
LEVELS = [0.05, 0.3]


def small_sweep(replicates: int = 2, **extra) -> StudySpec:
    """hts_2024 at two levels of the SAA's pay, two replicates each: four runs."""
    return StudySpec(kind="sweep", scenario=SCENARIO, replicates=replicates, seed=5, outputs=["regime_territory"],
                     parameters={PAY: ParameterSpec(values=LEVELS)}, design={"kind": "grid"}, **extra)


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("series") / "sweep"
    run_sweep(small_sweep(), "test", out, SerialExecutor())
    return out


def test_a_sweep_keeps_every_runs_series_labelled_by_job_point_replicate_seed_and_parameter(study_dir):
    study = load_study(study_dir)
    series = study.series
    assert study.kind == "sweep" and study.parameters == [PAY]
    assert series["territory_regime"].dims == ("run", "step")
    assert series["run"].values.tolist() == study.runs["job"].tolist() == [0, 1, 2, 3]
    assert series["point"].values.tolist() == [0, 0, 1, 1]
    assert series["replicate"].values.tolist() == [0, 1, 0, 1]
    assert series["seed"].values.tolist() == study.runs["seed"].tolist()
    assert series[PAY].values.tolist() == [0.05, 0.05, 0.3, 0.3]
    assert series["day"].dims == ("step",)
    np.testing.assert_allclose(np.diff(series["day"].values), 0.25)          # 6-hour steps
    # common random numbers: replicate r has one seed at both points
    assert series["seed"].values[0] == series["seed"].values[2] != series["seed"].values[1]
    # a run's series ends with its run (NaN after), and its last regime territory is its outcome
    for run in range(4):
        values = series["territory_regime"].sel(run=run).values
        steps = int(np.isfinite(values).sum())
        assert np.isnan(values[steps:]).all() and np.isfinite(values[:steps]).all()
        outcome = study.runs.loc[study.runs["job"] == run, "territory_regime"].item()
        assert values[steps - 1] == pytest.approx(outcome, abs=1e-6)
    # the grouped median an analyst asks for
    medians = series["territory_regime"].groupby("point").median("run")
    assert medians.dims == ("point", "step") and medians.sizes["point"] == 2


def test_a_runs_series_is_what_a_lone_model_with_its_seed_and_overrides_collects(study_dir):
    series = load_study(study_dir).series
    run = 3
    model = WarModel(load_scenario(SCENARIO, {PAY: float(series[PAY].sel(run=run))}),
                     rng=int(series["seed"].sel(run=run)))
    model.run()
    alone = model.datacollector.get_model_vars_dataframe()
    kept = series.sel(run=run).isel(step=slice(0, len(alone)))
    assert np.isnan(series.sel(run=run)["territory_regime"].values[len(alone):]).all()
    np.testing.assert_array_equal(kept["day"].values, alone["day"].to_numpy())
    assert set(series.data_vars) == set(alone.columns) - {"day"}
    for metric in series.data_vars:
        np.testing.assert_array_equal(kept[metric].values, alone[metric].to_numpy(dtype=np.float32), err_msg=metric)


def test_a_study_killed_between_a_batchs_series_and_its_results_resumes_to_the_same_series(study_dir, tmp_path):
    """A batch writes its series part, then its results part: a kill between the two leaves a series part
    without results, which the resumed study removes and writes again."""
    import shutil

    cut = tmp_path / "cut"
    shutil.copytree(study_dir, cut)
    (cut / "series.nc").unlink()
    (cut / "runs.parquet").unlink()
    for lost in sorted((cut / "results").glob("part-*.parquet"))[1:3]:
        lost.unlink()                     # runs 1 and 2 lost their results; their series parts are orphans
    # and a batch of both, killed likewise (a resumed study may batch them differently)
    both = combine([read_series(p) for p in sorted((cut / "series").glob("part-*.nc"))[1:3]])
    write_series(cut / "series" / "part-0000001-0002.nc", both)
    run_sweep(small_sweep(), "test", cut, SerialExecutor(), resume=True)
    assert sorted(p.stem for p in (cut / "series").glob("*.nc")) == sorted(p.stem for p in (cut / "results").glob("*"))
    xr.testing.assert_identical(load_study(cut).series, load_study(study_dir).series)


def test_no_series_keeps_none_and_says_so(tmp_path):
    out = tmp_path / "plain"
    run_sweep(small_sweep(replicates=1, series=False), "test", out, SerialExecutor())
    assert not (out / "series.nc").exists() and not (out / "series").exists()
    with pytest.raises(WargameError, match="has no time series: it was made before"):
        _ = load_study(out).series


def test_an_ensemble_keeps_its_series_as_a_dataset_matching_its_report_data(tmp_path):
    from wargame.report.ensemble import EnsembleData

    out = tmp_path / "ens"
    assert main(["run", SCENARIO, "--reps", "3", "--seed", "4", "--workers", "1", "--no-report", "--quiet",
                 "--out", str(out)]) == 0
    ensemble = load_ensemble(out)
    series = ensemble.series
    assert series["territory_regime"].dims == ("run", "step")
    assert series["run"].values.tolist() == ensemble.runs["run"].tolist() == [0, 1, 2]
    assert series["seed"].values.tolist() == ensemble.runs["seed"].tolist()
    # the same numbers the ensemble report draws (EnsembleData.matrix holds an ended run at its last value)
    days, matrix = EnsembleData.load(out).matrix("territory_regime")
    held = series["territory_regime"].to_pandas().ffill(axis=1).to_numpy()
    np.testing.assert_allclose(held, matrix, rtol=1e-6)
    np.testing.assert_array_equal(series["day"].values, days)
    (out / "series.nc").unlink()                                                 # as an ensemble of older code
    with pytest.raises(WargameError, match="this ensemble has no time series"):
        _ = load_ensemble(out).series


def test_a_resumed_ensemble_writes_the_same_series_and_an_older_one_is_told_to_run_again(tmp_path, capsys):
    command = ["run", SCENARIO, "--reps", "3", "--seed", "4", "--workers", "1", "--no-report", "--quiet"]
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert main([*command, "--out", str(whole)]) == 0
    assert not (whole / "series.parquet").exists()                               # series.nc is the one store
    checkpoint = resumed / "finished" / "runs.jsonl"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_text((whole / "finished" / "runs.jsonl").read_text().splitlines(keepends=True)[0])
    assert main([*command, "--out", str(resumed)]) == 0                          # two runs left to run
    xr.testing.assert_identical(load_ensemble(resumed).series, load_ensemble(whole).series)
    with pytest.raises(WargameError, match="an ensemble directory .* not a study: its runs vary no parameter"):
        load_study(whole)
    (whole / "series.nc").rename(whole / "series.parquet")                    # as an ensemble of older code
    assert main(["report", str(whole)]) == 2
    err = capsys.readouterr().err
    assert "written by an older version (its per-step metrics in series.parquet, not series.nc)" in err
    assert "run it again with the same command" in err and "Traceback" not in err


def synthetic_series(runs_per_point: list[int]) -> xr.Dataset:
    runs = sum(runs_per_point)
    point = np.repeat(np.arange(len(runs_per_point)), runs_per_point)
    rng = np.random.default_rng(0)
    return xr.Dataset({"territory_regime": (("run", "step"), rng.random((runs, 10)).astype(np.float32))},
                      coords={"run": np.arange(runs), "step": np.arange(10), "day": ("step", np.arange(10) / 4),
                              "point": ("run", point), PAY: ("run", point / 10.0)})


def test_a_fan_chart_draws_a_band_only_for_a_group_with_enough_runs():
    enough, few = MIN_RUNS_FOR_BAND, MIN_RUNS_FOR_BAND - 1
    fig = figure_series_fans(synthetic_series([enough, few]), "territory_regime", "test", points=[0, 1])
    ax = fig.axes[0]
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1          # one band: the group of 5
    assert len(ax.lines) == 1 + few                                               # its median, the 4 runs' lines
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"point 0: median and 10th-90th of {enough} runs",
                      f"point 1: each of {few} runs (too few for a band)"]
    assert "zoomed" not in ax.get_ylabel()                                        # runs from about 0: not zoomed
    held = synthetic_series([enough])
    held["territory_regime"] = held["territory_regime"] * 0.1 + 0.6                # 60-70% of the theatre
    ax = figure_series_fans(held, "territory_regime", "test").axes[0]
    # a share of the theatre from 0 to 100%, as the ensemble's fans: a 60-70% axis would make a few points'
    # difference look like the whole theatre changing hands
    assert ax.get_ylim() == (0, 1) and "zoomed" not in ax.get_ylabel()
    other = synthetic_series([enough]).rename({"territory_regime": "morale_saa"})
    other["morale_saa"] = other["morale_saa"] * 0.1 + 0.6
    ax = figure_series_fans(other, "morale_saa", "test").axes[0]
    # another metric keeps the runs' own range, and the axis label says where it starts
    assert ax.get_ylim()[0] > 0.55 and "(zoomed: the axis starts at 0.5" in ax.get_ylabel()
    lone = figure_series_fans(synthetic_series([1, 1]), "territory_regime", "test", points=[0, 1])
    assert [t.get_text() for t in lone.axes[0].get_legend().get_texts()][0] == \
        "point 0: its one run (too few for a band)"


def test_fans_by_a_label_of_names_draw_each_name_apart():
    named = synthetic_series([5, 5]).assign_coords(campaign=("run", ["hts_2024"] * 3 + ["aleppo_2016"] * 7))
    fig = figure_series_fans(named, "territory_regime", "test", by="campaign")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["campaign = aleppo_2016: median and 10th-90th of 7 runs",
                      "campaign = hts_2024: each of 3 runs (too few for a band)"]


def test_fans_by_a_parameter_group_the_points_into_terciles():
    fig = figure_series_fans(synthetic_series([5] * 6), "territory_regime", "test", by=PAY)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [text.split()[0] for text in legend] == ["low", "middle", "high"]
    assert all("of 10 runs" in text for text in legend)                          # two points of 5 runs each


def test_fan_errors_name_the_problem(study_dir, tmp_path, capsys):
    assert main(["fans", str(study_dir), "--metric", "territory_regim"]) == 2
    assert "no such metric" in capsys.readouterr().err
    assert main(["fans", str(study_dir), "--metric", "fell_hama"]) == 2      # a column of runs.parquet
    assert "is an outcome, one value per run (runs.parquet), not a per-step series" in capsys.readouterr().err
    with pytest.raises(WargameError, match="close: territory_regime"):
        figure_series_fans(load_study(study_dir).series, "territory_regim", "test")
    with pytest.raises(WargameError, match="not a parameter of the study"):
        figure_series_fans(load_study(study_dir).series, "territory_regime", "test", by="factions.saa.morale")
    with pytest.raises(WargameError, match="not a study directory"):
        load_study(tmp_path)
    with pytest.raises(WargameError, match="not an ensemble directory"):
        load_ensemble(tmp_path)
    assert main(["fans", str(study_dir), "--out", str(tmp_path / "fans.txt")]) == 2
    assert "a fan chart is written as a PNG; give a file name ending in .png" in capsys.readouterr().err
    assert not (tmp_path / "fans.txt").exists()
    out = tmp_path / "fans.png"
    assert main(["fans", str(study_dir), "--by", PAY, "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    assert (study_dir / "figures" / "fans.png").is_file()                        # the report's own fan chart


def test_a_share_of_the_theatre_is_drawn_from_zero_as_the_ensembles_fans_are():
    series = synthetic_series([5, 5])
    series["territory_regime"] = 0.65 + 0.06 * series["territory_regime"]           # a 65-71% band
    fig = figure_series_fans(series, "territory_regime", "test", points=[0, 1])
    assert fig.axes[0].get_ylim() == (0, 1)


def test_a_group_of_one_run_is_one_run_not_each_of_1_runs():
    fig = figure_series_fans(synthetic_series([1]), "territory_regime", "test", points=[0])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["point 0: its one run (too few for a band)"]
