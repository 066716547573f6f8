"""Changing a parameter of a running scenario: timeline `set` events and an instructor's injects.

Only what can change mid-campaign may be set: faction, rule, air wing and strategic-actor parameters and
the degree of surprise. The order of battle, the theatre, sides, control, objectives and the timeline
are fixed once the model is built. Values are validated exactly as in a scenario file.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from wargame.core.errors import ScenarioError, problems_from_validation
from wargame.core.scenario.paths import PathError, split_path

MUTABLE_ROOTS = ("factions", "rules", "air", "air_defence", "actors", "surprise")


def set_parameter(scenario, path: str, value, source: str = "timeline") -> None:
    """Set one parameter of a validated scenario in place, by dotted path, validating the new value."""
    try:
        keys = split_path(path)
    except PathError as exc:
        raise ScenarioError.single(source, path, str(exc)) from None
    if keys[0] not in MUTABLE_ROOTS:
        raise ScenarioError.single(source, path, f"cannot change during a campaign; only parameters under "
                                                 f"{', '.join(MUTABLE_ROOTS)} can")
    node: Any = scenario
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        where = ".".join(str(k) for k in keys[: i + 1])
        if isinstance(node, BaseModel) and isinstance(key, str):
            fields = {(f.alias or name): name for name, f in type(node).model_fields.items()}
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ScenarioError.single(source, where, f"unknown key{hint}; allowed here: {', '.join(sorted(fields))}")
            current = getattr(node, fields[key])
            if last:
                if isinstance(current, (BaseModel, dict, list)):
                    raise ScenarioError.single(source, path, "is a table, not a single parameter")
                try:
                    setattr(node, fields[key], value)
                except ValidationError as exc:
                    prefix = ".".join(str(k) for k in keys[:-1])
                    raise ScenarioError(problems_from_validation(exc, source, prefix=prefix)) from None
                return
            if current is None:
                raise ScenarioError.single(source, where, "is not set in this scenario, so it has no parameters")
            node = current
        elif isinstance(node, dict) and isinstance(key, str):
            if key not in node:
                raise ScenarioError.single(source, where, f"no such entry; known: {', '.join(sorted(node))}")
            if last:
                raise ScenarioError.single(source, path, "is a table, not a single parameter")
            node = node[key]
        else:
            raise ScenarioError.single(source, where, "is a value, not a table, so it has no keys")
