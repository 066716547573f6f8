"""Rule parameters: the behavioural parameters every scenario shares unless it says otherwise.

Each is declared with its default, plausible range and a note (a source, or "assumption"). Issue 4's
calibration tunes these once for both campaigns; scenarios differ only in the situation.
"""

from __future__ import annotations

from pydantic import Field

from wargame.core.scenario.common import Strict
from wargame.core.scenario.tunable import tunable


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
    spotting_km: float = Field(10.0, ge=0.0, le=100.0, description="reach of its eyes for air strikes")


class UnitTypes(Strict):
    infantry: UnitTypeRules = UnitTypeRules(speed_km_day=20.0, firepower=1.0)
    mechanised: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=1.4)
    armour: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=1.6)
    special_forces: UnitTypeRules = UnitTypeRules(speed_km_day=35.0, firepower=1.6, spotting_km=20.0)
    militia: UnitTypeRules = UnitTypeRules(speed_km_day=25.0, firepower=0.9)
    artillery: UnitTypeRules = UnitTypeRules(speed_km_day=25.0, firepower=1.2, spotting_km=15.0)
    advisers: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=0.5, spotting_km=25.0)
    military_police: UnitTypeRules = UnitTypeRules(speed_km_day=40.0, firepower=0.7)
    headquarters: UnitTypeRules = UnitTypeRules(speed_km_day=30.0, firepower=0.3, spotting_km=15.0)


class MovementRules(Strict):
    terrain_cost: TerrainTable = TerrainTable(open=1.0, urban=2.0, mountain=3.0, desert=1.3, river=1.6)
    road_factor: float = tunable(0.35, (0.2, 0.6), "assumption: a road about triples the speed of a column",
                                 gt=0.0, le=1.0)
    hostile_factor: float = tunable(2.0, (1.2, 4.0), "assumption: entering ground the enemy holds and contests is slower",
                                    ge=1.0, le=10.0)
    stacking_limit: int = Field(4, ge=1, le=20)


class CombatRules(Strict):
    attrition_per_day: float = tunable(
        0.014, (0.01, 0.03), "Dupuy: sustained engagements cost about 1 to 3 percent a day (docs/ODD.md §4.1); calibrated "
        "(docs/CALIBRATION.md)", ge=0, le=0.5)
    lanchester_exponent: float = tunable(
        0.5, (0.0, 1.0), "assumption: Helmbold's weight between Lanchester's linear (0) and square (1) laws",
        ge=0.0, le=1.0)
    reference_power: float = tunable(2000.0, (500.0, 5000.0),
                                     "assumption: engagement size at which the linear and square laws agree",
                                     gt=0.0, le=1e6)
    armour_weight: float = tunable(8.0, (4.0, 15.0), "assumption: combat power of a tank or IFV, in riflemen",
                                   ge=0.0, le=100.0)
    artillery_weight: float = tunable(12.0, (6.0, 25.0), "assumption: combat power of a gun, in riflemen",
                                      ge=0.0, le=100.0)
    defence_posture: float = tunable(1.3, (1.1, 1.6), "Dupuy: hasty defence about x1.3", ge=1.0, le=3.0)
    terrain_defence: TerrainTable = TerrainTable(open=1.0, urban=1.6, mountain=1.5, desert=0.9, river=1.2)
    frontage_per_km: float = tunable(800.0, (300.0, 2000.0), "assumption (after Dupuy's frontage limits): fire, "
                                     "in riflemen, that can bear on a km of front", gt=0.0, le=1e6)
    frontage: TerrainTable = TerrainTable(open=1.0, urban=0.4, mountain=0.5, desert=1.2, river=0.8)
    surprise_max: float = tunable(2.0, (1.5, 2.5), "Dupuy: about x2 at complete surprise (docs/ODD.md §7.9)",
                                  ge=1.0, le=4.0)
    surprise_decay_days: float = tunable(3.0, (2.0, 5.0), "Dupuy: surprise decays over about three days",
                                         gt=0.0, le=30.0)
    loss_noise: float = tunable(0.35, (0.1, 0.6), "assumption: coefficient of variation of a step's losses",
                                ge=0.0, le=2.0)
    rout_loss_factor: float = tunable(3.0, (2.0, 5.0), "assumption: x3 (docs/ODD.md §7.9: routed units lose far more)",
                                      ge=1.0, le=20.0)
    drone_power: float = tunable(20.0, (5.0, 50.0), "assumption: riflemen-equivalents a strike drone adds in "
                                 "the fight", ge=0.0, le=500.0)
    air_support_per_sortie: float = tunable(0.05, (0.02, 0.1), "assumption: fire added per friendly sortie on the "
                                            "enemy in front of a unit", ge=0.0, le=1.0)
    air_support_cap: float = tunable(0.5, (0.3, 1.0), "assumption: most that air support can add to a unit's fire",
                                     ge=0.0, le=5.0)
    air_defence_weight: float = tunable(3.0, (1.0, 8.0), "assumption: combat power of an air-defence system on "
                                        "the ground, in riflemen", ge=0.0, le=100.0)


class MoraleRules(Strict):
    casualty_weight: float = tunable(1.1, (0.8, 3.0), "assumption, calibrated (docs/CALIBRATION.md): morale lost "
                                     "per unit share of personnel lost",
                                     ge=0.0, le=20.0)
    force_ratio_weight: float = tunable(1.3, (0.4, 2.0), "assumption, calibrated (docs/CALIBRATION.md): morale lost "
                                        "per day in contact at 3:1 odds "
                                        "against", ge=0.0, le=4.0)
    contagion_weight: float = tunable(0.08, (0.02, 0.2), "assumption: morale lost per friendly break nearby",
                                      ge=0.0, le=1.0)
    contagion_km: float = tunable(23.0, (10.0, 40.0), "assumption, calibrated (docs/CALIBRATION.md): how far a "
                                  "break is seen and heard",
                                  ge=0.0, le=200.0)
    command_weight: float = tunable(0.15, (0.05, 0.3), "assumption: morale lost as the share of the unit's "
                                    "formation that broke this step", ge=0.0, le=1.0)
    encirclement_shock: float = tunable(0.12, (0.05, 0.25), "assumption: morale lost at once when a unit finds "
                                        "itself cut off", ge=0.0, le=1.0)
    encirclement_weight: float = tunable(0.004, (0.0, 0.02), "assumption, calibrated (docs/CALIBRATION.md): morale "
                                         "lost per day while cut off "
                                         "(besieged garrisons have held for weeks)", ge=0.0, le=4.0)
    supply_weight: float = tunable(0.04, (0.0, 0.1), "assumption: morale lost per day with an empty supply stock",
                                   ge=0.0, le=4.0)
    air_fear_weight: float = tunable(0.001, (0.0005, 0.005), "assumption, calibrated (docs/CALIBRATION.md): morale "
                                     "lost per sortie on a 1,000-strong "
                                     "unit (suppression and fear are the main effect of air power)", ge=0.0, le=1.0)
    air_support_weight: float = tunable(0.005, (0.0, 0.02), "assumption: morale gained per friendly sortie nearby",
                                        ge=0.0, le=1.0)
    shock_weight: float = tunable(0.4, (0.1, 0.8), "assumption, calibrated (docs/CALIBRATION.md): morale lost per "
                                  "day when the enemy advances "
                                  "fast nearby", ge=0.0, le=4.0)
    shock_km: float = tunable(30.0, (15.0, 50.0), "assumption: reach of the shock of a fast enemy advance",
                              ge=0.0, le=200.0)
    shock_speed_km_day: float = tunable(15.0, (8.0, 30.0), "assumption: an advance counts as fast above this",
                                        ge=0.0, le=200.0)
    pay_weight: float = tunable(0.04, (0.0, 0.12), "assumption: morale lost per day by a wholly unpaid army "
                                "(pay and legitimacy)", ge=0.0, le=4.0)
    leadership_weight: float = tunable(0.04, (0.0, 0.12), "assumption: morale lost per day by militia whose "
                                       "leadership is gone", ge=0.0, le=4.0)
    ideology_resistance: float = tunable(0.74, (0.3, 0.9), "assumption, calibrated (docs/CALIBRATION.md): share of "
                                         "morale losses a wholly convinced "
                                         "unit shrugs off", ge=0.0, le=1.0)
    rest_recovery: float = tunable(0.08, (0.02, 0.2), "assumption: share of lost morale regained per day at rest",
                                   ge=0.0, le=4.0)
    break_threshold: float = tunable(0.25, (0.15, 0.4), "assumption: morale below which a unit breaks",
                                     ge=0.0, le=1.0)
    rally_threshold: float = tunable(0.45, (0.3, 0.6), "assumption: morale at which a routed unit rallies",
                                     ge=0.0, le=1.0)


class CohesionRules(Strict):
    casualty_weight: float = tunable(0.8, (0.3, 1.5), "assumption: cohesion lost per unit share of personnel lost",
                                     ge=0.0, le=10.0)
    leader_loss: float = tunable(0.15, (0.05, 0.3), "assumption: cohesion lost when a strike kills a unit's "
                                 "leaders", ge=0.0, le=1.0)
    desertion_weight: float = tunable(2.0, (0.5, 4.0), "assumption: cohesion lost per unit share of personnel "
                                      "deserting", ge=0.0, le=20.0)
    recovery: float = tunable(0.02, (0.004, 0.06), "assumption: cohesion regained per day at rest, towards "
                              "the unit's normal level", ge=0.0, le=1.0)


class BreakRules(Strict):
    surrender: float = tunable(0.3, (0.1, 0.6), "assumption: weight of surrender among break outcomes",
                               ge=0.0, le=10.0)
    surrender_encircled: float = tunable(6.0, (3.0, 12.0), "assumption: surrender weight multiplier when cut off",
                                         ge=1.0, le=100.0)
    desertion: float = tunable(0.4, (0.1, 1.0), "assumption: weight of desertion for unpaid conscript units",
                               ge=0.0, le=10.0)
    defection: float = tunable(0.03, (0.0, 0.1), "assumption: weight of defection (rare; changes side with its "
                               "weapons)", ge=0.0, le=10.0)
    capture_share: float = tunable(0.6, (0.3, 0.9), "assumption: share of a surrendered or overrun unit's "
                                   "equipment the captor can use", ge=0.0, le=1.0)
    daily_desertion: float = tunable(0.004, (0.0, 0.01), "assumption: share of an unpaid, demoralised unit "
                                     "slipping away each day", ge=0.0, le=0.2)


class SupplyRules(Strict):
    range_km: float = tunable(120.0, (60.0, 250.0), "assumption: reach of road-bound supply from a source",
                              gt=0.0, le=1000.0)
    cutoff_decay: float = tunable(0.06, (0.03, 0.15), "assumption: supply stock used per day when out of supply "
                                  "(a full stock lasts about two weeks)", ge=0.0, le=4.0)
    resupply: float = tunable(1.0, (0.4, 2.0), "assumption: supply stock regained per day when in supply",
                              ge=0.0, le=4.0)
    cutoff_attrition: float = tunable(0.005, (0.0, 0.02), "assumption: personnel lost per day (sickness, hunger) "
                                      "with an empty supply stock", ge=0.0, le=0.4)


class ControlRules(Strict):
    influence_km: float = tunable(12.0, (5.0, 25.0), "assumption: ground a unit holds around itself",
                                  ge=0.0, le=100.0)


class AirRules(Strict):
    kills_per_sortie: float = tunable(1.0, (0.5, 2.0), "assumption, calibrated (docs/CALIBRATION.md): personnel "
                                      "killed per sortie; facts.md B3: the Russian MoD claimed 35,000 killed for "
                                      "17,800 sorties to Dec 2016, about 2 a sortie (a claim)", ge=0.0, le=100.0)
    suppression_per_sortie: float = tunable(0.05, (0.02, 0.1), "assumption: share of a 1,000-strong unit's fire "
                                            "suppressed per sortie", ge=0.0, le=1.0)
    max_sorties_per_target: int = Field(8, ge=1, le=100)
    coordination_hours: float = tunable(6.0, (2.0, 24.0), "assumption: delay from a spotter's request to the strike",
                                        ge=0.0, le=240.0)
    collapse_delay_factor: float = tunable(4.0, (1.0, 10.0), "assumption: how much the delay grows when the friendly "
                                           "ground network has collapsed", ge=0.0, le=50.0)
    bad_weather_chance: float = tunable(0.15, (0.0, 0.4), "assumption: chance a day grounds most sorties "
                                        "(winter in northern Syria)", ge=0.0, le=1.0)
    bad_weather_factor: float = tunable(0.3, (0.0, 0.7), "assumption: share of sorties flown in bad weather",
                                        ge=0.0, le=1.0)
    missile_kills: float = tunable(5.0, (1.0, 15.0), "assumption: personnel killed per cruise missile or bomber "
                                   "strike", ge=0.0, le=1000.0)
    missile_supply_damage: float = tunable(0.05, (0.01, 0.15), "assumption: supply stock destroyed per missile at "
                                           "a depot", ge=0.0, le=1.0)
    drone_strikes_per_day: float = tunable(0.5, (0.0, 2.0), "assumption: drone raids per day per 10 drones on "
                                           "airbases in reach", ge=0.0, le=100.0)
    drone_aircraft_kill: float = tunable(0.5, (0.1, 1.0), "assumption: aircraft destroyed per raid that gets through",
                                         ge=0.0, le=10.0)
    intercept_pantsir: float = tunable(0.5, (0.3, 0.8), "facts.md C3: Pantsir downed 7 of 13 drones at Khmeimim, "
                                       "6 Jan 2018", ge=0.0, le=1.0)
    intercept_s400: float = tunable(0.2, (0.0, 0.4), "assumption: long-range systems are poor against small drones",
                                    ge=0.0, le=1.0)
    intercept_s300: float = tunable(0.15, (0.0, 0.3), "assumption", ge=0.0, le=1.0)
    intercept_ew: float = tunable(0.4, (0.2, 0.6), "facts.md C3: electronic warfare took over 6 of 13 drones, "
                                  "6 Jan 2018", ge=0.0, le=1.0)
    air_defence_cover: float = tunable(0.1, (0.0, 0.3), "assumption: share of strike effect each air-defence "
                                       "system with the target removes", ge=0.0, le=1.0)


class Rules(Strict):
    unit_types: UnitTypes = UnitTypes()
    movement: MovementRules = MovementRules()
    combat: CombatRules = CombatRules()
    morale: MoraleRules = MoraleRules()
    cohesion: CohesionRules = CohesionRules()
    breaks: BreakRules = BreakRules()
    supply: SupplyRules = SupplyRules()
    control: ControlRules = ControlRules()
    air: AirRules = AirRules()
