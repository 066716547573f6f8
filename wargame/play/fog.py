"""Fog of war: what a team can know, built from the model for that team alone.

A team sees its own units in full (strength, morale, state), its side's other units as friendly markers,
enemy units within spotting range of its side's fighting units (the same rule that lets aircraft strike,
rules.air), and where enemies it no longer sees were last seen. It knows who holds the ground it holds or
sees, and remembers the rest as it last saw it. Its reports are the public news (cities and bases that
change hands, the end of the campaign) and what concerns its own factions and actors. The instructor's
view is the truth. Nothing in a team's view comes from another team's orders or view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wargame.core.agents.unit import STATES, UNIT_TYPES, on_map
from wargame.core.rules.air import spotting_mask

PUBLIC_EVENTS = ("city_captured", "base_captured", "campaign_ended", "weather")


@dataclass
class Memory:
    """What a team remembers between turns: enemy units' last-seen cells and the control it last saw."""

    last_seen: dict[str, tuple[int, float, str]] = field(default_factory=dict)     # unit key -> (cell, day, faction)
    control: np.ndarray | None = None


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
            "reports": reports(model, team), "sectors": sectors.ids}


def reports(model, team) -> list[dict]:
    """Public news and what concerns the team's own factions and actors, newest last."""
    out = []
    for event in model.events.to_dicts():
        kind = event["kind"]
        if kind in PUBLIC_EVENTS or event.get("faction") in team.factions or event.get("actor") in team.actors \
                or event.get("actor") == "diplomacy" \
                or (kind == "israeli_strike" and "israel" in team.actors):
            out.append(event)
    return out


def truth(model) -> dict:
    """The instructor's view: every unit and the true control."""
    t = model.table
    units = [_unit(model, int(r), True) for r in np.flatnonzero(on_map(t))]
    return {"day": round(model.day, 2), "turn_step": model.steps, "units": units,
            "control": model.control.astype(int).tolist(), "events": model.events.to_dicts()}
