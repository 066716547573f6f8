"""Control of the map: who holds each cell, the fall of cities, and the capture of airbases.

Rule: a cell changes hands when fighting units of one side stand in it alone (no enemy unit there), or,
for open country, when it lies within `influence_km` of that side's fighting units and of no enemy's;
built-up cells and the cells of airbases, ports and crossings must be entered. Cities change hands
when one side holds most of their built-up cells; each fall is an event. When an airbase's cell falls,
the aircraft on its ground and its air defences go to the captor. Whole-map work is numpy on arrays: each side's
reach is the union of the precomputed hex balls around its units.
"""

from __future__ import annotations

import numpy as np

from wargame.agents.unit import fighting
from wargame.events import CityCaptured


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
    owner = np.maximum(control, 0)
    before = control.copy()
    for s in range(len(model.side_ids)):
        enemies = model.hostile[s]
        enemy_occupied = occupied[enemies].any(axis=0)
        enemy_influence = influence[enemies].any(axis=0)
        held_by_enemy = enemies[owner] & (control >= 0)
        take = held_by_enemy & ((occupied[s] & ~enemy_occupied)
                                | (influence[s] & ~enemy_influence & ~model.theatre.key_cells))
        control[take] = s
        model.influence_layers[s][:] = influence[s]
    changed = np.flatnonzero(before != control)
    if changed.size:
        model.supply_dirty.update(np.unique(np.concatenate([before[changed], control[changed]])).tolist())
        from wargame.rules.capture import capture_bases

        capture_bases(model, changed, before)
    update_cities(model)


def city_holders(model) -> np.ndarray:
    """For each city (theatre.city_index order): the side holding more than half its cells, or -1."""
    ids, city_of_cell, cells = model.theatre.city_index
    n_sides = len(model.side_ids)
    counts = np.zeros((len(ids), n_sides), dtype=np.int64)
    holder = model.control[cells]
    ok = holder >= 0
    np.add.at(counts, (city_of_cell[ok], holder[ok]), 1)
    best = counts.argmax(axis=1)
    size = np.bincount(city_of_cell, minlength=len(ids))
    return np.where(counts[np.arange(len(ids)), best] * 2 > size, best, -1)


def update_cities(model) -> None:
    ids, _, _ = model.theatre.city_index
    holders = city_holders(model)
    for cid, holder in zip(ids, holders.tolist()):
        previous = model.city_owner.get(cid)
        if holder >= 0 and holder != previous:
            model.city_owner[cid] = holder
            if previous is not None:
                city = model.theatre.cities[cid]
                model.events.add(CityCaptured(model.turn, model.day, cid, city.name, model.side_ids[holder],
                                              model.side_ids[previous]))
                if cid in model.major_cities.get(previous, ()):
                    model.cities_lost[previous] += 1
