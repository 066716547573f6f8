"""Movement: units walk down cost fields towards the cell their commander chose, or away when routed.

Rule: each step a unit has `speed_km_day / steps_per_day` km of movement (less when its supply is low),
banked across steps. It moves cell by cell to the neighbour nearest its target along the cheapest path
(terrain cost, roads cheaper, enemy-held ground dearer), stopping when it would enter a cell with an
enemy unit (contact: combat decides), a cell at the stacking limit, or when its movement runs out.
Routed units and units ordered to withdraw fall back along the cheapest path to their side's supply
sources. Distance fields are one Dijkstra run per (side, target) per step, shared by all units.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csgraph

from wargame.agents.unit import GroundUnit, State
from wargame.rules.terrain_costs import entry_cost_km, side_entry_cost_km, weighted_towards

MAX_BANKED_KM = 60.0


class FieldCache:
    """Cost-to-target fields for this step, computed on demand."""

    def __init__(self, model):
        self.model = model
        base = entry_cost_km(model)
        self.cost = [side_entry_cost_km(model, s, base) for s in range(len(model.side_ids))]
        self._graphs: dict[int, object] = {}
        self._fields: dict[tuple[int, int | tuple], np.ndarray] = {}

    def graph(self, side: int):
        if side not in self._graphs:
            self._graphs[side] = weighted_towards(self.model.theatre, self.cost[side])
        return self._graphs[side]

    def towards(self, side: int, target: int) -> np.ndarray:
        key = (side, target)
        if key not in self._fields:
            self._fields[key] = csgraph.dijkstra(self.graph(side), directed=True, indices=target)
        return self._fields[key]

    def retreat(self, side: int) -> np.ndarray:
        """Cost to reach the nearest of the side's supply sources that it still holds."""
        key = (side, ("retreat",))
        if key not in self._fields:
            held = [c for c in self.model.source_cells[side] if self.model.control[c] == side]
            if not held:
                held = list(self.model.source_cells[side])
            self._fields[key] = csgraph.dijkstra(self.graph(side), directed=True, indices=held, min_only=True)
        return self._fields[key]


def enemy_presence(model) -> np.ndarray:
    """(sides, cells) bool: cells holding a fighting unit hostile to each side."""
    sides = len(model.side_ids)
    occupied = np.zeros((sides, model.theatre.n), dtype=bool)
    for unit in model.units_on_map():
        if unit.fighting:
            occupied[model.side_index[unit.side], unit.idx] = True
    return np.array([occupied[model.hostile[s]].any(axis=0) for s in range(sides)])


def move_units(model) -> None:
    fields = FieldCache(model)
    enemy = enemy_presence(model)
    stack = np.bincount([u.idx for u in model.units_on_map()], minlength=model.theatre.n)
    limit = model.spec.rules.movement.stacking_limit
    units = [u for u in model.units_on_map()]
    order = model.rng.permutation(len(units))
    for k in order:
        unit = units[k]
        unit.moved = False
        field = _field_for(model, fields, unit)
        if field is None:
            unit.progress_km = 0.0
            continue
        side = model.side_index[unit.side]
        budget = unit.progress_km + speed_km_step(model, unit)
        moved_cells = 0
        while True:
            here = unit.idx
            nxt = _best_neighbour(model, field, here)
            if nxt is None or field[nxt] >= field[here]:
                budget = 0.0
                break
            if enemy[side, nxt] or stack[nxt] >= limit:
                budget = 0.0
                break
            cost = fields.cost[side][nxt]
            if budget < cost:
                break
            budget -= cost
            stack[here] -= 1
            stack[nxt] += 1
            unit.place(nxt)
            moved_cells += 1
            if unit.withdraw and moved_cells >= 1:
                budget = 0.0
                break
        unit.progress_km = min(budget, MAX_BANKED_KM)
        unit.moved = moved_cells > 0
        unit.withdraw = False


def speed_km_step(model, unit: GroundUnit) -> float:
    speed = getattr(model.spec.rules.unit_types, unit.utype).speed_km_day / model.spec.steps_per_day
    return speed * (0.5 + 0.5 * unit.supply) * (1.5 if unit.state is State.ROUTING else 1.0)


def _field_for(model, fields: FieldCache, unit: GroundUnit):
    side = model.side_index[unit.side]
    if unit.state is State.ROUTING or unit.withdraw:
        return fields.retreat(side)
    if unit.target_cell is None or unit.target_cell == unit.idx:
        return None
    return fields.towards(side, unit.target_cell)


def _best_neighbour(model, field: np.ndarray, here: int) -> int | None:
    adjacency = model.theatre.adjacency
    near = adjacency.indices[adjacency.indptr[here]:adjacency.indptr[here + 1]]
    if near.size == 0:
        return None
    values = field[near]
    best = int(np.argmin(values))
    return int(near[best]) if np.isfinite(values[best]) else None
