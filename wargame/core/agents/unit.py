"""Ground units: battalion-to-brigade formations as Mesa ``CellAgent``s on the hex grid.

A unit has personnel (now and at the start), equipment (armour, artillery, air defence), training
quality, morale and cohesion in [0, 1], a posture, a supply stock, a state and a morale ledger that
records every change of morale with the factor that caused it, so a report can say why a unit broke.

The numbers live in the model's ``UnitTable`` (one row per unit) so that rules can act on all units at
once; every column declared in ``table.COLUMNS`` is an attribute of the agent that reads and writes the
unit's row, shown as its declaration says (a number, a flag, a name).
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import CellAgent

from wargame.core.agents.table import COLUMNS, ColumnSpec
from wargame.core.agents.vocabulary import (  # noqa: F401  (re-exported: the vocabulary of units)
    ACTIVE,
    DEFECTED,
    DESTROYED,
    DISSOLVED,
    GONE_FROM,
    GROUPS,
    KINDS,
    POSTURES,
    ROUTING,
    SHAKEN,
    STATE_CODES,
    STATE_LIST,
    STATES,
    SURRENDERED,
    UNIT_TYPES,
    WITHDRAWN,
    State,
)


class Column:
    """An attribute of the agent stored in its row of the model's UnitTable, shown as declared."""

    def __init__(self, spec: ColumnSpec):
        self.name = spec.name
        self.__doc__ = spec.doc
        codes = spec.codes
        self.decode, self.encode = {
            "number": (lambda unit, raw: float(raw), None),
            "count": (lambda unit, raw: int(raw), None),
            "flag": (lambda unit, raw: bool(raw), None),
            "state": (lambda unit, raw: STATE_LIST[int(raw)], lambda unit, value: STATE_CODES[State(value)]),
            "codes": (lambda unit, raw: None if raw < 0 else codes[int(raw)],
                      lambda unit, value: -1 if value is None else codes.index(value)),
            "ids": (lambda unit, raw: getattr(unit.model, codes)[int(raw)],
                    lambda unit, value: getattr(unit.model, codes).index(value)),
        }[spec.exposure]

    def __get__(self, unit, owner=None):
        if unit is None:
            return self
        return self.decode(unit, unit.model.table.raw(self.name)[unit.row])

    def __set__(self, unit, value) -> None:
        if self.encode is not None:
            value = self.encode(unit, value)
        unit.model.table.raw(self.name)[unit.row] = value


class GroundUnit(CellAgent):
    """A ground formation. Rules in ``wargame.core.rules`` act on the UnitTable, a column at a time; its
    attributes (``unit.morale``, ``unit.state``...) are the declared columns of its row."""

    def __init__(self, model, *, key: str, name: str, row: int, formation_key: str):
        super().__init__(model)
        self.key = key
        self.name = name
        self.row = row
        self.formation_key = formation_key
        idx = self.idx
        if idx >= 0:
            self.cell = model.cells[idx]

    def place(self, idx: int) -> None:
        """Move to the cell with flat index `idx` (the Mesa cell and the table stay in step)."""
        self.idx = int(idx)
        self.cell = self.model.cells[int(idx)]

    @property
    def loss_share(self) -> float:
        start = self.personnel_start
        return 1.0 - self.personnel / start if start else 1.0

    @property
    def fighting(self) -> bool:
        """Able to hold ground and fight: active or shaken, not routing or gone."""
        return self.state in (State.ACTIVE, State.SHAKEN)

    @property
    def ledger(self) -> dict[str, float]:
        """Cumulative morale change by factor since the start."""
        table = self.model.table
        return {f: float(v) for f, v in zip(table.factors, table.ledger[self.row]) if v != 0.0}

    def remove_from_map(self, state: State) -> None:
        """Leave the map; the agent and its row stay for the record."""
        self.remove_from_map_state(STATE_CODES[State(state)])

    def remove_from_map_state(self, code: int) -> None:
        table = self.model.table
        table.raw("state")[self.row] = code
        table.raw("target")[self.row] = -1
        table.raw("in_contact")[self.row] = False
        table.raw("last_idx")[self.row] = table.raw("idx")[self.row]
        table.raw("idx")[self.row] = -1
        self.cell = None

    def __repr__(self) -> str:
        return f"<{self.key} {self.faction} {self.state.value} {self.personnel:.0f}>"


def on_map(table) -> np.ndarray:
    """Bool column: units standing on the map (active, shaken or routing)."""
    return table.state < GONE_FROM


def fighting(table) -> np.ndarray:
    """Bool column: units able to hold ground and fight (active or shaken)."""
    return table.state <= SHAKEN


for _spec in COLUMNS:                     # the agent's attributes, derived from the one declaration
    if _spec.exposure not in ("hidden", "object"):
        setattr(GroundUnit, _spec.name, Column(_spec))
del _spec
