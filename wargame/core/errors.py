"""Errors for user mistakes: each names the file, the field path, the bad value and what is allowed.

Anything that reaches the user as a traceback is a bug in wargame; anything caused by the user's input
is one of these, and the command line prints it without a traceback.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

SHOWN_PROBLEMS = 100       # problems an error's message lists (all are kept in .problems)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, dotted field path), what value, and what is allowed."""

    source: str
    path: str
    message: str
    value: object = None
    has_value: bool = False

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        if self.has_value:
            return f"{where}: {_show(self.value)} is not allowed: {self.message}"
        return f"{where}: {self.message}"


class WargameError(Exception):
    """A mistake in the user's input, reported without a traceback."""


class ScenarioError(WargameError):
    """A scenario file, override or theatre data file that does not validate."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"... and {len(self.problems) - SHOWN_PROBLEMS:,} more")
        head = "1 problem" if len(self.problems) == 1 else f"{len(self.problems):,} problems"
        super().__init__(f"{head}:\n  " + "\n  ".join(lines))

    def __reduce__(self):
        # rebuilt from its problems when it crosses processes (an ensemble worker's bad override)
        return type(self), (self.problems,)

    @classmethod
    def single(cls, source: str | Path, path: str, message: str, value=None, has_value: bool = False):
        return cls([Problem(str(source), path, message, value, has_value)])


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def dotted(loc: tuple) -> str:
    """A pydantic location tuple as a dotted path; list positions show as [i]."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# pydantic's messages are good but speak of Python types; say it in the user's terms.
_TYPE_WORDS = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number (not nan or inf)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a text string in quotes",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be a list [ ... ]",
    "tuple_type": "must be a list [ ... ]",
    "extra_forbidden": "unknown key",
    "missing": "is required",
}


def problems_from_validation(exc: ValidationError, source: str | Callable[[str], str], prefix: str = "",
                             schema: type[BaseModel] | None = None) -> list[Problem]:
    """Turn a pydantic ValidationError into Problems naming the file, the field path and the bad value.

    `source` is a file name, or a function from the dotted field path to the file (or override) that set it.
    With `schema`, union tags are dropped from paths and unknown keys list the keys allowed there.
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc, allowed = walk_location(schema, err["loc"]) if schema else (err["loc"], None)
        path = dotted(loc)
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        origin = source(path) if callable(source) else source
        kind = err["type"]
        message = _TYPE_WORDS.get(kind, err["msg"])
        if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than", "too_short",
                    "too_long"):
            message = err["msg"].replace("Input should", "must").replace("List should", "must")
            message = message.replace("Dictionary should", "must").replace("String should", "must")
        elif kind in ("literal_error", "enum"):
            message = err["msg"].replace("Input should be", "must be one of")
        elif kind == "union_tag_invalid":
            tags = err.get("ctx", {}).get("expected_tags", "")
            message = f"unknown {err.get('ctx', {}).get('discriminator', 'kind')}; allowed: {tags}"
        elif kind == "union_tag_not_found":
            message = f"must say which kind it is ({err.get('ctx', {}).get('discriminator', 'kind')} = ...)"
        elif kind == "extra_forbidden":
            parent_allowed = walk_location(schema, err["loc"][:-1])[1] if schema else None
            if parent_allowed:
                close = difflib.get_close_matches(str(loc[-1]), parent_allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = f"unknown key{hint}; allowed here: {', '.join(sorted(parent_allowed))}"
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
        if kind in ("missing", "extra_forbidden"):
            problems.append(Problem(origin, path, message))
        else:
            problems.append(Problem(origin, path, message, err.get("input"), True))
    return problems


def _unwrap(tp):
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _union_members(tp) -> list:
    return [a for a in get_args(tp) if a is not type(None)] if get_origin(tp) in (Union, types.UnionType) else []


def _discriminator(tp) -> str | None:
    """The discriminator field of an Annotated union, if it has one."""
    if get_origin(tp) is Annotated:
        for extra in get_args(tp)[1:]:
            if getattr(extra, "discriminator", None):
                return extra.discriminator
    return None


def _tags(member, discriminator: str | None) -> set[str]:
    """Names under which pydantic may list a union member in an error location."""
    names = {getattr(member, "__name__", str(member))}
    if discriminator and isinstance(member, type) and issubclass(member, BaseModel):
        field = member.model_fields.get(discriminator)
        if field is not None and get_origin(field.annotation) is Literal:
            names.update(str(v) for v in get_args(field.annotation))
    return names


def _model_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def walk_location(schema: type[BaseModel], loc: tuple) -> tuple[tuple, list[str] | None]:
    """Follow a pydantic error location through the schema.

    Returns the location without union tags, and the keys allowed at its end if it ends at a table.
    """
    tp, clean, i = schema, [], 0
    while i < len(loc):
        part = loc[i]
        discriminator = _discriminator(tp)
        tp = _unwrap(tp)
        members = _union_members(tp)
        if members:
            match = next((m for m in members if str(part) in _tags(m, discriminator)), None)
            if match is not None or (isinstance(part, str) and "[" in part):
                tp = match if match is not None else members[0]
                i += 1
                continue
        clean.append(part)
        origin = get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = next((f for name, f in tp.model_fields.items() if part in (name, f.alias)), None)
            tp = field.annotation if field else None
        elif origin is dict:
            tp = get_args(tp)[1]
        elif origin in (list, tuple):
            args = get_args(tp)
            tp = args[0] if origin is list or (len(args) == 2 and args[1] is Ellipsis) else (
                args[part] if isinstance(part, int) and part < len(args) else None)
        else:
            tp = None
        i += 1
    tp = _unwrap(tp)
    allowed = _model_keys(tp) if isinstance(tp, type) and issubclass(tp, BaseModel) else None
    return tuple(clean), allowed
