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

from wargame.errors import Problem, ScenarioError, problems_from_validation
from wargame.scenario.schema import Scenario
from wargame.scenario.tunable import ParamMeta, split_metadata

BUILTIN_DIR = Path(str(resources.files("wargame").joinpath("scenarios")))


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
    overrides: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, ParamMeta] = field(default_factory=dict)

    def to_toml(self) -> str:
        """The resolved scenario as one self-contained TOML file (no extends), parameters with range and note."""
        tree = self.scenario.model_dump(mode="python", exclude_none=True, by_alias=True)
        for path, param in self.params.items():
            _set_path(tree, path, {"value": _get_path(tree, path), "range": list(param.range), "note": param.note})
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
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_absolute() and relative_to is not None:
            candidates.append(relative_to / path)
        candidates.append(path)
    else:
        candidates.append(BUILTIN_DIR / f"{text}.toml")
        if relative_to is not None:
            candidates.append(relative_to / f"{text}.toml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    names = builtin_names()
    close = difflib.get_close_matches(text, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ScenarioError.single(text, "", f"no such scenario file or built-in scenario.{hint} "
                                         f"Built-in scenarios: {', '.join(names)}")


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError.single(path, "", f"is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ScenarioError.single(path, "", f"cannot be read: {exc.strerror}") from None


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(BUILTIN_DIR.parent.parent))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- trees and paths


def _get_path(tree: Mapping, path: str):
    node = tree
    for key in path.split("."):
        node = node[key]
    return node


def _set_path(tree: dict, path: str, value) -> None:
    keys = path.split(".")
    node = tree
    for i, key in enumerate(keys[:-1]):
        nxt = node.get(key)
        if nxt is None:
            nxt = node[key] = {}
        elif not isinstance(nxt, dict):
            raise KeyError(".".join(keys[: i + 1]))
        node = nxt
    node[keys[-1]] = value


def _leaves(tree: Mapping, prefix: str = ""):
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, path)
        else:
            yield path


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
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError.single(f"override {text!r}", path, "the path must be dotted keys like factions.saa.pay")
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
        provenance.update({leaf: source for leaf in _leaves(layer_values)})

    normalised = {normalise_override_key(k): v for k, v in (overrides or {}).items()}
    for key, value in normalised.items():
        label = f"override {key}={value!r}"
        value, meta, meta_problems = split_metadata(value, label, prefix=key)
        problems += meta_problems
        metadata.update(meta)
        try:
            _set_path(values, key, value)
        except KeyError as exc:
            problems.append(Problem(label, key, f"{exc.args[0]} is a value, not a table, so it has no keys"))
            continue
        provenance[key] = label
        for leaf in _leaves(value, key) if isinstance(value, Mapping) else ():
            provenance[leaf] = label
    if problems:
        raise ScenarioError(problems)

    def source_of(dotted_path: str) -> str:
        probe = dotted_path.split("[")[0]
        while probe:
            if probe in provenance:
                return provenance[probe]
            probe = probe.rpartition(".")[0]
        return chain[-1][0]

    try:
        scenario = Scenario.model_validate(values)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, source_of, schema=Scenario)) from None

    params = collect_params(scenario, metadata, source_of)
    problems = [p for p in _range_problems(params)] + check_references(scenario, source_of)
    if problems:
        raise ScenarioError(problems)
    files = [source for source, _ in chain]
    name = path.stem
    return LoadedScenario(name, scenario, params, files, dict(normalised),
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


def collect_params(scenario: Scenario, metadata: Mapping[str, dict], source_of) -> dict[str, Param]:
    """Every tunable parameter: fields declared tunable in the schema, and numbers a file gave a range to."""
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
                if not extra.get("tunable") and "range" not in given:
                    continue
                rng = given.get("range", tuple(extra.get("range", (value, value))))
                note = given.get("note", extra.get("note", "assumption"))
                params[path] = Param(path, value, (rng[0], rng[1]), note, _bounds(info), source_of(path))

    visit(scenario, "")
    return params


def _range_problems(params: Mapping[str, Param]):
    for param in params.values():
        low, high = param.bounds
        if (low is not None and param.range[0] < low) or (high is not None and param.range[1] > high):
            allowed = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
            yield Problem(param.source, f"{param.path}.range", f"must lie within the allowed values {allowed}",
                          list(param.range), True)


# ---------------------------------------------------------------- cross-references


def check_references(scenario: Scenario, source_of) -> list[Problem]:
    """Ids that must name something: sides, factions, places. Reports close matches."""
    from wargame.theatre.features import load_geodata

    places = load_geodata().places
    bounds = scenario.theatre
    problems: list[Problem] = []

    def need(kind: str, value: str, known, path: str) -> None:
        if value not in known:
            close = difflib.get_close_matches(value, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = ", ".join(sorted(known)) if len(known) <= 12 else f"{len(known)} {kind}s; see `python run.py places`"
            problems.append(Problem(source_of(path), path, f"not a known {kind}{hint}; known: {shown}", value, True))
        elif kind == "place":
            p = known[value]
            if not (bounds.south <= p.lat <= bounds.north and bounds.west <= p.lon <= bounds.east):
                problems.append(Problem(source_of(path), path, f"lies outside the theatre ({p.lat}, {p.lon} is not in "
                                        f"{bounds.south}-{bounds.north} N, {bounds.west}-{bounds.east} E)", value, True))

    sides = scenario.sides
    for sid, side in sides.items():
        for i, enemy in enumerate(side.enemies):
            need("side", enemy, sides, f"sides.{sid}.enemies[{i}]")
        for i, src in enumerate(side.supply_sources):
            need("place", src, places, f"sides.{sid}.supply_sources[{i}]")
    for fid, faction in scenario.factions.items():
        need("side", faction.side, sides, f"factions.{fid}.side")
    need("side", scenario.control_default, sides, "control_default")
    for i, area in enumerate(scenario.control):
        need("side", area.side, sides, f"control[{i}].side")
        if area.around is not None:
            need("place", area.around, places, f"control[{i}].around")
    for uid, unit in scenario.units.items():
        need("faction", unit.faction, scenario.factions, f"units.{uid}.faction")
        if unit.lat is not None and not (bounds.south <= unit.lat <= bounds.north
                                         and bounds.west <= unit.lon <= bounds.east):
            problems.append(Problem(source_of(f"units.{uid}.lat"), f"units.{uid}", "lat/lon lies outside the theatre",
                                    [unit.lat, unit.lon], True))
        if unit.at is not None:
            need("place", unit.at, places, f"units.{uid}.at")
        if unit.objective is not None:
            need("place", unit.objective, places, f"units.{uid}.objective")
        faction = scenario.factions.get(unit.faction)
        if unit.group is not None and faction is not None and faction.kind != "militia":
            problems.append(Problem(source_of(f"units.{uid}.group"), f"units.{uid}.group",
                                    f"only units of a militia faction have a group; {unit.faction} is {faction.kind}",
                                    unit.group, True))
    for uid, unit in scenario.units.items():
        if unit.parent is not None and unit.parent not in scenario.units:
            need("unit", unit.parent, scenario.units, f"units.{uid}.parent")
    for wid, wing in scenario.air.items():
        need("faction", wing.faction, scenario.factions, f"air.{wid}.faction")
        if wing.base is not None:
            need("place", wing.base, places, f"air.{wid}.base")
    for aid, defence in scenario.air_defence.items():
        need("faction", defence.faction, scenario.factions, f"air_defence.{aid}.faction")
        need("place", defence.at, places, f"air_defence.{aid}.at")
    actors = scenario.actors
    for name in ("iran", "iraqi_militias", "hezbollah"):
        actor = getattr(actors, name)
        if actor is not None:
            need("place", actor.entry, places, f"actors.{name}.entry")
    if actors.russia_hq is not None and actors.russia_hq.wing:
        need("air wing", actors.russia_hq.wing, scenario.air, "actors.russia_hq.wing")
    for oid, objective in scenario.objectives.items():
        need("side", objective.side, sides, f"objectives.{oid}.side")
        for i, place in enumerate(objective.places):
            need("place", place, places, f"objectives.{oid}.places[{i}]")
    if scenario.surprise is not None:
        need("side", scenario.surprise.side, sides, "surprise.side")
    trial = scenario.model_copy(deep=True)
    for i, event in enumerate(scenario.timeline):
        for key, value in getattr(event, "set", {}).items():
            try:
                set_parameter(trial, key, value, source_of(f"timeline[{i}].set"))
            except ScenarioError as exc:
                problems.extend(Problem(p.source, f"timeline[{i}].set: {p.path}", p.message, p.value, p.has_value)
                                for p in exc.problems)
        if event.day > scenario.meta.duration_days:
            problems.append(Problem(source_of(f"timeline[{i}].day"), f"timeline[{i}].day",
                                    f"is after the end of the campaign (duration_days = {scenario.meta.duration_days})",
                                    event.day, True))
    return problems


def set_parameter(scenario: Scenario, path: str, value, source: str = "timeline") -> None:
    """Set one parameter of a validated scenario in place, by dotted path, validating the new value."""
    node: Any = scenario
    keys = path.split(".")
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        where = ".".join(keys[: i + 1])
        if isinstance(node, BaseModel):
            fields = {(f.alias or name): name for name, f in type(node).model_fields.items()}
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ScenarioError.single(source, where, f"unknown key{hint}; allowed here: {', '.join(sorted(fields))}")
            if last:
                if isinstance(getattr(node, fields[key]), (BaseModel, dict, list)):
                    raise ScenarioError.single(source, path, "is a table, not a single parameter")
                try:
                    setattr(node, fields[key], value)
                except ValidationError as exc:
                    raise ScenarioError(problems_from_validation(exc, source, prefix=".".join(keys[:-1]))) from None
                return
            node = getattr(node, fields[key])
        elif isinstance(node, dict):
            if key not in node:
                raise ScenarioError.single(source, where, f"no such entry; known: {', '.join(sorted(node))}")
            if last:
                raise ScenarioError.single(source, path, "is a table, not a single parameter")
            node = node[key]
        else:
            raise ScenarioError.single(source, where, "is a value, not a table, so it has no keys")


def param_warnings(loaded: LoadedScenario) -> list[str]:
    """Values outside their plausible range: allowed (a modeller may explore), but worth saying."""
    out = []
    for param in loaded.params.values():
        low, high = param.range
        if not (low - 1e-12 <= param.value <= high + 1e-12) and not math.isclose(low, high):
            out.append(f"{param.source}: {param.path} = {param.value} lies outside its plausible range "
                       f"[{low}, {high}] ({param.note})")
    return out
