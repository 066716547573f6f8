"""Equipment capture: what surrendered and overrun units leave, and what captured airbases hold, goes to
the captor and adds to its combat power.

Rule: a share `capture_share` of the armour, artillery and air defences of a unit that surrenders, deserts or
is destroyed while in contact goes to the strongest enemy unit within one hex. When an airbase's cell falls,
the aircraft of the losing side based there (all but those airborne: one in `airborne_one_in` of the
serviceable ones escape) are captured, and so are its air-defence systems, which join the capturing unit as
air defence (they blunt the enemy's air strikes on it; captured jets are counted, not flown).
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import on_map
from wargame.core.events import BaseCaptured, EquipmentCaptured


def strongest_enemy_near(model, row: int) -> int | None:
    """Row of the enemy unit with most personnel within one hex of `row`, or None."""
    table = model.table
    cell = table.idx[row]
    if cell < 0:
        return None
    near = np.zeros(model.theatre.n + 1, dtype=bool)      # the last slot absorbs -1 (padding, off the map)
    near[model.theatre.neighbours[cell]] = True
    near[cell] = True
    near[-1] = False
    candidates = np.flatnonzero(near[table.idx] & model.hostile[table.side[row], table.side])
    if candidates.size == 0:
        return None
    return int(candidates[np.argmax(table.personnel[candidates])])


def strongest_enemies_near(model, rows: np.ndarray) -> np.ndarray:
    """strongest_enemy_near for many rows at once, as the table stands (-1 where there is none): the same
    rows, ties to the lowest row as there. For rows whose answers cannot change one another (the enemies
    of a row are never among the rows, or nothing moves between the questions)."""
    table = model.table
    th = model.theatre
    rows = np.asarray(rows, dtype=np.int64)
    found = np.full(rows.size, -1, dtype=np.int64)
    on = rows[table.idx[rows] >= 0]
    if on.size == 0:
        return found
    placed = np.flatnonzero(table.idx >= 0)
    # each row's own cell and its neighbours, -1 padding mapped to the extra slot n (never anyone's cell)
    around = np.column_stack([th.neighbours[table.idx[on]], table.idx[on]])
    around = np.where(around >= 0, around, th.n)
    answer = np.full(on.size, -1, dtype=np.int64)
    for side in np.unique(table.side[on]).tolist():
        enemies = placed[model.hostile[side, table.side[placed]]]
        if enemies.size == 0:
            continue
        # the strongest enemy in each cell (most personnel, then the lowest row), then the strongest of the
        # seven cells around each row by the same order
        order = enemies[np.lexsort((enemies, -table.personnel[enemies], table.idx[enemies]))]
        cells, first = np.unique(table.idx[order], return_index=True)
        best_in = np.full(th.n + 1, -1, dtype=np.int64)
        best_in[cells] = order[first]
        mine = table.side[on] == side
        candidates = best_in[around[mine]]                          # (rows, 7) enemy rows or -1
        strength = np.where(candidates >= 0, table.personnel[np.maximum(candidates, 0)], -np.inf)
        rank = np.where(candidates >= 0, candidates, np.iinfo(np.int64).max)
        # most personnel first, then the lowest row: lexsort along each row of the (rows, 7) block
        pick = np.lexsort((rank, -strength), axis=-1)[:, 0]
        answer[mine] = candidates[np.arange(candidates.shape[0]), pick]
    found[table.idx[rows] >= 0] = answer
    return found


def hand_over(model, row: int, captor: int | None, reason: str) -> None:
    """Give `capture_share` of the unit's equipment to the captor; the rest is lost."""
    table = model.table
    share = model.spec.rules.breaks.capture_share
    taken = {k: float(getattr(table, k)[row]) * share for k in ("armour", "artillery", "air_defence")}
    for k in ("armour", "artillery", "air_defence"):
        getattr(table, k)[row] = 0.0
    if captor is None or not any(v > 0 for v in taken.values()):
        return
    fid = table.faction[captor]
    for k, v in taken.items():
        getattr(table, k)[captor] += v
        model.captured_equipment[k][fid] += v
    captor_agent, lost_agent = model.table.agent[captor], model.table.agent[row]
    model.events.add(EquipmentCaptured(model.steps, model.day, captor_agent.key, captor_agent.faction,
                                       lost_agent.key, lost_agent.faction, reason,
                                       round(taken["armour"], 1), round(taken["artillery"], 1),
                                       round(taken["air_defence"], 1), 0))


def capture_bases(model, changed: np.ndarray, before: np.ndarray) -> None:
    """Airbases whose cell changed hands: aircraft and air defences go to the captor."""
    th = model.theatre
    changed_set = set(changed.tolist())
    airborne_one_in = model.spec.rules.air.airborne_one_in
    for pid, cell in th.place_cell.items():
        if cell not in changed_set or th.place(pid).kind != "airbase":
            continue
        new_side, old_side = int(model.control[cell]), int(before[cell])
        aircraft = 0.0
        for wing in model.wings:
            if wing.base == pid and wing.side == old_side and wing.aircraft > 0:
                escaped = wing.aircraft * wing.spec.availability / airborne_one_in
                lost = wing.aircraft - escaped
                aircraft += lost
                wing.aircraft = escaped
                wing.lost_aircraft += lost
        defences = 0.0
        for defence in model.air_defences:
            if defence.base == pid and defence.side == old_side:
                defences += defence.systems
                defence.systems = 0
        captor_rows = np.flatnonzero(on_map(model.table) & (model.table.side == new_side))
        captor = None
        if captor_rows.size:
            captor = int(captor_rows[np.argmin(th.km_between(cell, model.table.idx[captor_rows]))])
            fid = model.table.faction[captor]
            model.table.air_defence[captor] += defences
            model.captured_equipment["air_defence"][fid] += defences
            model.captured_equipment["aircraft"][fid] += aircraft
        model.events.add(BaseCaptured(model.steps, model.day, pid, th.place(pid).name, model.side_ids[new_side],
                                      model.side_ids[old_side], round(aircraft, 1), round(defences, 1),
                                      None if captor is None else model.table.agent[captor].key))
