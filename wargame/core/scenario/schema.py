"""The scenario schema: typed, validated description of one situation.

A scenario holds metadata, the theatre's bounds, the sides, the forces (factions, order of battle, air
wings, air defences, strategic actors; see forces.py), initial control of the map, objectives, a timeline
of events and the rule parameters (rules.py). Unknown keys are errors everywhere. Tunable numbers are
declared with ``tunable`` (default, plausible range, note).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from wargame.core.scenario.briefing import Briefings
from wargame.core.scenario.common import UNIT01, Polygon, Strict, check_colour, check_identifiers
from wargame.core.scenario.forces import (
    Actors,
    AirDefence,
    AirWing,
    Faction,
    FactionBase,
    MilitiaFaction,
    RebelFaction,
    RussiaFaction,
    SAAFaction,
    StaticFaction,
    StrikeAsset,
    TacticalWing,
    UnitSpec,
)
from wargame.core.scenario.rules import Rules
from wargame.core.scenario.tunable import tunable

__all__ = ["Actors", "AirDefence", "AirWing", "ControlArea", "Faction", "FactionBase", "Meta", "MilitiaFaction",
           "Note", "Objective", "PatronSignal", "RebelFaction", "RussiaFaction", "SAAFaction", "Scenario",
           "SetParameter", "Side",
           "StaticFaction", "StrikeAsset", "Surprise", "TacticalWing", "TheatreConfig", "UnitSpec"]


class Meta(Strict):
    title: str = Field(min_length=1)
    description: str = ""
    start: dt.datetime
    hours_per_step: int = Field(6, ge=1, le=24)
    duration_days: float = Field(gt=0, le=365)
    sources: list[str] = []
    lever: str = Field("", description="for a counterfactual: the lever it turns, in a sentence")

    @field_validator("start", mode="before")
    @classmethod
    def _date_to_datetime(cls, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day, 6, 0)
        return value

    @field_validator("hours_per_step")
    @classmethod
    def _divides_day(cls, value: int) -> int:
        if 24 % value:
            raise ValueError("must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)")
        return value


class TheatreConfig(Strict):
    south: float = Field(32.25, ge=29.0, le=40.0)
    north: float = Field(37.35, ge=29.0, le=40.0)
    west: float = Field(35.55, ge=33.0, le=44.0)
    east: float = Field(41.30, ge=33.0, le=44.0)
    cell_km: float = tunable(5.0, (3.0, 10.0), "assumption: 5 km resolves towns and the M5 corridor",
                             ge=2.0, le=10.0)
    local_places: list[str] = Field([], description="campaigns whose local places (places.toml `local_to`: "
                                    "villages and hills that matter only at that campaign's scale) are on the "
                                    "map; other places are always on it")

    @model_validator(mode="after")
    def _ordered(self):
        if self.south >= self.north:
            raise ValueError(f"south ({self.south}) must be below north ({self.north})")
        if self.west >= self.east:
            raise ValueError(f"west ({self.west}) must be below east ({self.east})")
        return self


class Side(Strict):
    name: str
    colour: str
    enemies: list[str] = Field(description="ids of the sides this side fights")
    supply_sources: list[str] = Field([], description="place ids from which this side's supply runs")

    @field_validator("colour")
    @classmethod
    def _check_colour(cls, value: str) -> str:
        return check_colour(value)


class ControlArea(Strict):
    """Initial control of part of the map: a polygon of [lat, lon] points, or a circle around a place."""

    side: str
    name: str = ""
    polygon: Polygon | None = None
    around: str | None = None
    km: float | None = Field(None, gt=0, le=300)

    @model_validator(mode="after")
    def _one_shape(self):
        if (self.polygon is None) == (self.around is None):
            raise ValueError("give either polygon = [[lat, lon], ...] or around = \"<place id>\" with km")
        if self.around is not None and self.km is None:
            raise ValueError("around needs km (the radius)")
        if self.polygon is not None and self.km is not None:
            raise ValueError("km goes with around, not with a polygon")
        return self


class Objective(Strict):
    """Places a side means to take (or hold), or an area it means to take.

    A capture objective is achieved when all its places are taken (a city when the side holds most of its
    built-up cells, as for its fall; any other place by its cell); an area objective when the side holds
    `share` of the area's cells (each first achievement is an event). With ends_campaign the run ends when
    a capture objective is achieved (an area one once the side holds `end_share` of it), or when a hold
    objective fails (any of its places lost).
    """

    side: str
    kind: Literal["capture", "hold", "area"] = "capture"
    places: list[str] = []
    area: Polygon | None = Field(None, description="for kind = area: a polygon of [lat, lon] points")
    share: float = Field(0.9, gt=0.0, le=1.0, description="area objectives: share of cells that achieves it")
    end_share: float | None = Field(None, gt=0.0, le=1.0, description="area objectives: share that ends the run")
    ends_campaign: bool = False
    priority: int = Field(1, ge=1, le=10)
    factions: list[str] | None = Field(None, description="the side's factions that pursue it (default: all)")

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "area":
            if self.area is None:
                raise ValueError("an area objective needs area = [[lat, lon], ...] with at least three points")
            if self.places:
                raise ValueError("an area objective has an area, not places")
        else:
            if not self.places:
                raise ValueError(f"a {self.kind} objective needs places = [...]")
            if self.area is not None:
                raise ValueError(f"a {self.kind} objective has places, not an area")
        return self


class SetParameter(Strict):
    """At `day`, set parameters by dotted path (a lever pulled mid-campaign)."""

    event: Literal["set"]
    day: float = Field(ge=0.0)
    set: dict[str, float | int | bool | str]
    note: str = ""


class Note(Strict):
    """A narrative event, logged at `day` for the timeline of the report."""

    event: Literal["note"]
    day: float = Field(ge=0.0)
    note: str


class PatronSignal(Strict):
    """At `day`, a patron beyond the theatre makes its course known, as the United States told the southern
    rebels on 24 June 2018 not to expect its help (facts-2015-2020.md D22): the will of `side`'s factions
    (and its leadership's) moves by `will`, as when a patron in the model decides (rules.will `patrons`);
    an event names the patron and what it did."""

    event: Literal["patron"]
    day: float = Field(ge=0.0)
    patron: str = Field(min_length=1, description="who decides (a name for the event log)")
    side: str = Field(description="the side whose will it moves")
    will: float = tunable(-0.1, (-0.3, 0.3), "assumption: will the side's factions gain (or lose) by the patron's "
                          "decision", ge=-1.0, le=1.0)
    note: str = Field(min_length=1, description="what the patron did, for the event log")


TimelineEvent = Annotated[SetParameter | Note | PatronSignal, Field(discriminator="event")]


class Surprise(Strict):
    """The side that achieved surprise, from when, and how completely (1 = complete surprise)."""

    side: str
    day: float = Field(0.0, ge=0.0)
    degree: float = tunable(1.0, (0.5, 1.0), "assumption: how complete the surprise was", **UNIT01)


class Scenario(Strict):
    meta: Meta
    theatre: TheatreConfig = TheatreConfig()
    sides: dict[str, Side] = Field(min_length=2)
    factions: dict[str, Faction] = Field(min_length=2)
    units: dict[str, UnitSpec] = Field(min_length=1)
    air: dict[str, AirWing] = {}
    air_defence: dict[str, AirDefence] = {}
    actors: Actors = Actors()
    control_default: str
    control: list[ControlArea] = []
    objectives: dict[str, Objective] = {}
    timeline: list[TimelineEvent] = []
    surprise: Surprise | None = None
    rules: Rules = Rules()
    briefings: Briefings = Field(Briefings(), description="what each classroom team is told (briefing.py)")

    @field_validator("sides", "factions", "units", "objectives", "air", "air_defence")
    @classmethod
    def _identifiers(cls, value: dict) -> dict:
        return check_identifiers(value)

    @property
    def steps_per_day(self) -> int:
        return 24 // self.meta.hours_per_step

    @property
    def total_steps(self) -> int:
        return int(round(self.meta.duration_days * self.steps_per_day))
