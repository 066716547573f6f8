"""The typed event log of a run: what happened, when, and (for breaks) why.

Events are frozen dataclasses; the log keeps them in order and writes them as JSON lines. The report
layer reads them back from the run directory, never from the model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Event:
    step: int
    day: float
    kind: ClassVar[str] = "event"

    def to_dict(self, start: dt.datetime | None = None) -> dict:
        out = {"kind": self.kind, **dataclasses.asdict(self)}
        if start is not None:
            out["time"] = (start + dt.timedelta(days=self.day)).isoformat(timespec="minutes")
        return out


@dataclass(frozen=True)
class CityCaptured(Event):
    city: str
    name: str
    side: str
    from_side: str
    kind: ClassVar[str] = "city_captured"


@dataclass(frozen=True)
class UnitBroke(Event):
    unit: str
    name: str
    faction: str
    outcome: str                      # rout | surrender | desertion | defection
    personnel: int
    loss_share: float                 # share of starting personnel lost when it broke
    factors: dict[str, float] = field(default_factory=dict)  # morale lost by factor, shares summing to 1
    trigger: str = "morale"           # morale: below its threshold; breakpoint: its losses passed its breakpoint
    kind: ClassVar[str] = "unit_broke"


@dataclass(frozen=True)
class UnitRallied(Event):
    unit: str
    name: str
    faction: str
    kind: ClassVar[str] = "unit_rallied"


@dataclass(frozen=True)
class UnitDestroyed(Event):
    unit: str
    name: str
    faction: str
    kind: ClassVar[str] = "unit_destroyed"


@dataclass(frozen=True)
class UnitEncircled(Event):
    unit: str
    name: str
    faction: str
    kind: ClassVar[str] = "unit_encircled"


@dataclass(frozen=True)
class UnitArrived(Event):
    unit: str
    name: str
    faction: str
    place: str
    kind: ClassVar[str] = "unit_arrived"


@dataclass(frozen=True)
class EquipmentCaptured(Event):
    captor: str
    captor_faction: str
    unit: str
    faction: str
    reason: str                      # surrender | desertion | overrun
    armour: float
    artillery: float
    air_defence: float
    aircraft: float
    kind: ClassVar[str] = "equipment_captured"


@dataclass(frozen=True)
class BaseCaptured(Event):
    base: str
    name: str
    side: str
    from_side: str
    aircraft: float
    air_defence: float
    captor: str | None
    kind: ClassVar[str] = "base_captured"


@dataclass(frozen=True)
class UnitDefected(Event):
    unit: str
    name: str
    faction: str
    new_unit: str
    new_faction: str
    personnel: int
    kind: ClassVar[str] = "unit_defected"


@dataclass(frozen=True)
class AirStrike(Event):
    wing: str
    faction: str
    target: str
    target_faction: str
    sorties: float
    killed: float
    delay_steps: int
    kind: ClassVar[str] = "air_strike"


@dataclass(frozen=True)
class MissileStrike(Event):
    wing: str
    faction: str
    place: str
    missiles: float
    killed: float
    kind: ClassVar[str] = "missile_strike"


@dataclass(frozen=True)
class DroneRaid(Event):
    faction: str
    base: str
    intercepted: bool
    aircraft_destroyed: float
    kind: ClassVar[str] = "drone_raid"


@dataclass(frozen=True)
class IsraeliStrike(Event):
    target: str                      # leadership | depot | convoy
    unit: str | None
    killed: float
    kind: ClassVar[str] = "israeli_strike"


@dataclass(frozen=True)
class StrategicDecision(Event):
    actor: str
    decision: str
    kind: ClassVar[str] = "strategic_decision"


@dataclass(frozen=True)
class RegimeCollapsed(Event):
    side: str
    will: float
    why: str                 # the factors that broke its leadership's will, largest first
    deserted: int            # units that went home
    surrendered: int         # units that gave themselves up to the enemy beside them
    withdrew: int            # units that left the theatre (militias, Russian detachments)
    kind: ClassVar[str] = "regime_collapsed"


@dataclass(frozen=True)
class LocalDeal(Event):
    faction: str
    place: str               # the place nearest the units that settled
    units: int
    personnel: int
    side: str                # the side they settled with
    why: str
    kind: ClassVar[str] = "local_deal"


@dataclass(frozen=True)
class Uprising(Event):
    faction: str
    units: int
    personnel: int
    place: str               # where they rise: their place, or the city or town nearest to it
    why: str
    kind: ClassVar[str] = "uprising"


@dataclass(frozen=True)
class Weather(Event):
    bad: bool
    kind: ClassVar[str] = "weather"


@dataclass(frozen=True)
class ParameterSet(Event):
    path: str
    value: object
    note: str = ""
    kind: ClassVar[str] = "parameter_set"


@dataclass(frozen=True)
class Note(Event):
    note: str
    kind: ClassVar[str] = "note"


@dataclass(frozen=True)
class ObjectiveAchieved(Event):
    objective: str
    side: str
    share: float
    kind: ClassVar[str] = "objective_achieved"


@dataclass(frozen=True)
class CampaignEnded(Event):
    reason: str
    kind: ClassVar[str] = "campaign_ended"


class EventLog:
    """All events of a run, in the order they happened."""

    def __init__(self, start: dt.datetime):
        self.start = start
        self._events: list[Event] = []

    def add(self, event: Event) -> Event:
        self._events.append(event)
        return event

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def since(self, index: int) -> list[Event]:
        """The events added after the first `index`."""
        return self._events[index:]

    def of_kind(self, kind: type[Event]) -> list[Event]:
        return [e for e in self._events if isinstance(e, kind)]

    def to_dicts(self) -> list[dict]:
        return [e.to_dict(self.start) for e in self._events]

    def to_jsonl(self) -> str:
        return "".join(json.dumps(d, sort_keys=True, default=str) + "\n" for d in self.to_dicts())
