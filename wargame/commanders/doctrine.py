"""Doctrine AI: the default commander of every faction, choosing each unit's target cell every step.

offensive  - attacking units make for their own objective, else the nearest place of the highest-priority
             objective their side has not yet taken; reserves follow once the attack has gone past them.
defensive  - units hold where they stand; reserves go to the threatened place their side must hold (the
             one with most enemy power within THREAT_KM), as the 25th Division was rushed to Aleppo.
static     - units hold.
Routed and withdrawing units are moved by the movement rule, not here.
"""

from __future__ import annotations

import numpy as np

from wargame.agents.unit import GroundUnit

THREAT_KM = 40.0


def objective_cells(model, side: str, kind: str = "capture") -> list[tuple[int, int, str]]:
    """(priority, cell, place) of the side's objectives of a kind."""
    out = []
    for objective in model.spec.objectives.values():
        if objective.side == side and objective.kind == kind:
            for place in objective.places:
                out.append((objective.priority, model.theatre.place_cell[place], place))
    return out


def held(model, side: str, cell: int) -> bool:
    return model.control[cell] == model.side_index[side]


def offensive(model, units: list[GroundUnit]) -> None:
    if not units:
        return
    side = units[0].side
    open_targets = [(p, c) for p, c, _ in objective_cells(model, side) if not held(model, side, c)]
    top = min((p for p, _ in open_targets), default=None)
    targets = np.array([c for p, c in open_targets if p == top], dtype=np.int64)
    for unit in units:
        if unit.objective is not None:
            own = model.theatre.place_cell[unit.objective]
            if not held(model, side, own):
                unit.target_cell = own
                continue
        if unit.posture not in ("attack", "reserve") or targets.size == 0:
            unit.target_cell = None
            continue
        distance = model.theatre.km_between(unit.idx, targets)
        unit.target_cell = int(targets[int(np.argmin(distance))])


def defensive(model, units: list[GroundUnit]) -> None:
    if not units:
        return
    side = units[0].side
    to_hold = [c for _, c, _ in objective_cells(model, side, "hold") if held(model, side, c)]
    threat_cell = _most_threatened(model, side, to_hold)
    for unit in units:
        if unit.posture == "reserve" and threat_cell is not None:
            unit.target_cell = threat_cell
        elif unit.posture == "attack" and unit.objective is not None:
            unit.target_cell = model.theatre.place_cell[unit.objective]
        else:
            unit.target_cell = None


def static(model, units: list[GroundUnit]) -> None:
    for unit in units:
        unit.target_cell = None


def _most_threatened(model, side: str, cells: list[int]) -> int | None:
    if not cells:
        return None
    s = model.side_index[side]
    enemies = [u for u in model.units_on_map() if u.fighting and model.hostile[s, model.side_index[u.side]]]
    if not enemies:
        return None
    enemy_idx = np.array([u.idx for u in enemies])
    enemy_power = np.array([u.personnel for u in enemies])
    best, best_threat = None, 0.0
    for cell in cells:
        near = model.theatre.km_between(cell, enemy_idx) <= THREAT_KM
        threat = float(enemy_power[near].sum())
        if threat > best_threat:
            best, best_threat = cell, threat
    return best


POLICIES = {"offensive": offensive, "defensive": defensive, "static": static}


def decide(model) -> None:
    """Every faction's doctrine chooses target cells for its fighting units."""
    by_faction: dict[str, list[GroundUnit]] = {fid: [] for fid in model.spec.factions}
    for unit in model.units_on_map():
        if unit.fighting and model.day >= unit.active_from_day:
            by_faction[unit.faction].append(unit)
        else:
            unit.target_cell = None
    for fid, units in by_faction.items():
        POLICIES[model.spec.factions[fid].doctrine](model, units)
