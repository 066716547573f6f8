"""Supply: each side's supply runs from its sources (ports, crossings, the capital) through cells it holds.

Rule: a held cell is linked if a path through the side's own cells reaches one of its sources; a linked
cell is in supply if it lies within `range_km` of road-weighted effort of a source or of a linked city
(cities hold depots), by Dijkstra over the sparse adjacency graph. A held cell with no path at all to a
source is encircled. A unit's supply stock rises by `resupply` per step when its
cell (or a neighbour, at a contested front) is in supply, and falls by `cutoff_decay` when not; a unit that
becomes encircled is logged. Cutting Homs separates Latakia and Tartus from the rest because the only
paths between them run through the Homs Gap and the M5 past Homs.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csgraph

from wargame.events import UnitEncircled
from wargame.rules.terrain_costs import entry_cost_km, weighted_towards


def side_supply(model, side: int, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in_supply, connected) bool arrays over cells for one side."""
    own = model.control == side
    sources = np.array([c for c in model.source_cells[side] if own[c]], dtype=np.int64)
    if sources.size == 0:
        none = np.zeros(model.theatre.n, dtype=bool)
        return none, none
    graph = weighted_towards(model.theatre, cost, keep=own)
    _, labels = csgraph.connected_components(graph, directed=False)
    connected = own & np.isin(labels, labels[sources])
    # Held cities linked to a source serve as depots: supply reaches range_km beyond them too.
    depots = [city.cell for city in model.theatre.cities.values() if connected[city.cell]]
    distance = csgraph.dijkstra(graph, directed=True, indices=np.union1d(sources, depots).astype(np.int64),
                                min_only=True, limit=model.spec.rules.supply.range_km)
    return own & np.isfinite(distance), connected


def update_supply(model) -> None:
    rules = model.spec.rules.supply
    cost = entry_cost_km(model)
    for s in range(len(model.side_ids)):
        in_supply, connected = side_supply(model, s, cost)
        model.supply_layers[s][:] = in_supply
        model.connected[s] = connected
    adjacency = model.theatre.adjacency
    for unit in model.units_on_map():
        s = model.side_index[unit.side]
        near = adjacency.indices[adjacency.indptr[unit.idx]:adjacency.indptr[unit.idx + 1]]
        supplied = bool(model.supply_layers[s][unit.idx]) or bool(model.supply_layers[s][near].any())
        linked = bool(model.connected[s][unit.idx]) or bool(model.connected[s][near].any())
        unit.supply = min(1.0, unit.supply + rules.resupply) if supplied else max(0.0, unit.supply - rules.cutoff_decay)
        if not linked and not unit.cut_off:
            model.events.add(UnitEncircled(model.turn, model.day, unit.key, unit.name, unit.faction))
        unit.cut_off = not linked
