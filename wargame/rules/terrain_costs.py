"""Per-cell costs derived from terrain, roads and control, shared by movement and supply.

Costs are km of effort to enter a cell: its size times the terrain's cost, cut on roads. Entering ground
the enemy holds costs `hostile_factor` times more, paid when moving (path choice follows terrain and roads
only, so that cost fields can be computed once and reused).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from wargame.theatre import OUTSIDE, ROAD_NONE


def entry_cost_km(model) -> np.ndarray:
    """km of effort to enter each cell, ignoring who holds it; inf outside the theatre."""
    rules = model.spec.rules.movement
    th = model.theatre
    table = np.array(rules.terrain_cost.as_list())
    cost = th.layout.cell_km * table[np.maximum(th.terrain, 0)]
    cost = np.where(th.road != ROAD_NONE, cost * rules.road_factor, cost)
    return np.where(th.terrain == OUTSIDE, np.inf, cost)


def weighted_towards(theatre, cost: np.ndarray, keep: np.ndarray | None = None) -> sparse.csr_matrix:
    """Graph whose shortest paths FROM a target give the cost of travelling TO it.

    Travelling u -> v costs cost[v]; running Dijkstra from the target on the transposed problem means
    edge i -> j must weigh cost[i]. Cells with infinite cost, or outside `keep`, are left out. Built
    straight from the adjacency's CSR arrays with numpy, without sparse products.
    """
    rows, cols = theatre.edge_rows, theatre.adjacency.indices
    usable = np.isfinite(cost) if keep is None else np.isfinite(cost) & keep
    mask = usable[rows] & usable[cols]
    counts = np.bincount(rows[mask], minlength=theatre.n)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sparse.csr_matrix((cost[rows[mask]], cols[mask], indptr), shape=(theatre.n, theatre.n))
