"""Control of the map: who holds each cell, and the fall of cities.

Rule: a cell changes hands when units of one side stand in it alone (no enemy unit there), or when it
lies within `influence_km` of that side's fighting units and of no enemy's. Cities change hands when one
side holds most of their built-up cells; each fall is an event. Whole-map work is sparse-matrix algebra:
the reach of each side's units is spread outwards with repeated products by the adjacency matrix.
"""

from __future__ import annotations

import numpy as np

from wargame.events import CityCaptured


def unit_occupancy(model) -> np.ndarray:
    """(sides, cells) bool: cells with a fighting unit of each side."""
    occupied = np.zeros((len(model.side_ids), model.theatre.n), dtype=bool)
    for unit in model.units_on_map():
        if unit.fighting:
            occupied[model.side_index[unit.side], unit.idx] = True
    return occupied


def spread(model, mask: np.ndarray, km: float) -> np.ndarray:
    """Cells within about `km` (in hex steps) of any True cell, for each row of `mask`."""
    steps = int(round(km / model.theatre.layout.cell_km))
    reach = mask.T.astype(np.float32)
    adjacency = model.adjacency_f32
    for _ in range(steps):
        reach = reach + adjacency @ reach
    return (reach > 0).T & model.theatre.inside


def update_control(model) -> None:
    occupied = unit_occupancy(model)
    influence = spread(model, occupied, model.spec.rules.control.influence_km)
    control = model.control
    owner = np.maximum(control, 0)
    for s in range(len(model.side_ids)):
        enemies = model.hostile[s]
        enemy_occupied = occupied[enemies].any(axis=0)
        enemy_influence = influence[enemies].any(axis=0)
        held_by_enemy = enemies[owner] & (control >= 0)
        take = held_by_enemy & ((occupied[s] & ~enemy_occupied) | (influence[s] & ~enemy_influence))
        control[take] = s
        model.influence_layers[s][:] = influence[s]
    update_cities(model)


def city_majority(model, cells: tuple[int, ...]) -> int | None:
    """The side holding more than half of the cells, if any."""
    counts = np.bincount(model.control[list(cells)].clip(min=0), minlength=len(model.side_ids))
    best = int(np.argmax(counts))
    return best if counts[best] * 2 > len(cells) else None


def update_cities(model) -> None:
    for cid, city in model.theatre.cities.items():
        holder = city_majority(model, city.cells)
        previous = model.city_owner.get(cid)
        if holder is not None and holder != previous:
            model.city_owner[cid] = holder
            if previous is not None:
                model.events.add(CityCaptured(model.turn, model.day, cid, city.name, model.side_ids[holder],
                                              model.side_ids[previous]))
