"""The command that makes a run again names paths as the user can type them on any machine: a built-in
scenario by name with its overrides, a saved scenario.toml relative to the working directory, or as
"<run directory>/scenario.toml" with a note to type it from the directory above: never this machine's
absolute path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from wargame.core.scenario import load_scenario
from wargame.output.rundir import ABOVE_NOTE, reproduce_command, shown_path

ROOT = Path(__file__).resolve().parents[1]


def test_a_run_inside_the_working_directory_is_reproduced_by_its_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command, note = reproduce_command(tmp_path / "runs" / "hts_2024-seed1", 1)
    assert command == "python run.py run runs/hts_2024-seed1/scenario.toml --seed 1" and note == ""


def test_a_run_outside_the_working_directory_names_its_saved_file_with_a_note(tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    command, note = reproduce_command(tmp_path / "elsewhere" / "r1", 7)
    assert command == "python run.py run r1/scenario.toml --seed 7" and note == ABOVE_NOTE.format(name="r1")
    assert "the directory that holds r1/" in note
    assert str(tmp_path) not in command + note


def test_a_builtin_scenario_is_reproduced_by_name_with_its_overrides_as_set_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = load_scenario("hts_2024", {"factions.saa.pay": 0.1 + 0.2, "meta.title": "it's mine"})
    command, note = reproduce_command(tmp_path / "elsewhere" / "r1", 3, loaded=loaded)
    assert command == ("python run.py run hts_2024 --set factions.saa.pay=0.30000000000000004 "
                       "--set 'meta.title=\"it'\"'\"'s mine\"' --seed 3") and note == ""
    mine = tmp_path / "mine.toml"                              # a file of the user's: its saved copy
    mine.write_text('extends = "hts_2024"\n', encoding="utf-8")
    command, _ = reproduce_command(tmp_path / "r2", 3, loaded=load_scenario(mine))
    assert command == "python run.py run r2/scenario.toml --seed 3"


def test_a_runs_recorded_command_run_as_written_makes_the_same_run(tmp_path):
    """The command in run.json, typed in the checkout, makes the run again bit for bit (a run written
    outside the checkout: its scenario by name and --set)."""
    first = tmp_path / "first"
    base = [sys.executable, "run.py", "run"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run(base + ["hts_2024", "--set", "factions.saa.pay=0.07", "--seed", "2", "--no-report", "--quiet",
                                  "--out", str(first)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    info = json.loads((first / "run.json").read_text(encoding="utf-8"))
    assert info["reproduce"] == "python run.py run hts_2024 --set factions.saa.pay=0.07 --seed 2"
    again = tmp_path / "again"
    words = info["reproduce"].split()[3:]
    done = subprocess.run(base + words + ["--no-report", "--quiet", "--out", str(again)], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (again / "metrics.csv").read_bytes() == (first / "metrics.csv").read_bytes()


def test_scenario_names_stay_names_and_files_are_shown_relative_or_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text("")
    assert shown_path("hts_2024") == "hts_2024"
    assert shown_path(tmp_path / "mine.toml") == "mine.toml"
    assert shown_path("/somewhere/else/theirs.toml") == "theirs.toml"


def test_a_study_command_shows_no_absolute_path(tmp_path, monkeypatch):
    from wargame.cli.studies import typed_again

    monkeypatch.chdir(tmp_path)
    assert typed_again(str(tmp_path / "runs" / "sweep")) == "runs/sweep"
    assert typed_again(str(tmp_path.parent / "elsewhere" / "sweep_saa.toml")) == "../elsewhere/sweep_saa.toml"
    assert typed_again(f"--out={tmp_path}/s") == "--out=s"
    assert typed_again("factions.saa.pay") == "factions.saa.pay" and typed_again("--reps") == "--reps"
