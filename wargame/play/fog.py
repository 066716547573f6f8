"""Fog of war: what a team can know, built from the model for that team alone.

A team sees its own units in full (strength, morale, state), its side's other units as friendly markers,
enemy units within spotting range of its side's fighting units (the same rule that lets aircraft strike,
rules.air), and where enemies it no longer sees were last seen. It knows who holds the ground it holds or
sees, and remembers the rest as it last saw it. Its reports are the public news (cities and bases that
change hands, a regime's collapse, the end of the campaign) and what concerns its own factions and actors
(an Israeli strike among them: it is news to Israel and to the team whose unit or pipeline it hit; a unit
that defects is news to the team it joins, equipment captured to the team whose units took it).

The will to fight: a team knows its own factions' will and, when it commands its side's state army, its
leadership's (the regime team), each with its change over the last turn and the factors that moved it most
(team_will). It never learns an enemy's will: a number that reveals the will of a side it is at war with
(a patron's or a rebel course's reasoning, a collapse's factors) is taken out of every report it gets
(redact). The instructor's view is the truth, every will included. Nothing in a team's view comes from
another team's orders or view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from wargame.core.agents.unit import STATES, UNIT_TYPES, on_map
from wargame.core.campaign import regime_name
from wargame.core.rules.air import spotting_mask
from wargame.core.rules.will import WILL_FACTORS
from wargame.report.style import short_name
from wargame.report.will import FACTOR_WORDS

ROOM_NEWS = ("city_captured", "base_captured", "regime_collapsed", "campaign_ended")   # the room's news (status)
PUBLIC_EVENTS = (*ROOM_NEWS, "weather")
HIDDEN = "(not known to you)"
# What gives a will away in an event's words: "will is 0.39", "will 0.28", "will 13% of its start", and a
# ledger's factors "(cities -0.36, patrons -0.19)"; and the numbers a collapse event carries
WILL_NUMBER = re.compile(r"\bwill( is)? [+-]?\d+(\.\d+)?%?( of its start)?")
FACTOR_LIST = re.compile(r" ?\((?:(?:" + "|".join(WILL_FACTORS) + r") [+-]\d+\.\d+(?:, )?)+\)")
TEXT_FIELDS = ("decision", "why", "reason", "note")


@dataclass
class Memory:
    """What a team remembers between turns: enemy units' last-seen cells and the control it last saw."""

    last_seen: dict[str, tuple[int, float, str]] = field(default_factory=dict)     # unit key -> (cell, day, faction)
    control: np.ndarray | None = None
    will: dict[str, float] = field(default_factory=dict)        # the team's own will entries at its last view


def visible_cells(model, side: int) -> np.ndarray:
    """Cells the side sees: within spotting range of its fighting units, or held by it."""
    return (model.control == side) | spotting_mask(model, side)


def _unit(model, row: int, detail: bool) -> dict:
    t = model.table
    agent = model.table.agent[row]
    out = {"unit": agent.key, "name": agent.name, "faction": model.faction_ids[t.faction[row]],
           "cell": int(t.idx[row]), "type": UNIT_TYPES[t.utype[row]]}
    if detail:
        out.update({"personnel": round(float(t.personnel[row])), "morale": round(float(t.morale[row]), 2),
                    "cohesion": round(float(t.cohesion[row]), 2), "supply": round(float(t.supply[row]), 2),
                    "state": STATES[t.state[row]]})
    return out


def team_view(model, team, memory: Memory, sectors) -> dict:
    """The team's picture now (and its memory updated with what it sees)."""
    t = model.table
    side = model.side_index.get(team.side) if team.side else None
    present = np.flatnonzero(on_map(t))
    mine = {model.faction_ids.index(f) for f in team.factions if f in model.faction_ids}
    own = [_unit(model, int(r), True) for r in present if t.faction[r] in mine]
    friendly, enemies = [], []
    if side is not None:
        seen = visible_cells(model, side)
        friendly = [_unit(model, int(r), False) for r in present if t.side[r] == side and t.faction[r] not in mine]
        hostile = present[model.hostile[side, t.side[present]] & seen[t.idx[present]]]
        enemies = [_unit(model, int(r), False) for r in hostile]
        for unit in enemies:
            memory.last_seen[unit["unit"]] = (unit["cell"], model.day, unit["faction"])
        if memory.control is None:
            memory.control = np.full(model.theatre.n, -1, dtype=np.int8)
        memory.control[seen] = model.control[seen]
        control = memory.control.copy()
    else:                                   # a team with no ground forces (Israel) sees the news only
        seen = np.zeros(model.theatre.n, dtype=bool)
        control = np.full(model.theatre.n, -1, dtype=np.int8)
    visible = {u["unit"] for u in enemies}
    remembered = [{"unit": k, "cell": c, "day": d, "faction": f} for k, (c, d, f) in memory.last_seen.items()
                  if k not in visible]
    return {"team": team.id, "name": team.name, "day": round(model.day, 2), "turn_step": model.steps,
            "own": own, "friendly": friendly, "enemies": enemies, "last_seen": remembered,
            "control": control.tolist(), "seen_cells": int(seen.sum()),
            "reports": reports(model, team), "sectors": sectors.ids, "will": team_will(model, team, memory)}


def own_will_entries(model, team) -> list[int]:
    """The will entries a team knows: its own factions', then its side's leadership's if it commands that
    side's state army (the regime team)."""
    w = model.will
    entries = [model.faction_index[f] for f in team.factions if f in model.faction_index]
    for s, army in w.army.items():
        if model.faction_ids[army] in team.factions:
            entries.append(w.leadership[s])
    return entries


def entry_name(model, entry: int) -> str:
    w = model.will
    if entry < len(model.faction_ids):
        return short_name(model.spec.factions[model.faction_ids[entry]].name)
    return f"{regime_name(model.side_ids[int(w.side[entry])]).capitalize()}'s leadership"


QUIET_WILL = ("nothing has moved it by as much as 0.005 yet: a small town taken or lost weighs little "
              "(a will weighs a place by its population)")


def will_entry(model, entry: int, before: float | None = None, factors: int = 3) -> dict:
    """One will entry as players read it: its value, start, change since `before` (the last view), and the
    factors that moved it most since the start, in words."""
    w = model.will
    row = w.ledger[entry]
    ranked = sorted(((f, float(v)) for f, v in zip(WILL_FACTORS, row) if abs(v) >= 0.005), key=lambda fv: -abs(fv[1]))
    value = float(w.value[entry])
    return {"id": w.names[entry], "name": entry_name(model, entry), "leadership": bool(w.is_leadership[entry]),
            "value": round(value, 3), "start": round(float(w.start[entry]), 3),
            "change": round(value - (before if before is not None else value), 3),
            "factors": [{"factor": f, "value": round(v, 3), "text": f"{FACTOR_WORDS[f][0 if v < 0 else 1]} {v:+.2f}"}
                        for f, v in ranked[:factors]],
            # no factor to name is not "nothing happened": a small town taken moves a will by less than 0.005
            # (Saraqib +0.005 to the rebels; rules.will weighs a place by its population), and the enemy's
            # advance elsewhere may take as much away
            "factors_note": "" if ranked else QUIET_WILL}


def team_will(model, team, memory: Memory) -> dict:
    """The will to fight the team knows (its own entries only: never an enemy's), with each one's change
    since the team's last view (its turn), and the collapse threshold; the memory keeps this turn's values."""
    w = model.will
    mine = own_will_entries(model, team)
    out = [will_entry(model, e, memory.will.get(w.names[e])) for e in mine]
    memory.will = {w.names[e]: float(w.value[e]) for e in mine}
    side = model.side_index.get(team.side) if team.side else None
    return {"entries": out, "collapse_below": model.spec.rules.will.collapse,
            "collapsed": side in w.collapsed if side is not None else False}


def hostile_to_a_leadership(model, team) -> bool:
    """Whether a side the team is at war with has a leadership (whose will its reports must not give away);
    a team with no side (Israel) counts as at war with every leadership but its allies'."""
    w = model.will
    side = model.side_index.get(team.side) if team.side else None
    return any(side is None or model.hostile[side, s] for s in w.leadership)


def redact(event: dict) -> dict:
    """The event with every number that gives a will away taken out of its words (and a collapse's will and
    factors dropped)."""
    out = dict(event)
    for key in TEXT_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = FACTOR_LIST.sub("", WILL_NUMBER.sub(lambda m: f"will {HIDDEN}", out[key]))
    if out.get("kind") == "regime_collapsed":
        out.pop("will", None)
        out["why"] = ""
    return out


def reports(model, team, events: list[dict] | None = None) -> list[dict]:
    """Public news and what concerns the team's own factions and actors, newest last; what would tell it
    an enemy's will is taken out (redact). `events`: those to choose from (default: all of the run's)."""
    out = []
    hide = hostile_to_a_leadership(model, team)
    own_side = team.side
    for event in model.events.to_dicts() if events is None else events:
        kind = event["kind"]
        if kind in PUBLIC_EVENTS or event.get("faction") in team.factions or event.get("actor") in team.actors \
                or event.get("actor") == "diplomacy" \
                or event.get("new_faction") in team.factions or event.get("captor_faction") in team.factions \
                or (kind == "israeli_strike" and struck_by_israel(model, team, event)):
            mine = kind == "regime_collapsed" and event.get("side") == own_side
            out.append(redact(event) if hide and not mine else event)
    return out


def struck_by_israel(model, team, event: dict) -> bool:
    """Whether an Israeli strike is the team's news: Israel's own, and every team of the side it struck (the
    team whose unit, or for a convoy whose Iranian pipeline, it hit, and its allies, who hear of a strike on
    their side as the white cell's summary tells them: turn_summary.white_cell_lines)."""
    if "israel" in team.actors:
        return True
    unit = model.unit_by_key(event["unit"]) if event.get("unit") else None
    faction = unit.faction if unit is not None else "iran_axis"
    if unit is not None and faction in team.factions or unit is None and "iran" in team.actors:
        return True
    struck = model.spec.factions.get(faction)
    return bool(team.side) and struck is not None and struck.side == team.side


def truth(model) -> dict:
    """The instructor's view: every unit and the true control."""
    t = model.table
    units = [_unit(model, int(r), True) for r in np.flatnonzero(on_map(t))]
    w = model.will
    return {"day": round(model.day, 2), "turn_step": model.steps, "units": units,
            "control": model.control.astype(int).tolist(), "events": model.events.to_dicts(),
            "will": {"entries": [will_entry(model, e) for e in range(len(w.names))],
                     "collapse_below": model.spec.rules.will.collapse,
                     "collapsed": {model.side_ids[s]: day for s, day in w.collapsed.items()}}}
