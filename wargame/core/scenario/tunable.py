"""Tunable parameters: every one carries a default, a plausible range and a note (a source, or "assumption").

In the schema a tunable field is declared with :func:`tunable`. In a scenario file a parameter is written
either as a plain value (``professionalism = 0.3``), which keeps the range and note it had, or as a table
that also sets them::

    professionalism = { value = 0.3, range = [0.15, 0.5], note = "assumption: the article says it failed" }

:func:`split_metadata` takes those tables out of a raw TOML tree, leaving plain values for validation and
returning the metadata by dotted path. Sweeps, sensitivity analysis and calibration read the ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from wargame.core.errors import Problem

META_KEYS = frozenset({"value", "range", "note"})


@dataclass(frozen=True)
class ParamMeta:
    """What is known about one parameter: its plausible range and where the value comes from."""

    range: tuple[float, float]
    note: str


def tunable(default: Any, range: tuple[float, float], note: str, *, ge: float | None = None,
            le: float | None = None, gt: float | None = None, lt: float | None = None):
    """A pydantic Field for a tunable number with its hard bounds (ge/le) and its plausible range."""
    return Field(default, ge=ge, le=le, gt=gt, lt=lt,
                 json_schema_extra={"tunable": True, "range": list(range), "note": note})


def is_meta_table(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value and set(value) <= META_KEYS


def split_metadata(raw: Any, source: str, prefix: str = "") -> tuple[Any, dict[str, dict], list[Problem]]:
    """Replace {value, range, note} tables by their value; return (values, metadata by path, problems)."""
    metadata: dict[str, dict] = {}
    problems: list[Problem] = []

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict) and "value" in node and not set(node) <= META_KEYS:
            stray = sorted(set(node) - META_KEYS)
            problems.append(Problem(source, f"{path}.{stray[0]}", "unknown key in a parameter table; "
                                    "allowed: value, range, note"))
            return node.get("value")
        if is_meta_table(node):
            meta = {}
            if "range" in node:
                rng = node["range"]
                if (not isinstance(rng, list) or len(rng) != 2
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)):
                    problems.append(Problem(source, f"{path}.range", "must be a list of two numbers [low, high]",
                                            rng, True))
                elif not all(isinstance(v, int) or math.isfinite(v) for v in rng):
                    problems.append(Problem(source, f"{path}.range", "must be two finite numbers [low, high] "
                                            "(not nan or inf)", rng, True))
                elif rng[0] > rng[1]:
                    problems.append(Problem(source, f"{path}.range", "low end must not exceed high end", rng, True))
                else:
                    meta["range"] = (rng[0], rng[1])
            if "note" in node:
                if not isinstance(node["note"], str) or not node["note"].strip():
                    problems.append(Problem(source, f"{path}.note",
                                            'must be a text: a source, or "assumption: ..."', node["note"], True))
                else:
                    meta["note"] = node["note"]
            metadata[path] = meta
            return node["value"]
        if isinstance(node, dict):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node

    return walk(raw, prefix), metadata, problems
