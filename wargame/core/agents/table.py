"""Unit attributes as columns: one numpy array per attribute, one row per unit.

Rules work on whole columns at once (fast, and the same arithmetic for every unit); each ``GroundUnit``
agent reads and writes its own row through descriptors, so Mesa code and tests can still say
``unit.morale``. Rows are never reused: a unit that leaves the map keeps its row for the record.
Columns are views of the first ``n`` rows; take them again after units are added (the arrays grow).
"""

from __future__ import annotations

import numpy as np

FLOAT_COLUMNS = (
    "personnel", "personnel_start", "armour", "artillery", "air_defence", "quality", "morale", "cohesion",
    "cohesion_base", "ideology", "supply", "breakpoint", "progress_km", "losses_step", "fire_received",
    "enemy_ratio", "suppression", "active_from_day", "advance_km", "killed", "captured", "deserted",
    "morale_start",
)
INT_COLUMNS = (
    "idx", "last_idx", "side", "faction", "kind", "utype", "state", "posture", "group", "target", "formation",
    "broke_turn", "cut_since",
)
BOOL_COLUMNS = ("elite", "in_contact", "moved", "withdraw", "cut_off", "conscripts")
DEFAULTS = {"cut_since": -1, "idx": -1, "last_idx": -1, "target": -1, "group": -1, "formation": -1, "broke_turn": -1, "supply": 1.0}


class UnitTable:
    """Columns of unit attributes, plus the morale ledger (cumulative and a window of recent steps)."""

    def __init__(self, factors: tuple[str, ...], window: int, capacity: int = 64):
        self.factors = factors
        self.window = window
        self.n = 0
        self._capacity = 0
        self._data: dict[str, np.ndarray] = {}
        self._ledger = np.zeros((0, len(factors)))
        self._recent = np.zeros((window, 0, len(factors)))
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        old = self._capacity
        for name in FLOAT_COLUMNS + INT_COLUMNS + BOOL_COLUMNS:
            dtype = float if name in FLOAT_COLUMNS else (np.int64 if name in INT_COLUMNS else bool)
            fresh = np.full(capacity, DEFAULTS.get(name, 0), dtype=dtype)
            if old:
                fresh[:old] = self._data[name]
            self._data[name] = fresh
        ledger = np.zeros((capacity, len(self.factors)))
        ledger[:old] = self._ledger
        recent = np.zeros((self.window, capacity, len(self.factors)))
        recent[:, :old] = self._recent
        self._ledger, self._recent = ledger, recent
        self._capacity = capacity
        self._refresh_views()

    def add(self, **values) -> int:
        """Append a row; returns its index."""
        if self.n == self._capacity:
            self._grow(max(64, 2 * self._capacity))
        row = self.n
        self.n += 1
        for name, value in values.items():
            self._data[name][row] = value
        self._refresh_views()
        return row

    def _refresh_views(self) -> None:
        # Columns are plain instance attributes (views of the first n rows): reading one costs a dict
        # lookup, which matters because rules read columns thousands of times a run.
        for name, column in self._data.items():
            self.__dict__[name] = column[: self.n]

    def raw(self, name: str) -> np.ndarray:
        """The whole backing array of a column (for single-row access by descriptors)."""
        return self._data[name]

    # ---------------------------------------------------------------- the morale ledger

    @property
    def ledger(self) -> np.ndarray:
        """(units, factors): cumulative morale change by factor since the start."""
        return self._ledger[: self.n]

    def record(self, turn: int, deltas: np.ndarray) -> None:
        """Store this step's applied morale changes, (units, factors), in the ledger and the window."""
        self._ledger[: self.n] += deltas
        slot = self._recent[turn % self.window]
        slot[:] = 0.0
        slot[: self.n] = deltas

    def recent(self, row: int, excluding_turn: int | None = None) -> np.ndarray:
        """Morale change by factor over the last `window` steps, for one unit. During a step, pass its
        turn: its slot still holds the step `window` turns ago, which is no longer recent."""
        total = self._recent[:, row].sum(axis=0)
        if excluding_turn is not None:
            total = total - self._recent[excluding_turn % self.window, row]
        return total
