"""Scenario validation: every user mistake gets a clear error naming file, field path, value and what is allowed."""

import pytest

from wargame.cli import main
from wargame.errors import ScenarioError
from wargame.model import WarModel
from wargame.scenario import load_scenario, parse_override


def child(parent: str, body: str) -> str:
    return f'extends = "{parent}"\n{body}'


def problems(exc_info) -> list[str]:
    return [str(p) for p in exc_info.value.problems]


def test_builtin_scenario_loads_with_tunable_metadata():
    loaded = load_scenario("hts_2024")
    pay = loaded.params["factions.saa.pay"]
    assert pay.value == 0.15 and pay.range == (0.05, 0.3) and pay.note.startswith("assumption")
    attrition = loaded.params["rules.combat.attrition_per_day"]
    assert attrition.range == (0.01, 0.03) and "Dupuy" in attrition.note
    # every tunable parameter carries a range that contains its value's allowed bounds and a note
    for param in loaded.params.values():
        assert param.range[0] <= param.range[1] and param.note


def test_bad_value_names_file_path_value_and_allowed(write_toml):
    path = write_toml(child("hts_2024", "[factions.saa]\npay = 1.7\n"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert str(path) in msg and "factions.saa.pay" in msg and "1.7" in msg and "less than or equal to 1" in msg


def test_bad_type(write_toml):
    path = write_toml(child("hts_2024", '[factions.saa]\npay = "high"\n'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert "factions.saa.pay" in msg and "'high'" in msg and "must be a number" in msg


def test_unknown_key_suggests_the_right_one(write_toml):
    path = write_toml(child("hts_2024", "[factions.saa]\npayy = 0.3\n"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert "factions.saa.payy" in msg and "unknown key" in msg and "did you mean 'pay'" in msg
    assert "professionalism" in msg   # lists the keys allowed for an SAA faction


def test_unknown_key_lists_keys_of_the_right_faction_kind(write_toml):
    path = write_toml(child("hts_2024", "[factions.hts]\nprofessionalism = 0.3\n"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert "factions.hts.professionalism" in msg and "momentum_gain" in msg and "pay," not in msg


def test_several_problems_reported_at_once(write_toml):
    path = write_toml(child("hts_2024", "[factions.saa]\npay = -1\nmorale = 2\n"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = "\n".join(problems(err))
    assert "factions.saa.pay" in text and "factions.saa.morale" in text and "2 problems" in str(err.value)


def test_bad_override_is_named_as_the_override():
    with pytest.raises(ScenarioError) as err:
        load_scenario("hts_2024", {"factions.saa.professionalism": 1.6})
    (msg,) = problems(err)
    assert msg.startswith("override factions.saa.professionalism=1.6") and "less than or equal to 1" in msg


def test_override_of_unknown_path():
    with pytest.raises(ScenarioError) as err:
        load_scenario("hts_2024", {"rules.combat.atrition_per_day": 0.02})
    (msg,) = problems(err)
    assert "override" in msg and "did you mean 'attrition_per_day'" in msg


def test_override_into_a_value_is_an_error():
    with pytest.raises(ScenarioError) as err:
        load_scenario("hts_2024", {"factions.saa.pay.level": 0.2})
    assert "is a value, not a table" in problems(err)[0]


def test_override_parsing():
    assert parse_override("factions.saa.pay=0.6") == ("factions.saa.pay", 0.6)
    assert parse_override("meta.title=My run") == ("meta.title", "My run")
    assert parse_override("units.x.posture=\"hold\"") == ("units.x.posture", "hold")
    with pytest.raises(ScenarioError, match="path.to.parameter=value"):
        parse_override("factions.saa.pay")
    with pytest.raises(ScenarioError, match="needs a value"):
        parse_override("factions.saa.pay=")


def test_override_applies_and_keyword_spelling_works():
    loaded = load_scenario("hts_2024", {"factions__saa__pay": 0.25})
    assert loaded.scenario.factions["saa"].pay == 0.25
    assert loaded.params["factions.saa.pay"].source.startswith("override")


def test_missing_file():
    with pytest.raises(ScenarioError) as err:
        load_scenario("no/such/file.toml")
    assert "no such scenario file" in str(err.value) and "hts_2024" in str(err.value)


def test_unknown_builtin_name_suggests():
    with pytest.raises(ScenarioError, match="Did you mean 'hts_2024'"):
        load_scenario("hts2024")


def test_missing_parent(write_toml):
    path = write_toml(child("no_such_parent", ""))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert "extends" in msg and "no_such_parent" in msg


def test_inheritance_loop(write_toml, tmp_path):
    write_toml('extends = "b.toml"\n', "a.toml")
    write_toml('extends = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioError, match="inheritance loops"):
        load_scenario(tmp_path / "a.toml")


def test_invalid_toml_names_the_line(write_toml):
    path = write_toml("[meta\ntitle = 1\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(path) in str(err.value) and "not valid TOML" in str(err.value) and "line 1" in str(err.value)


def test_extends_inherits_and_keeps_metadata(write_toml):
    path = write_toml(child("hts_2024", '[meta]\ntitle = "Better paid"\n[factions.saa]\npay = 0.25\n'))
    loaded = load_scenario(path)
    base = load_scenario("hts_2024")
    assert loaded.scenario.factions["saa"].pay == 0.25
    assert loaded.scenario.factions["saa"].quality == base.scenario.factions["saa"].quality
    assert loaded.scenario.units.keys() == base.scenario.units.keys()
    assert loaded.params["factions.saa.pay"].range == (0.05, 0.3)           # inherited range and note
    assert loaded.params["factions.saa.pay"].source == str(path)
    assert loaded.files[-1] == str(path) and len(loaded.files) == 2


def test_file_can_set_range_and_note(write_toml):
    path = write_toml(child("hts_2024", '[factions.saa]\npay = { value = 0.5, range = [0.4, 0.7], note = "assumption: a raise" }\n'))
    param = load_scenario(path).params["factions.saa.pay"]
    assert (param.value, param.range, param.note) == (0.5, (0.4, 0.7), "assumption: a raise")


def test_bad_range_metadata(write_toml):
    path = write_toml(child("hts_2024", '[factions.saa]\npay = { value = 0.5, range = [0.7, 0.4] }\n'))
    with pytest.raises(ScenarioError, match="low end must not exceed high end"):
        load_scenario(path)
    path = write_toml(child("hts_2024", '[factions.saa]\npay = { value = 0.5, range = [0.4, 1.5], note = "x" }\n'))
    with pytest.raises(ScenarioError, match="within the allowed values"):
        load_scenario(path)


def test_unknown_place_suggests(write_toml):
    path = write_toml(child("hts_2024", '[units.saa_hama]\nat = "hamma"\n'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert "units.saa_hama.at" in msg and "did you mean 'hama'" in msg


def test_unknown_faction_and_side_references(write_toml):
    path = write_toml(child("hts_2024", '[units.saa_hama]\nfaction = "saaa"\n[factions.sdf]\nside = "kurds"\n'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = "\n".join(problems(err))
    assert "units.saa_hama.faction" in text and "did you mean 'saa'" in text and "factions.sdf.side" in text


def test_militia_group_only_for_militia(write_toml):
    path = write_toml(child("hts_2024", '[units.saa_hama]\ngroup = "hezbollah"\n'))
    with pytest.raises(ScenarioError, match="only units of a militia faction have a group"):
        load_scenario(path)


def test_timeline_set_is_validated(write_toml):
    path = write_toml(child("hts_2024", '[[timeline]]\nevent = "set"\nday = 2\nset = { "factions.saa.pay" = 4.0 }\n'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "timeline[0].set" in str(err.value) and "factions.saa.pay" in str(err.value)


def test_resolved_toml_round_trips(tmp_path):
    loaded = load_scenario("hts_2024", {"factions.saa.pay": 0.2})
    path = tmp_path / "resolved.toml"
    path.write_text(loaded.to_toml(), encoding="utf-8")
    again = load_scenario(path)
    assert again.scenario == loaded.scenario
    assert again.params["factions.saa.pay"].range == loaded.params["factions.saa.pay"].range


def test_model_reports_bad_keyword_parameter_clearly():
    with pytest.raises(ScenarioError, match="factions.saa.pay"):
        WarModel("hts_2024", rng=1, factions__saa__pay=9)


def test_cli_validate_prints_problem_without_traceback(write_toml, capsys):
    path = write_toml(child("hts_2024", "[factions.saa]\npay = 1.7\n"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "factions.saa.pay" in err and "Traceback" not in err


def test_cli_bad_override_and_missing_file(capsys):
    assert main(["run", "hts_2024", "--set", "factions.saa.pay=7", "--quiet"]) == 2
    assert "override factions.saa.pay=7" in capsys.readouterr().err
    assert main(["validate", "missing.toml"]) == 2
    assert "no such scenario file" in capsys.readouterr().err


def test_cli_validate_ok_and_scenarios_listing(capsys):
    assert main(["validate", "hts_2024"]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["scenarios"]) == 0
    assert "hts_2024" in capsys.readouterr().out
    assert main(["scenarios", "hts_2024"]) == 0
    out = capsys.readouterr().out
    assert "factions.saa.professionalism" in out and "[0.1, 0.35]" in out
