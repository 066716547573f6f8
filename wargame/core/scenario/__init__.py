"""Scenarios: typed, validated descriptions of one situation (see schema.py and the TOML files)."""

from wargame.core.scenario.levers import set_parameter
from wargame.core.scenario.loader import (
                                     LoadedScenario,
                                     Param,
                                     builtin_names,
                                     load_scenario,
                                     param_warnings,
                                     parse_override,
)
from wargame.core.scenario.schema import Scenario

DEFAULT_SCENARIO = "hts_2024"      # the scenario a command or a model runs when none is named

__all__ = ["DEFAULT_SCENARIO", "LoadedScenario", "Param", "Scenario", "builtin_names", "load_scenario", "param_warnings",
           "parse_override", "set_parameter"]
