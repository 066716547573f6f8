"""Dotted parameter paths: ``factions.saa.pay``, ``control[0].km``, ``rules.combat.attrition_per_day``.

A path is keys separated by dots; a list item is reached by its index in brackets. These helpers read and
write such paths in plain trees of dicts and lists (the raw TOML), raising PathError with a clear reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class PathError(Exception):
    """A path that does not fit the tree: the message says where and why."""


def split_path(path: str) -> list[str | int]:
    """'control[0].km' -> ['control', 0, 'km']. Raises PathError for malformed paths."""
    parts: list[str | int] = []
    position = 0
    for match in TOKEN.finditer(path):
        gap = path[position:match.start()]
        if gap not in ("", ".") or (gap == "." and not parts) or (gap == "" and parts and match.group(1)):
            raise PathError(f"malformed path {path!r}: use keys separated by dots, list items as [0]")
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if position != len(path) or not parts or isinstance(parts[0], int):
        raise PathError(f"malformed path {path!r}: use keys separated by dots, list items as [0]")
    return parts


def join_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def get_path(tree, path: str):
    node = tree
    for part in split_path(path):
        node = node[part]
    return node


def set_path(tree: dict, path: str, value) -> None:
    """Set a value at a path, creating tables on the way; list items must already exist."""
    parts = split_path(path)
    node = tree
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = join_path(parts[: i + 1])
        if isinstance(part, int):
            if not isinstance(node, list):
                raise PathError(f"{join_path(parts[:i])} is not a list, so it has no item [{part}]")
            if part >= len(node):
                raise PathError(f"{join_path(parts[:i])} has {len(node)} items; [{part}] does not exist")
        elif not isinstance(node, Mapping):
            kind = "a list" if isinstance(node, list) else "a value"
            raise PathError(f"{join_path(parts[:i])} is {kind}, not a table, so it has no key {part!r}")
        if last:
            node[part] = value
            return
        nxt = node[part] if isinstance(part, int) or part in node else None
        if nxt is None:
            if isinstance(parts[i + 1], int):
                raise PathError(f"{where} does not exist, so it has no item [{parts[i + 1]}]")
            nxt = node[part] = {}
        node = nxt


def leaves(tree, prefix: str = ""):
    """Paths of every leaf value (lists of tables are walked; lists of values are leaves)."""
    items = tree.items() if isinstance(tree, Mapping) else enumerate(tree)
    for key, value in items:
        path = (f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key)))
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            yield from leaves(value, path)
        else:
            yield path
