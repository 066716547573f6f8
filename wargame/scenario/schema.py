"""The scenario schema: typed, validated description of one situation.

A scenario holds metadata, the theatre's bounds, the sides and factions with their parameters, the order
of battle, initial control of the map, objectives, a timeline of events and the rule parameters. Unknown
keys are errors everywhere. Tunable numbers are declared with ``tunable`` (default, plausible range, note);
rule parameters have defaults here that every scenario shares unless it says otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wargame.scenario.tunable import tunable

Unit01 = dict(ge=0.0, le=1.0)
UnitType = Literal["infantry", "mechanised", "armour", "special_forces", "militia", "artillery", "advisers",
                   "military_police", "headquarters"]
Posture = Literal["attack", "defend", "hold", "reserve", "garrison"]
MilitiaGroup = Literal["irgc", "iraqi_pmu", "fatemiyoun", "zeinabiyoun", "hezbollah", "liwa_al_quds", "ndf"]
TerrainName = Literal["open", "urban", "mountain", "desert", "river"]
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


class Strict(BaseModel):
    """Base of all scenario models: unknown keys are errors; assignment is validated too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _colour(value: str) -> str:
    if not COLOUR.match(value):
        raise ValueError('must be a colour "#rrggbb"')
    return value


# ---------------------------------------------------------------- metadata and theatre


class Meta(Strict):
    title: str = Field(min_length=1)
    description: str = ""
    start: dt.datetime
    hours_per_step: int = Field(6, ge=1, le=24)
    duration_days: float = Field(gt=0, le=365)
    sources: list[str] = []

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

    @model_validator(mode="after")
    def _ordered(self):
        if self.south >= self.north:
            raise ValueError(f"south ({self.south}) must be below north ({self.north})")
        if self.west >= self.east:
            raise ValueError(f"west ({self.west}) must be below east ({self.east})")
        return self


# ---------------------------------------------------------------- sides and factions


class Side(Strict):
    name: str
    colour: str
    enemies: list[str] = Field(description="ids of the sides this side fights")
    supply_sources: list[str] = Field([], description="place ids from which this side's supply runs")

    @field_validator("colour")
    @classmethod
    def _check_colour(cls, value: str) -> str:
        return _colour(value)


class FactionBase(Strict):
    name: str
    side: str
    colour: str
    doctrine: Literal["offensive", "defensive", "static"] = "defensive"
    quality: float = tunable(0.5, (0.3, 0.8), "assumption: training, leadership and equipment quality",
                             **Unit01)
    morale: float = tunable(0.7, (0.4, 0.9), "assumption: morale at the start", **Unit01)
    cohesion: float = tunable(0.7, (0.4, 0.9), "assumption: organisational integrity at the start", **Unit01)
    ideology: float = tunable(0.3, (0.1, 0.9), "assumption: conviction that holds morale under loss", **Unit01)

    @field_validator("colour")
    @classmethod
    def _check_colour(cls, value: str) -> str:
        return _colour(value)


class SAAFaction(FactionBase):
    """The Syrian Arab Army: how far the Russian modernisation took, who serves and how they are paid."""

    kind: Literal["saa"]
    professionalism: float = tunable(
        0.3, (0.1, 0.7), "assumption: share of the Russian modernisation that took hold (the article: it failed)",
        **Unit01)
    conscript_share: float = tunable(0.6, (0.4, 0.85), "assumption: conscripts and reservists among the ranks",
                                     **Unit01)
    pay: float = tunable(0.4, (0.1, 0.8), "assumption: pay relative to what keeps a soldier at his post",
                         **Unit01)


class MilitiaFaction(FactionBase):
    """Iranian-backed forces: ideology holds them; their leadership is what Israeli strikes kill."""

    kind: Literal["militia"]
    leadership: float = tunable(0.7, (0.3, 0.9), "assumption: quality of the IRGC command network", **Unit01)


class RussiaFaction(FactionBase):
    """Russia's ground presence: special forces, military police, advisers; they stiffen units nearby."""

    kind: Literal["russia"]
    stiffening: float = tunable(0.1, (0.0, 0.25), "assumption: morale added per step-day to units near advisers",
                                ge=0.0, le=1.0)
    stiffening_km: float = tunable(15.0, (5.0, 30.0), "assumption: reach of advisers and liaison teams",
                                   ge=0.0, le=100.0)


class RebelFaction(FactionBase):
    """Rebel groups: momentum from victories, drones, captured equipment."""

    kind: Literal["rebel"]
    momentum_gain: float = tunable(0.05, (0.0, 0.15), "assumption: morale gained per enemy unit broken nearby",
                                   ge=0.0, le=1.0)


class StaticFaction(FactionBase):
    """A force that holds ground but takes no part in the campaign's manoeuvre (e.g. the SDF)."""

    kind: Literal["static"]


Faction = Annotated[SAAFaction | MilitiaFaction | RussiaFaction | RebelFaction | StaticFaction,
                    Field(discriminator="kind")]
FACTION_KINDS = {"saa": SAAFaction, "militia": MilitiaFaction, "russia": RussiaFaction, "rebel": RebelFaction,
                 "static": StaticFaction}


# ---------------------------------------------------------------- order of battle


class UnitSpec(Strict):
    """One ground unit (battalion to brigade), or `count` identical ones spread around its place."""

    faction: str
    name: str
    type: UnitType = "infantry"
    at: str | None = Field(None, description="place id; or give lat and lon")
    lat: float | None = Field(None, ge=29.0, le=40.0)
    lon: float | None = Field(None, ge=33.0, le=44.0)
    personnel: int = Field(ge=1, le=50_000)
    armour: int = Field(0, ge=0, le=2_000)
    artillery: int = Field(0, ge=0, le=2_000)
    quality: float | None = Field(None, **Unit01)
    morale: float | None = Field(None, **Unit01)
    cohesion: float | None = Field(None, **Unit01)
    posture: Posture = "defend"
    elite: bool = False
    group: MilitiaGroup | None = None
    count: int = Field(1, ge=1, le=50)
    arrives_day: float = Field(0.0, ge=0.0, le=365.0, description="day it enters the theatre at its place")
    active_from_day: float = Field(0.0, ge=0.0, le=365.0, description="day before which it only holds")
    objective: str | None = Field(None, description="place id this unit makes for")

    @model_validator(mode="after")
    def _located(self):
        if self.at is None and (self.lat is None or self.lon is None):
            raise ValueError("give either at = \"<place id>\" or both lat and lon")
        if self.at is not None and (self.lat is not None or self.lon is not None):
            raise ValueError("give either at or lat/lon, not both")
        return self


# ---------------------------------------------------------------- control, objectives, timeline


class ControlArea(Strict):
    """Initial control of part of the map: a polygon of [lat, lon] points, or a circle around a place."""

    side: str
    name: str = ""
    polygon: list[tuple[float, float]] | None = None
    around: str | None = None
    km: float | None = Field(None, gt=0, le=300)

    @model_validator(mode="after")
    def _one_shape(self):
        if (self.polygon is None) == (self.around is None):
            raise ValueError("give either polygon = [[lat, lon], ...] or around = \"<place id>\" with km")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("a polygon needs at least three points")
        if self.around is not None and self.km is None:
            raise ValueError("around needs km (the radius)")
        return self


class Objective(Strict):
    """Places a side means to take (or hold). ends_campaign: the run ends once it is achieved."""

    side: str
    kind: Literal["capture", "hold"] = "capture"
    places: list[str] = Field(min_length=1)
    ends_campaign: bool = False
    priority: int = Field(1, ge=1, le=10)


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


TimelineEvent = Annotated[SetParameter | Note, Field(discriminator="event")]


class Surprise(Strict):
    """The side that achieved surprise, from when, and how completely (1 = complete surprise)."""

    side: str
    day: float = Field(0.0, ge=0.0)
    degree: float = tunable(1.0, (0.5, 1.0), "assumption: how complete the surprise was", **Unit01)


# ---------------------------------------------------------------- rules (shared behavioural parameters)


class TerrainTable(Strict):
    open: float = Field(1.0, gt=0, le=10)
    urban: float = Field(1.0, gt=0, le=10)
    mountain: float = Field(1.0, gt=0, le=10)
    desert: float = Field(1.0, gt=0, le=10)
    river: float = Field(1.0, gt=0, le=10)

    def as_list(self) -> list[float]:
        return [self.open, self.urban, self.mountain, self.desert, self.river]


class UnitTypeRules(Strict):
    speed_km_day: float = Field(ge=0.0, le=200.0)
    firepower: float = Field(1.0, ge=0.0, le=10.0, description="combat power per person, relative to infantry")


class UnitTypes(Strict):
    infantry: UnitTypeRules = UnitTypeRules(speed_km_day=20.0, firepower=1.0)
    mechanised: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=1.4)
    armour: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=1.6)
    special_forces: UnitTypeRules = UnitTypeRules(speed_km_day=35.0, firepower=1.6)
    militia: UnitTypeRules = UnitTypeRules(speed_km_day=25.0, firepower=0.9)
    artillery: UnitTypeRules = UnitTypeRules(speed_km_day=25.0, firepower=1.2)
    advisers: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=0.5)
    military_police: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=0.7)
    headquarters: UnitTypeRules = UnitTypeRules(speed_km_day=30.0, firepower=0.3)


class MovementRules(Strict):
    terrain_cost: TerrainTable = TerrainTable(open=1.0, urban=2.0, mountain=3.0, desert=1.3, river=1.6)
    road_factor: float = tunable(0.35, (0.2, 0.6), "assumption: a road about triples the speed of a column",
                                 gt=0.0, le=1.0)
    hostile_factor: float = tunable(2.0, (1.2, 4.0), "assumption: entering ground the enemy holds is slower",
                                    ge=1.0, le=10.0)
    stacking_limit: int = Field(4, ge=1, le=20)


class CombatRules(Strict):
    attrition_per_day: float = tunable(
        0.02, (0.01, 0.03), "Dupuy: sustained engagements cost about 1 to 3 percent a day (DESIGN.md)", ge=0, le=0.5)
    lanchester_exponent: float = tunable(
        0.5, (0.0, 1.0), "assumption: between Lanchester's linear (0) and square (1) laws", ge=0.0, le=1.0)
    armour_weight: float = tunable(8.0, (4.0, 15.0), "assumption: combat power of a tank or IFV, in riflemen",
                                   ge=0.0, le=100.0)
    artillery_weight: float = tunable(12.0, (6.0, 25.0), "assumption: combat power of a gun, in riflemen",
                                      ge=0.0, le=100.0)
    defence_posture: float = tunable(1.3, (1.1, 1.6), "Dupuy: hasty defence about x1.3", ge=1.0, le=3.0)
    terrain_defence: TerrainTable = TerrainTable(open=1.0, urban=1.6, mountain=1.5, desert=0.9, river=1.2)
    surprise_max: float = tunable(2.0, (1.5, 2.5), "Dupuy: about x2 at complete surprise (DESIGN.md)",
                                  ge=1.0, le=4.0)
    surprise_decay_days: float = tunable(3.0, (2.0, 5.0), "Dupuy: surprise decays over about three days",
                                         gt=0.0, le=30.0)
    loss_noise: float = tunable(0.35, (0.1, 0.6), "assumption: coefficient of variation of a step's losses",
                                ge=0.0, le=2.0)
    advance_ratio: float = tunable(1.5, (1.1, 3.0), "assumption: local power ratio at which attackers advance",
                                   ge=1.0, le=10.0)


class MoraleRules(Strict):
    casualty_weight: float = tunable(3.0, (1.0, 6.0), "assumption: morale lost per unit share of personnel lost",
                                     ge=0.0, le=20.0)
    force_ratio_weight: float = tunable(0.04, (0.0, 0.1), "assumption: morale lost per step at 3:1 odds against",
                                        ge=0.0, le=1.0)
    supply_weight: float = tunable(0.03, (0.0, 0.08), "assumption: morale lost per step when out of supply",
                                   ge=0.0, le=1.0)
    rest_recovery: float = tunable(0.02, (0.005, 0.05), "assumption: morale regained per step out of contact",
                                   ge=0.0, le=1.0)
    break_threshold: float = tunable(0.25, (0.15, 0.4), "assumption: morale below which a unit breaks",
                                     ge=0.0, le=1.0)
    rally_threshold: float = tunable(0.45, (0.3, 0.6), "assumption: morale at which a routed unit rallies",
                                     ge=0.0, le=1.0)


class SupplyRules(Strict):
    range_km: float = tunable(120.0, (60.0, 250.0), "assumption: reach of road-bound supply from a source",
                              gt=0.0, le=1000.0)
    cutoff_decay: float = tunable(0.04, (0.02, 0.1), "assumption: supply stock lost per step when cut off",
                                  ge=0.0, le=1.0)
    resupply: float = tunable(0.25, (0.1, 0.5), "assumption: supply stock regained per step when connected",
                              ge=0.0, le=1.0)
    cutoff_attrition: float = tunable(0.003, (0.0, 0.01), "assumption: personnel lost per step when unsupplied",
                                      ge=0.0, le=0.1)


class ControlRules(Strict):
    influence_km: float = tunable(12.0, (5.0, 25.0), "assumption: ground a unit holds around itself",
                                  ge=0.0, le=100.0)


class Rules(Strict):
    unit_types: UnitTypes = UnitTypes()
    movement: MovementRules = MovementRules()
    combat: CombatRules = CombatRules()
    morale: MoraleRules = MoraleRules()
    supply: SupplyRules = SupplyRules()
    control: ControlRules = ControlRules()


# ---------------------------------------------------------------- the scenario


class Scenario(Strict):
    meta: Meta
    theatre: TheatreConfig = TheatreConfig()
    sides: dict[str, Side] = Field(min_length=2)
    factions: dict[str, Faction] = Field(min_length=2)
    units: dict[str, UnitSpec] = Field(min_length=1)
    control_default: str
    control: list[ControlArea] = []
    objectives: dict[str, Objective] = {}
    timeline: list[TimelineEvent] = []
    surprise: Surprise | None = None
    rules: Rules = Rules()

    @field_validator("sides", "factions", "units", "objectives")
    @classmethod
    def _identifiers(cls, value: dict):
        for key in value:
            if not IDENT.match(key):
                raise ValueError(f"id {key!r} must be lower-case letters, digits and _ , starting with a letter")
        return value

    @property
    def steps_per_day(self) -> int:
        return 24 // self.meta.hours_per_step

    @property
    def total_steps(self) -> int:
        return int(round(self.meta.duration_days * self.steps_per_day))
