"""Ground units: battalion-to-brigade formations as Mesa ``CellAgent``s on the hex grid.

A unit has personnel (now and at the start), equipment (armour, artillery, air defence), training
quality, morale and cohesion in [0, 1], a posture, a supply stock, a state and a morale ledger that
records every change of morale with the factor that caused it, so a report can say why a unit broke.

The numbers live in the model's ``UnitTable`` (one row per unit) so that rules can act on all units at
once; the attributes below read and write the unit's row.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from mesa.discrete_space import CellAgent


class State(str, Enum):
    ACTIVE = "active"
    SHAKEN = "shaken"
    ROUTING = "routing"
    SURRENDERED = "surrendered"
    DISSOLVED = "dissolved"
    DEFECTED = "defected"
    DESTROYED = "destroyed"

    @property
    def code(self) -> int:
        return STATE_CODES[self]

    @property
    def gone(self) -> bool:
        """No longer on the map as a fighting unit of its faction."""
        return self.code >= GONE_FROM


STATE_LIST = list(State)
STATE_CODES = {s: i for i, s in enumerate(STATE_LIST)}
STATES = tuple(s.value for s in State)
ACTIVE, SHAKEN, ROUTING, SURRENDERED, DISSOLVED, DEFECTED, DESTROYED = range(7)
GONE_FROM = SURRENDERED
POSTURES = ("attack", "defend", "hold", "reserve", "garrison")
UNIT_TYPES = ("infantry", "mechanised", "armour", "special_forces", "militia", "artillery", "advisers",
              "military_police", "headquarters")
KINDS = ("saa", "militia", "russia", "rebel", "static")
GROUPS = ("irgc", "iraqi_pmu", "fatemiyoun", "zeinabiyoun", "hezbollah", "liwa_al_quds", "ndf")


class Column:
    """A number in the unit's row of the model's UnitTable."""

    cast = float

    def __init__(self, name: str | None = None):
        self.name = name

    def __set_name__(self, owner, name):
        self.name = self.name or name

    def __get__(self, unit, owner=None):
        if unit is None:
            return self
        return self.decode(unit, unit.model.table.raw(self.name)[unit.row])

    def __set__(self, unit, value) -> None:
        unit.model.table.raw(self.name)[unit.row] = self.encode(unit, value)

    def decode(self, unit, raw):
        return self.cast(raw)

    def encode(self, unit, value):
        return value


class IntColumn(Column):
    cast = int


class FlagColumn(Column):
    cast = bool


class Coded(Column):
    """A name stored as its index in a fixed list."""

    def __init__(self, values: tuple[str, ...], name: str | None = None):
        super().__init__(name)
        self.values = values

    def decode(self, unit, raw):
        return None if raw < 0 else self.values[int(raw)]

    def encode(self, unit, value):
        return -1 if value is None else self.values.index(value)


class ModelCoded(Column):
    """A name stored as its index in a list the model holds (side and faction ids)."""

    def __init__(self, attribute: str, name: str | None = None):
        super().__init__(name)
        self.attribute = attribute

    def decode(self, unit, raw):
        return getattr(unit.model, self.attribute)[int(raw)]

    def encode(self, unit, value):
        return getattr(unit.model, self.attribute).index(value)


class StateColumn(Column):
    def decode(self, unit, raw):
        return STATE_LIST[int(raw)]

    def encode(self, unit, value):
        return STATE_CODES[State(value)]


class GroundUnit(CellAgent):
    """A ground formation. Rules in ``wargame.core.rules`` act on the UnitTable, a column at a time."""

    personnel = Column()
    personnel_start = Column()
    armour = Column()
    artillery = Column()
    air_defence = Column()
    quality = Column()
    morale = Column()
    cohesion = Column()
    ideology = Column()
    supply = Column()
    breakpoint = Column()
    progress_km = Column()
    losses_step = Column()
    enemy_ratio = Column()
    fire_received = Column()
    morale_start = Column()
    advance_km = Column()
    suppression = Column()
    active_from_day = Column()
    killed = Column()
    captured = Column()
    deserted = Column()
    idx = IntColumn()
    target = IntColumn()
    formation = IntColumn()
    elite = FlagColumn()
    in_contact = FlagColumn()
    moved = FlagColumn()
    withdraw = FlagColumn()
    cut_off = FlagColumn()
    conscripts = FlagColumn()
    state = StateColumn()
    posture = Coded(POSTURES)
    utype = Coded(UNIT_TYPES)
    kind = Coded(KINDS)
    group = Coded(GROUPS)
    side = ModelCoded("side_ids")
    faction = ModelCoded("faction_ids")

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
