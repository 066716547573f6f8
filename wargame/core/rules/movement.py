"""Movement: units walk down cost fields towards the cell their commander chose, or away when routed.

Rule: each step a unit has `speed_km_day / steps_per_day` km of movement, x (`speed_supply_base` +
`speed_supply_slope` x supply stock), x its faction's tempo (friction, rules/friction.py), x `rout_speed_factor`
when routing, banked across steps (up to
`max_banked_km`); it enters at most `max_cells_per_step` cells a step. It moves cell by cell to the neighbour
nearest its target along the cheapest path (terrain cost, roads cheaper), paying `hostile_factor` times more
to enter ground the enemy holds and still contests (an enemy fighting unit next to it); ground the enemy has
abandoned costs only what the terrain and roads cost. It stops when it would enter a cell with an enemy
fighting unit (contact: combat decides), or ground its side may not enter (Iranian-backed units keep
`golan_km` from the Golan), or when its movement runs out. A unit whose best cell is already full of its own
side (at the stacking limit; routed enemies there do not count) takes the next best cell that still leads
towards its target, so columns deploy rather than queue on one road; with none, it waits. Routed units, and
units ordered to withdraw (one cell), fall back along the cheapest path to their side's supply sources.

A unit's `advance_km` (what shocks the enemy near it: rules.morale) counts the km it advanced into ground the
enemy held, over about the last day. Only an advance counts: a routed unit or one withdrawing crosses enemy
ground to get away, not to attack, so it adds nothing, and what it had advanced before it fell back is
forgotten (a broken or withdrawing unit is no longer a fast advance bearing down on anyone).

All movers advance together, one cell per round; where more want a cell than it has room for, a random
priority drawn each step decides. Cost fields are one Dijkstra run per target, shared by the runs on the
same theatre and costs.
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import KINDS, ROUTING, UNIT_TYPES, fighting, on_map
from wargame.core.rules.movement_kernel import rounds
from wargame.core.rules.terrain_costs import CostGraph, cost_graph, entry_cost_km


class FieldCache:
    """The model's view of its cost graph: cost-to-target fields, computed on demand and shared with other
    runs on the same theatre and costs (see `terrain_costs`). A timeline event that changes a parameter
    makes it look the graph up again."""

    def __init__(self):
        self._version = None
        self.graph: CostGraph | None = None

    def _check(self, model) -> CostGraph:
        if model.params_version != self._version or self.graph is None:
            self._version = model.params_version
            self.graph = cost_graph(model.theatre, entry_cost_km(model))
        return self.graph

    def costs(self, model) -> CostGraph:
        return self._check(model)

    def towards(self, model, target: int) -> int:
        """Row of the field of cost to reach `target`."""
        return self._check(model).field_row((int(target),))

    def retreat(self, model, side: int) -> int:
        """Row of the field of cost to reach the nearest of the side's sources that it still holds."""
        held = tuple(c for c in model.source_cells[side] if model.control[c] == side) or tuple(model.source_cells[side])
        return self._check(model).field_row(tuple(int(c) for c in held))

    @property
    def matrix(self) -> np.ndarray:
        """All fields so far, one per row."""
        return self.graph.matrix

    @property
    def cost(self) -> np.ndarray:
        return self.graph.cost

    def field(self, model, target: int) -> np.ndarray:
        row = self.towards(model, target)           # first: it may add the row
        return self.matrix[row]


def speed_km_step(model, rows: np.ndarray) -> np.ndarray:
    table = model.table
    types = model.spec.rules.unit_types
    speeds = np.array([getattr(types, t).speed_km_day for t in UNIT_TYPES]) / model.spec.steps_per_day
    m = model.spec.rules.movement
    speed = speeds[table.utype[rows]] * (m.speed_supply_base + m.speed_supply_slope * table.supply[rows])
    speed = speed * model.tempo[table.faction[rows]]          # friction (rules/friction.py)
    return np.where(table.state[rows] == ROUTING, speed * m.rout_speed_factor, speed)


def move_units(model) -> None:
    table = model.table
    th = model.theatre
    table.moved[:] = False
    table.advance_km[:] *= 1.0 - 1.0 / model.spec.steps_per_day     # about the km moved over the last day
    present = on_map(table)
    routing = present & (table.state == ROUTING)
    wants = present & fighting(table) & (table.target >= 0) & (table.target != table.idx)
    movers = np.flatnonzero(routing | wants | (present & table.withdraw))
    if movers.size == 0:
        return
    cache = model.fields
    retreating = routing[movers] | table.withdraw[movers]
    # one field per distinct destination: -1 - side for a retreat, the target cell otherwise
    keys = np.where(retreating, -1 - table.side[movers], table.target[movers])
    unique, inverse = np.unique(keys, return_inverse=True)
    rows_of = np.array([cache.retreat(model, -1 - int(k)) if k < 0 else cache.towards(model, int(k)) for k in unique])
    field_row = rows_of[inverse]
    fields = cache.matrix

    enemy_at = _enemy_presence(model)
    rules = model.spec.rules.movement
    # room is counted per side: a cell full of the enemy's routed units does not keep the victor out
    stack = np.bincount(table.side[present] * th.n + table.idx[present], minlength=len(model.side_ids) * th.n)
    budget = table.progress_km[movers] + speed_km_step(model, movers)
    start = table.idx[movers]
    one_cell = table.withdraw[movers] & ~routing[movers]
    priority = model.rng.permutation(movers.size)       # drawn here, whichever kernel runs: same random stream
    militia = table.kind[movers] == KINDS.index("militia")
    # the rounds (movement_kernel): compiled by numba where installed, else numpy; the same results either way.
    # gained_km: km advanced into ground the enemy held, what shocks defenders (a retreat is no advance)
    here, budget, gained_km = rounds(
        start, budget, field_row, retreating, one_cell, table.side[movers], militia, priority, fields,
        th.neighbours, stack, enemy_at, _blocked_cells(model), model.control, model.hostile, cache.cost,
        int(rules.stacking_limit), float(rules.hostile_factor), float(th.layout.cell_km),
        int(rules.max_cells_per_step))

    table.progress_km[movers] = np.minimum(np.maximum(budget, 0.0), rules.max_banked_km)
    changed = here != start
    rows = movers[changed]
    table.idx[rows] = here[changed]
    table.moved[rows] = True
    table.advance_km[movers] += gained_km
    table.advance_km[movers[retreating]] = 0.0      # falling back: its earlier advance no longer shocks anyone
    table.withdraw[movers] = False
    model.sync_cells(rows)


def _enemy_presence(model) -> np.ndarray:
    """(sides, cells) bool: cells holding a fighting unit hostile to each side."""
    table = model.table
    mask = fighting(table)
    sides = len(model.side_ids)
    occupied = np.zeros((sides, model.theatre.n), dtype=bool)
    occupied[table.side[mask], table.idx[mask]] = True
    return np.array([occupied[model.hostile[s]].any(axis=0) for s in range(sides)])


def _blocked_cells(model) -> np.ndarray:
    """Cells Iranian-backed units may not enter (within golan_km of the Golan, per the 2018 understanding)."""
    return model.golan_zone
