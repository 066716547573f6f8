"""Control of the map: who holds each cell, the fall of cities, and the capture of airbases.

Rule: a cell changes hands when fighting units of one side stand in it alone (no enemy fighting unit
there: routed enemies do not hold ground), or,
for open country, when it lies within `influence_km` of that side's fighting units and of no enemy's;
built-up cells and the cells of airbases, ports and crossings must be entered. Cities change hands
when one side holds more than `city_majority_share` (half) of their built-up cells; each fall is an event. When an airbase's cell falls,
the aircraft on its ground and its air defences go to the captor. Whole-map work is numpy on arrays: each side's
reach is the union of the precomputed hex balls around its units.
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import fighting
from wargame.core.events import CityCaptured


def side_occupancy(model, mask: np.ndarray) -> np.ndarray:
    """(sides, cells) bool: cells holding a unit selected by `mask` of each side."""
    table = model.table
    occupied = np.zeros((len(model.side_ids), model.theatre.n), dtype=bool)
    occupied[table.side[mask], table.idx[mask]] = True
    return occupied


def spread(model, mask: np.ndarray, km: float) -> np.ndarray:
    """Cells within about `km` (in hex steps) of any True cell, for each row of `mask`."""
    th = model.theatre
    return np.array([th.near_mask(np.flatnonzero(row), km) for row in mask]) & th.inside


def update_control(model) -> None:
    occupied = side_occupancy(model, fighting(model.table))
    influence = spread(model, occupied, model.spec.rules.control.influence_km)
    control = model.control
    before = control.copy()
    owner = np.maximum(before, 0)
    n_sides = len(model.side_ids)
    by_occupation = np.zeros((n_sides, control.size), dtype=bool)
    by_influence = np.zeros((n_sides, control.size), dtype=bool)
    held = before >= 0
    for s in range(n_sides):
        enemies = model.hostile[s]
        held_by_enemy = enemies[owner] & held          # only an enemy's ground can be taken
        by_occupation[s] = held_by_enemy & occupied[s] & ~occupied[enemies].any(axis=0)
        by_influence[s] = held_by_enemy & influence[s] & ~influence[enemies].any(axis=0) & ~model.theatre.key_cells
        model.influence_layers[s][:] = influence[s]
    # occupation beats influence; where two sides (not at war with each other) both claim a cell, it stays
    occupiers = by_occupation.sum(axis=0)
    influencers = by_influence.sum(axis=0)
    take_occupied = occupiers == 1
    take_influenced = (occupiers == 0) & (influencers == 1)
    control[take_occupied] = by_occupation[:, take_occupied].argmax(axis=0)
    control[take_influenced] = by_influence[:, take_influenced].argmax(axis=0)
    changed = np.flatnonzero(before != control)
    if changed.size:
        model.supply_dirty.update(np.unique(np.concatenate([before[changed], control[changed]])).tolist())
        from wargame.core.rules.capture import capture_bases

        capture_bases(model, changed, before)
    update_cities(model)


def city_holders(model) -> np.ndarray:
    """For each city (theatre.city_index order): the side holding more than `city_majority_share` of its
    cells, or -1."""
    ids, city_of_cell, cells = model.theatre.city_index
    n_sides = len(model.side_ids)
    counts = np.zeros((len(ids), n_sides), dtype=np.int64)
    holder = model.control[cells]
    ok = holder >= 0
    np.add.at(counts, (city_of_cell[ok], holder[ok]), 1)
    best = counts.argmax(axis=1)
    size = np.bincount(city_of_cell, minlength=len(ids))
    majority = model.spec.rules.control.city_majority_share      # 0.5: more than half its cells
    return np.where(counts[np.arange(len(ids)), best] > majority * size, best, -1)


def update_cities(model) -> None:
    ids, _, _ = model.theatre.city_index
    holders = city_holders(model)
    for cid, holder in zip(ids, holders.tolist()):
        previous = model.city_owner.get(cid)
        if holder >= 0 and holder != previous:
            model.city_owner[cid] = holder
            if previous is not None:
                city = model.theatre.cities[cid]
                model.events.add(CityCaptured(model.steps, model.day, cid, city.name, model.side_ids[holder],
                                              model.side_ids[previous]))
                if cid in model.major_cities.get(previous, ()):
                    model.cities_lost[previous] += 1
