"""The loader's bounds and well-formedness checks (issue 12, items 3, 4, 6 and 7): each reproduction of the
issue gets an error naming the file (or override), the field and the limit, never a traceback; and
interrupted outputs leave nothing behind once the command is run again."""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from wargame.cli import main
from wargame.core.errors import ScenarioError, WargameError
from wargame.core.scenario import load_scenario, parse_override
from wargame.core.scenario.limits import (
    MAX_CONTROL_AREAS,
    MAX_DEPTH,
    MAX_EXTENDS,
    MAX_FILE_BYTES,
    MAX_POLYGON_POINTS,
    MAX_TIMELINE,
    MAX_UNITS,
)

DUEL = Path(__file__).parent / "data" / "duel.toml"


def duel_child(body: str) -> str:
    return f'extends = "{DUEL}"\n{body}'


def messages(exc_info) -> list[str]:
    return [str(p) for p in exc_info.value.problems]


def refused(path_or_name, overrides=None) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path_or_name, overrides)
    return messages(err)


# ---------------------------------------------------------------- item 3: no traceback from the loader


@pytest.mark.parametrize("value, field", [
    ("[" * 1000 + "]" * 1000, "x"),
    ("{a = " * 1000 + "1" + "}" * 1000, "x"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "x"),
])
def test_deep_nesting_in_a_file_is_refused_before_tomllib_recurses(write_toml, value, field):
    path = write_toml(duel_child(f"[meta]\nx = {value}\n"))
    (msg,) = refused(path)
    assert str(path) in msg and f"meta.{field}" in msg and f"more than {MAX_DEPTH} levels" in msg and "line 3" in msg


def test_deep_nesting_by_dotted_keys_is_refused(write_toml):
    path = write_toml(duel_child(".".join(["a"] * 1000) + " = 1\n"))
    (msg,) = refused(path)
    assert str(path) in msg and "a.a.a" in msg and f"more than {MAX_DEPTH} levels" in msg


@pytest.mark.parametrize("text", ['x = "\\' * 1_500_000, 'x = """' + '\\"' * 1_500_000, "x = " + "[" * 3_000_000,
                                  "x = " + "[]," * 1_000_000, 'x = "' + "9" * 3_000_000 + '"\n' + "[" * 40])
def test_pathological_texts_are_answered_quickly(write_toml, text):
    path = write_toml(text)
    start = time.perf_counter()
    (msg,) = refused(path)
    assert str(path) in msg and time.perf_counter() - start < 10


def test_nesting_within_the_limit_is_merely_an_unknown_key(write_toml):
    path = write_toml(duel_child("[meta]\nx = " + "[" * 20 + "]" * 20 + "\n"))
    assert any("meta.x" in m and "unknown key" in m for m in refused(path))


def test_deep_nesting_in_an_override():
    with pytest.raises(ScenarioError) as err:
        parse_override("factions.saa.pay=" + "[" * 1000 + "]" * 1000)
    (msg,) = messages(err)
    assert msg.startswith("override ") and "factions.saa.pay" in msg and f"more than {MAX_DEPTH} levels" in msg
    with pytest.raises(ScenarioError, match="at most 32 levels deep"):
        parse_override(".".join(["a"] * 1000) + "=1")
    deep: list = []
    for _ in range(1000):
        deep = [deep]
    (msg,) = refused(DUEL, {"factions.saa.pay": deep})
    assert msg.startswith("override factions.saa.pay=") and f"more than {MAX_DEPTH} levels" in msg


def test_a_long_extends_chain_is_refused_and_a_short_one_loads(tmp_path):
    parent = str(DUEL)
    for i in range(MAX_EXTENDS - 1):                 # duel.toml and 15 files: 16 in all, the most allowed
        (tmp_path / f"c{i}.toml").write_text(f'extends = "{parent}"\n', encoding="utf-8")
        parent = str(tmp_path / f"c{i}.toml")
    assert len(load_scenario(parent).files) == MAX_EXTENDS
    for i in range(MAX_EXTENDS - 1, 1200):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "{parent}"\n', encoding="utf-8")
        parent = str(tmp_path / f"c{i}.toml")
    start = time.perf_counter()
    (msg,) = refused(parent)
    assert "extends" in msg and f"longer than {MAX_EXTENDS} files" in msg and "c1199.toml" in msg
    assert time.perf_counter() - start < 5


def test_extends_loops_name_the_files(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    (msg,) = refused(tmp_path / "a.toml")
    assert "extends" in msg and "inheritance loops" in msg and "a.toml -> " in msg and "b.toml" in msg


@pytest.mark.parametrize("digits", [5000, 101])
def test_a_huge_integer_in_a_file_names_the_field(write_toml, digits):
    path = write_toml(duel_child(f"[factions.saa]\npay = {'9' * digits}\n"))
    (msg,) = refused(path)
    assert str(path) in msg and "factions.saa.pay" in msg and f"{digits:,} digits" in msg and "at most 100" in msg


def test_an_integer_beyond_64_bits_names_the_field(write_toml):
    path = write_toml(duel_child(f"[factions.saa]\npay = {10**30}\n"))
    (msg,) = refused(path)
    assert "factions.saa.pay" in msg and "64 bits" in msg and "31-digit" in msg
    (msg,) = refused(DUEL, {"factions.saa.pay": 10**5000})
    assert msg.startswith("override factions.saa.pay=<a huge number>") and "64 bits" in msg


def test_a_huge_integer_in_an_override_names_the_override_and_field(capsys):
    with pytest.raises(ScenarioError) as err:
        parse_override("factions.saa.pay=" + "9" * 5000)
    (msg,) = messages(err)
    assert msg.startswith("override 'factions.saa.pay=999") and "...': factions.saa.pay:" in msg and len(msg) < 300
    assert main(["validate", "hts_2024", "--set", "factions.saa.pay=" + "9" * 5000]) == 2
    err = capsys.readouterr().err
    assert "factions.saa.pay" in err and "Traceback" not in err
    with pytest.raises(ScenarioError) as err:
        parse_override(f"factions.saa.pay={10**25}")
    (msg,) = messages(err)
    assert msg.startswith("override 'factions.saa.pay=1000") and ": factions.saa.pay: a 26-digit" in msg
    assert "64 bits" in msg


def test_a_file_name_too_long_for_the_file_system(capsys):
    assert main(["validate", "a" * 5000 + ".toml"]) == 2
    err = capsys.readouterr().err
    assert "cannot be read" in err and "Traceback" not in err and len(err) < 400


# ---------------------------------------------------------------- item 4: invalid data refused


POLYGONS = {
    "control": ('[[control]]\nside = "opposition"\npolygon = {}\n', "control[0].polygon"),  # replaces the list
    "freeze": ("[actors.turkey]\nfreeze_polygon = {}\n", "actors.turkey.freeze_polygon"),
    "area": ('[objectives.area]\nside = "opposition"\nkind = "area"\narea = {}\n', "objectives.area.area"),
}


@pytest.mark.parametrize("where", sorted(POLYGONS))
@pytest.mark.parametrize("points, expected", [
    ("[[nan, 36.5], [35.0, 36.6], [35.1, 36.9]]", "must be a finite number"),
    ("[[35.0, inf], [35.0, 36.6], [35.1, 36.9]]", "must be a finite number"),
    ("[[35.0, -inf], [35.0, 36.6], [35.1, 36.9]]", "must be a finite number"),
    ("[]", "at least three points"),
    ("[[35.0, 36.5]]", "at least three points"),
    ("[[35.0, 36.5], [35.1, 36.6]]", "at least three points"),
    ("[[35.0, 36.5], [35.0, 36.5], [35.0, 36.5]]", "three distinct points"),
    ("[[95.0, 36.5], [35.0, 36.6], [35.1, 36.9]]", "latitude must lie within -90 to 90"),
    ("[[35.0, 365.0], [35.0, 36.6], [35.1, 36.9]]", "longitude must lie within -180 to 180"),
    ("[[35.0], [35.0, 36.6], [35.1, 36.9]]", "at least 2 items"),
])
def test_polygons_must_be_finite_and_well_formed(write_toml, where, points, expected):
    body, field = POLYGONS[where]
    path = write_toml(duel_child(body.format(points)))
    found = refused(path)
    assert any(field in m and expected in m and str(path) in m for m in found), found


def test_a_polygon_of_too_many_points(write_toml):
    ring = ", ".join(f"[{35 + i / 10_000:.5f}, {36.5 + (i % 2) / 10}]" for i in range(MAX_POLYGON_POINTS + 1))
    path = write_toml(duel_child(f"[actors.turkey]\nfreeze_polygon = [{ring}]\n"))
    (msg,) = refused(path)
    assert "actors.turkey.freeze_polygon" in msg and f"at most {MAX_POLYGON_POINTS:,}" in msg


def test_a_good_freeze_polygon_loads(write_toml):
    path = write_toml(duel_child("[actors.turkey]\nfreeze_polygon = [[35.0, 36.5], [35.0, 36.6], [35.1, 36.9]]\n"))
    assert load_scenario(path).scenario.actors.turkey.freeze_polygon[2] == [35.1, 36.9]


@pytest.mark.parametrize("rng, expected", [
    ("[nan, nan]", "finite numbers"), ("[0.1, inf]", "finite numbers"), ("[0.5, 0.2]", "must not exceed"),
    ("[-0.1, 0.5]", "allowed values: >= 0 and <= 1"),
])
def test_a_parameter_range_must_be_finite_ordered_and_within_the_hard_bounds(write_toml, rng, expected):
    path = write_toml(duel_child(f"[factions.saa]\npay = {{ value = 0.2, range = {rng} }}\n"))
    (msg,) = refused(path)
    assert str(path) in msg and "factions.saa.pay.range" in msg and expected in msg


def test_a_range_may_not_reach_a_bound_the_value_may_not_equal(write_toml):
    path = write_toml(duel_child("[rules.combat]\nreference_power = { value = 2000.0, range = [0.0, 1.0] }\n"))
    (msg,) = refused(path)
    assert "rules.combat.reference_power.range" in msg and "> 0" in msg
    (msg,) = refused(DUEL, {"rules.combat.reference_power": {"value": 2000.0, "range": [0.0, 5000.0]}})
    assert msg.startswith("override rules.combat.reference_power=") and "> 0 and <= 1e+06" in msg


def test_non_finite_values_anywhere_are_refused(write_toml):
    path = write_toml(duel_child("[rules.combat]\nreference_power = nan\n[units.defender]\nlat = inf\n"))
    found = "\n".join(refused(path))
    assert "rules.combat.reference_power: nan is not allowed: must be a finite number" in found
    assert "units.defender.lat: inf is not allowed" in found
    (msg,) = refused(DUEL, {"rules.combat.frontage_per_km": float("inf")})
    assert msg.startswith("override rules.combat.frontage_per_km=inf") and "finite" in msg


def test_a_unit_may_not_be_its_own_parent(write_toml):
    path = write_toml(duel_child('[units.defender]\nparent = "defender"\n'))
    (msg,) = refused(path)
    assert str(path) in msg and "units.defender.parent" in msg and "its own parent" in msg


def test_a_chain_of_command_may_not_loop(write_toml):
    body = ('[units.defender]\nparent = "second"\n'
            '[units.second]\nfaction = "saa"\nname = "Second"\nat = "hama"\npersonnel = 500\nparent = "third"\n'
            '[units.third]\nfaction = "saa"\nname = "Third"\nat = "hama"\npersonnel = 500\nparent = "defender"\n'
            '[units.fourth]\nfaction = "saa"\nname = "Fourth"\nat = "hama"\npersonnel = 500\nparent = "third"\n')
    (msg,) = refused(write_toml(duel_child(body)))
    assert "units.defender.parent" in msg and "defender -> second -> third -> defender" in msg


def test_a_long_but_acyclic_chain_of_command_loads(write_toml):
    body = "".join(f'[units.u{i}]\nfaction = "saa"\nname = "U"\nat = "hama"\npersonnel = 10\n'
                   + (f'parent = "u{i - 1}"\n' if i else "") for i in range(300))
    assert len(load_scenario(write_toml(duel_child(body))).scenario.units) == 302


def test_the_60000_unit_file_is_refused_at_once(write_toml):
    units = "".join(f'[units.u{i}]\nfaction = "saa"\nname = "Unit {i}"\nat = "hama"\npersonnel = 500\n'
                    for i in range(60_000))
    path = write_toml(duel_child(units))
    assert path.stat().st_size > MAX_FILE_BYTES
    start = time.perf_counter()
    (msg,) = refused(path)
    assert str(path) in msg and f"{MAX_FILE_BYTES:,} bytes" in msg
    assert time.perf_counter() - start < 2


def test_units_after_count_expansion_are_bounded(write_toml):
    n = MAX_UNITS // 100 + 1
    units = "".join(f'[units.u{i}]\nfaction = "saa"\nname = "U"\nat = "hama"\npersonnel = 10\ncount = 100\n'
                    for i in range(n))
    path = write_toml(duel_child(units))
    (msg,) = refused(path)
    assert str(path) in msg and f"units: ground units after `count` expansion: {n * 100 + 2:,}" in msg
    assert f"at most {MAX_UNITS:,}" in msg
    (msg,) = refused(DUEL, {"units": {f"u{i}": {"count": 100} for i in range(n)}})
    assert msg.startswith("override units=") and "after `count` expansion" in msg


def test_control_areas_and_timeline_are_bounded(write_toml):
    area = '[[control]]\nside = "opposition"\naround = "hama"\nkm = 5.0\n'
    (msg,) = refused(write_toml(duel_child(area * (MAX_CONTROL_AREAS + 1))))
    assert msg.split(": ")[1] == "control" and f"at most {MAX_CONTROL_AREAS}" in msg
    note = '[[timeline]]\nevent = "note"\nday = 1.0\nnote = "x"\n'
    (msg,) = refused(write_toml(duel_child(note * (MAX_TIMELINE + 1))))
    assert msg.split(": ")[1] == "timeline" and f"at most {MAX_TIMELINE:,}" in msg


# ---------------------------------------------------------------- item 4: sweep bounds before anything is written


def test_sweep_bounds_are_checked_against_the_hard_bounds_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "sweep"
    for param, expected in [("rules.combat.reference_power=0:1", "0.0 is not allowed"),
                            ("rules.combat.reference_power=nan:1", "must be a finite number"),
                            ("rules.combat.reference_power=1:inf", "must be a finite number"),
                            ("rules.combat.attrition_per_day=0.01,0.6", "0.6 is not allowed"),
                            ("factions.saa.pay=-1:0.5", "-1.0 is not allowed")]:
        assert main(["sweep", str(DUEL), "--param", param, "--points", "2", "--reps", "1", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert param.partition("=")[0] in err and expected in err and "Traceback" not in err, err
        assert not out.exists()
    main(["sweep", str(DUEL), "--param", "rules.combat.reference_power=0:1", "--out", str(out)])
    assert "must be > 0 and <= 1e+06" in capsys.readouterr().err
    for command in ("sensitivity", "calibrate"):
        assert main([command, "aleppo_2016", "--param", "rules.combat.reference_power=0:1", "--out", str(out)]) == 2
        assert "must be > 0" in capsys.readouterr().err and not out.exists()


def test_points_of_a_csv_design_are_checked_against_the_hard_bounds(tmp_path):
    from wargame.study.spec import StudySpec, check_points, resolve_parameters

    spec = StudySpec.model_validate({"kind": "sweep", "scenario": str(DUEL),
                                     "parameters": {"rules.combat.reference_power": {}}})
    parameters = resolve_parameters(spec, "study.toml")
    check_points(spec, "study.toml", parameters, np.array([[1000.0], [3000.0]]))
    with pytest.raises(ScenarioError) as err:
        check_points(spec, "study.toml", parameters, np.array([[1000.0], [0.0]]))
    (msg,) = messages(err)
    assert "rules.combat.reference_power (row 3)" in msg and "0.0 is not allowed" in msg and "> 0" in msg


# ---------------------------------------------------------------- item 7: wording


def test_an_overrides_error_blames_the_override(capsys):
    assert main(["validate", "aleppo_2016", "--set", "timeline=[[35.9,36.5]]"]) == 2
    err = capsys.readouterr().err
    assert "override timeline=[[35.9, 36.5]]: timeline[0]" in err and "must be a table" in err
    assert "aleppo_2016.toml" not in err
    found = refused("hts_2024", {"control": [{"side": "regime"}]})
    assert found and all(m.startswith("override control=") for m in found)


def test_a_later_file_that_replaces_a_list_is_blamed_for_it(write_toml):
    path = write_toml(duel_child('[[control]]\nside = "opposition"\n'))   # replaces duel.toml's list whole
    found = refused(path)
    assert found and all(m.startswith(str(path)) and "control[0]" in m for m in found)


def test_a_byte_order_mark_is_skipped(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + duel_child("[factions.saa]\npay = 0.2\n").encode("utf-8"))
    assert load_scenario(path).scenario.factions["saa"].pay == 0.2
    path.write_bytes(b"\xef\xbb\xbf" + DUEL.read_bytes())
    assert load_scenario(path).scenario.meta.title.startswith("Duel")


# ---------------------------------------------------------------- item 6: interrupted outputs


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_killed_while_writing_leaves_a_partial_directory_that_the_next_run_removes(tmp_path, duel):
    from wargame.output import write_run

    out = tmp_path / "run"
    partial = tmp_path / "run.partial"
    (partial / "figures").mkdir(parents=True)              # what a run killed while drawing leaves
    (partial / "scenario.toml").write_text("half", encoding="utf-8")
    (partial / "figures" / ".strength.png.123-abcdefgh.partial").write_bytes(b"")
    model = duel()
    model.step()
    write_run(model, out, "summary")
    assert not partial.exists() and (out / "run.json").is_file()
    partial.mkdir()                                          # killed just after creating it: empty
    assert main(["run", str(DUEL), "--set", "meta.duration_days=0.25", "--no-report", "--quiet",
                 "--out", str(out)]) == 0
    assert not partial.exists() and (out / "run.json").is_file()


def test_a_partial_directory_that_is_not_a_runs_is_left_alone(tmp_path, duel):
    from wargame.output import check_run_directory

    partial = tmp_path / "run.partial"
    partial.mkdir()
    (partial / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WargameError, match="is not left over from a run"):
        check_run_directory(tmp_path / "run")
    assert (partial / "notes.txt").is_file()


def test_stale_partial_files_are_removed_when_the_directory_is_written_again(tmp_path):
    from wargame.output.files import write_text_atomic

    figures = tmp_path / "figures"
    figures.mkdir()
    dead = _dead_pid()
    stale = [figures / ".distributions.png.abcdefgh.partial",              # written before pids were in names
             figures / f".distributions.png.{dead}-abcdefgh.partial",      # its writer was killed
             figures / f".heatmap.png.{os.getpid()}-zz_12345.partial"]     # ours, from an earlier failure
    live = figures / f".responses.png.{os.getppid()}-abcdefgh.partial"    # a living writer's
    mine = figures / "notes.partial"                                       # not a temporary of ours
    for path in [*stale, live, mine]:
        path.write_bytes(b"")
    write_text_atomic(figures / "distributions.png", "png")
    assert not any(p.exists() for p in stale)
    assert live.exists() and mine.exists() and (figures / "distributions.png").read_text() == "png"
    assert sorted(p.name for p in figures.iterdir()) == sorted(["distributions.png", live.name, mine.name])


def test_a_resumed_study_removes_the_leftovers_of_a_killed_one(tmp_path):
    from wargame.study.store import ResultStore

    store = ResultStore(tmp_path / "study", {"kind": "sweep"})
    leftover = store.parts / f".part-0000000-0004.parquet.{_dead_pid()}-abcdefgh.partial"
    leftover.write_bytes(b"")
    ResultStore(tmp_path / "study", {"kind": "sweep"}, resume=True)
    assert not leftover.exists()


def test_thousands_of_mistakes_are_reported_quickly_and_the_message_stays_readable(write_toml):
    units = "".join(f'[units.u{i}]\nfaction = "saaa"\nname = "U"\nat = "hamma{i}"\npersonnel = 10\nparent = "x{i}"\n'
                    for i in range(MAX_UNITS - 10))
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_toml(duel_child(units)))
    assert time.perf_counter() - start < 30                 # was 100 s: a "did you mean" for each of them
    assert len(err.value.problems) == 3 * (MAX_UNITS - 10)
    text = str(err.value)
    assert text.startswith(f"{3 * (MAX_UNITS - 10):,} problems") and "did you mean 'saa'" in text
    assert text.count("\n") == 101 and text.endswith(f"... and {3 * (MAX_UNITS - 10) - 100:,} more")
