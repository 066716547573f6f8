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
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import annotated_types
import tomli_w
from pydantic import BaseModel, ValidationError

from wargame.core.errors import Problem, ScenarioError, problems_from_validation
from wargame.core.scenario.levers import set_parameter
from wargame.core.scenario.paths import PathError, get_path, leaves, set_path, split_path
from wargame.core.scenario.references import check_references
from wargame.core.scenario.rules import Rules
from wargame.core.scenario.schema import Scenario
from wargame.core.scenario.tunable import ParamMeta, split_metadata

BUILTIN_DIR = Path(str(resources.files("wargame").joinpath("scenarios")))
DEFAULT_SOURCE = "schema default"
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

    @property
    def assumption(self) -> bool:
        return self.note.strip().lower().startswith("assumption")


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
        if candidate.is_dir():
            raise ScenarioError.single(text, "", "is a directory, not a scenario file")
        if candidate.is_file():
            return candidate
    names = builtin_names()
    close = difflib.get_close_matches(text, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ScenarioError.single(text, "", f"no such scenario file or built-in scenario.{hint} "
                                         f"Built-in scenarios: {', '.join(names)}")


def read_toml(path: Path) -> dict:
    source = _display(path)
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError.single(source, "", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError.single(source, "", f"is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ScenarioError.single(source, "", f"cannot be read: {exc.strerror}") from None


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
    if "=" not in text:
        raise ScenarioError.single(f"override {text!r}", "", "must look like path.to.parameter=value")
    path, _, raw = text.partition("=")
    path, raw = path.strip(), raw.strip()
    try:
        split_path(path)
    except PathError as exc:
        raise ScenarioError.single(f"override {text!r}", path, str(exc)) from None
    if not raw:
        raise ScenarioError.single(f"override {text!r}", path, "needs a value after '='")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def normalise_override_key(key: str) -> str:
    """Keyword-argument spelling: factions__saa__pay -> factions.saa.pay."""
    return key.replace("__", ".")


# ---------------------------------------------------------------- loading


def _load_chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[str, dict]]:
    """[(display name, raw tree)] from the root ancestor to this file."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(_display(p) for p in (*seen, resolved))
        raise ScenarioError.single(_display(path), "extends", f"inheritance loops: {chain}")
    raw = read_toml(path)
    parent = raw.pop("extends", None)
    if parent is None:
        return [(_display(path), raw)]
    if not isinstance(parent, str):
        raise ScenarioError.single(_display(path), "extends", "must be the name of a scenario or a path", parent, True)
    try:
        parent_path = scenario_file(parent, relative_to=path.parent)
    except ScenarioError:
        raise ScenarioError.single(_display(path), "extends", f"no scenario of that name; built-in: "
                                                            f"{', '.join(builtin_names())}", parent, True) from None
    return [*_load_chain(parent_path, (*seen, resolved)), (_display(path), raw)]


def load_scenario(name_or_path: str | Path, overrides: Mapping[str, Any] | None = None) -> LoadedScenario:
    """Load, merge, override and validate a scenario. Raises ScenarioError naming every problem found."""
    path = scenario_file(name_or_path)
    chain = _load_chain(path)
    problems: list[Problem] = []
    values: dict = {}
    metadata: dict[str, dict] = {}
    provenance: dict[str, str] = {}
    for source, raw in chain:
        layer_values, layer_meta, layer_problems = split_metadata(raw, source)
        problems += layer_problems
        values = deep_merge(values, layer_values)
        for meta_path, meta in layer_meta.items():
            metadata[meta_path] = {**metadata.get(meta_path, {}), **meta}
        provenance.update({leaf: source for leaf in leaves(layer_values)})

    normalised = {normalise_override_key(k): v for k, v in (overrides or {}).items()}
    for key, value in normalised.items():
        label = f"override {key}={value!r}"
        value, meta, meta_problems = split_metadata(value, label, prefix=key)
        problems += meta_problems
        metadata.update(meta)
        try:
            set_path(values, key, value)
        except PathError as exc:
            problems.append(Problem(label, key, str(exc)))
            continue
        provenance[key] = label
        for leaf in leaves(value, key) if isinstance(value, Mapping) else ():
            provenance[leaf] = label
    if problems:
        raise ScenarioError(problems)

    def source_of(dotted: str) -> str:
        """The file or override that set a path: the path itself, else the nearest enclosing table that
        something set (an override first, as the more recent word), else the last file."""
        probe = dotted
        while probe:
            if probe in provenance:
                return provenance[probe]
            below = [src for leaf, src in provenance.items() if leaf.startswith((probe + ".", probe + "["))]
            if below:
                return next((src for src in below if src.startswith("override")), below[0])
            probe = probe.rpartition(".")[0] if "." in probe else ""
        return chain[-1][0]

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
        return source_of(dotted) if any(dotted == k or dotted.startswith(k + ".") for k in provenance) else DEFAULT_SOURCE

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


def _bounds(field_info) -> tuple[float | None, float | None]:
    low = high = None
    for item in field_info.metadata:
        if isinstance(item, (annotated_types.Ge, annotated_types.Gt)):
            low = getattr(item, "ge", getattr(item, "gt", None))
        elif isinstance(item, (annotated_types.Le, annotated_types.Lt)):
            high = getattr(item, "le", getattr(item, "lt", None))
    return low, high


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _derived_range(value, bounds) -> tuple[float, float]:
    """Default x (1 -/+ DERIVED_RANGE), inside the hard bounds; whole numbers stay whole."""
    low, high = value * (1 - DERIVED_RANGE), value * (1 + DERIVED_RANGE)
    if bounds[0] is not None:
        low = max(low, bounds[0])
    if bounds[1] is not None:
        high = min(high, bounds[1])
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
                bounds = _bounds(info)
                if extra.get("tunable") or "range" in given:
                    rng = given.get("range", tuple(extra.get("range", (value, value))))
                    note = given.get("note", extra.get("note", "assumption"))
                elif path.startswith("rules."):
                    rng = _derived_range(value, bounds)
                    note = given.get("note", f"assumption: no source; the range is the default "
                                             f"+/- {DERIVED_RANGE:.0%}")
                else:
                    continue
                params[path] = Param(path, value, (rng[0], rng[1]), note, bounds, source_of(path))

    visit(scenario, "")
    return params


def _range_problems(params: Mapping[str, Param]):
    for param in params.values():
        low, high = param.bounds
        if (low is not None and param.range[0] < low) or (high is not None and param.range[1] > high):
            allowed = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
            yield Problem(param.source, f"{param.path}.range", f"must lie within the allowed values {allowed}",
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
