"""Control of the map: who holds each cell, the fall of cities, and the capture of airbases.

Rule: a cell changes hands when fighting units of one side stand in it alone (no enemy unit there), or
when it lies within `influence_km` of that side's fighting units and of no enemy's. Cities change hands
when one side holds most of their built-up cells; each fall is an event. When an airbase's cell falls,
the aircraft on its ground and its air defences go to the captor. Whole-map work is sparse-matrix algebra:
each side's reach is spread outwards by repeated products with the adjacency matrix.
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
    steps = int(round(km / model.theatre.layout.cell_km))
    reach = mask.T.astype(np.float32)
    for _ in range(steps):
        reach = model.theatre.reach @ reach
    return (reach > 0).T & model.theatre.inside


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
        take = held_by_enemy & ((occupied[s] & ~enemy_occupied) | (influence[s] & ~enemy_influence))
        control[take] = s
        model.influence_layers[s][:] = influence[s]
    changed = np.flatnonzero(before != control)
    if changed.size:
        from wargame.rules.capture import capture_bases

        capture_bases(model, changed, before)
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
                if cid in model.major_cities.get(previous, ()):
                    model.cities_lost[previous] += 1
