"""Study figures that do not mislead: Morris as mu* against sigma with its interval at the point and a
warning under MORRIS_MIN_TRAJECTORIES, percentile bands only from enough runs, whole-number ticks on counts,
share axes from 0 to 1."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.ticker import MaxNLocator

from wargame.experiments.bands import MIN_RUNS_FOR_BAND
from wargame.study import charts
from wargame.study.sensitivity import MORRIS_MIN_TRAJECTORIES, SOBOL_WIDE_INTERVAL, index_warnings
from wargame.study.spec import ParameterSpec, StudySpec

PAY, MORALE = "factions.saa.pay", "factions.saa.morale"


def morris_indices() -> pd.DataFrame:
    return pd.DataFrame({"output": ["aleppo_days"] * 2, "parameter": [PAY, MORALE], "mu_star": [1.4, 0.5],
                         "mu_star_conf": [0.4, 0.1], "sigma": [0.4, 0.7]})


def study(method: str, samples: int) -> StudySpec:
    return StudySpec(kind="sensitivity", scenario="hts_2024", replicates=1, seed=1, outputs=["aleppo_days"],
                     parameters={PAY: ParameterSpec(), MORALE: ParameterSpec()},
                     sensitivity={"method": method, "samples": samples})


def runs(reps: int, levels: int = 4, seed: int = 1) -> pd.DataFrame:
    """A grid over one parameter, `reps` runs at each level, with a share and a count output."""
    rng = np.random.default_rng(seed)
    pay = np.repeat(np.linspace(0.05, 0.3, levels), reps)
    return pd.DataFrame({PAY: pay, "regime_territory": 0.66 + 0.01 * rng.random(pay.size),
                         "regime_cities": rng.integers(30, 34, pay.size).astype(float)})


def test_morris_with_few_trajectories_is_warned_of_and_the_figure_says_so():
    found = index_warnings(study("morris", 2), morris_indices())
    assert found == ["Morris with 2 trajectories: indices are rough and mu*'s 95% interval cannot be estimated "
                     f"(n/a); use {MORRIS_MIN_TRAJECTORIES} or more (--samples)."]
    assert index_warnings(study("morris", MORRIS_MIN_TRAJECTORIES), morris_indices()) == []
    fig = charts.figure_indices(morris_indices(), "morris", "t", found)
    assert "Morris with 2 trajectories" in fig.get_supxlabel()
    plt.close(fig)


def test_morris_figure_draws_mu_star_against_sigma_with_the_interval_at_the_points_height():
    indices = morris_indices()
    fig = charts.figure_indices(indices, "morris", "t")
    ax = fig.axes[0]
    line, _caps, (bars,) = ax.containers[0].lines            # the ErrorbarContainer: points, caps, whiskers
    x, y = line.get_data()
    assert list(x) == [1.4, 0.5] and list(y) == [0.4, 0.7]          # mu* along x, sigma up y
    for segment, row in zip(bars.get_segments(), indices.itertuples()):
        (x0, y0), (x1, y1) = segment
        assert y0 == y1 == row.sigma                                   # the whisker at the point's own height
        assert (x0, x1) == pytest.approx((row.mu_star - row.mu_star_conf, row.mu_star + row.mu_star_conf))
    assert ax.get_xlim()[0] == 0 and ax.get_ylim()[0] == 0
    plt.close(fig)


def test_sobol_warns_when_first_order_indices_are_negative_or_intervals_wide():
    tight = pd.DataFrame({"output": ["x"] * 2, "parameter": [PAY, MORALE], "S1": [0.7, 0.01], "S1_conf": [0.05, 0.02],
                          "ST": [0.8, 0.02], "ST_conf": [0.05, 0.02]})
    assert index_warnings(study("sobol", 256), tight) == []
    loose = tight.assign(S1=[0.7, -0.2], ST_conf=[SOBOL_WIDE_INTERVAL * 2, 0.02])
    (warning,) = index_warnings(study("sobol", 8), loose)
    assert "N = 8" in warning and "1 of 2 have a 95% half-width" in warning and "1 first-order index is negative" in warning
    fig = charts.figure_indices(loose, "sobol", "t", [warning])
    assert fig.axes[0].get_xlim()[0] < -0.2                            # the negative estimate is in view
    plt.close(fig)


@pytest.mark.parametrize("reps, banded", [(MIN_RUNS_FOR_BAND - 1, False), (MIN_RUNS_FOR_BAND, True)])
def test_percentile_bands_only_where_every_level_has_enough_runs(reps, banded):
    fig = charts.figure_responses(runs(reps), [PAY], ["regime_territory"], "t")
    fills = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert bool(fills) is banded
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(("10th-90th" in t) if banded else ("no percentile band" in t) for t in legend)
    plt.close(fig)


def test_share_axes_run_from_zero_to_one_and_count_axes_have_whole_ticks():
    frame = runs(5)
    fig = charts.figure_responses(frame, [PAY], ["regime_territory", "regime_cities"], "t")
    share, count = fig.axes[0], fig.axes[1]
    assert share.get_ylim() == (0, 1)
    assert count.get_ylim()[0] == 0
    assert isinstance(count.yaxis.get_major_locator(), MaxNLocator)
    assert all(float(t).is_integer() for t in count.get_yticks())
    plt.close(fig)
    fig = charts.figure_distributions(frame, ["regime_territory", "regime_cities"], "t")
    for ax in fig.axes:
        assert all(float(t).is_integer() for t in ax.get_yticks())     # runs are whole
    assert "zoomed: runs span" in fig.axes[0].get_xlabel()             # a share axis not from 0 says so
    plt.close(fig)


def test_pooled_responses_say_the_other_parameters_vary():
    frame = runs(5).assign(**{MORALE: 0.5})
    fig = charts.figure_responses(frame, [PAY, MORALE], ["regime_territory"], "t")
    assert "other parameters vary" in fig._suptitle.get_text().replace("\n", " ")
    plt.close(fig)


def test_a_sobol_estimate_far_outside_zero_to_one_is_written_at_the_axis_edge_not_stretching_it():
    wild = pd.DataFrame({"output": ["x"] * 2, "parameter": [PAY, MORALE], "S1": [0.5, 0.0], "S1_conf": [0.1, 0.02],
                         "ST": [15.7, 0.02], "ST_conf": [30.0, 0.02]})
    fig = charts.figure_indices(wild, "sobol", "t")
    ax = fig.axes[0]
    assert ax.get_xlim() == charts.SOBOL_AXIS
    assert any(t.get_text() == "ST 15.7" for t in ax.texts)
    plt.close(fig)


def test_a_morris_study_of_two_trajectories_warns_in_its_report_and_draws_no_pooled_responses(tmp_path):
    pytest.importorskip("SALib")
    from pathlib import Path

    from wargame.study.execute import SerialExecutor
    from wargame.study.sensitivity import run_sensitivity

    duel = str(Path(__file__).resolve().parent / "data" / "duel.toml")
    spec = StudySpec(kind="sensitivity", scenario=duel, replicates=1, seed=3, outputs=["killed_saa"],
                     parameters={"rules.combat.attrition_per_day": ParameterSpec(), MORALE: ParameterSpec()},
                     sensitivity={"method": "morris", "samples": 2})
    report = run_sensitivity(spec, "test", tmp_path / "m", SerialExecutor()).read_text(encoding="utf-8")
    assert "Morris with 2 trajectories: indices are rough" in report
    assert (tmp_path / "m" / "warnings.txt").read_text().startswith("Morris with 2 trajectories")
    assert not (tmp_path / "m" / "figures" / "responses.png").exists()
    assert not (tmp_path / "m" / "figures" / "heatmap.png").exists()        # pooled by parameter values too
    assert (tmp_path / "m" / "figures" / "indices.png").is_file()
    indices = pd.read_csv(tmp_path / "m" / "indices.csv", keep_default_na=False)
    assert (indices["mu_star_conf"] == "n/a").all()                          # not estimable, never a 0.0
    assert "<td class='num'>n/a</td>" in report


def test_a_morris_interval_that_cannot_be_estimated_is_drawn_as_no_bar_and_said_so():
    indices = morris_indices().assign(mu_star_conf=np.nan)
    fig = charts.figure_indices(indices, "morris", "t")
    ax = fig.axes[0]
    assert not ax.containers[0].has_xerr
    assert "cannot be estimated" in ax.get_legend().get_texts()[0].get_text()
    assert ax.get_xlim()[1] > 1.4
    title = fig._suptitle.get_text()
    assert "n/a" in title and "with its 95% interval" not in title       # the title does not promise one
    plt.close(fig)


def test_a_share_every_run_shares_is_drawn_on_zero_to_one_not_half_past_it():
    frame = runs(5).assign(saa_collapsed=1.0)
    fig = charts.figure_distributions(frame, ["saa_collapsed"], "t")
    assert fig.axes[0].get_xlim() == (0, 1)
    plt.close(fig)


def test_a_zoomed_share_histogram_stays_inside_zero_to_one():
    frame = runs(5).assign(saa_collapsed=np.linspace(0.9, 1.0, 20))
    fig = charts.figure_distributions(frame, ["saa_collapsed"], "t")
    low, high = fig.axes[0].get_xlim()
    assert 0 <= low and high <= 1
    assert "zoomed" in fig.axes[0].get_xlabel()
    plt.close(fig)
