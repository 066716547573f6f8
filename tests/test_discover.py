"""Scenario discovery (`python run.py discover`): a box found where a test put one on purpose, the outcome
language, uncertainties and levers, and the errors an analyst meets."""

from __future__ import annotations

import json
import shutil
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from wargame.cli import main
from wargame.core.errors import WargameError
from wargame.study.execute import SerialExecutor
from wargame.study.outcome import OutcomeError, evaluate, parse_outcome
from wargame.study.roles import LEVER, UNCERTAINTY, default_role, override_roles, study_roles
from wargame.study.spec import ParameterSpec, StudySpec
from wargame.study.sweep import run_sweep

pytest.importorskip("ema_workbench")

ROOT = Path(__file__).resolve().parents[1]
DUEL = str(ROOT / "tests" / "data" / "duel.toml")
PAY, ATTRITION, MORALE = "factions.saa.pay", "rules.combat.attrition_per_day", "factions.saa.morale"
CUT = 0.35                                   # the constructed outcome: pay below this
POINTS = 30


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    """A real sweep of the duel over three parameters (30 Latin-hypercube points, one run each; attrition
    declared a lever in the study), given a constructed outcome column that depends on pay alone."""
    spec = StudySpec(kind="sweep", scenario=DUEL, replicates=1, seed=11, outputs=["killed_saa"],
                     parameters={PAY: ParameterSpec(range=[0.1, 0.8]), ATTRITION: ParameterSpec(role="lever"),
                                 MORALE: ParameterSpec()},
                     design={"kind": "lhs", "points": POINTS})
    out = tmp_path_factory.mktemp("discover") / "sweep"
    run_sweep(spec, "test", out, SerialExecutor())
    runs = pd.read_parquet(out / "runs.parquet")
    runs["made"] = (runs[PAY] < CUT).astype(float)
    runs.to_parquet(out / "runs.parquet", index=False)
    return out


def _copy(study: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "study"
    shutil.copytree(study, copy, ignore=shutil.ignore_patterns("discover-*"))
    return copy


def test_discover_finds_the_box_a_test_built_on_one_parameter_and_reports_that_parameter_alone(study, tmp_path,
                                                                                                  capsys):
    out = tmp_path / "found"
    assert main(["discover", str(study), "--outcome", "made", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    boxes = pd.read_csv(out / "boxes.csv")
    assert boxes["parameter"].tolist() == [PAY]                       # pay alone is restricted
    box = boxes.iloc[0]
    pays = np.sort(pd.read_parquet(study / "runs.parquet")[PAY].to_numpy())
    stratum = (0.8 - 0.1) / POINTS
    assert box["low"] == 0.1                                          # open to the study's low end
    assert CUT - stratum <= box["high"] <= CUT + 3 * stratum          # its high end near the cut
    assert box["coverage"] == 1.0 and box["density"] >= 0.8 and box["meets_threshold"]
    assert box["runs"] == int((pays <= box["high"]).sum())
    assert f"{PAY:<44} 0.1 to" in printed and "coverage 1.00" in printed
    # the feature scores rank pay first, far ahead of the parameters that play no part in the outcome
    scores = pd.read_csv(out / "scores.csv")
    assert scores["parameter"].iloc[0] == PAY and scores["score"].iloc[0] > 2 * scores["score"].iloc[1]
    for name in ("discover.html", "trajectory.csv", "figures/scores.png", "figures/limits.png",
                 "figures/trajectory.png"):
        assert (out / name).is_file(), name
    html = (out / "discover.html").read_text()
    assert html.count("data:image/png;base64,") == 3 and "<img src=\"figures" not in html


def test_a_threshold_of_one_shuts_the_box_exactly_at_the_cut(study, tmp_path):
    out = tmp_path / "exact"
    assert main(["discover", str(study), "--outcome", "made", "--threshold", "1", "--out", str(out)]) == 0
    box = pd.read_csv(out / "boxes.csv").iloc[0]
    pays = pd.read_parquet(study / "runs.parquet")[PAY]
    assert box["density"] == 1.0 and box["coverage"] == 1.0
    assert pays[pays < CUT].max() <= box["high"] < pays[pays >= CUT].min()


def test_discovery_is_deterministic_and_writes_beside_the_study_by_default(study, tmp_path):
    copy = _copy(study, tmp_path)
    assert main(["discover", str(copy), "--outcome", "made"]) == 0
    first = {n: (copy / "discover-made" / n).read_bytes() for n in ("boxes.csv", "scores.csv", "trajectory.csv")}
    assert main(["discover", str(copy), "--outcome", "made"]) == 0
    assert first == {n: (copy / "discover-made" / n).read_bytes() for n in first}


def test_another_threshold_writes_beside_the_first_and_the_command_is_quoted_for_a_shell(study, tmp_path,
                                                                                        monkeypatch):
    """A reader pastes the report's command into a shell: "made < 1" unquoted would redirect from a file
    named 1. Another threshold's answer goes to its own directory, not over the default's."""
    import shlex
    import sys

    copy = _copy(study, tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = ["discover", str(copy), "--outcome", "made > 0", "--threshold", "0.9"]
    monkeypatch.setattr(sys, "argv", ["run.py", *argv])
    assert main(argv) == 0
    assert main(["discover", str(copy), "--outcome", "made > 0"]) == 0
    assert {p.name for p in copy.glob("discover-*")} == {"discover-made-gt-0", "discover-made-gt-0-t0.9"}
    html = (copy / "discover-made-gt-0-t0.9" / "discover.html").read_text()
    command = html.split("<section id=\"reproduce\"><h2>Reproduce</h2><pre>")[1].split("</pre>")[0]
    assert command == "python run.py discover study --outcome &#x27;made &gt; 0&#x27; --threshold 0.9"
    assert shlex.split(command.replace("&#x27;", "'").replace("&gt;", ">"))[5] == "made > 0"


def test_levers_and_uncertainties_are_kept_apart(study, tmp_path, capsys):
    manifest = json.loads((study / "manifest.json").read_text())
    assert manifest["spec"]["parameters"][ATTRITION]["role"] == "lever"      # stored as the study stated it
    assert study_roles(manifest) == {PAY: UNCERTAINTY, ATTRITION: LEVER, MORALE: UNCERTAINTY}
    out = tmp_path / "levers"
    assert main(["discover", str(study), "--outcome", "made", "--lever", PAY, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    uncertainties, levers = printed.split("  uncertainties\n")[1].split("  levers\n")
    assert MORALE in uncertainties and PAY not in uncertainties
    assert PAY in levers.split("box 1")[0] and ATTRITION in levers.split("box 1")[0]
    assert f"levers restricted: {PAY}" in printed
    assert pd.read_csv(out / "boxes.csv")["role"].tolist() == [LEVER]
    assert set(pd.read_csv(out / "scores.csv").set_index("parameter")["role"].items()) == {
        (PAY, LEVER), (ATTRITION, LEVER), (MORALE, UNCERTAINTY)}


def test_roles_default_by_path_and_a_manifest_without_roles_gets_the_defaults():
    assert default_role("actors.turkey.support") == LEVER
    assert default_role("air.ru_khmeimim.aircraft") == LEVER
    assert default_role("factions.saa.pay") == UNCERTAINTY
    assert default_role("rules.morale.contagion_weight") == UNCERTAINTY
    old = {"spec": {"parameters": {"actors.israel.strikes_per_week": {"range": None, "values": None},
                                   "factions.saa.pay": {}}},
           "parameters": [{"path": "actors.israel.strikes_per_week"}, {"path": "factions.saa.pay"}]}
    assert study_roles(old) == {"actors.israel.strikes_per_week": LEVER, "factions.saa.pay": UNCERTAINTY}
    assert override_roles(study_roles(old), uncertainties=["actors.israel.strikes_per_week"])[
        "actors.israel.strikes_per_week"] == UNCERTAINTY
    with pytest.raises(WargameError, match="--lever rules.x: not a parameter of this study; its parameters are"):
        override_roles(study_roles(old), levers=["rules.x"])
    with pytest.raises(ValidationError, match="uncertainty"):
        ParameterSpec(role="policy")


RUNS = pd.DataFrame({"fell_hama": [3.0, 12.0, np.nan, 9.5], "collapsed_regime": [1.0, 0.0, np.nan, 1.0],
                     "held_hama": ["hts", "saa", "saa", None], "territory_regime": [0.2, 0.5, 0.7, 0.1]})


def _holds(text: str) -> list[bool]:
    return evaluate(parse_outcome(text), RUNS, list(RUNS.columns), "study").tolist()


def test_the_outcome_language():
    assert _holds("fell_hama < 10") == [True, False, False, True]          # never fell: not before day 10
    assert _holds("fell_hama>=9.5") == [False, True, False, True]
    assert _holds("not fell_hama") == [False, False, True, False]          # never fell
    assert _holds("collapsed_regime") == [True, False, False, True]        # a 0/1 flag: happened where 1
    assert _holds("held_hama == hts") == [True, False, False, False]
    assert _holds("held_hama != hts") == [False, True, True, False]        # an empty value satisfies nothing
    # and binds tighter than or; parentheses group
    assert _holds("territory_regime > 0.6 or fell_hama < 5 and collapsed_regime") == [True, False, True, False]
    assert _holds("(territory_regime > 0.6 or fell_hama < 5) and collapsed_regime") == [True, False, False, False]
    assert _holds("fell_hama < 1e1 and not (held_hama == saa)") == [True, False, False, True]


@pytest.mark.parametrize(("text", "message"), [
    ("fell_hama <", "expected a number (or a name) after < at the end"),
    ("< 3", "expected a column name at '<'"),
    ("fell_hama < 3 4", "expected and / or at '4'"),
    ("(fell_hama < 3", "expected ) at the end"),
    ("__import__('os').system('x')", "cannot read"),
    ("fell_hama < hts", "< compares numbers"),
    ("", "is empty"),
])
def test_a_bad_outcome_is_a_clear_error_naming_where(text, message):
    with pytest.raises(OutcomeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_outcome(text)


def test_an_outcome_on_the_wrong_kind_of_column_or_no_column_names_what_there_is():
    with pytest.raises(OutcomeError, match=r"'fell_homs', which is not a column of its runs \(did you mean "
                                           r"fell_hama\?\); its columns: fell_hama, "):            # spelt alike
        _holds("fell_homs < 3")
    with pytest.raises(OutcomeError, match=r"\(did you mean fell_hama, held_hama\?\)"):
        _holds("fell_ham < 3")
    with pytest.raises(OutcomeError, match="held_hama holds names \\(such as hts, saa\\), not numbers"):
        _holds("held_hama > 2")
    with pytest.raises(OutcomeError, match="fell_hama holds numbers"):
        _holds("fell_hama == hts")
    many = [f"fell_place_{k}" for k in range(40)]
    with pytest.raises(OutcomeError) as error:                 # a study's hundreds of columns: the first few
        evaluate(parse_outcome("x"), pd.DataFrame(columns=many), many, "study")
    assert "(did you mean" not in str(error.value)              # 'x' is in too many names to suggest any
    assert str(error.value).endswith("fell_place_23 and 16 more (the header of the study's runs.csv)")


def test_the_errors_an_analyst_meets_are_one_line_each(study, tmp_path, capsys):
    def error(*argv) -> str:
        assert main(["discover", *argv]) == 2
        out, err = capsys.readouterr()
        assert "Traceback" not in err and err.count("\n") == 1
        return err

    assert "not a study directory (no manifest.json)" in error(str(tmp_path), "--outcome", "made")
    assert "no such directory" in error(str(tmp_path / "nowhere"), "--outcome", "made")
    assert f"holds in 0 of {POINTS} runs: nothing to discover" in error(str(study), "--outcome", "made > 1")
    assert f"holds in {POINTS} of {POINTS} runs" in error(str(study), "--outcome", "made or not made")
    assert "'pay', which is not a column of its runs (did you mean factions.saa.pay?)" in error(
        str(study), "--outcome", "pay < 0.3")
    assert "--threshold 1.5: a density" in error(str(study), "--outcome", "made", "--threshold", "1.5")
    unfinished = _copy(study, tmp_path)
    (unfinished / "runs.parquet").unlink()
    assert "has not finished (no runs.parquet)" in error(str(unfinished), "--outcome", "made")


def test_a_name_that_matches_no_run_lists_the_names_the_column_takes(study, tmp_path, capsys):
    """held_ columns hold side ids: `held_hama == hts` matches nothing, and the error shows what would."""
    copy = _copy(study, tmp_path)
    runs = pd.read_parquet(copy / "runs.parquet")
    runs["held_hama"] = np.where(runs[PAY] < CUT, "opposition", "regime")
    runs.to_parquet(copy / "runs.parquet", index=False)
    assert main(["discover", str(copy), "--outcome", "held_hama == hts"]) == 2
    err = capsys.readouterr().err
    assert "holds in 0 of" in err and "held_hama takes: opposition, regime;" in err


def test_a_fall_cut_off_by_the_regimes_collapse_is_said_with_the_column_that_counts_it(study, tmp_path, capsys):
    """A run ends when a regime collapses: fell_damascus is empty where the regime collapsed before anyone
    entered Damascus, and `fell_damascus < 10` would count those runs as Damascus holding."""
    copy = _copy(study, tmp_path)
    runs = pd.read_parquet(copy / "runs.parquet")
    fell = runs[PAY] < CUT
    collapsed = ~fell & (runs[MORALE] < runs[MORALE].median())
    runs["fell_damascus"] = np.where(fell, 5.0, np.nan)
    runs["collapsed_regime"] = np.where(collapsed, 8.0, np.nan)
    runs["lost_regime_damascus"] = np.where(fell, 5.0, runs["collapsed_regime"])
    runs.to_parquet(copy / "runs.parquet", index=False)
    out = tmp_path / "cut"
    assert main(["discover", str(copy), "--outcome", "fell_damascus < 10", "--out", str(out)]) == 0
    caution = (f"fell_damascus is empty in {int(collapsed.sum())} of {POINTS} runs that ended at the regime's "
               "collapse before anyone entered damascus")
    printed = capsys.readouterr().out
    assert caution in printed and "use lost_regime_damascus" in printed
    assert caution in unescape((out / "discover.html").read_text())
    # the column that counts the collapse draws no caution
    assert main(["discover", str(copy), "--outcome", "lost_regime_damascus < 10", "--out", str(tmp_path / "l")]) == 0
    assert "runs that ended at the regime's collapse" not in capsys.readouterr().out     # (the one-seed caution stays)


def test_without_the_analysis_extra_discover_says_which_to_install(monkeypatch, capsys, study):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ema_workbench" else real(name, *a))
    assert main(["discover", str(study), "--outcome", "made"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 'discover' needs the analysis extra (ema_workbench not installed)")
    assert 'pip install -e ".[analysis]"' in err and err.count("\n") == 1


def test_restrictions_chance_explains_are_dropped_so_noise_yields_no_box(study):
    """On outcomes that are coin flips (seeded), PRIM alone peels its way to boxes of two or three
    parameters; once the restrictions chance explains (quasi-p above 0.05) are dropped, none remains."""
    from wargame.output import load_study
    from wargame.study.discover import find_boxes

    loaded = load_study(study)
    flips = [np.random.default_rng(seed).random(POINTS) < 0.35 for seed in range(8)]
    peeled = [len(find_boxes(loaded, y, significance=1.0)[0].limits) for y in flips]
    kept = [len(find_boxes(loaded, y)[0].limits) for y in flips]
    assert sum(n > 0 for n in peeled) >= 6
    assert sum(n > 0 for n in kept) <= 1


def test_once_a_chance_restriction_is_dropped_the_parameter_left_is_peeled_again():
    """A user trial's sweep (16 runs of hts_2024; the outcome end_day > 11 holds where Russia's Ukraine cap
    is 0.637 or more): PRIM peeled the two runs at caps 0.56 and 0.58 off pay, a restriction chance explains;
    dropping it put them back and left a box short of the threshold (density 0.71). Peeled again on the cap
    alone, the box reaches it and the runs below 0.56 stay out."""
    from types import SimpleNamespace

    from wargame.study.discover import find_boxes

    cap = "actors.russia_hq.ukraine_cap"
    pays = [0.2036, 0.1526, 0.1124, 0.2079, 0.2747, 0.0636, 0.0717, 0.0923, 0.2487, 0.286, 0.1434, 0.2328,
            0.118, 0.2631, 0.178, 0.1626]
    caps = [0.3312, 0.206, 0.3838, 0.5596, 0.6374, 0.5782, 0.2909, 0.7518, 0.7774, 0.4801, 0.6563, 0.4,
            0.5238, 0.2498, 0.7083, 0.4364]
    runs = pd.DataFrame({PAY: pays, cap: caps})
    study = SimpleNamespace(runs=runs, parameters=[PAY, cap], ranges={PAY: (0.05, 0.3), cap: (0.2, 0.8)})
    holds = runs[cap].to_numpy() > 0.6
    [box] = find_boxes(study, holds, {PAY: UNCERTAINTY, cap: LEVER})
    assert box.dropped == [PAY] and box.repeeled == [cap] and box.density_before < 0.8
    assert box.limits["parameter"].tolist() == [cap] and box.meets_threshold and box.coverage == 1.0
    assert 0.5238 < box.limits["low"].iloc[0] <= 0.6374 and box.limits["high"].iloc[0] == 0.8
    # the box's runs are those within its limits, so later boxes leave exactly them out
    assert box.runs == int((runs[cap] >= box.limits["low"].iloc[0]).sum())
    # a box still short of the threshold says why, and what to do
    from dataclasses import replace

    from wargame.study.discover_report import box_notes

    discovery = SimpleNamespace(holds=holds, share=holds.mean(), threshold=0.8)
    assert not any("short because" in note for note in box_notes(box, discovery))
    notes = box_notes(replace(box, meets_threshold=False), discovery)
    assert "short because PRIM peels 5% of the box's runs at a step (at least one run), so on 16 runs its steps " \
           "are coarse: run more points, or give a lower --threshold" in notes


def test_a_study_states_roles_in_its_file_or_on_the_command_line(tmp_path):
    from wargame.core.errors import ScenarioError
    from wargame.study.launch import study_from_options
    from wargame.study.spec import load_study

    good = tmp_path / "roles.toml"
    good.write_text(f'kind = "sweep"\nscenario = "{DUEL}"\n[parameters]\n"{PAY}" = {{ role = "lever" }}\n'
                    f'"{MORALE}" = {{}}\n')
    spec, _ = load_study(good)
    assert spec.parameters[PAY].role == LEVER and spec.parameters[MORALE].role is None
    bad = tmp_path / "bad.toml"
    bad.write_text(f'kind = "sweep"\nscenario = "{DUEL}"\n[parameters]\n"{PAY}" = {{ role = "policy" }}\n')
    with pytest.raises(ScenarioError, match=f"bad.toml.*parameters.{PAY}.role"):
        load_study(bad)
    spec, _ = study_from_options("sweep", scenario=DUEL, parameters=[PAY, MORALE], uncertainties=[PAY],
                                 levers=[MORALE])
    assert spec.parameters[PAY].role == UNCERTAINTY and spec.parameters[MORALE].role == LEVER
    with pytest.raises(ScenarioError, match=f"--lever.*{ATTRITION}.*not a parameter this study varies"):
        study_from_options("sweep", scenario=DUEL, parameters=[PAY], levers=[ATTRITION])
    with pytest.raises(ScenarioError, match="named by --uncertainty too"):
        study_from_options("sweep", scenario=DUEL, parameters=[PAY], levers=[PAY], uncertainties=[PAY])


def test_the_box_chosen_is_the_widest_that_reaches_the_threshold_else_the_densest():
    from wargame.study.discover import choose

    trajectory = pd.DataFrame({"coverage": [1.0, 0.9, 0.9, 0.6], "density": [0.3, 0.82, 0.85, 0.97],
                               "res_dim": [0, 2, 1, 3]})
    assert choose(trajectory, 0.8) == (2, True)           # coverage 0.9 twice: the one of fewer parameters
    assert choose(trajectory, 0.9) == (3, True)
    assert choose(trajectory, 0.99) == (3, False)         # none reaches it: the densest, flagged


def test_of_the_boxes_at_the_threshold_the_first_clear_of_chance_is_chosen():
    """The widest box at the threshold is often one peel short of a clear one (its limit's quasi-p 0.055):
    a box whose every restriction is significant comes first, and without one the widest is kept."""
    from wargame.study.discover import choose

    trajectory = pd.DataFrame({"coverage": [1.0, 1.0, 1.0, 0.8], "density": [0.3, 0.8, 0.89, 1.0],
                               "res_dim": [0, 1, 1, 2]})
    assert choose(trajectory, 0.8, significant=lambda step: step != 1) == (2, True)
    assert choose(trajectory, 0.8, significant=lambda step: step == 3) == (3, True)
    assert choose(trajectory, 0.8, significant=lambda step: False) == (1, True)
    assert choose(trajectory, 0.8) == (1, True)


def test_discover_reads_the_study_through_load_study_whose_ranges_and_checks_it_uses(study, tmp_path, capsys):
    from wargame.output import load_study

    loaded = load_study(study)
    assert loaded.parameters == [PAY, ATTRITION, MORALE] and loaded.ranges[PAY] == (0.1, 0.8)
    assert loaded.seed == 11
    broken = _copy(study, tmp_path)
    (broken / "runs.parquet").write_bytes((study / "runs.parquet").read_bytes()[:100])      # cut short
    assert main(["discover", str(broken), "--outcome", "made"]) == 2
    assert "runs.parquet: not readable" in capsys.readouterr().err
    runs = pd.read_parquet(study / "runs.parquet").drop(columns=[MORALE])
    runs.to_parquet(broken / "runs.parquet", index=False)
    assert main(["discover", str(broken), "--outcome", "made"]) == 2
    assert f"lacks the parameter columns {MORALE} the manifest names" in capsys.readouterr().err
    shutil.copy(study / "runs.parquet", broken / "runs.parquet")
    (broken / "points.csv").write_text('a,"b\n')                                    # an unclosed quote
    assert main(["discover", str(broken), "--outcome", "made"]) == 2
    assert "points.csv: not readable" in capsys.readouterr().err
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["parameters"] = {"path": PAY}
    (broken / "manifest.json").write_text(json.dumps(manifest))
    assert main(["discover", str(broken), "--outcome", "made"]) == 2
    assert "manifest.json: parameters is not a list of {path, low, high}" in capsys.readouterr().err


def test_a_study_of_one_run_a_point_is_cautioned_that_a_box_may_follow_one_seed(study, capsys):
    from wargame.study.discover import single_run_caution

    once = pd.DataFrame({"point": [0, 1, 2], "x": [1.0, 2.0, 3.0]})
    twice = pd.DataFrame({"point": [0, 0, 1, 1], "x": [1.0, 1.0, 2.0, 2.0]})
    assert "same seed" in single_run_caution(once)[0] and single_run_caution(twice) == []
    assert main(["discover", str(study), "--outcome", "made", "--out", str(study.parent / "once")]) == 0
    assert "CAUTION  each design point was run once" in capsys.readouterr().out


def test_the_trajectory_draws_the_reported_box_in_the_colour_of_the_parameters_it_restricts(study):
    """A peeling step at the same point may restrict more parameters than the box kept once chance
    restrictions were dropped: the box's own dot, on top, says how many it restricts."""
    import matplotlib.pyplot as plt

    from wargame.study.discover import discover
    from wargame.study.discover_charts import figure_trajectory

    found = discover(study, "made")
    fig = figure_trajectory(found)
    [top] = [c for c in fig.axes[0].collections if c.get_zorder() == 4]
    assert list(top.get_array()) == [len(found.boxes[0].limits)]
    plt.close(fig)

