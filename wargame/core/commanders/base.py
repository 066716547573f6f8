"""The commander interface: one decision policy per faction.

Every step each faction's commander returns its orders: a target cell for each of its fighting units
(or none: hold), which units withdraw, and how to rank spotted enemies for its air strikes. The default
commander is the doctrine AI (``doctrine.DoctrineCommander``); classroom play plugs a human's orders into
the same interface. Commanders see the model but should act only through what they return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass
class Orders:
    """A faction's orders for one step. Rows are UnitTable rows of the faction's own units."""

    targets: dict[int, int] = field(default_factory=dict)     # row -> target cell; absent: hold where it is
    withdraw: set[int] = field(default_factory=set)            # rows falling back one cell towards the rear
    postures: dict[int, str] = field(default_factory=dict)     # row -> new posture


class Commander(Protocol):
    def orders(self, model, faction: str, rows: np.ndarray) -> Orders:
        """Orders for the faction's fighting units `rows` this step."""

    def rank_air_targets(self, model, faction: str, candidates: np.ndarray) -> np.ndarray:
        """The spotted enemy rows in the order the faction's aircraft should strike them."""
