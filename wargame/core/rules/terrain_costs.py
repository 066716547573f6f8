"""Per-cell costs derived from terrain, roads and control, shared by movement and supply.

Costs are km of effort to enter a cell: its size times the terrain's cost, cut on roads. Entering ground
the enemy holds and contests costs `hostile_factor` times more, paid when moving (rules.movement; path
choice follows terrain and roads only, so that cost fields can be computed once and reused).

A `CostGraph` holds the costs, the edges between usable cells and the cost-to-target fields found so far.
It depends only on the theatre and the movement rules, so it is kept on the theatre and shared by every
model built on it with the same costs: the runs of an ensemble pay for each Dijkstra field once.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from wargame.core.theatre import OUTSIDE, ROAD_NONE

GRAPHS_KEPT = 4        # cost graphs kept per theatre (a sweep over movement costs would otherwise grow)
FIELDS_KEPT = 400      # fields kept per graph between runs (about 47 MB at 5 km); beyond, they start afresh


def entry_cost_km(model) -> np.ndarray:
    """km of effort to enter each cell, ignoring who holds it; inf outside the theatre."""
    rules = model.spec.rules.movement
    th = model.theatre
    table = np.array(rules.terrain_cost.as_list())
    cost = th.layout.cell_km * table[np.maximum(th.terrain, 0)]
    cost = np.where(th.road != ROAD_NONE, cost * rules.road_factor, cost)
    return np.where(th.terrain == OUTSIDE, np.inf, cost)


class CostGraph:
    """Entry costs over a theatre as a graph whose shortest paths FROM a target give the cost of travelling
    TO it, and the fields of such costs computed so far.

    Travelling u -> v costs cost[v]; running Dijkstra from the target on the transposed problem means
    edge i -> j weighs cost[i]. Only edges between cells of finite cost are kept.
    """

    def __init__(self, theatre, cost: np.ndarray):
        self.n = theatre.n
        self.cost = cost
        rows, cols = theatre.edge_rows, theatre.adjacency.indices
        finite = np.isfinite(cost)
        usable = finite[rows] & finite[cols]
        self.rows, self.cols = rows[usable], cols[usable]     # still in CSR (row-sorted) order
        self.weights = cost[self.rows]
        self.full = self._csr(np.ones(self.rows.size, dtype=bool))
        self._field_rows: dict = {}
        self._fields: list[np.ndarray] = []
        self._matrix = np.zeros((0, self.n))

    def _csr(self, edges: np.ndarray) -> sparse.csr_matrix:
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.rows[edges], minlength=self.n), out=indptr[1:])
        return sparse.csr_matrix((self.weights[edges], self.cols[edges], indptr), shape=(self.n, self.n))

    def within(self, keep: np.ndarray) -> sparse.csr_matrix:
        """The graph restricted to edges between cells of `keep`."""
        return self._csr(keep[self.rows] & keep[self.cols])

    def costs_within(self, keep: np.ndarray) -> sparse.csr_matrix:
        """For shortest paths within `keep` (Dijkstra): the whole graph with every edge that leaves `keep`
        made infinitely costly, so no finite path uses one and distances are those of ``within(keep)``. It
        shares the whole graph's index arrays, only the weights are new: several times cheaper to build.
        Not for a search that ignores weights (breadth first): the costly edges are still edges."""
        weights = np.where(keep[self.rows] & keep[self.cols], self.weights, np.inf)
        return sparse.csr_matrix((weights, self.full.indices, self.full.indptr), shape=self.full.shape, copy=False)

    def field_row(self, targets: tuple[int, ...]) -> int:
        """Row in `matrix` of the field of cost to reach the nearest of `targets`."""
        if targets not in self._field_rows:
            self._field_rows[targets] = len(self._fields)
            self._fields.append(csgraph.dijkstra(self.full, directed=True, indices=list(targets), min_only=True))
        return self._field_rows[targets]

    def trim(self) -> None:
        """Forget the fields if they have grown past FIELDS_KEPT (only between runs: rows handed out stay
        valid during a run)."""
        if len(self._fields) > FIELDS_KEPT:
            self._field_rows, self._fields, self._matrix = {}, [], np.zeros((0, self.n))

    @property
    def matrix(self) -> np.ndarray:
        """All fields so far, one per row."""
        if self._matrix.shape[0] != len(self._fields):
            self._matrix = np.vstack([self._matrix, *self._fields[self._matrix.shape[0]:]])
        return self._matrix


def cost_graph(theatre, cost: np.ndarray) -> CostGraph:
    """The theatre's cost graph for these costs, built on first use and kept (the last few) on the theatre."""
    kept: OrderedDict = theatre.__dict__.setdefault("_cost_graphs", OrderedDict())
    key = hashlib.blake2b(np.ascontiguousarray(cost).tobytes(), digest_size=16).digest()
    if key in kept:
        kept.move_to_end(key)
        kept[key].trim()
    else:
        kept[key] = CostGraph(theatre, cost)
        while len(kept) > GRAPHS_KEPT:
            kept.popitem(last=False)
    return kept[key]
