"""Per-unit state: every attribute of a ground unit declared once, stored as a column, one row per unit.

``COLUMNS`` is the one declaration: name, dtype, default, how an agent sees it (a number, a flag, a name
from a fixed list or from the model's ids, the state) and what it means. The ``UnitTable`` stores one
numpy array per column; ``GroundUnit`` derives its attributes from the same declaration (agents/unit.py),
and the model adds a unit with keyword values checked against it. Rules work on whole columns at once
(fast, and the same arithmetic for every unit); rows are never reused: a unit that leaves the map keeps
its row for the record. Columns are views of the first ``n`` rows; take them again after units are
added (the arrays grow). Besides the columns the table keeps the morale ledger: cumulative, this step's,
and a window of recent steps, by factor.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from wargame.core.agents.vocabulary import GROUPS, KINDS, POSTURES, UNIT_TYPES


@dataclass(frozen=True)
class ColumnSpec:
    """One per-unit attribute. ``exposure`` is how a ``GroundUnit`` shows it: "number", "count" (int),
    "flag", "state", "codes" (a name from the fixed tuple ``codes``), "ids" (a name from the model's list
    named by ``codes``: side or faction ids), "object" (the agent itself) or "hidden" (rules only)."""

    name: str
    dtype: type
    default: object
    exposure: str
    doc: str
    codes: tuple[str, ...] | str | None = None


def _c(name, dtype, default, exposure, doc, codes=None) -> ColumnSpec:
    return ColumnSpec(name, dtype, default, exposure, doc, codes)


FLOAT, INT, BOOL = float, np.int64, bool
COLUMNS: tuple[ColumnSpec, ...] = (
    # who and where
    _c("agent", object, None, "object", "the unit's Mesa agent (GroundUnit)"),
    _c("idx", INT, -1, "count", "flat index of its cell; -1 off the map"),
    _c("last_idx", INT, -1, "hidden", "its cell when it left the map"),
    _c("side", INT, 0, "ids", "its side", "side_ids"),
    _c("faction", INT, 0, "ids", "its faction", "faction_ids"),
    _c("kind", INT, 0, "codes", "its faction's kind", KINDS),
    _c("utype", INT, 0, "codes", "unit type", UNIT_TYPES),
    _c("group", INT, -1, "codes", "militia group; -1 none", GROUPS),
    _c("formation", INT, -1, "count", "its order-of-battle entry (index in the scenario's units)"),
    _c("elite", BOOL, False, "flag", "elite formation"),
    _c("conscripts", BOOL, False, "flag", "SAA conscripts (breaks sooner as the conscript share rises)"),
    _c("active_from_day", FLOAT, 0.0, "number", "day before which it only holds"),
    # strength
    _c("personnel", FLOAT, 0.0, "number", "men now"),
    _c("personnel_start", FLOAT, 0.0, "number", "men at the start (or on arrival)"),
    _c("armour", FLOAT, 0.0, "number", "tanks and armoured vehicles"),
    _c("artillery", FLOAT, 0.0, "number", "guns and rocket launchers"),
    _c("air_defence", FLOAT, 0.0, "number", "air-defence systems"),
    _c("quality", FLOAT, 0.0, "number", "training, leadership and equipment, 0-1"),
    _c("supply", FLOAT, 1.0, "number", "supply stock, 0-1"),
    _c("killed", FLOAT, 0.0, "number", "men killed so far"),
    _c("captured", FLOAT, 0.0, "number", "men captured so far"),
    _c("deserted", FLOAT, 0.0, "number", "men deserted so far"),
    _c("withdrawn", FLOAT, 0.0, "number", "men who left the theatre by order (evacuated, safe passage)"),
    # will to fight
    _c("morale", FLOAT, 0.0, "number", "morale, 0-1"),
    _c("morale_start", FLOAT, 0.0, "number", "morale at the start"),
    _c("cohesion", FLOAT, 0.0, "number", "organisational integrity, 0-1"),
    _c("cohesion_base", FLOAT, 0.0, "number", "cohesion it returns towards"),
    _c("ideology", FLOAT, 0.0, "number", "conviction that damps morale losses, 0-1"),
    _c("breakpoint", FLOAT, 0.0, "number", "loss share at which it breaks whatever its morale"),
    _c("state", INT, 0, "state", "active, shaken, routing, surrendered, dissolved, defected, destroyed"),
    _c("broke_turn", INT, -1, "hidden", "step at which it last broke; -1 never"),
    # orders and movement
    _c("posture", INT, 0, "codes", "attack, defend, hold, reserve or garrison", POSTURES),
    _c("target", INT, -1, "count", "cell it makes for this step; -1 holds"),
    _c("last_target", INT, -1, "count", "cell it made for in the last step (commanders may keep it)"),
    _c("objective_cell", INT, -1, "count", "cell of its own objective from the scenario; -1 none"),
    _c("withdraw", BOOL, False, "flag", "falls back one cell this step"),
    _c("moved", BOOL, False, "flag", "moved this step"),
    _c("progress_km", FLOAT, 0.0, "number", "distance covered towards the next cell"),
    _c("advance_km", FLOAT, 0.0, "number", "distance advanced this step (what shocks the enemy)"),
    # this step's fighting
    _c("in_contact", BOOL, False, "flag", "an enemy unit is adjacent"),
    _c("enemy_ratio", FLOAT, 0.0, "number", "enemy fire against its own resilience"),
    _c("fire_received", FLOAT, 0.0, "number", "enemy fire it received this step"),
    _c("suppression", FLOAT, 0.0, "number", "suppression by fire, 0-1"),
    _c("losses_step", FLOAT, 0.0, "number", "men lost this step, by any cause"),
    _c("sorties_on", FLOAT, 0.0, "number", "enemy sorties that struck it this step"),
    _c("sorties_near", FLOAT, 0.0, "number", "friendly sorties struck within a cell of it this step"),
    _c("deserted_step", FLOAT, 0.0, "number", "men who deserted this step"),
    _c("broke_step", BOOL, False, "flag", "broke this step"),
    _c("will_seen", FLOAT, 0.0, "number", "its faction's will to fight as news has reached it (rules.will)"),
    _c("talks_since", FLOAT, float("nan"), "hidden", "day its talks on a local deal opened; NaN not talking "
       "(rules.will deal_talks_days)"),
    # supply lines
    _c("cut_off", BOOL, False, "flag", "cut off from every supply source"),
    _c("cut_since", INT, -1, "hidden", "step since which it has been cut off; -1 linked"),
)
COLUMN = {c.name: c for c in COLUMNS}


def _check_columns(names) -> None:
    unknown = sorted(names - COLUMN.keys())
    if unknown:
        raise TypeError(f"unknown unit column(s) {', '.join(unknown)}; the columns are declared in "
                        f"wargame/core/agents/table.py: {', '.join(COLUMN)}")


def _doubled(capacity: int) -> int:
    """The arrays' next capacity when they are full: twice as many rows (64 at least)."""
    return max(64, 2 * capacity)


class UnitTable:
    """The declared columns of unit attributes, plus the morale ledger (cumulative, this step's, and a
    window of recent steps)."""

    def __init__(self, factors: tuple[str, ...], window: int, capacity: int = 64):
        self.factors = factors
        self.window = window
        self.n = 0
        self._adding = False
        self._capacity = 0
        self._data: dict[str, np.ndarray] = {}
        self._ledger = np.zeros((0, len(factors)))
        self._ledger_step = np.zeros((0, len(factors)))
        self._recent = np.zeros((window, 0, len(factors)))
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        old = self._capacity
        for column in COLUMNS:
            fresh = np.full(capacity, column.default, dtype=column.dtype)
            if old:
                fresh[:old] = self._data[column.name]
            self._data[column.name] = fresh
        ledger, ledger_step = np.zeros((capacity, len(self.factors))), np.zeros((capacity, len(self.factors)))
        ledger[:old], ledger_step[:old] = self._ledger, self._ledger_step
        recent = np.zeros((self.window, capacity, len(self.factors)))
        recent[:, :old] = self._recent
        self._ledger, self._ledger_step, self._recent = ledger, ledger_step, recent
        self._capacity = capacity
        self._refresh_views()

    def add(self, **values) -> int:
        """Append a row with these column values (the rest take their defaults); returns its index. Inside
        ``adding()`` the column views are brought up to date once, at its end."""
        _check_columns(values.keys())
        if self.n == self._capacity:
            self._grow(_doubled(self._capacity))
        row = self.n
        self.n += 1
        for name, value in values.items():
            self._data[name][row] = value
        if not self._adding:
            self._refresh_views()
        return row

    def extend(self, count: int, **columns: np.ndarray) -> range:
        """Append `count` rows at once: ``columns`` gives each named column's values for the new rows (the
        rest take their defaults); returns the new rows. The arrays grow as `count` calls of ``add`` would
        have grown them."""
        _check_columns(columns.keys())
        capacity = self._capacity
        while self.n + count > capacity:
            capacity = _doubled(capacity)
        if capacity > self._capacity:
            self._grow(capacity)          # once, to the size the doublings of ``add`` would reach
        rows = range(self.n, self.n + count)
        for name, values in columns.items():
            self._data[name][rows.start:rows.stop] = values
        self.n += count
        if not self._adding:
            self._refresh_views()
        return rows

    @contextlib.contextmanager
    def adding(self):
        """Add several rows with one refresh of the column views (some fifty slices) at the end instead
        of one per row; inside, read new rows through ``raw``, not the views."""
        self._adding = True
        try:
            yield self
        finally:
            self._adding = False
            self._refresh_views()

    def _refresh_views(self) -> None:
        # Columns are plain instance attributes (views of the first n rows): reading one costs a dict
        # lookup, which matters because rules read columns thousands of times a run.
        for name, column in self._data.items():
            self.__dict__[name] = column[: self.n]
        self.__dict__["ledger_step"] = self._ledger_step[: self.n]

    def raw(self, name: str) -> np.ndarray:
        """The whole backing array of a column (for single-row access by descriptors)."""
        return self._data[name]

    # ---------------------------------------------------------------- the morale ledger

    @property
    def ledger(self) -> np.ndarray:
        """(units, factors): cumulative morale change by factor since the start."""
        return self._ledger[: self.n]

    def start_step_ledger(self) -> None:
        """Clear this step's ledger, (units, factors), before the morale phase fills it."""
        self._ledger_step[:] = 0.0

    def record(self, turn: int) -> None:
        """Store this step's morale changes (``ledger_step``) in the cumulative ledger and the window."""
        deltas = self._ledger_step[: self.n]
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
