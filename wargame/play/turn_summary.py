"""What a turn did, for one team, in words a student reads: the ground and the cities its side won or lost
and to whom, its losses and the enemy's it knows of, its units that broke and why, the enemies its units
broke, its will to fight and what moved it this turn, the decisions and news that concern it, and the
white cell's injects that touched it.

Fog of war, as in play.fog: a team knows its own factions' losses, breaks and morale ledgers exactly, the
ground its side holds (every cell its side holds is in its sight), the public news (cities and bases
changing hands), its own aircraft's strikes, and of the enemy only the breaks its own units saw (within
their spotting range, the rule that lets aircraft strike: rules.air.spotting_mask). Its will to fight is
its own entries only (fog.own_will_entries), never an enemy's.

Repetitive events are grouped: breaks by faction and the city or town nearest to where the units stood
("11 Syrian Arab Army units broke near Saraqib"), each group with the morale factors behind it, ranked by
the after-action report's rule (report.why.break_factors). Names are the scenario's (units, places,
factions, sides, air wings), never an internal id.

The summary is built at the end of each turn from the model and the state taken at the end of the turn
before (TurnStart), so a replayed game builds the same one; it is kept in the team's view of that turn.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from wargame.core.agents.unit import SHAKEN, UNIT_TYPES, on_map
from wargame.core.rules.will import HEX_AREA, WILL_FACTORS
from wargame.play.fog import entry_name, own_will_entries, reports
from wargame.play.news import LISTED, OUTCOME_WORDS, describe, listed
from wargame.play.words import change, count
from wargame.report.style import short_name
from wargame.report.why import break_factors, factor_label
from wargame.report.will import ACTORS, FACTOR_WORDS, the

TOP_FACTORS = 3          # morale factors named behind a group of breaks
TOP_WILL_FACTORS = 2     # will factors named behind a will's change this turn
SMALL_WILL = 0.005       # a will factor that moved by less than this in a turn is not named (as report.will)
SMALL_SHARE = 0.005      # a morale factor with a smaller share of a break is not named (under 1% as printed)
# The news of a turn a team reads beside the numbers: its own side's and patrons' decisions, deals, risings
DECISION_KINDS = ("strategic_decision", "local_deal", "uprising", "regime_collapsed", "campaign_ended")
WHITE_CELL_WORDS = "white cell:"      # a decision the white cell took is told under its injects, not twice
LOSS_KINDS = ("killed", "captured", "deserted")
QUIET_TURN = "nothing moved it by as much as 0.005: a small town taken or lost weighs little in a will"
# what an Israeli strike on a unit hits, in words (core.actors.IsraelActor.strike)
STRIKE_WORDS = {"leadership": "its commanders (its cohesion falls)", "depot": "its depot (its supply falls)"}
TOLD_AS_DECISIONS = ("surrender", "freeze")    # the white cell's outcomes, announced as decisions (play.outcomes)


@dataclass
class TurnStart:
    """The state a turn's summary is measured from: taken at the end of the turn before (or the start)."""

    steps: int
    events: int
    control: np.ndarray
    tally: dict[str, np.ndarray]
    will: np.ndarray
    ledger: np.ndarray


def turn_start(model) -> TurnStart:
    w = model.will
    return TurnStart(model.steps, len(model.events), model.control.astype(np.int8, copy=True),
                     {k: model.tally[k].copy() for k in LOSS_KINDS}, w.value.astype(float, copy=True),
                     np.array(w.ledger, dtype=float, copy=True))


def reader_names(model) -> dict[str, dict[str, str]]:
    """The names a reader knows things by, from the scenario: sides, factions, places (bases included) and
    air wings; for play.news.describe and this module."""
    spec = model.spec
    return {"side_names": {s: the(short_name(v.name)) for s, v in spec.sides.items()},
            "faction_names": {f: short_name(v.name) for f, v in spec.factions.items()},
            "place_names": {p: short_name(v.name) for p, v in model.theatre.geodata.places.items()},
            "wing_names": {k: short_name(v.name) for k, v in spec.air.items()}}


class Locator:
    """The city or town nearest to a cell, by name."""

    def __init__(self, theatre):
        self.places = list(theatre.cities.values())
        self.tree = cKDTree(np.column_stack([theatre.x[[c.cell for c in self.places]],
                                             theatre.y[[c.cell for c in self.places]]])) if self.places else None
        self.theatre = theatre

    def near(self, cell: int | None) -> str:
        if cell is None or cell < 0 or self.tree is None:
            return "an unknown place"
        _, k = self.tree.query([self.theatre.x[cell], self.theatre.y[cell]])
        return short_name(self.places[int(k)].name)


def _snapshots(model, steps: set[int]) -> dict[int, dict[str, np.ndarray]]:
    """The unit recorder's columns at the end of each of these steps (the game keeps every unit's record)."""
    recorder = getattr(model, "recorder", None)
    if recorder is None:
        return {}
    out = {}
    for step, columns in reversed(recorder.snapshots):
        if step in steps:
            out[step] = columns
        if step < min(steps, default=0):
            break
    return out


def _where(model, snaps, event: dict) -> int | None:
    """Where a unit stood when it broke: its cell at the end of that step, or, if it left the map as it
    broke, at the end of the step before (as report.why.break_table)."""
    unit = model.unit_by_key(event["unit"])
    if unit is None:
        return None
    for step in (event["step"], event["step"] - 1):
        columns = snaps.get(step)
        if columns is not None and unit.row < columns["idx"].size and columns["idx"][unit.row] >= 0:
            return int(columns["idx"][unit.row])
    return None


def _seen_by_own(model, team, snaps, step: int, cache: dict) -> np.ndarray | None:
    """Cells within spotting range of the team's own fighting units at the end of `step` (what its units
    saw happen), or None if the step's record is missing."""
    if step in cache:
        return cache[step]
    columns = snaps.get(step)
    if columns is None:
        cache[step] = None
        return None
    t = model.table
    n = columns["idx"].size
    mine = np.isin(t.faction[:n], [model.faction_index[f] for f in team.factions if f in model.faction_index])
    eyes = np.flatnonzero(mine & (columns["idx"] >= 0) & (columns["state"] <= SHAKEN))
    seen = np.zeros(model.theatre.n, dtype=bool)
    reach = np.array([getattr(model.spec.rules.unit_types, u).spotting_km for u in UNIT_TYPES])[t.utype[eyes]]
    for km in np.unique(reach):
        seen |= model.theatre.near_mask(columns["idx"][eyes[reach == km]], float(km))
    cache[step] = seen
    return seen


def _break_groups(events: list[dict], where: list[int | None], locator: Locator) -> list[dict]:
    """Breaks grouped by faction and the nearest city or town, largest first."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for event, cell in zip(events, where):
        groups[(event["faction"], locator.near(cell))].append(event)
    out = []
    for (faction, near), members in groups.items():
        out.append({"faction": faction, "near": near, "units": len(members),
                    "personnel": int(sum(e["personnel"] for e in members)),
                    "outcomes": dict(Counter(e["outcome"] for e in members)),
                    "names": [e["name"] for e in members], "factors": break_factors(members)})
    return sorted(out, key=lambda g: (-g["units"], -g["personnel"], g["near"]))


def _group_line(group: dict, faction_names: dict[str, str], why: bool) -> str:
    who = faction_names.get(group["faction"], group["faction"])
    if group["units"] == 1:
        head = f"{group['names'][0]} ({who}) broke near {group['near']}"
    else:
        head = f"{group['units']} {who} units broke near {group['near']}"
    outcomes = ", ".join(f"{n} {OUTCOME_WORDS.get(o, o)}" for o, n in
                         sorted(group["outcomes"].items(), key=lambda kv: -kv[1]))
    line = f"{head} ({group['personnel']:,} men; {outcomes})"
    if why and group["factors"]:
        line += ": " + ", ".join(f"{factor_label(f)} {s:.0%}" for f, s in group["factors"][:TOP_FACTORS]
                                 if s >= SMALL_SHARE)
    return line


def summarise_turn(model, team, start: TurnStart, turn: int, sectors, injects: list[dict] | None = None) -> dict:
    """The team's summary of the turn just resolved (from `start` to now): sections of lines, and the
    counts they were written from. `injects`: the white cell's interventions of the turn, each with the
    teams it touched (white_cell_lines), of which this team sees those that touched it."""
    names = reader_names(model)
    sides, factions = names["side_names"], names["faction_names"]
    new = [e.to_dict(model.events.start) for e in model.events.since(start.events)]
    side = model.side_index.get(team.side) if team.side else None
    own_side = team.side or None
    locator = Locator(model.theatre)
    sections: list[dict] = []

    # ---- ground: the cities and bases that changed hands (public news), and the side's own ground
    ground = []
    taken, back = _net_captures([e for e in new if e["kind"] in ("city_captured", "base_captured")])
    won = [e for e in taken if own_side and e["side"] == own_side]
    lost = [e for e in taken if own_side and e["from_side"] == own_side]
    if won:
        ground.append(f"Your side ({sides.get(own_side, own_side)}) took {listed([_taken(e, sides) for e in won])}.")
    if lost:
        ground.append(f"Your side lost {listed([_lost(e, sides) for e in lost])}.")
    others = [e for e in taken if e not in won and e not in lost]
    if others:
        ground.append(f"Elsewhere: {listed([_elsewhere(e, sides) for e in others])}.")
    for e in back:
        ground.append(f"{e['name']} changed hands during the turn and is back with {sides.get(e['side'], e['side'])}.")
    held_cells = {"gained": 0, "lost": 0}
    if side is not None:
        before, now = start.control == side, model.control == side
        hex_km2 = model.spec.theatre.cell_km ** 2 * HEX_AREA
        # net by sector: a sector where the side gained and lost ground in one turn is told once, by its net
        # change (gained 22 km² and lost 22 km² around Idlib is no change there, not two lines that cancel)
        net: Counter = Counter()
        for what, cells in (("gained", np.flatnonzero(now & ~before)), ("lost", np.flatnonzero(before & ~now))):
            held_cells[what] = int(cells.size)
            for k in sectors.of_cell[cells]:
                net[sectors.names[sectors.ids[int(k)]]] += 1 if what == "gained" else -1
        for what, sign in (("gained", 1), ("lost", -1)):
            by_sector = Counter({s: n * sign for s, n in net.items() if n * sign > 0})
            parts = [f"about {n * hex_km2:,.0f} km² around {s}" for s, n in by_sector.most_common(LISTED)]
            if parts:
                ground.append(f"Ground your side {what}: {listed(parts)}.")
        if (held_cells["gained"] or held_cells["lost"]) and not any(net.values()):
            ground.append("Ground changed hands on your side, with no net change in any sector.")
    if not ground:
        ground.append("No city or ground changed hands on your side.")
    sections.append({"topic": "ground", "title": "Ground and cities", "lines": ground})

    # ---- losses: the team's own, exactly; the enemy's as far as its units and aircraft saw them
    mine = [model.faction_index[f] for f in team.factions if f in model.faction_index]
    own_lost = {k: int(round(float((model.tally[k] - start.tally[k])[mine].sum()))) for k in LOSS_KINDS}
    own_broke = [e for e in new if e["kind"] == "unit_broke" and e["faction"] in team.factions]
    own_destroyed = [e for e in new if e["kind"] == "unit_destroyed" and e["faction"] in team.factions]
    hostile_factions = ({f for f in model.faction_ids if model.hostile[side, model.faction_side[model.faction_index[f]]]}
                        if side is not None else set())
    steps = {e["step"] for e in new if e["kind"] in ("unit_broke", "unit_destroyed")}
    snaps = _snapshots(model, steps | {s - 1 for s in steps})
    seen_cache: dict = {}

    def saw(event) -> tuple[bool, int | None]:
        cell = _where(model, snaps, event)
        seen = _seen_by_own(model, team, snaps, event["step"], seen_cache) if mine else None
        return (cell is not None and seen is not None and bool(seen[cell])), cell

    enemy_broke, enemy_cells, enemy_destroyed = [], [], []
    for e in new:
        if e["kind"] in ("unit_broke", "unit_destroyed") and e["faction"] in hostile_factions:
            heard, cell = saw(e)
            if heard and e["kind"] == "unit_broke":
                enemy_broke.append(e)
                enemy_cells.append(cell)
            elif heard:
                enemy_destroyed.append(e)
    strikes = [e for e in new if e["kind"] in ("air_strike", "missile_strike") and e["faction"] in team.factions]
    strikes += [e for e in new if e["kind"] == "israeli_strike" and "israel" in team.actors]
    losses = []
    if mine:
        total = sum(own_lost.values())
        parts = [f"{own_lost[k]:,} {word}" for k, word in (("killed", "killed or wounded"), ("captured", "captured"),
                                                            ("deserted", "deserted")) if own_lost[k]]
        losses.append((f"Your losses: {total:,} men ({', '.join(parts)})" if total else "Your losses: none")
                      + (f"; {count(len(own_broke), 'unit')} broke" if own_broke else "")
                      + (f"; {count(len(own_destroyed), 'unit')} destroyed" if own_destroyed else "") + ".")
    if enemy_broke or enemy_destroyed:
        men = sum(e["personnel"] for e in enemy_broke)
        losses.append(f"Enemy losses your units saw: {count(len(enemy_broke), 'unit')} broke ({men:,} men)"
                      + (f", {len(enemy_destroyed)} destroyed" if enemy_destroyed else "") + ".")
    elif mine:
        losses.append("Your units saw no enemy unit break.")
    if strikes:
        # each strike rounded as its own report prints it (play.airpower), then summed: the two agree
        killed = sum(round(float(e.get("killed", 0.0))) for e in strikes)
        losses.append(f"Your strikes: {count(len(strikes), 'strike')}, "
                      + (f"about {killed:,} enemy killed." if killed else "no enemy killed."))
    if losses:
        sections.append({"topic": "losses", "title": "Losses", "lines": losses})

    # ---- breaks, grouped, with the why (own) and the enemies broken against the team
    if own_broke:
        groups = _break_groups(own_broke, [_where(model, snaps, e) for e in own_broke], locator)
        lines = [_group_line(g, factions, why=True) for g in groups]
        overall = break_factors(own_broke)
        if len(groups) > 1 and overall:
            lines.append("Why, over all your breaks: " + ", ".join(
                f"{factor_label(f)} {s:.0%}" for f, s in overall[:TOP_FACTORS] if s >= SMALL_SHARE))
        sections.append({"topic": "broke", "title": "Your units that broke, and why", "lines": lines})
    if enemy_broke:
        groups = _break_groups(enemy_broke, enemy_cells, locator)
        sections.append({"topic": "enemy_broke", "title": "Enemies your units broke",
                         "lines": [_group_line(g, factions, why=False) for g in groups]})

    # ---- the will to fight: the team's own entries, and what moved them this turn
    will_lines = []
    w = model.will
    for entry in own_will_entries(model, team):
        value, before = float(w.value[entry]), float(start.will[entry])
        moved = np.asarray(w.ledger[entry], dtype=float) - start.ledger[entry]
        ranked = sorted(((f, float(v)) for f, v in zip(WILL_FACTORS, moved) if abs(v) >= SMALL_WILL),
                        key=lambda fv: -abs(fv[1]))[:TOP_WILL_FACTORS]
        why = "; ".join(f"{FACTOR_WORDS[f][0 if v < 0 else 1]} {change(v)}" for f, v in ranked)
        # nothing to name: said, so a town taken that moved the will too little to show is not a riddle
        will_lines.append(f"{entry_name(model, entry)}: {value:.2f} ({change(value - before)} this turn"
                          + (f": {why}" if why else f"; {QUIET_TURN}") + ")")
    if will_lines:
        threshold = model.spec.rules.will.collapse
        if any(w.is_leadership[e] for e in own_will_entries(model, team)):
            will_lines.append(f"Your regime collapses if its leadership's will falls below {threshold:.2f}.")
        sections.append({"topic": "will", "title": "Your will to fight", "lines": will_lines})

    # ---- the decisions of the turn that concern the team (fog.reports: an enemy's will taken out)
    decided = [describe(e, names) for e in reports(model, team, new) if e["kind"] in DECISION_KINDS
               and not str(e.get("decision", "")).startswith(WHITE_CELL_WORDS)]
    if decided:
        sections.append({"topic": "decisions", "title": "Decisions and news", "lines": list(dict.fromkeys(decided))})

    # ---- the white cell's injects that touched this team
    # a surrender or a freeze is a decision of diplomacy each team already reads under its decisions: not twice
    touched = [x["text"] for x in injects or [] if team.id in x["teams"] and x["kind"] not in TOLD_AS_DECISIONS]
    if touched:
        sections.append({"topic": "white_cell", "title": "From the white cell", "lines": touched})

    return {"turn": turn, "day": round(model.day, 2), "sections": sections,
            "counts": {"cities_won": len(won), "cities_lost": len(lost), "cells_gained": held_cells["gained"],
                       "cells_lost": held_cells["lost"], "own_broke": len(own_broke),
                       "enemy_broke": len(enemy_broke), "own_lost": sum(own_lost.values())}}


def _net_captures(events: list[dict]) -> tuple[list[dict], list[dict]]:
    """A turn's captures, one per place: from its first holder to its last (a place taken and retaken in
    the same turn is one change, or none); and the places that changed hands but ended with their first
    holder."""
    by_place: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_place[e.get("city") or e.get("base") or e["name"]].append(e)
    changed, back = [], []
    for runs in by_place.values():
        net = {**runs[-1], "from_side": runs[0]["from_side"]}
        (back if net["side"] == net["from_side"] else changed).append(net)
    return changed, back


def _taken(e: dict, sides: dict) -> str:
    return f"{e['name']} from {sides.get(e['from_side'], e['from_side'])}"


def _lost(e: dict, sides: dict) -> str:
    return f"{e['name']} to {sides.get(e['side'], e['side'])}"


def _elsewhere(e: dict, sides: dict) -> str:
    return f"{e['name']} taken by {sides.get(e['side'], e['side'])} from {sides.get(e['from_side'], e['from_side'])}"


# ---------------------------------------------------------------------------------------------- injects

def white_cell_lines(model, start: TurnStart, interventions: list[dict], teams: dict) -> list[dict]:
    """Each of the turn's interventions in words, with the teams it touched: {"kind", "text", "teams"}.
    Who is touched: an Israeli strike, Israel's team and every team of the struck side (the unit's own and
    its allies', who hear of a strike on their side; Iran's side for a convoy); weather, everyone
    (everyone's aircraft); Russian aircraft, Russia's; a defection, the teams of the unit that went over and
    of the side it joined; a parameter, the team whose faction or actor it sets; a city given, the teams of
    the side that got it and of the one that lost it; a unit's state, its team's; an adjudicated surrender,
    the teams of both sides (the one that laid down arms and the one it surrendered to); a Russia-Turkey
    freeze, Russia's and Turkey's teams and every team with units in the frozen north-west. A note is for
    the record (the debrief) and touches no team."""
    names = reader_names(model)
    sides, factions, wings = names["side_names"], names["faction_names"], names["wing_names"]
    # the interventions' own events: those logged between the turns (at the turn's first step count)
    between = [e.to_dict(model.events.start) for e in model.events.since(start.events) if e.step == start.steps]
    strikes = iter([e for e in between if e["kind"] == "israeli_strike"])

    def of_faction(f):
        return {t for t, team in teams.items() if f in team.factions}

    def of_side(s):
        return {t for t, team in teams.items() if team.side == s}

    def of_actor(a):
        return {t for t, team in teams.items() if a in team.actors}

    def side_of(faction):
        spec = model.spec.factions.get(faction) if faction else None
        return spec.side if spec is not None else None

    def unit_name(key):
        unit = model.unit_by_key(key)
        return (unit.name, unit.faction) if unit is not None else (str(key), None)

    out = []
    for x in interventions:
        kind, p = x["kind"], x.get("params") or {}
        touched: set[str] = set()
        if kind == "israeli_strike":
            event = next(strikes, None)
            touched = of_actor("israel")
            if event is not None and event.get("unit"):
                name, faction = unit_name(event["unit"])
                touched |= of_faction(faction) | of_side(side_of(faction))      # allies hear of it too
                target = STRIKE_WORDS.get(p.get("target", "leadership"), str(p.get("target")))
                text = (f"Israeli strike on {name} ({factions.get(faction, faction)}), {target}: "
                        f"about {event['killed']:.0f} killed")
            elif event is not None:
                touched |= of_actor("iran") | of_faction("iran_axis") | of_side(side_of("iran_axis"))
                text = "Israeli strike on an Iranian supply convoy: less reaches the militias"
            else:
                text = "Israeli strike: no target found"
        elif kind == "weather":
            touched = set(teams)
            text = ("Bad weather for a day: aircraft grounded" if p.get("bad", True)
                    else "The weather clears for a day: aircraft fly")
        elif kind == "russian_aircraft":
            touched = of_actor("russia_hq") | of_faction("russia")
            wing = p.get("wing", "ru_khmeimim")
            text = f"{p.get('aircraft')} more Russian aircraft reach {wings.get(wing, wing)}"
        elif kind == "defection":
            event = next((e for e in between if e["kind"] == "unit_defected" and e["unit"] == p.get("unit")), None)
            name, faction = unit_name(p.get("unit"))
            touched = of_faction(faction)
            if event is not None:
                touched |= of_faction(event["new_faction"])
                text = (f"{name} ({factions.get(faction, faction)}, {event['personnel']:,} men) defected to "
                        f"{factions.get(event['new_faction'], event['new_faction'])}")
            else:
                text = f"{name} defected"
        elif kind == "parameter":
            path = str(p.get("path", ""))
            parts = path.split(".")
            if len(parts) > 1 and parts[0] == "factions":
                touched = of_faction(parts[1])
                text = f"The white cell changed {factions.get(parts[1], parts[1])}'s {parts[-1].replace('_', ' ')}"
            elif len(parts) > 1 and parts[0] == "actors":
                touched = of_actor(parts[1])
                actor = ACTORS.get(parts[1], parts[1].replace("_", " "))
                text = f"The white cell changed {actor}'s {parts[-1].replace('_', ' ')}"
            else:
                text = f"The white cell changed a rule: {path}"
            text += f" to {p.get('value')}"
        elif kind == "city":
            city = model.theatre.cities.get(p.get("city"))
            name = short_name(city.name) if city is not None else str(p.get("city"))
            event = next((e for e in between if e["kind"] == "city_captured" and e["city"] == p.get("city")), None)
            touched = of_side(p.get("side")) | (of_side(event["from_side"]) if event else set())
            text = f"The white cell gave {name} to {sides.get(p.get('side'), p.get('side'))}"
        elif kind == "unit":
            name, faction = unit_name(p.get("unit"))
            touched = of_faction(faction)
            changed = ", ".join(f"{f} {float(p[f]):.2f}" for f in ("morale", "cohesion", "supply") if f in p)
            text = f"The white cell set {name}'s {changed}"
        elif kind == "surrender":
            touched = of_side(p.get("side")) | of_side(p.get("to"))
            decision = next((e["decision"] for e in between if e["kind"] == "strategic_decision"
                             and str(e.get("decision", "")).startswith("a surrender negotiated")), None)
            where = p.get("place") or p.get("sector") or ""
            text = (f"Surrender: {decision}" if decision else
                    f"Surrender at {where}: {sides.get(p.get('side'), p.get('side'))} to {sides.get(p.get('to'), p.get('to'))}")
        elif kind == "freeze":
            t = model.table
            inside = on_map(t) & model.frozen[np.maximum(t.idx, 0)]
            present = {model.faction_ids[int(f)] for f in np.unique(t.faction[inside])}
            touched = (of_actor("russia_hq") | of_faction("russia") | of_actor("turkey")
                       | {tid for f in present for tid in of_faction(f)})
            text = ("Russia and Turkey freeze the north-west (adjudicated by the white cell): no one attacks into "
                    "or out of it")
        elif kind == "note":
            text = f"Note for the record: {str(p.get('text', ''))[:500]}"
        else:
            text = kind.replace("_", " ")
        out.append({"kind": kind, "text": text, "teams": sorted(touched)})
    return out


def summary_lines(summary: dict | None) -> list[str]:
    """A summary as plain lines (the hot-seat's screen): a heading per section, its lines indented."""
    if not summary:
        return []
    out = [f"What happened in turn {summary['turn'] + 1}:"]
    for section in summary.get("sections", []):
        out.append(f"  {section['title']}:")
        out += [f"    - {line}" for line in section["lines"]]
    return out
