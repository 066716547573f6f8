"""Commanders: one decision policy per faction behind one interface (see base.py); doctrine AI by default."""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import POSTURES, fighting
from wargame.core.commanders.base import Commander, Orders
from wargame.core.commanders.doctrine import DoctrineCommander

DOCTRINE = DoctrineCommander()

__all__ = ["Commander", "DoctrineCommander", "Orders", "air_targets", "commander_of", "decide"]


def commander_of(model, faction: str) -> Commander:
    return model.commanders.get(faction, DOCTRINE)


def decide(model) -> None:
    """Phase 2: every faction's commander gives orders to its fighting units; they are applied here."""
    t = model.table
    model.last_targets = t.target.copy()       # what each unit was making for: commanders may keep it
    t.target[:] = -1
    ready = fighting(t) & (t.active_from_day <= model.day + 1e-9)
    for fid, faction in enumerate(model.faction_ids):
        rows = np.flatnonzero(ready & (t.faction == fid))
        if rows.size == 0:
            continue
        orders = commander_of(model, faction).orders(model, faction, rows)
        apply_orders(model, rows, orders)


def apply_orders(model, rows: np.ndarray, orders: Orders) -> None:
    """Apply a faction's orders to its own fighting units only; anything else in them is ignored."""
    t = model.table
    own = np.zeros(t.n, dtype=bool)
    own[rows] = True
    if orders.targets:
        target_rows = np.fromiter(orders.targets.keys(), dtype=np.int64, count=len(orders.targets))
        cells = np.fromiter(orders.targets.values(), dtype=np.int64, count=len(orders.targets))
        ok = (target_rows >= 0) & (target_rows < t.n) & (cells >= 0) & (cells < model.theatre.n)
        target_rows, cells = target_rows[ok], cells[ok]
        ok = own[target_rows] & model.theatre.inside[cells]
        # a Russia-Turkey deal freezes the north-west: no one attacks into it or out of it
        ok &= ~model.frozen[cells] & ~model.frozen[np.maximum(t.idx[target_rows], 0)]
        t.target[target_rows[ok]] = cells[ok]
    for row in orders.withdraw:
        if 0 <= row < t.n and own[row]:
            t.withdraw[row] = True
    for row, posture in orders.postures.items():
        if 0 <= row < t.n and own[row] and posture in POSTURES:
            t.posture[row] = POSTURES.index(posture)


def air_targets(model, faction: str, candidates: np.ndarray) -> np.ndarray:
    """Spotted enemy rows in the order the faction's commander wants them struck."""
    return commander_of(model, faction).rank_air_targets(model, faction, candidates)
