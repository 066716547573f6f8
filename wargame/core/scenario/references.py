"""Checks across a validated scenario: ids that must name something (sides, factions, places, units,
wings), places inside the theatre, and times within the campaign. Each problem names where it was set."""

from __future__ import annotations

import difflib

from wargame.core.errors import Problem
from wargame.core.scenario.schema import Scenario
from wargame.core.theatre.features import load_geodata
from wargame.core.theatre.theatre import TheatreSpec

MAX_HINTS = 50        # mistakes that get a "did you mean" (each compares the id with every known one)


def check_references(scenario: Scenario, source_of) -> list[Problem]:
    bounds = scenario.theatre
    every_place = load_geodata().places
    shown = TheatreSpec.of(bounds)
    places = {pid: p for pid, p in every_place.items() if shown.shows(p)}   # not another campaign's local places
    problems: list[Problem] = []

    def problem(path: str, message: str, value=None, has_value: bool = True) -> None:
        problems.append(Problem(source_of(path), path, message, value, has_value))

    def need(kind: str, value: str, known, path: str, inside: bool = True) -> None:
        if value not in known:
            # a suggestion costs a comparison with every known id: the first few mistakes get one, not thousands
            close = difflib.get_close_matches(value, list(known), n=1) if len(problems) < MAX_HINTS else []
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = (", ".join(sorted(known)) if len(known) <= 12 else f"{len(known)} {kind}s"
                     + ("; see `python run.py places`" if kind == "place" else ""))
            problem(path, f"not a known {kind}{hint}; known: {shown}", value)
        elif kind == "place" and inside:
            p = known[value]
            if not (bounds.south <= p.lat <= bounds.north and bounds.west <= p.lon <= bounds.east):
                problem(path, f"lies outside the theatre ({p.lat}, {p.lon} is not in {bounds.south}-{bounds.north} N, "
                              f"{bounds.west}-{bounds.east} E)", value)

    def within_campaign(path: str, day: float) -> None:
        if day > scenario.meta.duration_days:
            problem(path, f"is after the end of the campaign (duration_days = {scenario.meta.duration_days:g})", day)

    if scenario.meta.duration_days * 24 < scenario.meta.hours_per_step:
        problem("meta.duration_days", f"is shorter than one step of {scenario.meta.hours_per_step} hours",
                scenario.meta.duration_days)
    sides = scenario.sides
    for sid, side in sides.items():
        for i, enemy in enumerate(side.enemies):
            need("side", enemy, sides, f"sides.{sid}.enemies[{i}]")
            if enemy == sid:
                problem(f"sides.{sid}.enemies[{i}]", "a side cannot be its own enemy", enemy)
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
        if unit.at is not None:
            need("place", unit.at, places, f"units.{uid}.at")
        elif not (bounds.south <= unit.lat <= bounds.north and bounds.west <= unit.lon <= bounds.east):
            problem(f"units.{uid}.lat", "lat/lon lies outside the theatre", [unit.lat, unit.lon])
        if unit.objective is not None:
            need("place", unit.objective, places, f"units.{uid}.objective")
        if unit.parent is not None:
            need("unit", unit.parent, scenario.units, f"units.{uid}.parent")
        if unit.rises_when is not None:
            need("side", unit.rises_when.side, sides, f"units.{uid}.rises_when.side")
        within_campaign(f"units.{uid}.arrives_day", unit.arrives_day)
        within_campaign(f"units.{uid}.active_from_day", unit.active_from_day)
        faction = scenario.factions.get(unit.faction)
        if unit.group is not None and faction is not None and faction.kind != "militia":
            problem(f"units.{uid}.group", f"only units of a militia faction have a group; {unit.faction} is "
                                         f"{faction.kind}", unit.group)
    problems += _parent_cycles(scenario, source_of)
    for wid, wing in scenario.air.items():
        need("faction", wing.faction, scenario.factions, f"air.{wid}.faction")
        if wing.base is not None:          # a base beyond the theatre (Khmeimim seen from Aleppo) is allowed
            need("place", wing.base, places, f"air.{wid}.base", inside=False)
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
    if actors.russia_hq is not None:
        for i, city in enumerate(actors.russia_hq.golan_exempt):
            need("place", city, places, f"actors.russia_hq.golan_exempt[{i}]", inside=False)
    if actors.regime_hq is not None:
        for i, place in enumerate(actors.regime_hq.core):
            need("place", place, places, f"actors.regime_hq.core[{i}]", inside=False)
    will = scenario.rules.will
    need("place", will.capital_place, places, "rules.will.capital_place", inside=False)
    for i, place in enumerate(will.heartland_places):
        need("place", place, places, f"rules.will.heartland_places[{i}]", inside=False)
    for oid, objective in scenario.objectives.items():
        need("side", objective.side, sides, f"objectives.{oid}.side")
        for i, place in enumerate(objective.places):
            need("place", place, places, f"objectives.{oid}.places[{i}]")
        for i, fid in enumerate(objective.factions or []):
            need("faction", fid, scenario.factions, f"objectives.{oid}.factions[{i}]")
            faction = scenario.factions.get(fid)
            if faction is not None and faction.side != objective.side:
                problem(f"objectives.{oid}.factions[{i}]", f"is a faction of {faction.side}, not of the objective's "
                                                          f"side {objective.side}", fid)
    if scenario.surprise is not None:
        need("side", scenario.surprise.side, sides, "surprise.side")
    campaigns = {p.local_to for p in every_place.values() if p.local_to}
    for i, name in enumerate(bounds.local_places):
        need("campaign with local places", name, campaigns, f"theatre.local_places[{i}]")
    for i, event in enumerate(scenario.timeline):
        within_campaign(f"timeline[{i}].day", event.day)
        if getattr(event, "event", "") == "patron":
            need("side", event.side, sides, f"timeline[{i}].side")
    for team, briefing in scenario.briefings:
        for i, oid in enumerate((briefing.objectives or []) if briefing is not None else []):
            need("objective", oid, scenario.objectives, f"briefings.{team}.objectives[{i}]")
    return problems


def _parent_cycles(scenario: Scenario, source_of) -> list[Problem]:
    """A unit that is its own parent, or a chain of command that comes back to where it started."""
    units = scenario.units
    problems: list[Problem] = []
    done: set[str] = set()
    for start in units:
        trail: list[str] = []
        uid: str | None = start
        while uid is not None and uid in units and uid not in done and uid not in trail:
            trail.append(uid)
            uid = units[uid].parent
        if uid is not None and uid in trail:           # came back to a unit on this trail: a cycle
            cycle = trail[trail.index(uid):]
            path = f"units.{cycle[0]}.parent"
            if len(cycle) == 1:
                message = "a unit cannot be its own parent"
            else:
                message = f"the chain of command loops: {' -> '.join([*cycle, cycle[0]])}"
            problems.append(Problem(source_of(path), path, message, units[cycle[0]].parent, True))
        done.update(trail)
    return problems
