"""Supply: each side's supply runs from its sources (ports, crossings, the capital) through cells it holds.

Rule: a held cell is linked if a path through the side's own cells reaches one of its sources; a linked
cell is in supply if it lies within `range_km` of road-weighted effort of a source or of a linked city
(cities hold depots), by Dijkstra over the sparse adjacency graph. A held cell with no path at all to a
source is encircled. A unit's supply stock rises by `resupply` a day when its cell (or a neighbour, at
a contested front) is in supply and falls by `cutoff_decay` a day when not; an empty stock costs
`cutoff_attrition` of its personnel a day. A unit that becomes cut off is logged as encircled.
Turkish support scales the resupply of the SNA. Cutting Homs separates Latakia and Tartus from the rest:
the regime's only paths between the coast and Damascus run through the Homs Gap and the M5 past Homs.
Each side is recomputed only when the cells it holds have changed (or a rule parameter has).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csgraph

from wargame.agents.unit import on_map
from wargame.events import UnitEncircled
from wargame.rules.terrain_costs import entry_cost_km, weighted_towards


def side_supply(model, side: int, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in_supply, linked) bool arrays over cells for one side."""
    own = model.control == side
    sources = np.array([c for c in model.source_cells[side] if own[c]], dtype=np.int64)
    if sources.size == 0:
        none = np.zeros(model.theatre.n, dtype=bool)
        return none, none
    graph = weighted_towards(model.theatre, cost, keep=own)
    _, labels = csgraph.connected_components(graph, directed=False)
    linked = own & np.isin(labels, labels[sources])
    depots = [city.cell for city in model.theatre.cities.values() if linked[city.cell]]
    distance = csgraph.dijkstra(graph, directed=True, indices=np.union1d(sources, depots).astype(np.int64),
                                min_only=True, limit=model.spec.rules.supply.range_km)
    return own & np.isfinite(distance), linked


def update_supply(model) -> None:
    rules = model.spec.rules.supply
    if model.supply_dirty:
        cost = entry_cost_km(model)
        for s in sorted(model.supply_dirty):
            in_supply, linked = side_supply(model, s, cost)
            model.supply_layers[s][:] = in_supply
            model.connected[s] = linked
        model.supply_dirty.clear()

    table = model.table
    rows = np.flatnonzero(on_map(table))
    if rows.size == 0:
        return
    cells, sides = table.idx[rows], table.side[rows]
    supply_grid = np.array(model.supply_layers)
    linked_grid = np.array(model.connected)
    near = model.theatre.neighbours[cells]
    near_ok = near >= 0
    near_cells = np.where(near_ok, near, 0)
    supplied = supply_grid[sides, cells] | (supply_grid[sides[:, None], near_cells] & near_ok).any(axis=1)
    linked = linked_grid[sides, cells] | (linked_grid[sides[:, None], near_cells] & near_ok).any(axis=1)

    dt = 1.0 / model.spec.steps_per_day
    resupply = np.full(rows.size, rules.resupply * dt)
    turkey = model.spec.actors.turkey
    if turkey is not None:
        patrons = np.array([getattr(model.spec.factions[f], "patron", None) == "turkey" for f in model.faction_ids])
        resupply = np.where(patrons[table.faction[rows]], rules.resupply * dt * (0.5 + turkey.support), resupply)
    stock = table.supply[rows]
    table.supply[rows] = np.where(supplied, np.minimum(1.0, stock + resupply),
                                  np.maximum(0.0, stock - rules.cutoff_decay * dt))

    starving = rows[table.supply[rows] <= 0.0]
    if starving.size:
        lost = table.personnel[starving] * rules.cutoff_attrition * dt
        table.personnel[starving] -= lost
        table.killed[starving] += lost
        np.add.at(model.tally["killed"], table.faction[starving], lost)

    newly_cut = rows[~linked & ~table.cut_off[rows]]
    table.cut_off[rows] = ~linked
    table.cut_since[newly_cut] = model.turn
    for row in newly_cut:
        agent = model.unit_agents[row]
        model.events.add(UnitEncircled(model.turn, model.day, agent.key, agent.name, agent.faction))
