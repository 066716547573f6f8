"""Orders: the commander interface and the decision phase that applies what commanders order.

Every step each faction's commander returns its orders: a target cell for each of its fighting units
(or none: hold), which units withdraw, new postures, and how to rank spotted enemies for its air
strikes, and which units take a local deal (surrender with safe passage). Commanders are injected into the model (``WarModel(commanders=...)``, the doctrine AI of
``wargame.core.commanders`` by default); the model and its rules know them only through this interface,
so a classroom team's orders plug in exactly where the doctrine AI's do. A faction with no commander
gives no orders: its units hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from wargame.core.agents.unit import POSTURES, fighting
from wargame.core.rules.will import settle


@dataclass
class Orders:
    """A faction's orders for one step. Rows are UnitTable rows of the faction's own units."""

    targets: dict[int, int] = field(default_factory=dict)     # row -> target cell; absent: hold where it is
    withdraw: set[int] = field(default_factory=set)            # rows falling back one cell towards the rear
    postures: dict[int, str] = field(default_factory=dict)     # row -> new posture
    settle: set[int] = field(default_factory=set)              # rows taking a local deal (rules.will.settle)


class Commander(Protocol):
    def orders(self, model, faction: str, rows: np.ndarray) -> Orders:
        """Orders for the faction's fighting units `rows` this step."""

    def rank_air_targets(self, model, faction: str, candidates: np.ndarray) -> np.ndarray:
        """The spotted enemy rows in the order the faction's aircraft should strike them."""


def decide(model) -> None:
    """Phase 2: every faction's commander gives orders to its fighting units; they are applied here."""
    t = model.table
    t.last_target[:] = t.target                # what each unit was making for: commanders may keep it
    t.target[:] = -1
    ready = fighting(t) & (t.active_from_day <= model.day + 1e-9)
    for fid, faction in enumerate(model.faction_ids):
        commander = model.commander_of(faction)
        rows = np.flatnonzero(ready & (t.faction == fid))
        if rows.size == 0 or commander is None:
            continue
        apply_orders(model, rows, commander.orders(model, faction, rows))


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
    settling = np.array(sorted(r for r in orders.settle if 0 <= r < t.n and own[r]), dtype=np.int64)
    if settling.size:
        settle(model, settling)


def air_targets(model, faction: str, candidates: np.ndarray) -> np.ndarray:
    """Spotted enemy rows in the order the faction's commander wants them struck (as found, without one)."""
    commander = model.commander_of(faction)
    return candidates if commander is None else commander.rank_air_targets(model, faction, candidates)
