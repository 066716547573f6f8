"""The command that makes a run again names paths as the user can type them on any machine: relative to
the working directory, or the saved file's name with a note, never this machine's absolute path."""

from __future__ import annotations

from wargame.output.rundir import OUTSIDE_NOTE, reproduce_command, shown_path


def test_a_run_inside_the_working_directory_is_reproduced_by_its_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command, note = reproduce_command(tmp_path / "runs" / "hts_2024-seed1", 1)
    assert command == "python run.py run runs/hts_2024-seed1/scenario.toml --seed 1" and note == ""


def test_a_run_outside_the_working_directory_names_its_saved_file_with_a_note(tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    command, note = reproduce_command(tmp_path / "elsewhere" / "r1", 7)
    assert command == "python run.py run scenario.toml --seed 7" and note == OUTSIDE_NOTE
    assert str(tmp_path) not in command


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
    assert typed_again("/elsewhere/sweep_saa.toml") == "sweep_saa.toml"
    assert typed_again(f"--out={tmp_path}/s") == "--out=s"
    assert typed_again("factions.saa.pay") == "factions.saa.pay" and typed_again("--reps") == "--reps"
