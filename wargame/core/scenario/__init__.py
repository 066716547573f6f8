"""Scenarios: typed, validated descriptions of one situation (see schema.py and the TOML files)."""

from wargame.core.scenario.levers import set_parameter
from wargame.core.scenario.loader import (
                                     CLASSROOM_SCENARIO,
                                     DEFAULT_SCENARIO,
                                     LoadedScenario,
                                     Param,
                                     builtin_names,
                                     load_scenario,
                                     param_warnings,
                                     parse_override,
                                     parse_overrides,
)
from wargame.core.scenario.schema import Scenario

__all__ = ["CLASSROOM_SCENARIO", "DEFAULT_SCENARIO", "LoadedScenario", "Param", "Scenario", "builtin_names",
           "load_scenario", "param_warnings", "parse_override", "parse_overrides", "set_parameter"]
