"""Supply: each side's supply runs from its sources (ports, crossings, the capital) through cells it holds.

Rule: a held cell is linked if a path through the side's own cells reaches one of its sources (a source held
by a side it is not at war with still serves it and counts as its own ground here: supply by arrangement) (image labelling
of the side's ground on the hex grid); a held cell with no such path is encircled. A linked cell is in supply
if it lies within `range_km` of road-weighted effort of a source or of a linked city (cities hold depots), by
Dijkstra over the sparse adjacency graph. A unit's supply stock rises by `resupply` a day when its cell (or
any neighbouring cell) is in supply and falls by `cutoff_decay` a day when not; an empty stock costs
`cutoff_attrition` of its personnel a day. A unit that becomes cut off is logged as encircled. Turkish support
scales the resupply of the SNA (x `actors.turkish_backed_resupply_base` + support). Cutting Homs separates
Latakia and Tartus from the rest: the regime's only paths between the coast and Damascus run through the Homs
Gap and the M5.

A side is recomputed only when the cells it holds have changed (or a rule has). Linked ground is
recomputed exactly each time (a side that only gained ground, with no pocket, extends it through what it
gained); while its ground keeps changing, the supply range is recomputed at least
once a day and whenever a pocket forms; in between, ground the side gained joins its supplied ground by
adjacency and ground it lost leaves it, so a road cut that only lengthens the way round is felt within a
day.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csgraph

from wargame.core.agents.unit import on_map
from wargame.core.events import UnitEncircled
from wargame.core.rules.combat import apply_losses

MAX_ADVANCE_CELLS = 8      # the furthest a side's ground can grow in one step (movement is capped at 6 cells)


def own_ground(model, side: int) -> np.ndarray:
    """The cells a side holds, plus its sources in the hands of a side it is not at war with: supply by
    arrangement (the SDF's Sheikh Maqsoud enclave in regime-held Aleppo lived on it)."""
    own = model.control == side
    for c in model.source_cells[side]:
        holder = model.control[c]
        if holder >= 0 and holder != side and not model.hostile[side, holder]:
            own[c] = True
    return own


def side_graph(model, side: int):
    """The side's own ground as a weighted graph, its held sources, and the ground itself."""
    own = own_ground(model, side)
    sources = np.array([c for c in model.source_cells[side] if own[c]], dtype=np.int64)
    return model.fields.costs(model).costs_within(own), sources, own


def supply_range(model, graph, sources: np.ndarray, linked: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Held cells within `range_km` of road-weighted effort of a source or of a linked city (a depot)."""
    depots = [city.cell for city in model.theatre.cities.values() if linked[city.cell]]
    distance = csgraph.dijkstra(graph, directed=True, indices=np.union1d(sources, depots).astype(np.int64),
                                min_only=True, limit=model.spec.rules.supply.range_km)
    return own & np.isfinite(distance)


def side_supply(model, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(in_supply, linked) bool arrays over cells for one side, computed in full."""
    graph, sources, own = side_graph(model, side)
    if sources.size == 0:
        none = np.zeros(model.theatre.n, dtype=bool)
        return none, none
    linked = model.theatre.connected(own, sources)
    return supply_range(model, graph, sources, linked, own), linked


def grow_within(theatre, seed: np.ndarray, allowed: np.ndarray, rounds: int) -> np.ndarray:
    """`seed` grown by up to `rounds` hex steps through `allowed` cells (only those cells are visited)."""
    grown = np.append(seed, False)                 # the extra cell absorbs the -1 padding of neighbours
    candidates = np.flatnonzero(allowed & ~seed)
    neighbours = theatre.neighbours[candidates]
    for _ in range(rounds):
        joining = grown[neighbours].any(axis=1)
        if not joining.any():
            break
        grown[candidates[joining]] = True
        candidates, neighbours = candidates[~joining], neighbours[~joining]
    return grown[:-1]


def refresh_side(model, side: int) -> None:
    """Recompute a side's linked and in-supply cells after its ground changed (see the module docstring)."""
    th = model.theatre
    own = own_ground(model, side)
    sources = np.array([c for c in model.source_cells[side] if own[c]], dtype=np.int64)
    previous = model.supply_own[side]
    if (previous is not None and sources.size and not (previous & ~own).any()
            and not (previous & ~model.connected[side]).any()):
        # it only gained ground and had no pocket: what it gained is linked if it touches linked ground
        linked = grow_within(th, model.connected[side], own & ~previous, rounds=2 * MAX_ADVANCE_CELLS)
    else:
        linked = th.connected(own, sources) if sources.size else np.zeros(th.n, dtype=bool)
    pocket = previous is None or bool((model.connected[side] & own & ~linked).any())
    due = model.steps - model.supply_range_turn[side] >= model.spec.steps_per_day
    if sources.size and (pocket or due):
        graph = model.fields.costs(model).costs_within(own)
        in_supply = supply_range(model, graph, sources, linked, own)
        model.supply_range_turn[side] = model.steps
    else:
        gained = own & ~previous & linked if previous is not None else np.zeros(th.n, dtype=bool)
        in_supply = grow_within(th, model.supply_layers[side] & own & linked, gained, rounds=MAX_ADVANCE_CELLS)
    model.supply_layers[side][:] = in_supply
    model.connected[side] = linked
    model.supply_own[side] = own


def update_supply(model) -> None:
    rules = model.spec.rules.supply
    for s in sorted(model.supply_dirty):
        refresh_side(model, s)
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
        base = model.spec.rules.actors.turkish_backed_resupply_base
        resupply = np.where(patrons[table.faction[rows]], rules.resupply * dt * (base + turkey.support), resupply)
    stock = table.supply[rows]
    table.supply[rows] = np.where(supplied, np.minimum(1.0, stock + resupply),
                                  np.maximum(0.0, stock - rules.cutoff_decay * dt))

    starving = rows[table.supply[rows] <= 0.0]
    if starving.size:
        apply_losses(model, starving, np.full(starving.size, rules.cutoff_attrition * dt), "killed")

    newly_cut = rows[~linked & ~table.cut_off[rows]]
    table.cut_off[rows] = ~linked
    table.cut_since[newly_cut] = model.steps
    for row in newly_cut:
        agent = model.table.agent[row]
        model.events.add(UnitEncircled(model.steps, model.day, agent.key, agent.name, agent.faction))
