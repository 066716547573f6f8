"""Commanders: one decision policy per faction behind one interface (see base.py); doctrine AI by default."""

from __future__ import annotations

import numpy as np

from wargame.agents.unit import POSTURES, fighting
from wargame.commanders.base import Commander, Orders
from wargame.commanders.doctrine import DoctrineCommander

DOCTRINE = DoctrineCommander()

__all__ = ["Commander", "DoctrineCommander", "Orders", "air_targets", "commander_of", "decide"]


def commander_of(model, faction: str) -> Commander:
    return model.commanders.get(faction, DOCTRINE)


def decide(model) -> None:
    """Phase 2: every faction's commander gives orders to its fighting units; they are applied here."""
    t = model.table
    t.target[:] = -1
    ready = fighting(t) & (t.active_from_day <= model.day + 1e-9)
    for fid, faction in enumerate(model.faction_ids):
        rows = np.flatnonzero(ready & (t.faction == fid))
        if rows.size == 0:
            continue
        orders = commander_of(model, faction).orders(model, faction, rows)
        own = set(rows.tolist())
        for row, cell in orders.targets.items():
            if row in own and 0 <= cell < model.theatre.n and model.theatre.inside[cell]:
                t.target[row] = cell
        for row in orders.withdraw:
            if row in own:
                t.withdraw[row] = True
        for row, posture in orders.postures.items():
            if row in own and posture in POSTURES:
                t.posture[row] = POSTURES.index(posture)


def air_targets(model, faction: str, candidates: np.ndarray) -> np.ndarray:
    """Spotted enemy rows in the order the faction's commander wants them struck."""
    return commander_of(model, faction).rank_air_targets(model, faction, candidates)
