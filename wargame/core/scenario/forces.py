"""The forces of a scenario: factions (by kind), the order of battle, air wings and strike assets, air
defences, and the strategic actors (Israel, Iran, Iraqi militias, Hezbollah, Turkey, Russia's and the
regime's headquarters)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from wargame.core.scenario.common import UNIT01, Polygon, Strict, check_colour
from wargame.core.scenario.tunable import tunable

UnitType = Literal["infantry", "mechanised", "armour", "special_forces", "militia", "artillery", "advisers",
                   "military_police", "headquarters"]
Posture = Literal["attack", "defend", "hold", "reserve", "garrison"]
MilitiaGroup = Literal["irgc", "iraqi_pmu", "fatemiyoun", "zeinabiyoun", "hezbollah", "liwa_al_quds", "ndf"]


# ---------------------------------------------------------------- factions


class FactionBase(Strict):
    name: str
    side: str
    colour: str
    doctrine: Literal["offensive", "defensive", "static"] = "defensive"
    quality: float = tunable(0.5, (0.3, 0.8), "assumption: training, leadership and equipment quality", **UNIT01)
    morale: float = tunable(0.7, (0.4, 0.9), "assumption: morale at the start", **UNIT01)
    cohesion: float = tunable(0.7, (0.4, 0.9), "assumption: organisational integrity at the start", **UNIT01)
    ideology: float = tunable(0.3, (0.1, 0.9), "assumption: conviction that holds morale under loss", **UNIT01)
    will: float = tunable(0.7, (0.3, 0.95), "assumption: the faction's will to fight at the start (RAND RR-2341); "
                          "its units' morale rests where the scenario puts it while the will holds here", **UNIT01)
    offered_deals: bool = Field(True, description="whether the enemy offers its units local deals (surrender "
                                "with safe passage, rules.will `settle`): false for a group no one negotiates "
                                "with (the Islamic State's affiliate in the Yarmouk basin in 2018), or for a "
                                "campaign without reconciliation offers")

    @field_validator("colour")
    @classmethod
    def _check_colour(cls, value: str) -> str:
        return check_colour(value)


class SAAFaction(FactionBase):
    """The Syrian Arab Army: how far the Russian modernisation took, who serves and how they are paid."""

    kind: Literal["saa"]
    professionalism: float = tunable(
        0.3, (0.1, 0.7), "assumption: share of the Russian modernisation that took hold (the article: it failed)",
        **UNIT01)
    conscript_share: float = tunable(0.6, (0.4, 0.85), "assumption: conscripts and reservists among the ranks",
                                     **UNIT01)
    pay: float = tunable(0.4, (0.1, 0.8), "assumption: pay relative to what keeps a soldier at his post", **UNIT01)
    legitimacy: float = tunable(0.4, (0.2, 0.7), "assumption: soldiers' belief that the regime is worth dying for",
                                **UNIT01)


class MilitiaFaction(FactionBase):
    """Iranian-backed forces: ideology holds them; their leadership is what Israeli strikes kill."""

    kind: Literal["militia"]
    leadership: float = tunable(0.7, (0.3, 0.9), "assumption: quality of the IRGC command network", **UNIT01)


class RussiaFaction(FactionBase):
    """Russia's ground presence: special forces, military police, advisers; they stiffen units nearby."""

    kind: Literal["russia"]
    stiffening: float = tunable(0.08, (0.0, 0.2), "assumption: morale added per day to friendly units near "
                                "Russian advisers and special forces", ge=0.0, le=4.0)
    stiffening_km: float = tunable(15.0, (5.0, 30.0), "assumption: reach of advisers and liaison teams",
                                   ge=0.0, le=100.0)


class RebelFaction(FactionBase):
    """Rebel groups: momentum from victories, drones, captured equipment."""

    kind: Literal["rebel"]
    patron: Literal["turkey"] | None = Field(None, description="a state backing it (the SNA: Turkey)")
    momentum_gain: float = tunable(0.05, (0.0, 0.15), "assumption: morale gained per enemy unit broken nearby",
                                   ge=0.0, le=1.0)
    drones: int = tunable(0, (0, 200), "assumption: strike drones (facts.md A2: HTS's 'Shaheen' drone unit)",
                          ge=0, le=10_000)


class StaticFaction(FactionBase):
    """A force that holds ground but takes no part in the campaign's manoeuvre (e.g. the SDF)."""

    kind: Literal["static"]


Faction = Annotated[SAAFaction | MilitiaFaction | RussiaFaction | RebelFaction | StaticFaction,
                    Field(discriminator="kind")]


# ---------------------------------------------------------------- order of battle


class RiseTrigger(Strict):
    """A dormant unit rises when `side` has lost `cities_lost` of the cities it must hold, or when that side's
    leadership will has fallen below `will_below` and its presence around the unit's place has fallen below
    `presence_below` of what it was at the start (within `presence_km`)."""

    side: str
    cities_lost: int | None = Field(None, ge=1, le=50)
    will_below: float | None = Field(None, ge=0.0, le=1.0, description="the side's leadership will")
    presence_below: float = Field(1.0, ge=0.0, le=1.0, description="share of the side's men left nearby")
    presence_km: float = Field(30.0, gt=0.0, le=300.0)

    @model_validator(mode="after")
    def _some_trigger(self):
        if self.cities_lost is None and self.will_below is None:
            raise ValueError("give cities_lost, will_below, or both")
        return self


class UnitSpec(Strict):
    """One ground unit (battalion to brigade), or `count` identical ones (a formation) around its place."""

    faction: str
    name: str
    type: UnitType = "infantry"
    at: str | None = Field(None, description="place id; or give lat and lon")
    lat: float | None = Field(None, ge=29.0, le=40.0)
    lon: float | None = Field(None, ge=33.0, le=44.0)
    personnel: int = Field(ge=1, le=50_000)
    armour: int = Field(0, ge=0, le=2_000)
    artillery: int = Field(0, ge=0, le=2_000)
    air_defence: int = Field(0, ge=0, le=500)
    quality: float | None = Field(None, **UNIT01)
    morale: float | None = Field(None, **UNIT01)
    cohesion: float | None = Field(None, **UNIT01)
    ideology: float | None = Field(None, **UNIT01)
    supply: float = Field(1.0, **UNIT01)
    posture: Posture = "defend"
    elite: bool = False
    group: MilitiaGroup | None = None
    count: int = Field(1, ge=1, le=100)
    parent: str | None = Field(None, description="the unit entry above it in the chain of command")
    arrives_day: float = Field(0.0, ge=0.0, le=365.0, description="day it enters the theatre at its place")
    active_from_day: float = Field(0.0, ge=0.0, le=365.0, description="day before which it only holds")
    rises_when: RiseTrigger | None = Field(None, description="stays dormant until a side loses so many cities, "
                                           "or its will and presence fall")
    objective: str | None = Field(None, description="place id this unit makes for")

    @model_validator(mode="after")
    def _located(self):
        if self.at is None and (self.lat is None or self.lon is None):
            raise ValueError("give either at = \"<place id>\" or both lat and lon")
        if self.at is not None and (self.lat is not None or self.lon is not None):
            raise ValueError("give either at or lat/lon, not both")
        return self


# ---------------------------------------------------------------- air power


class AirBase(Strict):
    faction: str
    name: str
    base: str | None = Field(None, description="place id of its airbase; none for ships and bombers from Russia")
    availability: float = tunable(0.7, (0.5, 0.85), "assumption: share of aircraft (or launchers) serviceable",
                                  **UNIT01)
    effectiveness: float = tunable(1.0, (0.5, 1.5), "assumption: effect per sortie or missile relative to a modern "
                                   "Russian strike aircraft", ge=0.0, le=5.0)
    first_day: float = Field(0.0, ge=0.0, le=365.0, description="day it starts operating")


class TacticalWing(AirBase):
    """Aircraft at a base flying sorties at targets its side's ground units have spotted."""

    kind: Literal["tactical"]
    aircraft: int = Field(ge=0, le=1000)
    sortie_rate: float = tunable(2.0, (1.0, 3.0), "assumption: sorties per serviceable aircraft per day",
                                 ge=0.0, le=10.0)


class StrikeAsset(AirBase):
    """Long-range bombers or cruise missiles striking known targets in salvos, with their own intelligence."""

    kind: Literal["bomber", "cruise_missile"]
    aircraft: int = Field(ge=0, le=1000, description="bombers, or missiles, per salvo")
    every_days: float = Field(1.0, gt=0.0, le=60.0, description="days between salvos")


AirWing = Annotated[TacticalWing | StrikeAsset, Field(discriminator="kind")]


class AirDefence(Strict):
    """Air-defence systems protecting a base against drones (and counted as captured if the base falls)."""

    faction: str
    at: str
    s400: int = Field(0, ge=0, le=50)
    s300: int = Field(0, ge=0, le=50)
    pantsir: int = Field(0, ge=0, le=50)
    ew: int = Field(0, ge=0, le=50, description="electronic-warfare systems")


# ---------------------------------------------------------------- strategic actors


class Israel(Strict):
    """Israel's strike campaign on Iranian and Hezbollah leadership, depots and convoys."""

    strikes_per_week: float = tunable(7.0, (0.0, 14.0), "facts.md C5: SOHR counts 373 Israeli attacks in Syria in "
                                      "2024 (7 a week), 149 to 14 Nov", ge=0.0, le=100.0)
    leadership_share: float = tunable(0.4, (0.2, 0.6), "assumption: share of strikes on commanders", **UNIT01)
    depot_share: float = tunable(0.4, (0.2, 0.6), "assumption: share of strikes on depots", **UNIT01)
    kills_per_strike: float = tunable(3.0, (1.0, 6.0), "facts.md C5: 288 military killed in 149 attacks to "
                                      "14 Nov 2024 (SOHR), about 2 a strike", ge=0.0, le=100.0)


class Iran(Strict):
    """Iran's commitment and its recruiting pipeline (arrivals after a delay, of lower quality)."""

    commitment: float = tunable(0.5, (0.2, 1.0), "assumption: share of its means Iran puts into Syria", **UNIT01)
    recruits_per_week: float = tunable(500.0, (0.0, 2000.0), "assumption; the article: Iran recruiting on Telegram "
                                       "to replenish its Syrian brigades", ge=0.0, le=20_000.0)
    delay_days: float = tunable(10.0, (5.0, 20.0), "assumption: from recruitment to the front", ge=0.0, le=120.0)
    recruit_quality: float = tunable(0.3, (0.2, 0.45), "assumption: hastily trained recruits", **UNIT01)
    stake: float = tunable(0.7, (0.5, 0.9), "assumption (the article): Syria is Iran's land bridge to Hezbollah: "
                           "what it stands to lose with the regime", **UNIT01)
    entry: str = Field("damascus", description="place where recruits arrive")
    battalion: int = Field(500, ge=50, le=5000, description="recruits gathered into a unit of this size")


class IraqiMilitias(Strict):
    """Iraqi militias: whether, when and how many enter via al-Bukamal once the regime is losing."""

    willingness: float = tunable(0.2, (0.0, 1.0), "facts.md A2-A3: only ~200-300+ crossed on 1-2 Dec; the PMF "
                                 "denied deploying", **UNIT01)
    force: int = tunable(3000, (1000, 10000), "assumption: what the militias could send if fully willing "
                         "(facts.md B2: 2,000 + 1,000 Nujaba in 2016)", ge=0, le=100_000)
    trigger_cities: int = Field(1, ge=0, le=50, description="major cities the regime must lose before they move")
    delay_days: float = tunable(2.0, (1.0, 7.0), "facts.md A2: crossed 1-2 Dec after Aleppo fell 30 Nov",
                                ge=0.0, le=60.0)
    stake: float = tunable(0.3, (0.1, 0.5), "assumption: the militias' stake in the regime (facts.md A2-A3: the "
                           "PMF denied deploying)", **UNIT01)
    entry: str = "al_qaim"
    battalion: int = Field(500, ge=50, le=5000)


class Hezbollah(Strict):
    """Hezbollah's strength after its war with Israel, scaling its units and any help from Lebanon."""

    strength: float = tunable(0.4, (0.2, 1.0), "facts.md C6: up to 4,000 fighters killed, leadership and ~70-80% of "
                              "drones and rockets lost in 2024; assumption 40% of its Syrian capacity", **UNIT01)
    reinforcement: int = tunable(0, (0, 5000), "assumption: fighters it can send from Lebanon if at full strength",
                                 ge=0, le=50_000)
    trigger_cities: int = Field(1, ge=0, le=50, description="major cities the regime must lose before it helps")
    delay_days: float = Field(4.0, ge=0.0, le=60.0)
    stake: float = tunable(0.6, (0.4, 0.8), "assumption: the supply route from Iran runs through Syria", **UNIT01)
    entry: str = "jousieh"


class Turkey(Strict):
    """Turkey: support to the SNA, and a deal with Russia that can freeze the north-west."""

    support: float = tunable(0.7, (0.3, 1.0), "assumption: Turkish supply, pay and fire support to the SNA",
                             **UNIT01)
    stake: float = tunable(0.5, (0.3, 0.8), "assumption: Turkey's stake in the opposition's success (refugees, "
                           "the Kurdish question, the border)", **UNIT01)
    deal_day: float | None = Field(None, ge=0.0, le=365.0, description="day a Russia-Turkey deal freezes the NW")
    freeze_polygon: Polygon | None = Field(None, description="the ground the deal freezes: [[lat, lon], ...]")


class RussiaHQ(Strict):
    """Russia's headquarters: redeployment of aircraft to Syria, capped by the war in Ukraine."""

    reinforce_aircraft: int = tunable(6, (0, 30), "facts.md A3: Russia promised new hardware 'within 72 hours' "
                                      "(29-30 Nov 2024); numbers an assumption", ge=0, le=500)
    ukraine_cap: float = tunable(0.5, (0.0, 1.0), "assumption: share of the promised aircraft the war in Ukraine "
                                 "lets go", **UNIT01)
    delay_days: float = tunable(3.0, (1.0, 7.0), "facts.md A3: 'within 72 hours'", ge=0.0, le=60.0)
    trigger_cities: int = Field(1, ge=0, le=50, description="major cities lost before Moscow reinforces")
    stake: float = tunable(0.6, (0.4, 0.8), "assumption (the article): the bases at Tartus and Khmeimim and "
                           "Russia's standing as a great power", **UNIT01)
    wing: str = Field("", description="id of the air wing reinforced")
    golan_km: float = tunable(80.0, (0.0, 120.0), "the article: Iranian forces held 'about 50 miles' (80 km) from "
                              "the Golan Heights from 2018", ge=0.0, le=300.0)
    golan_exempt: list[str] = Field(["damascus"], description="cities inside the zone that Iranian-backed units "
                                    "may still hold (assumption: the 2018 understanding spared Damascus)")


class RegimeHQ(Strict):
    """The regime's headquarters: commits reserves and orders withdrawals to defensive lines."""

    withdraw_share: float = tunable(0.5, (0.3, 0.8), "assumption: share of a sector's units broken before the "
                                    "rest of the sector falls back", **UNIT01)
    sector_km: float = tunable(30.0, (15.0, 60.0), "assumption: radius of a sector", ge=1.0, le=300.0)
    reaction_days: float = tunable(0.0, (0.0, 3.0), "assumption: days from the start before it commits its reserves "
                                   "(a surprised command reacts late)", ge=0.0, le=60.0)
    will: float = tunable(0.7, (0.4, 0.9), "assumption (RAND RR-2477, national will): the leadership's will to "
                          "fight at the start; below rules.will `collapse` the regime collapses", **UNIT01)
    review_days: float = tunable(0.5, (0.25, 2.0), "assumption: how often it reviews the campaign (abandon, fall "
                                 "back, negotiate)", gt=0.0, le=60.0)
    abandon_odds: float = tunable(3.0, (2.0, 5.0), "assumption: enemy to own men within threat_km of a place at "
                                  "which a command at its starting will gives the place up (x will / starting "
                                  "will: a failing command gives up sooner)", gt=0.0, le=100.0)
    abandon_min_odds: float = tunable(1.0, (0.7, 2.0), "assumption: however low its will, a command gives up only "
                                      "a place where the enemy's men outnumber its own this many to one",
                                      gt=0.0, le=100.0)
    fallback_will: float = tunable(0.3, (0.2, 0.45), "assumption: leadership will below which the command falls "
                                   "back to the capital and the coast", ge=0.0, le=1.0)
    core: list[str] = Field(["damascus", "homs", "latakia", "tartus"], description="the places it falls back to "
                            "(the capital, the road to the coast, the coast)")


class Actors(Strict):
    israel: Israel | None = None
    iran: Iran | None = None
    iraqi_militias: IraqiMilitias | None = None
    hezbollah: Hezbollah | None = None
    turkey: Turkey | None = None
    russia_hq: RussiaHQ | None = None
    regime_hq: RegimeHQ | None = None
