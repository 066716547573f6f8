"""A team's briefing as its pages and the hot-seat show it: the scenario's [briefings.<team>] where the
scenario has one, else one generated from the team's factions, patrons and its side's objectives (a
scenario with no briefings still tells each team what it commands and what it is scored on).

Also the checks the core cannot make, since only the classroom knows its teams: a briefing's levers must be
orders of that team, its objectives its own side's, and the team one this scenario can seat."""

from __future__ import annotations

from wargame.core.errors import Problem
from wargame.core.theatre.features import load_geodata
from wargame.play.orders import ORDER_TYPES
from wargame.play.teams import TEAMS, Team, teams_in

# What a generated briefing calls the strategic actors whose levers a team holds (actor id: name)
PATRON_NAMES = {"russia_hq": "Moscow (the Russian high command)", "iran": "Tehran (Iran's commitment and recruiting)",
                "iraqi_militias": "the Iraqi militias", "hezbollah": "Hezbollah", "turkey": "Ankara (Turkey)",
                "regime_hq": "the regime's high command in Damascus", "israel": "Israel"}

SCORING = ("At the end each objective is met or not: places to take or to hold are met if your side holds all "
           "of them at the end (a city by most of its built-up districts), an area if it holds its share. "
           "Won: every objective met; held: every objective met and all of them were to hold; partial: some "
           "met; lost: none met, or your side's regime collapsed.")


def briefing_problems(spec, source: str) -> list[Problem]:
    """What is wrong with the scenario's briefings for a classroom game: each problem names the field."""
    seated = teams_in(spec)
    problems = []
    for team_id, briefing in spec.briefings:
        if briefing is None:
            continue
        where = f"briefings.{team_id}"
        if team_id not in seated:
            problems.append(Problem(source, where, f"this scenario has no faction or actor for team {team_id!r}: "
                                    f"teams it can seat: {', '.join(seated) or 'none'}"))
            continue
        team = seated[team_id]
        orders = list(ORDER_TYPES[team_id].model_fields)
        for lever in briefing.levers:
            if lever not in orders:
                problems.append(Problem(source, f"{where}.levers.{lever}", f"not an order of {team_id}; its orders: "
                                        f"{', '.join(orders)}"))
        for i, oid in enumerate(briefing.objectives or []):
            objective = spec.objectives.get(oid)
            if objective is not None and objective.side != team.side:
                problems.append(Problem(source, f"{where}.objectives[{i}]", f"objective {oid!r} is {objective.side}'s; "
                                        f"team {team_id} plays {team.side or 'no side'}", oid, True))
    return problems


def scored_objectives(spec, team: Team) -> list[str]:
    """The objectives a team is scored on: its briefing's; else those its side reserves for the team's own
    factions (the SNA's for Turkey), and if there are none, its side's objectives reserved for no faction."""
    briefing = getattr(spec.briefings, team.id, None)
    if briefing is not None and briefing.objectives is not None:
        return list(briefing.objectives)
    side = [(oid, o) for oid, o in spec.objectives.items() if team.side and o.side == team.side]
    own = [oid for oid, o in side if o.factions and set(o.factions) & set(team.factions)]
    return own or [oid for oid, o in side if not o.factions]


def place_name(place: str) -> str:
    place_data = load_geodata().places.get(place)
    return place_data.name.split(" (")[0] if place_data is not None else place


def objective_text(spec, oid: str) -> str:
    """An objective in words: "take Aleppo and Aleppo airport", "hold Hama, Homs", "take 90% of the area"."""
    o = spec.objectives[oid]
    if o.kind == "area":
        return f"take and hold {o.share:.0%} of the area of objective {oid.replace('_', ' ')}"
    names = [place_name(p) for p in o.places]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{'hold' if o.kind == 'hold' else 'take'} {listed}"


def _forces_text(spec, team: Team) -> str:
    parts = []
    for fid in team.factions:
        units = [u for u in spec.units.values() if u.faction == fid]
        men = sum(u.personnel * u.count for u in units)
        parts.append(f"{spec.factions[fid].name}: {sum(u.count for u in units)} units, about {men:,} men")
    return "; ".join(parts) + "." if parts else "No ground forces: you act through your levers."


def briefing_of(spec, team_id: str) -> dict:
    """The team's briefing: situation, forces, patrons, objectives (id, text, kind), winning, levers (each
    with what it does, "" where the scenario does not say), sources, and whether it was generated."""
    team = teams_in(spec).get(team_id) or TEAMS[team_id]
    written = getattr(spec.briefings, team_id, None)
    objectives = [{"id": oid, "text": objective_text(spec, oid), "kind": spec.objectives[oid].kind}
                  for oid in scored_objectives(spec, team)]
    described = written.levers if written is not None else {}
    levers = [{"name": name, "text": described.get(name, "")} for name in ORDER_TYPES[team_id].model_fields]
    if written is not None:
        return {"team": team_id, "name": team.name, "generated": False, "situation": written.situation,
                "forces": written.forces or _forces_text(spec, team), "patrons": written.patrons,
                "objectives": objectives, "winning": written.winning, "scoring": SCORING, "levers": levers,
                "sources": list(written.sources)}
    patrons = [PATRON_NAMES.get(a, a) for a in team.actors]
    side = spec.sides[team.side].name if team.side in spec.sides else "no side"
    return {"team": team_id, "name": team.name, "generated": True,
            "situation": spec.meta.description or spec.meta.title,
            "forces": _forces_text(spec, team),
            "patrons": (f"Your levers act on {', '.join(patrons)}." if patrons else "") + f" You fight for: {side}.",
            "objectives": objectives,
            "winning": ("Meet the objectives below by the last turn." if objectives
                        else "This scenario sets your side no objectives: play it as your instructor asks."),
            "scoring": SCORING, "levers": levers, "sources": list(spec.meta.sources)}


def briefing_lines(briefing: dict, width_hint: str = "   ") -> list[str]:
    """The briefing as plain text, for the hot-seat."""
    lines = [f"== Briefing: {briefing['name']}", f"{width_hint}Situation: {briefing['situation']}"]
    for key, label in (("forces", "Forces"), ("patrons", "Patrons")):
        if briefing[key]:
            lines.append(f"{width_hint}{label}: {briefing[key]}")
    lines.append(f"{width_hint}Objectives:" + ("" if briefing["objectives"] else " none"))
    lines += [f"{width_hint}  - {o['text']}" for o in briefing["objectives"]]
    if briefing["winning"]:
        lines.append(f"{width_hint}Winning: {briefing['winning']}")
    lines.append(f"{width_hint}Scoring: {briefing['scoring']}")
    lines.append(f"{width_hint}Levers:")
    lines += [f"{width_hint}  {x['name']}: {x['text'] or '(see help)'}" for x in briefing["levers"]]
    if briefing["sources"]:
        lines.append(f"{width_hint}Sources: {'; '.join(briefing['sources'])}")
    return lines
