"""Reading scenarios: TOML files, ``extends`` inheritance, dotted overrides, validation and parameter metadata.

``load_scenario("hts_2024", overrides={"factions.saa.professionalism": 0.6})`` returns a
:class:`LoadedScenario`: the validated :class:`Scenario`, every tunable parameter with its value, range and
note, and where each value came from. Every error names the file (or the override), the field path, the
bad value and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import annotated_types
import tomli_w
from pydantic import BaseModel, ValidationError

from wargame.core.errors import Problem, ScenarioError, problems_from_validation
from wargame.core.scenario.levers import set_parameter
from wargame.core.scenario.limits import (
    MAX_DEPTH,
    MAX_EXTENDS,
    MAX_FILE_BYTES,
    path_depth_problem,
    size_problems,
    text_problems,
    tree_problems,
)
from wargame.core.scenario.paths import TOKEN, PathError, get_path, set_path, split_path
from wargame.core.scenario.references import check_references
from wargame.core.scenario.rules import Rules
from wargame.core.scenario.schema import Scenario
from wargame.core.scenario.tunable import ParamMeta, split_metadata

BUILTIN_DIR = Path(str(resources.files("wargame").joinpath("scenarios")))
DEFAULT_SCENARIO = "hts_2024"                 # what `python run.py`, the lab and the map use unless told
CLASSROOM_SCENARIO = "hts_2024_classroom"     # a classroom game's (play, serve)
DEFAULT_SOURCE = "schema default"
BOM = "\ufeff"                # a UTF-8 byte-order mark, as some Windows editors write it: skipped
DERIVED_RANGE = 0.5          # rule numbers without a declared range get default x (1 -/+ this)
RULE_DEFAULTS = Rules().model_dump(by_alias=True)


@dataclass(frozen=True)
class Param:
    """A tunable parameter of a loaded scenario."""

    path: str
    value: float
    range: tuple[float, float]
    note: str
    bounds: tuple[float | None, float | None]
    source: str
    exclusive: tuple[bool, bool] = (False, False)     # a bound that the value may not equal (gt, lt)

    @property
    def assumption(self) -> bool:
        return self.note.strip().lower().startswith("assumption")

    @property
    def allowed(self) -> str:
        """The hard bounds in words: '> 0 and <= 1000000'."""
        return bounds_words(self.bounds, self.exclusive)

    def breaks_bounds(self, value) -> bool:
        """Whether a value lies outside the hard bounds (NaN and infinity always do)."""
        return outside_bounds(value, self.bounds, self.exclusive)


@dataclass
class LoadedScenario:
    name: str
    scenario: Scenario
    params: dict[str, Param]
    files: list[str]
    path: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, ParamMeta] = field(default_factory=dict)

    def to_toml(self) -> str:
        """The resolved scenario as one self-contained TOML file (no extends), parameters with range and note."""
        tree = self.scenario.model_dump(mode="python", exclude_none=True, by_alias=True)
        for path, param in self.params.items():
            set_path(tree, path, {"value": get_path(tree, path), "range": list(param.range), "note": param.note})
        header = (f"# Resolved scenario '{self.name}' from {', '.join(self.files)}"
                  + (f" with overrides {self.overrides}" if self.overrides else "") + "\n")
        return header + tomli_w.dumps(_tomlable(tree))


# ---------------------------------------------------------------- finding and reading files


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml") if not p.stem.startswith("_"))


def scenario_file(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """The file of a built-in scenario name, or a path to a user's file."""
    text = str(name_or_path)
    candidates = []
    if text.endswith(".toml") or "/" in text or "\\" in text or isinstance(name_or_path, Path):
        path = Path(text)
        if not path.is_absolute() and relative_to is not None:
            candidates.append(relative_to / path)
        candidates.append(path)
    else:
        candidates.append(BUILTIN_DIR / f"{text}.toml")
        if relative_to is not None:
            candidates.append(relative_to / f"{text}.toml")
    for candidate in candidates:
        try:
            if candidate.is_dir():
                raise ScenarioError.single(_clip(text), "", "is a directory, not a scenario file")
            if candidate.is_file():
                return candidate
        except OSError as exc:                 # a name too long for the file system, say
            raise ScenarioError.single(_clip(text), "", f"cannot be read: {exc.strerror or exc}") from None
    names = builtin_names()
    close = difflib.get_close_matches(text, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ScenarioError.single(_clip(text), "", f"no such scenario file or built-in scenario.{hint} "
                                         f"Built-in scenarios: {', '.join(names)}")


def read_toml(path: Path) -> dict:
    """A TOML file as a tree, within the limits (size, nesting, numbers); every problem a ScenarioError."""
    source = _display(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError.single(source, "", f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError.single(source, "", f"is larger than {MAX_FILE_BYTES:,} bytes, the most a scenario file "
                                               f"may be (the largest built-in one is 33 KB)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError.single(source, "", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return parse_toml(text, source)


def parse_toml(text: str, source: str, prefix: str = "") -> dict:
    """TOML text as a tree. Nesting and long numbers are refused before tomllib reads the text (it recurses
    once per level, and Python will not read an integer of over 4,300 digits); the tree is then checked for
    nesting by dotted keys and integers beyond 64 bits."""
    text = text.removeprefix(BOM)
    problems = text_problems(text, source)
    if problems:
        raise ScenarioError(problems)
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError.single(source, "", f"is not valid TOML: {exc}") from None
    except ValueError as exc:          # a number Python will not read (the text check should catch it first)
        raise ScenarioError.single(source, "", f"holds a number that cannot be read ({exc})") from None
    except RecursionError:             # nesting the text check missed: never a traceback
        raise ScenarioError.single(source, "", f"nests tables or arrays too deeply (at most {MAX_DEPTH} levels)"
                                   ) from None
    problems = tree_problems(tree, source, prefix)
    if problems:
        raise ScenarioError(problems)
    return tree


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(BUILTIN_DIR.parent.parent))
    except ValueError:
        return str(path)


def deep_merge(base: dict, over: Mapping) -> dict:
    """`over` merged into a copy of `base`: tables merge key by key, everything else is replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _tomlable(node):
    if isinstance(node, dict):
        return {str(k): _tomlable(v) for k, v in node.items() if v is not None}
    if isinstance(node, (list, tuple)):
        return [_tomlable(v) for v in node]
    return node


# ---------------------------------------------------------------- overrides


def parse_override(text: str) -> tuple[str, Any]:
    """'factions.saa.professionalism=0.6' -> ('factions.saa.professionalism', 0.6). Values are TOML values;
    a bare word that is not valid TOML is taken as a string."""
    label = f"override {_show(text)}"
    if "=" not in text:
        raise ScenarioError.single(label, "", "must look like path.to.parameter=value")
    path, _, raw = text.partition("=")
    path, raw = path.strip(), raw.strip()
    try:
        parts = split_path(path)
    except PathError as exc:
        raise ScenarioError.single(label, _show(path, 80), str(exc)) from None
    if not raw:
        raise ScenarioError.single(label, path, "needs a value after '='")
    problems = path_depth_problem(parts, label, path) or text_problems(raw, label)
    if problems:
        raise ScenarioError([Problem(p.source, path, p.message) for p in problems])
    try:
        value = parse_toml(f"v = {raw}", label)["v"]
    except ScenarioError as exc:
        if any("not valid TOML" not in p.message for p in exc.problems):
            raise ScenarioError([Problem(p.source, p.path.replace("v", path, 1) if p.path else path, p.message)
                                 for p in exc.problems]) from None
        value = raw
    return path, value


def parse_overrides(texts: Iterable[str]) -> dict[str, Any]:
    """Every 'path=value' parsed (see parse_override); all the malformed ones reported at once."""
    parsed, problems = {}, []
    for text in texts:
        try:
            path, value = parse_override(text)
            parsed[path] = value
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return parsed


def _show_value(value) -> str:
    """An override's value for its label: short, and never an error of its own (a huge or deep value)."""
    if isinstance(value, int) and value.bit_length() >= 1_000:
        return "<a huge number>"
    try:
        shown = repr(value)
    except (RecursionError, ValueError):
        return "<a deeply nested value>"
    return shown if len(shown) <= 60 else shown[:56] + "..."


def _covers(tree, parts: list) -> bool:
    """Whether a file's tree sets this path, something below it, or something above it (replaced whole: a
    list or a value; tables merge key by key)."""
    node = tree
    for part in parts:
        if not isinstance(node, Mapping):
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def loose_parts(dotted: str) -> list[str | int]:
    """A dotted path's parts, leniently (an error's path may hold keys with dots, such as timeline keys)."""
    return [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in TOKEN.finditer(dotted)]


def _clip(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(text: str, limit: int = 60) -> str:
    """Text for a message: repr'd, and cut short if long (an override may be a 5,000-digit number)."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def normalise_override_key(key: str) -> str:
    """Keyword-argument spelling: factions__saa__pay -> factions.saa.pay."""
    return key.replace("__", ".")


# ---------------------------------------------------------------- loading


def _load_chain(path: Path) -> list[tuple[str, dict]]:
    """[(display name, raw tree)] from the root ancestor to this file: at most MAX_EXTENDS files, no loops."""
    chain: list[tuple[str, dict]] = []
    seen: list[Path] = []
    current = path
    while True:
        resolved = current.resolve()
        if resolved in seen:
            loop = " -> ".join(_display(p) for p in (*seen, resolved))
            raise ScenarioError.single(chain[-1][0], "extends", f"inheritance loops: {loop}")
        if len(seen) == MAX_EXTENDS:
            shown = [_display(p) for p in seen]
            names = " -> ".join(shown if len(shown) <= 4 else [*shown[:2], "...", *shown[-2:]])
            raise ScenarioError.single(chain[-1][0], "extends", f"the inheritance chain ({names} -> ...) is longer "
                                                                f"than {MAX_EXTENDS} files, the most allowed")
        seen.append(resolved)
        raw = read_toml(current)
        parent = raw.pop("extends", None)
        chain.append((_display(current), raw))
        if parent is None:
            return chain[::-1]
        if not isinstance(parent, str):
            raise ScenarioError.single(chain[-1][0], "extends", "must be the name of a scenario or a path", parent,
                                       True)
        try:
            current = scenario_file(parent, relative_to=current.parent)
        except ScenarioError:
            raise ScenarioError.single(chain[-1][0], "extends", f"no scenario of that name; built-in: "
                                                                f"{', '.join(builtin_names())}", parent, True) from None


def load_scenario(name_or_path: str | Path, overrides: Mapping[str, Any] | None = None) -> LoadedScenario:
    """Load, merge, override and validate a scenario. Raises ScenarioError naming every problem found."""
    path = scenario_file(name_or_path)
    chain = _load_chain(path)
    problems: list[Problem] = []
    values: dict = {}
    metadata: dict[str, dict] = {}
    layers: list[tuple[str, Any]] = []           # (file, its tree), in the order applied
    set_by_override: list[tuple[str, list]] = []   # (override, its path's parts)
    for source, raw in chain:
        layer_values, layer_meta, layer_problems = split_metadata(raw, source)
        problems += layer_problems
        values = deep_merge(values, layer_values)
        for meta_path, meta in layer_meta.items():
            metadata[meta_path] = {**metadata.get(meta_path, {}), **meta}
        layers.append((source, layer_values))

    normalised = {}
    for raw_key, value in (overrides or {}).items():
        if not isinstance(raw_key, str):
            problems.append(Problem(f"override {raw_key!r}", "", "the path must be text: path.to.parameter"))
            continue
        key = normalise_override_key(raw_key)
        normalised[key] = value
        label = f"override {key}={_show_value(value)}"
        try:
            parts = split_path(key)
        except PathError as exc:
            problems.append(Problem(label, _clip(key), _clip(str(exc), 200)))
            continue
        found = path_depth_problem(parts, label, key) or tree_problems(value, label, key)
        if found:
            problems += found
            continue
        value, meta, meta_problems = split_metadata(value, label, prefix=key)
        problems += meta_problems
        metadata.update(meta)
        try:
            set_path(values, key, value)
        except PathError as exc:
            problems.append(Problem(label, key, str(exc)))
            continue
        set_by_override.append((label, parts))
    if problems:
        raise ScenarioError(problems)

    def setter(dotted: str, exact: bool = False) -> str | None:
        """The override or file that set a path: the latest to set the path, something above it (which it
        replaced whole) or something below it; failing that (unless `exact`), the same for the nearest
        enclosing table."""
        parts = loose_parts(dotted)
        for k in range(len(parts), 0 if not exact else len(parts) - 1, -1):
            probe = parts[:k]
            for label, set_parts in reversed(set_by_override):
                n = min(len(set_parts), k)
                if set_parts[:n] == probe[:n]:
                    return label
            for source, tree in reversed(layers):
                if _covers(tree, probe):
                    return source
        return None

    def source_of(dotted: str) -> str:
        return setter(dotted) or chain[-1][0]

    problems = size_problems(values, source_of)           # before anything is built for what is refused
    if problems:
        raise ScenarioError(problems)

    # Some rule tables default to instances with their own values (the terrain costs of movement differ from
    # the terrain factors of defence; each unit type has its speed): a file or override that sets one key
    # of such a table must keep the others, so the rules are merged onto their full defaults first.
    if isinstance(values.get("rules", {}), Mapping):
        values["rules"] = deep_merge(RULE_DEFAULTS, values.get("rules", {}))
    try:
        scenario = Scenario.model_validate(values)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, source_of, schema=Scenario)) from None

    def param_source(dotted: str) -> str:
        return setter(dotted, exact=True) or DEFAULT_SOURCE

    params = collect_params(scenario, metadata, param_source)
    problems = list(_range_problems(params)) + check_references(scenario, source_of)
    trial = scenario.model_copy(deep=True)
    for i, event in enumerate(scenario.timeline):
        for key, value in getattr(event, "set", {}).items():
            try:
                set_parameter(trial, key, value, source_of(f"timeline[{i}].set"))
            except ScenarioError as exc:
                problems.extend(Problem(p.source, f"timeline[{i}].set: {p.path}", p.message, p.value, p.has_value)
                                for p in exc.problems)
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(path.stem, scenario, params, [source for source, _ in chain], path.resolve(),
                          dict(normalised),
                          {k: ParamMeta(**v) for k, v in metadata.items() if "range" in v and "note" in v})


# ---------------------------------------------------------------- parameters and their metadata


def _bounds(field_info) -> tuple[tuple[float | None, float | None], tuple[bool, bool]]:
    """A field's hard bounds (from ge/gt and le/lt) and whether each is exclusive (gt, lt)."""
    low = high = None
    low_open = high_open = False
    for item in field_info.metadata:
        if isinstance(item, annotated_types.Ge):
            low, low_open = item.ge, False
        elif isinstance(item, annotated_types.Gt):
            low, low_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high, high_open = item.le, False
        elif isinstance(item, annotated_types.Lt):
            high, high_open = item.lt, True
    return (low, high), (low_open, high_open)


def bounds_words(bounds, exclusive=(False, False)) -> str:
    words = []
    if bounds[0] is not None:
        words.append(f"{'>' if exclusive[0] else '>='} {bounds[0]:g}")
    if bounds[1] is not None:
        words.append(f"{'<' if exclusive[1] else '<='} {bounds[1]:g}")
    return " and ".join(words) or "any finite number"


def outside_bounds(value, bounds, exclusive=(False, False)) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    if isinstance(value, float) and not math.isfinite(value):
        return True
    low, high = bounds
    if low is not None and (value <= low if exclusive[0] else value < low):
        return True
    return high is not None and (value >= high if exclusive[1] else value > high)


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _derived_range(value, bounds, exclusive=(False, False)) -> tuple[float, float]:
    """Default x (1 -/+ DERIVED_RANGE), inside the hard bounds (halfway to a bound the value may not equal);
    whole numbers stay whole."""
    low, high = value * (1 - DERIVED_RANGE), value * (1 + DERIVED_RANGE)
    if bounds[0] is not None and low <= bounds[0]:
        low = (bounds[0] + value) / 2 if exclusive[0] else bounds[0]
    if bounds[1] is not None and high >= bounds[1]:
        high = (bounds[1] + value) / 2 if exclusive[1] else bounds[1]
    if isinstance(value, int):
        return (max(1, math.floor(low)) if value >= 1 else math.floor(low), math.ceil(high))
    return (round(low, 10), round(high, 10))


def collect_params(scenario: Scenario, metadata: Mapping[str, dict], source_of) -> dict[str, Param]:
    """Every tunable parameter: fields declared tunable, numbers a file gave a range to, and every number
    under `rules` (a default range of +/- 50% where none is declared, noted as an assumption)."""
    params: dict[str, Param] = {}

    def visit(model: BaseModel, prefix: str) -> None:
        for name, info in type(model).model_fields.items():
            key = info.alias or name
            path = f"{prefix}.{key}" if prefix else key
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                visit(value, path)
            elif isinstance(value, dict):
                for child_key, child in value.items():
                    if isinstance(child, BaseModel):
                        visit(child, f"{path}.{child_key}")
            elif _numeric(value):
                extra = info.json_schema_extra or {}
                given = metadata.get(path, {})
                bounds, exclusive = _bounds(info)
                if extra.get("tunable") or "range" in given:
                    rng = given.get("range", tuple(extra.get("range", (value, value))))
                    note = given.get("note", extra.get("note", "assumption"))
                elif path.startswith("rules."):
                    rng = _derived_range(value, bounds, exclusive)
                    note = given.get("note", f"assumption: no source; the range is the default "
                                             f"+/- {DERIVED_RANGE:.0%}")
                else:
                    continue
                params[path] = Param(path, value, (rng[0], rng[1]), note, bounds, source_of(path), exclusive)

    visit(scenario, "")
    return params


def _range_problems(params: Mapping[str, Param]):
    for param in params.values():
        if any(param.breaks_bounds(end) for end in param.range):
            yield Problem(param.source, f"{param.path}.range", f"must lie within the allowed values: {param.allowed}",
                          list(param.range), True)


def param_warnings(loaded: LoadedScenario) -> list[str]:
    """Values outside their plausible range: allowed (a modeller may explore), but worth saying."""
    out = []
    for param in loaded.params.values():
        low, high = param.range
        if not (low - 1e-12 <= param.value <= high + 1e-12):
            out.append(f"{param.source}: {param.path} = {param.value} lies outside its plausible range "
                       f"[{low}, {high}] ({param.note})")
    return out


def load_scenario_text(text: str, name: str, overrides: Mapping[str, Any] | None = None) -> LoadedScenario:
    """A scenario from TOML text, e.g. a file an instructor uploads to the classroom server. It may extend a
    built-in scenario by name, never a path, so loading it reads no file but the built-in ones; errors name
    it "<name> (uploaded)". (The text goes through load_scenario from a private temporary file.)"""
    import dataclasses
    import tempfile

    source = f"{name} (uploaded)"
    try:
        raw = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:            # TOMLDecodeError is a ValueError, so is a huge integer
        reason = ("it nests tables or arrays too deeply" if isinstance(exc, RecursionError)
                  else "it has a whole number of more than 4,300 digits" if "digits" in str(exc) else str(exc))
        raise ScenarioError.single(source, "", f"is not valid TOML: {reason}") from None
    depth, stack = 0, [(raw, 1)]
    while stack:                                           # iterative: a deep tree cannot overflow this walk
        node, level = stack.pop()
        depth = max(depth, level)
        if depth > 32:
            raise ScenarioError.single(source, "", "nests tables or arrays more than 32 deep")
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack += [(child, level + 1) for child in children if isinstance(child, (dict, list))]
    parent = raw.get("extends")
    if parent is not None and parent not in builtin_names():
        raise ScenarioError.single(source, "extends", "an uploaded scenario may extend a built-in scenario only: "
                                   f"{', '.join(builtin_names())}", parent, True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        shown = _display(path)
        try:
            loaded = load_scenario(path, overrides)
        except ScenarioError as exc:
            raise ScenarioError([dataclasses.replace(p, source=p.source.replace(shown, source))
                                 for p in exc.problems]) from None
        except RecursionError:
            raise ScenarioError.single(source, "", "nests tables or arrays too deeply") from None
    loaded.name, loaded.path = name, Path(source)
    loaded.files = [source if f == shown else f for f in loaded.files]
    loaded.params = {k: dataclasses.replace(p, source=source) if p.source == shown else p
                     for k, p in loaded.params.items()}
    return loaded
