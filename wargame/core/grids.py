"""The Mesa hex grid of a campaign, built once per process and reused by the runs that follow.

Building Mesa's ``HexGrid`` of the theatre (some 15,000 cells, each connected to its six neighbours in
Python) is most of the cost of building a model: about 0.35 s, against under 0.1 s for everything else.
An ensemble, a sweep or a calibration runs hundreds of models of the same theatre one after another in
each process, so a finished run gives its grid back (``Campaign.release``) and the next model of the same
shape and layers takes it, emptied of agents and with every layer rewritten by the new model: nothing of the
previous run survives in it, so a run on a reused grid is bit-identical to one on a fresh grid (a test
checks it). Models that are never released (a single run, the classroom, the lab) build their own grid and
never share it.
"""

from __future__ import annotations

import copyreg
import weakref
from random import Random

import numpy as np
from mesa.discrete_space import HexGrid, PropertyLayer

# At most this many idle grids of each shape and layer set are kept: one per model a process builds at a
# time (a counterfactual pair holds two), each about 20 MiB of Python objects.
MAX_IDLE_PER_KEY = 2

_idle: dict[tuple, list[HexGrid]] = {}

# Each grid's cells in the order of the theatre's flat cell index, listed once per grid (a reused grid keeps
# them: some 15,000 look-ups a build otherwise); the list goes with its grid.
_flat_cells: weakref.WeakKeyDictionary[HexGrid, list] = weakref.WeakKeyDictionary()


def _key(shape: tuple[int, int], layers: tuple[str, ...]) -> tuple:
    return (tuple(shape), tuple(sorted(layers)))


def lease_grid(shape: tuple[int, int], layers: tuple[str, ...], random: Random) -> HexGrid:
    """A hex grid of this shape for a new model: an idle one given back by a finished run, emptied, with
    the new model's random generator, or else a new one. `layers` names the property layers the model will
    set (``set_layer``); a reused grid has exactly those."""
    idle = _idle.get(_key(shape, layers))
    if idle:
        grid = idle.pop()
        grid.random = random
        for cell in grid._celllist:
            cell.random = random
        return grid
    grid = HexGrid(shape, torus=False, random=random)
    # Mesa registers each grid's dynamic cell class with copyreg, a global table, so the class and the
    # property-layer arrays its accessors hold would outlive the grid; forget it when the grid goes.
    weakref.finalize(grid, copyreg.dispatch_table.pop, grid.cell_klass, None)
    return grid


def flat_cells(grid: HexGrid) -> list:
    """The grid's cells by the theatre's flat index: column by column, each column's rows in order."""
    cells = _flat_cells.get(grid)
    if cells is None:
        ncols, nrows = grid.dimensions
        cells = _flat_cells[grid] = [grid[(c, r)] for c in range(ncols) for r in range(nrows)]
    return cells


def give_back(grid: HexGrid, layers: tuple[str, ...]) -> None:
    """Keep a finished model's grid for the next model of its shape: its cells are emptied now, so that
    the idle grid holds nothing of the finished run (no agent, hence no model, stays reachable from it)."""
    if set(grid._mesa_property_layers) - {"empty"} != set(layers):
        return                                   # a layer was added or removed since: not reusable as is
    for cell in grid._celllist:
        if cell._agents:
            cell._agents.clear()
        cell.random = None
    grid.empty.data[...] = True
    grid._empties.clear()
    grid.random = None
    idle = _idle.setdefault(_key(grid.dimensions, layers), [])
    if len(idle) < MAX_IDLE_PER_KEY and all(other is not grid for other in idle):
        idle.append(grid)


def set_layer(grid: HexGrid, name: str, data: np.ndarray) -> np.ndarray:
    """Give the grid a property layer with these values (a copy) and return the layer's own array: on a
    reused grid that has the layer, the values are written into its array (the cells' accessors hold it)."""
    existing = grid._mesa_property_layers.get(name)
    if existing is None:
        existing = PropertyLayer.from_data(name, data)
        grid.add_property_layer(existing)
    else:
        existing.data[...] = data
    return existing.data


def idle_grids() -> int:
    """How many grids are waiting for reuse in this process (for tests and the memory benchmark)."""
    return sum(len(v) for v in _idle.values())
