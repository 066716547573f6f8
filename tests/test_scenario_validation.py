"""Scenario validation: every user mistake gets a clear error naming file, field path, value and what is allowed."""

import pytest

from wargame.cli import main
from wargame.core.errors import ScenarioError
from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario, parse_override


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
    assert attrition.source == "schema default" and pay.source.endswith("hts_2024.toml")
    # rule numbers without a declared range get one (+/- 50%, within bounds), named as an assumption
    speed = loaded.params["rules.unit_types.infantry.speed_km_day"]
    assert speed.range == (10.0, 30.0) and speed.assumption
    sourced = [p for p in loaded.params.values() if not p.assumption]
    assert len(sourced) >= 15 and all("facts.md" in p.note or "Dupuy" in p.note or "article" in p.note
                                      or "GeoNames" in p.note for p in sourced)


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


def test_non_utf8_file(write_toml, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("[meta]\ntitle = 'Alep\xe9'\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="is not UTF-8"):
        load_scenario(path)


def test_directory_is_not_a_scenario(tmp_path):
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def test_file_that_extends_itself(write_toml, tmp_path):
    write_toml('extends = "self.toml"\n', "self.toml")
    with pytest.raises(ScenarioError, match="inheritance loops"):
        load_scenario(tmp_path / "self.toml")


@pytest.mark.parametrize("body, path", [
    ('[[control]]\nside = "sdf"\naround = "manbij"\nkm = 5.0\ncolour = "red"\n', "control[0].colour"),
    ('[[timeline]]\nevent = "note"\nday = 1.0\nnote = "x"\nwhen = 2\n', "timeline[0].when"),
    ('[units.saa_hama]\nstrength = 3\n', "units.saa_hama.strength"),
    ('[rules.combat]\nattrition = 0.02\n', "rules.combat.attrition"),
])
def test_unknown_keys_everywhere(write_toml, body, path):
    file = write_toml(child("hts_2024", body))
    with pytest.raises(ScenarioError) as err:
        load_scenario(file)
    assert any(path in str(p) and "unknown key" in str(p) for p in err.value.problems), problems(err)


def test_list_items_can_be_overridden_by_index():
    loaded = load_scenario("hts_2024", {"control[5].km": 30.0})
    assert loaded.scenario.control[5].around == "manbij" and loaded.scenario.control[5].km == 30.0
    with pytest.raises(ScenarioError, match=r"has 7 items; \[9\] does not exist"):
        load_scenario("hts_2024", {"control[9].km": 30.0})
    with pytest.raises(ScenarioError, match="km goes with around"):
        load_scenario("hts_2024", {"control[0].km": 30.0})


def test_timeline_may_not_change_the_order_of_battle(write_toml):
    path = write_toml(child("hts_2024", '[[timeline]]\nevent = "set"\nday = 1.0\nset = { "units.saa_hama.personnel" = 5 }\n'))
    with pytest.raises(ScenarioError, match="cannot change during a campaign"):
        load_scenario(path)


def test_wrong_types_are_not_coerced(write_toml):
    for body in ('[factions.saa]\npay = "0.3"\n', '[factions.saa]\nmorale = true\n',
                 '[units.saa_hama]\npersonnel = "900"\n', '[units.saa_hama]\nelite = "yes"\n'):
        with pytest.raises(ScenarioError, match="must be"):
            load_scenario(write_toml(child("hts_2024", body)))


def test_side_cannot_be_its_own_enemy(write_toml):
    path = write_toml(child("hts_2024", '[sides.regime]\nenemies = ["opposition", "regime"]\n'))
    with pytest.raises(ScenarioError, match="cannot be its own enemy"):
        load_scenario(path)


def test_times_must_fit_the_campaign(write_toml):
    with pytest.raises(ScenarioError, match="shorter than one step"):
        load_scenario(write_toml(child("hts_2024", "[meta]\nduration_days = 0.1\n")))
    with pytest.raises(ScenarioError, match="after the end of the campaign"):
        load_scenario(write_toml(child("hts_2024", "[units.saa_hama]\narrives_day = 30.0\n")))


def test_setting_one_key_of_a_rule_table_keeps_the_others():
    loaded = load_scenario("hts_2024", {"rules.movement.terrain_cost.urban": 3.0,
                                        "rules.unit_types.advisers.firepower": 0.6})
    rules = loaded.scenario.rules
    assert rules.movement.terrain_cost.urban == 3.0 and rules.movement.terrain_cost.mountain == 3.0
    assert rules.movement.terrain_cost.desert == 1.3 and rules.combat.terrain_defence.urban == 1.6
    assert rules.unit_types.advisers.firepower == 0.6 and rules.unit_types.advisers.speed_km_day == 40.0


def test_stray_key_in_a_parameter_table(write_toml):
    path = write_toml(child("hts_2024", '[factions.saa]\npay = { value = 0.2, foo = 1 }\n'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (msg,) = problems(err)
    assert str(path) in msg and "factions.saa.pay.foo" in msg and "allowed: value, range, note" in msg


def test_errors_in_an_override_are_blamed_on_the_override():
    with pytest.raises(ScenarioError) as err:
        load_scenario("hts_2024", {"units.newunit.personnel": 5})
    assert all(p.source.startswith("override units.newunit.personnel") for p in err.value.problems)


@pytest.mark.parametrize("lever, low, high", [
    ("factions.saa.professionalism", 0.1, 0.7), ("factions.saa.conscript_share", 0.4, 0.85),
    ("factions.saa.pay", 0.05, 0.8), ("factions.saa.legitimacy", 0.1, 0.7), ("factions.saa.ideology", 0.1, 0.9),
    ("factions.iran_axis.leadership", 0.25, 0.9), ("factions.russia.stiffening", 0.0, 0.05),
    ("factions.russia.stiffening_km", 5.0, 30.0), ("factions.hts.momentum_gain", 0.0, 0.15),
    ("factions.hts.drones", 0, 100), ("actors.hezbollah.strength", 0.15, 1.0),
    ("actors.israel.strikes_per_week", 0.0, 12.0),
])
def test_every_named_lever_moves_the_campaign(lever, low, high):
    def run(value):
        model = WarModel("hts_2024", rng=2, **{lever: value})
        for _ in range(16):
            model.step()
        return model.datacollector.get_model_vars_dataframe()

    assert not run(low).equals(run(high)), f"{lever} changes nothing"


def test_every_counterfactual_extends_its_base_and_turns_its_lever():
    from wargame.core.scenario import load_scenario
    from wargame.experiments.counterfactuals import counterfactuals_of

    names = counterfactuals_of("hts_2024")
    assert {"hts_2024_russia_doubles_down", "hts_2024_hezbollah_intact", "hts_2024_no_israeli_strikes",
            "hts_2024_professional_saa", "hts_2024_iraqi_militias", "hts_2024_russia_turkey_deal",
            "hts_2024_classroom"} <= set(names)
    base = load_scenario("hts_2024")
    for name in names:
        loaded = load_scenario(name)
        assert loaded.scenario.meta.lever, name
        situation = loaded.scenario.model_copy(update={"meta": base.scenario.meta})
        assert situation != base.scenario or loaded.scenario.meta.duration_days != base.scenario.meta.duration_days, name
    deal = load_scenario("hts_2024_russia_turkey_deal").scenario.actors.turkey
    assert deal.deal_day == 1.0 and deal.freeze_polygon
    classroom = load_scenario("hts_2024_classroom").scenario
    assert classroom.meta.hours_per_step == 6 and classroom.meta.duration_days == 6


def test_a_scenario_error_survives_pickling_as_it_comes_back_from_a_worker():
    import pickle

    from wargame.core.errors import ScenarioError
    from wargame.core.scenario import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario("hts_2024", {"meta.hours_per_step": 8.5})
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.problems == caught.value.problems
    assert str(again).startswith("1 problem")


@pytest.mark.parametrize("path, value, where", [
    ("actors.regime_hq.core", ["damascus", "atlantis"], "actors.regime_hq.core[1]"),
    ("rules.will.capital_place", "atlantis", "rules.will.capital_place"),
    ("rules.will.heartland_places", ["latakia", "atlantis"], "rules.will.heartland_places[1]"),
])
def test_the_places_the_will_and_the_regime_hq_name_must_exist(path, value, where):
    with pytest.raises(ScenarioError) as raised:
        load_scenario("hts_2024", {path: value})
    assert where in str(raised.value) and "atlantis" in str(raised.value)


def test_a_misspelt_campaign_in_local_places_is_named_with_a_suggestion(tmp_path):
    from wargame.core.errors import ScenarioError
    from wargame.core.scenario import load_scenario

    path = tmp_path / "typo.toml"
    path.write_text('extends = "idlib_2015"\n[theatre]\nlocal_places = ["idlib_2051"]\n')
    with pytest.raises(ScenarioError, match=r"theatre.local_places\[0\]: 'idlib_2051' is not allowed: not a known "
                                            r"campaign with local places \(did you mean 'idlib_2015'\?\)"):
        load_scenario(path)
