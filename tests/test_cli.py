"""The command line as a package: one line naming the extra to install when a command needs one that is
missing (never a traceback), and the work behind the commands callable with plain arguments."""

import importlib.util
import sys

import pytest

from wargame.cli import COMMANDS, main
from wargame.cli.support import require_extra
from wargame.core.errors import ScenarioError, WargameError


def _missing(monkeypatch, *names):
    """find_spec answers None for these modules, as on an install without their extra."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in names else real(name, *a))


def _one_line(capsys, extra: str, command: str) -> str:
    out, err = capsys.readouterr()
    assert err.startswith(f"error: '{command}' needs the {extra} extra") and err.count("\n") == 1, err
    assert f'pip install -e ".[{extra}]"' in err and "Traceback" not in err + out
    return err


@pytest.mark.parametrize(("argv", "module", "extra", "command"), [
    (["lab"], "solara", "web", "lab"),
    (["lab", "hts_2024", "--port", "0"], "solara_assets", "web", "lab"),
    (["serve", "--port", "0"], "uvicorn", "web", "serve"),
    (["serve"], "starlette", "web", "serve"),
    (["sensitivity", "hts_2024", "--param", "factions.saa.pay"], "SALib", "analysis", "sensitivity"),
    (["calibrate", "hts_2024", "--param", "factions.saa.pay"], "optuna", "analysis", "calibrate"),
    (["sweep", "hts_2024", "--param", "factions.saa.pay", "--scheduler", "tcp://127.0.0.1:1"], "distributed",
     "distributed", "--scheduler"),
])
def test_a_missing_extra_is_one_line_naming_it(monkeypatch, capsys, tmp_path, argv, module, extra, command):
    _missing(monkeypatch, module)
    assert main([*argv, *(["--out", str(tmp_path / "study")] if argv[0] in ("sweep", "sensitivity",
                                                                                  "calibrate") else [])]) == 2
    assert module in _one_line(capsys, extra, command)
    assert not (tmp_path / "study").exists()


def test_a_missing_extra_seen_through_sys_modules_and_the_scheduler_variable(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "optuna", None)          # how Python marks a module that cannot be imported
    assert main(["calibrate", "hts_2024", "--param", "factions.saa.pay", "--out", str(tmp_path / "c")]) == 2
    _one_line(capsys, "analysis", "calibrate")
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    assert main(["sweep", "hts_2024", "--param", "factions.saa.pay", "--out", str(tmp_path / "s")]) == 2
    _one_line(capsys, "distributed", "DASK_SCHEDULER_ADDRESS")


def test_require_extra_passes_when_installed_and_names_every_missing_module(monkeypatch):
    require_extra(("pytest", "importlib"), "test", "x")
    _missing(monkeypatch, "a_module", "another")
    with pytest.raises(WargameError, match=r"'x' needs the web extra \(a_module, another not installed\)"):
        require_extra(("a_module", "pytest", "another"), "web", "x")


def test_every_command_is_dispatched_and_help_runs_without_work(capsys):
    assert set(COMMANDS) == {"run", "compare", "report", "map", "scenarios", "validate", "validate-history",
                             "counterfactuals", "places", "sweep", "sensitivity", "calibrate", "play", "lab",
                             "serve", "discover", "fans"}
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "python run.py COMMAND --help" in capsys.readouterr().out


def test_one_default_scenario():
    from wargame import lab
    from wargame.cli.parser import build_parser
    from wargame.core.scenario import CLASSROOM_SCENARIO, DEFAULT_SCENARIO
    from wargame.play.game import Game

    parser = build_parser()
    assert parser.parse_args(["run"]).scenario == DEFAULT_SCENARIO == lab.DEFAULT_SCENARIO == "hts_2024"
    assert parser.parse_args(["map"]).scenario == parser.parse_args(["lab"]).scenario == DEFAULT_SCENARIO
    assert parser.parse_args(["play"]).scenario == CLASSROOM_SCENARIO == "hts_2024_classroom"
    assert Game.create.__defaults__[0] == CLASSROOM_SCENARIO


# ------------------------------------------------------------- the work, with plain arguments


def test_overrides_are_parsed_with_every_mistake_reported_at_once():
    from wargame.core.scenario import parse_overrides

    assert parse_overrides(["factions.saa.pay=0.3", "meta.title=x"]) == {"factions.saa.pay": 0.3, "meta.title": "x"}
    with pytest.raises(ScenarioError) as raised:
        parse_overrides(["nothing", "factions.saa.pay=", "ok.path=1"])
    assert len(raised.value.problems) == 2


def test_the_catalogue_gives_lines_and_prints_nothing(capsys, tmp_path):
    from wargame.report.catalogue import draw_theatre_map, parameter_lines, place_lines, scenario_list_lines

    listed = scenario_list_lines()
    assert any(line.split()[0] == "hts_2024" and "27 Nov 2024" in line for line in listed[1:])
    assumptions = parameter_lines("hts_2024", assumptions_only=True)
    assert "that are assumptions" in assumptions[1] and len(assumptions) < len(parameter_lines("hts_2024"))
    assert all(" airbase " in line for line in place_lines("airbase")[1:])
    with pytest.raises(WargameError, match=r"\.png, \.svg or \.pdf"):
        draw_theatre_map("hts_2024", tmp_path / "map.txt")
    assert capsys.readouterr() == ("", "")


def test_a_study_from_options_without_a_command_line():
    from wargame.study.launch import study_from_options

    spec, source = study_from_options("sweep", scenario="hts_2024", parameters=["factions.saa.pay=0.1:0.3",
                                      "rules.morale.contagion_weight=0.05,0.1"], replicates=3,
                                      outputs=["aleppo_days"], overrides=["factions.saa.legitimacy=0.5"],
                                      settings={"kind": "grid", "levels": 3, "points": None})
    assert source == "the command line" and spec.kind == "sweep" and spec.replicates == 3
    assert spec.parameters["factions.saa.pay"].range == [0.1, 0.3]
    assert spec.design.kind == "grid" and spec.design.levels == 3
    assert spec.overrides == {"factions.saa.legitimacy": 0.5}
    with pytest.raises(ScenarioError, match="LOW:HIGH"):
        study_from_options("sweep", scenario="hts_2024", parameters=["factions.saa.pay=a:b"])
    with pytest.raises(WargameError, match="give a scenario"):
        study_from_options("calibrate")


def test_a_report_that_fails_to_draw_costs_the_report_not_the_run(tmp_path, monkeypatch, capsys):
    import wargame.report.render

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(wargame.report.render, "render_run", broken)
    out = tmp_path / "run"
    assert main(["run", "hts_2024_classroom", "--out", str(out), "--no-animation"]) == 0
    printed, err = capsys.readouterr()
    assert (f"warning: the report could not be drawn (RuntimeError: no fonts); the run's data is written; draw "
            f"it again with: python run.py report {out}") in err
    assert "Reproduce with" in printed and "report   " not in printed
    assert (out / "metrics.csv").is_file() and not (out / "report.html").exists()


def test_a_studys_indices_are_printed_with_significant_figures_and_full_parameter_paths(tmp_path, capsys):
    """mu* of a share is small: 0.0036 printed to two decimals would be "0.00", a parameter without effect."""
    from wargame.cli.studies import _print_study
    from wargame.study.launch import StudyResult

    done = StudyResult(tmp_path, tmp_path / "report.html", ["indices.csv"],
                       ranking={"regime_territory": [("rules.morale.contagion_weight", 0.0035775),
                                                     ("factions.saa.pay", 0.0)]})
    _print_study("sensitivity", "hts_2024", done)
    assert "regime_territory: rules.morale.contagion_weight 0.00358, factions.saa.pay 0\n" in capsys.readouterr().out


@pytest.mark.parametrize(("method", "index"), [("morris", "mu*"), ("sobol", "ST")])
def test_a_studys_ranking_line_names_its_index(tmp_path, capsys, method, index):
    """"aleppo_days: contagion_weight 1.12" does not say what 1.12 is; the line names Morris's mu* or Sobol's ST."""
    from wargame.cli.studies import _print_study
    from wargame.study.launch import StudyResult, sensitivity_index

    done = StudyResult(tmp_path, tmp_path / "report.html", ["indices.csv"],
                       ranking={"aleppo_days": [("rules.morale.contagion_weight", 1.12)]},
                       index=sensitivity_index(method))
    _print_study("sensitivity", "hts_2024", done)
    assert f"aleppo_days: {index} rules.morale.contagion_weight 1.12\n" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "hts_2024", "--reps", "-1"], "argument --reps: -1: must be 1 or more"),
    (["run", "hts_2024", "--reps", "0"], "argument --reps: 0: must be 1 or more"),
    (["run", "hts_2024", "--seed", "-1"], "argument --seed: -1 is negative; seeds are 0 or more"),
    (["discover", "somewhere", "--outcome", "x", "--boxes", "two"], "argument --boxes: 'two' is not a whole number"),
])
def test_a_count_that_is_not_one_or_more_says_so_and_a_seed_says_what_seeds_are(argv, message, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err


def test_write_targets_without_a_scenario_is_one_clear_line(capsys):
    assert main(["calibrate", "--write-targets", "targets.toml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: calibrate --write-targets: give the scenario") and err.count("\n") == 1


def test_the_command_line_starts_without_xarray():
    """xarray (some 0.12 s to import) is loaded by what reads or writes series, not by the parser: a run,
    the classroom server and --help start without it."""
    import subprocess
    import sys

    code = "import sys, wargame.cli.parser as p; p.build_parser(); print('xarray' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_a_calibrations_best_line_gives_a_command_that_runs_from_the_working_directory(tmp_path, capsys,
                                                                                          monkeypatch):
    """`python run.py run best.toml` fails from the checkout: the path is given as it is typed from there."""
    from wargame.cli.studies import _print_study
    from wargame.study.launch import StudyResult

    study = tmp_path / "runs" / "cal"
    study.mkdir(parents=True)
    (study / "best.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    done = StudyResult(study, study / "report.html", ["best.toml"], ranking={}, best=study / "best.toml")
    _print_study("calibration", "hts_2024", done)
    assert "(python run.py run runs/cal/best.toml)" in capsys.readouterr().out
    from wargame.study.calibrate import run_best_command
    assert run_best_command(study / "best.toml", cwd=tmp_path / "elsewhere") == "python run.py run ../runs/cal/best.toml"
