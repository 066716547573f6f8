"""Control of the map: who holds each cell, the fall of cities, and the capture of airbases.

Rule: a cell changes hands when fighting units of one side stand in it alone (no enemy fighting unit
there: routed enemies do not hold ground), or,
for open country, when it lies within `influence_km` of that side's fighting units and of no enemy's, and
either the side's supply network reaches it or its holder's no longer does. The network reaches a cell that
joins the side's linked ground (held ground with a path to one of its supply sources, as in rules.supply)
through ground the side holds or takes this step; the holder's no longer reaches a cell of its ground with
no such path (a pocket). So a front that advances takes the open country its units sweep, while one
battalion passing through the enemy's rear holds only the cell it stands in: holding ground needs presence
or supply, not one unit's passing influence. Built-up cells and the cells of airbases, ports and crossings
must be entered. Cities change hands when one side holds more than `city_majority_share` (half) of their
built-up cells; each fall is an event. When an airbase's cell falls, the aircraft on its ground and its air
defences go to the captor.

Control runs before supply in a step, so `model.connected` then holds the linked ground of the last supply
phase (nothing before the first one). It is used only while a side's ground is still what that phase saw
(`model.supply_own`); otherwise (the first step, a white-cell hand-over, a changed source) the linked ground
is labelled here from the ground as it stands, as rules.supply does. Linked ground, not the supply range
(`model.supply_layers`), is what counts: ground beyond the range but still joined to a source is not a pocket.
Whole-map work is numpy on arrays: each side's reach is the union of the precomputed hex balls around its
units.
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import fighting
from wargame.core.events import CityCaptured
from wargame.core.rules.supply import grow_within, own_ground


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


def linked_ground(model, side: int) -> np.ndarray:
    """The side's ground joined through its ground to one of its supply sources: what the supply phase last
    computed (`model.connected`) if the side's ground is still what it was then, else labelled now."""
    own = own_ground(model, side)            # as the supply phase counts it (sources held by arrangement too)
    last = model.supply_own[side]
    if last is not None and np.array_equal(last, own):
        return model.connected[side]
    return model.theatre.connected(own, np.asarray(model.source_cells[side], dtype=np.int64))


def update_control(model) -> None:
    th = model.theatre
    occupied = side_occupancy(model, fighting(model.table))
    influence = spread(model, occupied, model.spec.rules.control.influence_km)
    control = model.control
    before = control.copy()
    owner = np.maximum(before, 0)
    n_sides = len(model.side_ids)
    by_occupation = np.zeros((n_sides, control.size), dtype=bool)
    by_influence = np.zeros((n_sides, control.size), dtype=bool)
    held = before >= 0
    linked = np.array([linked_ground(model, s) for s in range(n_sides)])
    cut_off = held & ~linked[owner, np.arange(control.size)]     # a pocket: influence alone may take it
    for s in range(n_sides):
        enemies = model.hostile[s]
        held_by_enemy = enemies[owner] & held          # only an enemy's ground can be taken
        by_occupation[s] = held_by_enemy & occupied[s] & ~occupied[enemies].any(axis=0)
        claimed = held_by_enemy & influence[s] & ~influence[enemies].any(axis=0) & ~th.key_cells
        by_influence[s] = claimed & cut_off
        if (claimed & ~cut_off).any():
            # elsewhere influence holds what the side's network reaches: claims joined to its linked ground
            # through what it holds or takes now (a lone unit's claims in the enemy's rear join nothing)
            through = ((before == s) & ~linked[s]) | by_occupation[s] | claimed
            by_influence[s] |= claimed & grow_within(th, linked[s], through, rounds=th.n)
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
