"""How big, how deep and how long-inherited a scenario may be, and the checks that hold every input to it.

A scenario file is read by people's tools, by a classroom server and by studies that run it thousands of
times. Without bounds, a mistaken or hostile file can crash the loader with a RecursionError (a table
nested 1,000 deep, a chain of 1,200 `extends`), stop it with Python's 4,300-digit integer limit, or take
minutes and gigabytes later (a 60,000-unit file once allocated 26 GiB working out the distances between
units). Each limit below is far above what any real scenario needs (the largest built-in one, hts_2024,
is a 33 KB file of 502 units, 7 control areas of at most 18 points, nested 4 levels deep, extending
nothing), and each is checked before the work it protects, with an error naming the file, the field and
the limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import numpy as np

from wargame.core.errors import Problem

# ---------------------------------------------------------------- the limits

MAX_FILE_BYTES = 4 * 1024 * 1024   # a scenario file (hts_2024: 33 KB); read whole and parsed in memory
MAX_DEPTH = 32                     # tables/arrays nested in one another (real files: 4); tomllib and every
                                   # walk of the tree recurse once per level
MAX_EXTENDS = 16                   # files in an `extends` chain (real files: 2)
MAX_NUMBER_DIGITS = 100            # digits in one number literal: a 64-bit integer has at most 19, a float's
                                   # precision ends at 17; Python refuses to read integers of over 4,300
INT64 = (-(2**63), 2**63 - 1)      # TOML's integers are 64-bit: anything larger cannot be read losslessly
MAX_UNITS = 5_000                  # ground units after `count` expansion (real files: 502); the model keeps
                                   # unit-to-unit distances, so memory grows with the square of this
MAX_ENTRIES = 1_000                # entries in each table of ids: sides, factions, air, air_defence, objectives
MAX_CONTROL_AREAS = 200            # [[control]] areas (real files: 7)
MAX_POLYGON_POINTS = 1_000         # points of one polygon (real files: 18); each is tested against every cell
MAX_POLYGON_POINTS_TOTAL = 20_000  # points of all polygons together (control, freeze_polygon, area objectives)
MAX_TIMELINE = 1_000               # [[timeline]] events (real files: a handful)


# ---------------------------------------------------------------- the raw text, before tomllib reads it

_TOKEN = re.compile(r'"""|\'\'\'|["\'#\n\[\]{}=]|[0-9][0-9_]{' + str(MAX_NUMBER_DIGITS) + ",}")
_BASIC = re.compile(r'(?:[^"\\\n]|\\[^\n]?)*(?:"|\n|$)')
_LITERAL = re.compile(r"[^'\n]*(?:'|\n|$)")
_ML_BASIC = re.compile(r'(?:[^"\\]|\\.?|"(?!""))*(?:"""\"{0,2}|$)', re.S)
_ML_LITERAL = re.compile(r"(?:[^']|'(?!''))*(?:'''\'{0,2}|$)", re.S)
_STRINGS = {'"': _BASIC, "'": _LITERAL, '"""': _ML_BASIC, "'''": _ML_LITERAL}


# strings and comments, as the scan below reads them (an unclosed one runs to the end of its line, or of
# the text): each alternative that starts with a quote always matches, so the search is linear
_SKIP = re.compile(r'"""(?:[^"\\]|\\.?|"(?!""))*(?:"""\"{0,2}|$)|\'\'\'(?:[^\']|\'(?!\'\'))*(?:\'\'\'\'{0,2}|$)'
                   r'|"(?:[^"\\\n]|\\[^\n]?)*(?:"|$|(?=\n))|\'[^\'\n]*(?:\'|$|(?=\n))|#[^\n]*', re.S)
_STEP = np.zeros(256, np.int8)               # by byte: +1 opens a table or array, -1 closes one
_STEP[[ord("["), ord("{")]], _STEP[[ord("]"), ord("}")]] = 1, -1
_LONG_NUMBER = re.compile(r"[0-9][0-9_]{" + str(MAX_NUMBER_DIGITS) + ",}")


def text_problems(text: str, source: str) -> list[Problem]:
    """Problems a TOML text has before it is parsed: nesting deeper than MAX_DEPTH, a number of more than
    MAX_NUMBER_DIGITS digits. Strings and comments are skipped; the field is named by its table and key as
    written (and the line), as tomllib will never get far enough to say.

    A quick look first (strings and comments blanked by one regular expression, then brackets counted):
    it can only see more nesting than there is, never less, so a text it passes is fine, and only a text
    it doubts is scanned token by token."""
    bare = _SKIP.sub(" ", text)
    if _LONG_NUMBER.search(bare) is None and _deepest(bare) <= MAX_DEPTH:
        return []
    return _scan(text, source)


def _deepest(text: str) -> int:
    """The deepest nesting of brackets in a text, a closing one too many counting as none (as in _scan):
    the running sum of +1 and -1, less its running minimum below zero."""
    walk = np.cumsum(_STEP[np.frombuffer(text.encode("utf-8", "replace"), dtype=np.uint8)], dtype=np.int64)
    return int((walk - np.minimum(np.minimum.accumulate(walk), 0)).max(initial=0))


def _scan(text: str, source: str) -> list[Problem]:
    table = key = ""
    depth, line, statement = 0, 1, 0          # statement: where the current top-level line began

    def where() -> str:
        return ".".join(part for part in (table, key) if part)

    position = 0
    while True:
        match = _TOKEN.search(text, position)
        if match is None:
            return []
        token, position = match.group(), match.end()
        if token in _STRINGS:
            found = _STRINGS[token].match(text, position)
            end = found.end() if found else len(text)          # each pattern matches; never trust that blindly
            line += text.count("\n", position, end)
            if depth == 0 and token in ('"', "'") and text[position:end].endswith("\n"):
                statement = end
            position = end
        elif token == "#":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
        elif token == "\n":
            line += 1
            if depth == 0:
                statement = position
        elif token == "=":
            if depth == 0:
                key = text[statement:match.start()].strip()
        elif token in "[{":
            if depth == 0 and token == "[" and not text[statement:match.start()].strip():
                end = text.find("\n", position)
                header = text[position:len(text) if end < 0 else end].split("#")[0]
                table, key = header.strip().strip("[]").strip(), ""
            depth += 1
            if depth > MAX_DEPTH:
                return [Problem(source, where(), f"nests tables or arrays more than {MAX_DEPTH} levels deep "
                                                 f"(line {line}); scenarios need a few levels")]
        elif token in "]}":
            depth = max(0, depth - 1)
        else:                                  # a long run of digits
            return [Problem(source, where(), f"has a number of {len(token.replace('_', '')):,} digits (line {line}); "
                                             f"numbers may have at most {MAX_NUMBER_DIGITS} digits")]


# ---------------------------------------------------------------- the parsed tree


def tree_problems(tree, source: str, prefix: str = "") -> list[Problem]:
    """Problems of a parsed tree (a file's, or an override's value): nesting deeper than MAX_DEPTH (dotted
    keys nest without brackets), integers beyond 64 bits. Walked without recursion; the first of each kind."""
    problems: list[Problem] = []
    deep = big = False
    stack: list = [(tree, prefix, None, 0)]          # (node, its parent's path, its key, depth): paths built lazily
    while stack and not (deep and big):
        node, parent, key, depth = stack.pop()
        if isinstance(node, (Mapping, list)):
            if depth >= MAX_DEPTH:
                if not deep:
                    problems.append(Problem(source, _join(parent, key), f"nests tables or arrays more than "
                                                                        f"{MAX_DEPTH} levels deep; scenarios need a few"))
                deep = True
                continue
            path = _join(parent, key)
            stack.extend((value, path, k, depth + 1)
                         for k, value in (node.items() if isinstance(node, Mapping) else enumerate(node)))
        elif isinstance(node, int) and not isinstance(node, bool) and not INT64[0] <= node <= INT64[1]:
            if not big:
                size = f"{len(str(abs(node)))}-digit" if node.bit_length() < 14_000 else "huge"
                problems.append(Problem(source, _join(parent, key), f"a {size} whole number is not allowed: whole "
                                                                    f"numbers must lie within 64 bits "
                                                                    f"({INT64[0]} to {INT64[1]})"))
            big = True
    return problems


def _join(parent: str, key) -> str:
    if key is None:
        return parent
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def path_depth_problem(path_parts: list, source: str, path: str) -> list[Problem]:
    if len(path_parts) > MAX_DEPTH:
        return [Problem(source, path[:80] + ("..." if len(path) > 80 else ""),
                        f"a path of {len(path_parts)} parts; scenarios nest at most {MAX_DEPTH} levels deep")]
    return []


# ---------------------------------------------------------------- the size of a scenario


def _polygon_paths(values: Mapping):
    control = values.get("control")
    if isinstance(control, list):
        for i, area in enumerate(control):
            if isinstance(area, Mapping):
                yield f"control[{i}].polygon", area.get("polygon")
    actors = values.get("actors")
    turkey = actors.get("turkey") if isinstance(actors, Mapping) else None
    if isinstance(turkey, Mapping):
        yield "actors.turkey.freeze_polygon", turkey.get("freeze_polygon")
    objectives = values.get("objectives")
    if isinstance(objectives, Mapping):
        for oid, objective in objectives.items():
            if isinstance(objective, Mapping):
                yield f"objectives.{oid}.area", objective.get("area")


def size_problems(values: Mapping, source_of: Callable[[str], str]) -> list[Problem]:
    """A merged, overridden scenario tree too big to build: checked before validation, so nothing is allocated
    for units, cells or polygons that will be refused."""
    problems: list[Problem] = []

    def too_many(path: str, what: str, n: int, limit: int, why: str) -> None:
        problems.append(Problem(source_of(path), path, f"{what}: {n:,}; at most {limit:,} are allowed ({why})"))

    units = values.get("units")
    if isinstance(units, Mapping):
        total = 0
        for unit in units.values():
            count = unit.get("count", 1) if isinstance(unit, Mapping) else 1
            total += count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 100 else 1
        if total > MAX_UNITS:
            too_many("units", "ground units after `count` expansion", total, MAX_UNITS,
                     "the model keeps the distance between every two units")
    for name in ("sides", "factions", "air", "air_defence", "objectives"):
        table = values.get(name)
        if isinstance(table, Mapping) and len(table) > MAX_ENTRIES:
            too_many(name, "entries", len(table), MAX_ENTRIES, "a scenario needs a few")
    control = values.get("control")
    if isinstance(control, list) and len(control) > MAX_CONTROL_AREAS:
        too_many("control", "control areas", len(control), MAX_CONTROL_AREAS, "each is tested against every cell")
    timeline = values.get("timeline")
    if isinstance(timeline, list) and len(timeline) > MAX_TIMELINE:
        too_many("timeline", "timeline events", len(timeline), MAX_TIMELINE, "a campaign has a handful")
    total = 0
    for path, polygon in _polygon_paths(values):
        if isinstance(polygon, list):
            total += len(polygon)
            if len(polygon) > MAX_POLYGON_POINTS:
                too_many(path, "polygon points", len(polygon), MAX_POLYGON_POINTS,
                         "each point is tested against every cell")
    if total > MAX_POLYGON_POINTS_TOTAL and not problems:
        too_many("control", "points in all polygons together", total, MAX_POLYGON_POINTS_TOTAL,
                 "each point is tested against every cell")
    return problems


# ---------------------------------------------------------------- polygons


def check_polygon(points: list[list[float]]) -> list[list[float]]:
    """A polygon of [lat, lon] points (already finite numbers, two per point): at least three points, at most
    MAX_POLYGON_POINTS, each on the globe."""
    if len(points) < 3:
        raise ValueError(f"a polygon needs at least three points [lat, lon], not {len(points)}")
    if len(points) > MAX_POLYGON_POINTS:
        raise ValueError(f"a polygon of {len(points):,} points; at most {MAX_POLYGON_POINTS:,} are allowed")
    for i, (lat, lon) in enumerate(points):
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError(f"point [{i}] = [{lat}, {lon}]: coordinates must be finite numbers")
        if not -90.0 <= lat <= 90.0:
            raise ValueError(f"point [{i}] = [{lat}, {lon}]: latitude must lie within -90 to 90")
        if not -180.0 <= lon <= 180.0:
            raise ValueError(f"point [{i}] = [{lat}, {lon}]: longitude must lie within -180 to 180")
    if len({(lat, lon) for lat, lon in points}) < 3:
        raise ValueError("a polygon needs at least three distinct points")
    return points
