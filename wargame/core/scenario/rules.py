"""Rule parameters: the behavioural parameters every scenario shares unless it says otherwise.

Each is declared with its default, plausible range and a note (a source, or "assumption"). Issue 4's
calibration tunes these once for every historical campaign (issue 15: jointly, docs/CALIBRATION.md); scenarios
differ only in the situation.
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
    max_cells_per_step: int = tunable(6, (4, 8), "assumption: most cells a unit enters in one step (a cap on "
                                      "speed along roads; supply's incremental update assumes at most 8)",
                                      ge=1, le=50)
    max_banked_km: float = tunable(60.0, (30.0, 100.0), "assumption: most unused movement a unit carries over to "
                                   "the next step", ge=0.0, le=1000.0)
    speed_supply_base: float = tunable(0.5, (0.3, 0.7), "assumption: speed x (speed_supply_base + speed_supply_slope "
                                       "x supply stock): an empty stock halves a unit's speed", ge=0.0, le=2.0)
    speed_supply_slope: float = tunable(0.5, (0.3, 0.7), "assumption: speed gained with a full supply stock (see "
                                        "speed_supply_base)", ge=0.0, le=2.0)
    rout_speed_factor: float = tunable(1.5, (1.0, 2.0), "assumption: routed units run this many times as fast",
                                       ge=0.0, le=10.0)


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
    fire_quality_base: float = tunable(0.5, (0.3, 1.0), "assumption: fire x (fire_quality_base + quality)",
                                       ge=0.0, le=5.0)
    fire_morale_base: float = tunable(0.5, (0.3, 0.7), "assumption: fire x (fire_morale_base + fire_morale_slope "
                                      "x morale)", ge=0.0, le=5.0)
    fire_morale_slope: float = tunable(0.5, (0.3, 0.7), "assumption: fire gained at full morale (see "
                                       "fire_morale_base)", ge=0.0, le=5.0)
    fire_cohesion_base: float = tunable(0.6, (0.4, 0.8), "assumption: fire x (fire_cohesion_base + "
                                        "fire_cohesion_slope x cohesion)", ge=0.0, le=5.0)
    fire_cohesion_slope: float = tunable(0.4, (0.2, 0.6), "assumption: fire gained at full cohesion (see "
                                         "fire_cohesion_base)", ge=0.0, le=5.0)
    fire_supply_base: float = tunable(0.4, (0.2, 0.6), "assumption: fire x (fire_supply_base + fire_supply_slope "
                                      "x supply stock): an empty stock leaves 40 percent", ge=0.0, le=5.0)
    fire_supply_slope: float = tunable(0.6, (0.4, 0.8), "assumption: fire gained with a full supply stock (see "
                                       "fire_supply_base)", ge=0.0, le=5.0)
    shaken_fire: float = tunable(0.75, (0.5, 0.9), "assumption: share of its fire a shaken unit delivers",
                                 ge=0.0, le=1.0)
    routed_fire: float = tunable(0.1, (0.0, 0.3), "assumption: share of its fire a routed unit delivers",
                                 ge=0.0, le=1.0)
    resilience_quality_base: float = tunable(0.7, (0.5, 0.9), "assumption: resilience x (resilience_quality_base "
                                             "+ resilience_quality_slope x quality)", ge=0.0, le=5.0)
    resilience_quality_slope: float = tunable(0.6, (0.3, 0.9), "assumption: resilience gained at full quality (see "
                                              "resilience_quality_base)", ge=0.0, le=5.0)
    max_step_loss: float = tunable(0.5, (0.3, 0.7), "assumption: most of its strength a unit can lose to combat "
                                   "in one step", gt=0.0, le=1.0)
    destroyed_below: float = tunable(0.08, (0.05, 0.15), "assumption: share of its starting personnel under which "
                                     "a unit ceases to exist", ge=0.0, le=0.5)


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
    ideology_resistance: float = tunable(0.74, (0.3, 0.9), "assumption, calibrated (docs/CALIBRATION.md): share of "
                                         "morale losses a wholly convinced "
                                         "unit shrugs off", ge=0.0, le=1.0)
    rest_recovery: float = tunable(0.08, (0.02, 0.2), "assumption: share of lost morale regained per day at rest",
                                   ge=0.0, le=4.0)
    break_threshold: float = tunable(0.25, (0.15, 0.4), "assumption: morale below which a unit breaks",
                                     ge=0.0, le=1.0)
    rally_threshold: float = tunable(0.45, (0.3, 0.6), "assumption: morale at which a routed unit rallies",
                                     ge=0.0, le=1.0)
    break_threshold_cohesion_base: float = tunable(1.3, (1.1, 1.5), "assumption: a unit breaks below "
                                                   "break_threshold x (base - slope x cohesion): cohesive units "
                                                   "hold on lower", ge=0.0, le=3.0)
    break_threshold_cohesion_slope: float = tunable(0.6, (0.3, 0.9), "assumption: how much full cohesion lowers "
                                                    "the break threshold (see break_threshold_cohesion_base)",
                                                    ge=0.0, le=3.0)
    shaken_margin: float = tunable(0.15, (0.05, 0.25), "assumption: morale within this of the break threshold "
                                   "shows as shaken", ge=0.0, le=1.0)
    contagion_max_breaks: float = tunable(3.0, (2.0, 5.0), "assumption: most breaks' worth of contagion a unit "
                                          "feels in one step", ge=0.0, le=50.0)
    momentum_max_breaks: float = tunable(3.0, (2.0, 5.0), "assumption: most enemy breaks' worth of momentum a "
                                         "rebel unit gains in one step", ge=0.0, le=50.0)
    command_from_children: float = tunable(0.5, (0.25, 0.75), "assumption: weight, in the command factor of a "
                                           "formation, of the share of its child formations that broke",
                                           ge=0.0, le=2.0)
    command_from_parent: float = tunable(0.5, (0.25, 0.75), "assumption: weight, in the command factor of a "
                                         "formation, of the share of its parent formation that broke",
                                         ge=0.0, le=2.0)
    odds_in_numbers: float = tunable(0.0, (0.0, 1.0), "assumption: how far the odds a unit in contact feels count "
                                     "all the fire brought against it rather than the fire its cell's frontage lets "
                                     "bear (0: what bears, so a town garrison six to one down can feel favourable "
                                     "odds; 1: all of it; between, a geometric blend). 0 keeps the calibrated "
                                     "campaigns; docs/CALIBRATION.md says why it is here", ge=0.0, le=1.0)
    favourable_odds_regain: float = tunable(0.3, (0.1, 0.5), "assumption: morale regained per day at favourable "
                                            "odds, as a share of force_ratio_weight (never above rest_recovery)",
                                            ge=0.0, le=2.0)
    low_supply_level: float = tunable(0.5, (0.3, 0.7), "assumption: supply stock below which morale suffers, up "
                                      "to supply_weight a day at empty", gt=0.0, le=1.0)
    air_fear_max: float = tunable(0.3, (0.1, 0.5), "assumption: most morale a unit loses to air strikes in one "
                                  "step", ge=0.0, le=1.0)
    air_support_max: float = tunable(0.05, (0.02, 0.1), "assumption: most morale friendly air support adds in one "
                                     "step", ge=0.0, le=1.0)
    irgc_stiffening: float = tunable(0.01, (0.0, 0.03), "assumption: morale added per day, times the militia "
                                     "faction's leadership, to militia near IRGC advisers", ge=0.0, le=1.0)
    irgc_stiffening_km: float = tunable(15.0, (5.0, 30.0), "assumption: reach of IRGC advisers (as Russian "
                                        "stiffening_km)", ge=0.0, le=100.0)
    shock_offset: float = tunable(0.5, (0.0, 0.9), "assumption: shock = shock_weight x min(1, v - shock_offset), v "
                                  "the enemy's advance over shock_speed_km_day: half at the threshold speed, full "
                                  "at 1.5 times it", ge=0.0, le=1.0)
    rest_min_supply: float = tunable(0.5, (0.3, 0.8), "assumption: supply stock a unit needs to rest and regain "
                                     "morale", ge=0.0, le=1.0)
    rest_cohesion_base: float = tunable(0.5, (0.25, 1.0), "assumption: rest regains rest_recovery x (1 - morale) "
                                        "x (rest_cohesion_base + cohesion) a day", ge=0.0, le=5.0)
    elite_loss_factor: float = tunable(0.8, (0.6, 0.95), "assumption: elite units feel this share of morale "
                                       "losses (20 percent less)", ge=0.0, le=1.0)


class CohesionRules(Strict):
    casualty_weight: float = tunable(0.8, (0.3, 1.5), "assumption: cohesion lost per unit share of personnel lost",
                                     ge=0.0, le=10.0)
    leader_loss: float = tunable(0.15, (0.05, 0.3), "assumption: cohesion lost when a strike kills a unit's "
                                 "leaders", ge=0.0, le=1.0)
    desertion_weight: float = tunable(2.0, (0.5, 4.0), "assumption: cohesion lost per unit share of personnel "
                                      "deserting", ge=0.0, le=20.0)
    recovery: float = tunable(0.02, (0.004, 0.06), "assumption: cohesion regained per day at rest, towards "
                              "the unit's normal level", ge=0.0, le=1.0)
    recovery_min_supply: float = tunable(0.5, (0.3, 0.8), "assumption: supply stock a unit needs to regain "
                                         "cohesion at rest", ge=0.0, le=1.0)


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
    breakpoint_median: float = tunable(0.15, (0.1, 0.2), "assumption (historically most units break "
                                       "at 10-20 percent losses): median of the lognormal breakpoint draw",
                                       gt=0.0, le=1.0)
    breakpoint_sigma: float = tunable(0.45, (0.3, 0.6), "assumption: lognormal spread of breakpoints (about 55 "
                                      "percent of draws in 10-20 percent, 1.5 beyond 40)", ge=0.0, le=2.0)
    breakpoint_quality_base: float = tunable(0.7, (0.5, 0.9), "assumption: breakpoint x (breakpoint_quality_base "
                                             "+ breakpoint_quality_slope x quality)", ge=0.0, le=5.0)
    breakpoint_quality_slope: float = tunable(0.6, (0.3, 1.0), "assumption: see breakpoint_quality_base",
                                              ge=0.0, le=5.0)
    breakpoint_cohesion_base: float = tunable(0.7, (0.5, 0.9), "assumption: breakpoint x "
                                              "(breakpoint_cohesion_base + breakpoint_cohesion_slope x cohesion)",
                                              ge=0.0, le=5.0)
    breakpoint_cohesion_slope: float = tunable(0.6, (0.3, 1.0), "assumption: see breakpoint_cohesion_base",
                                               ge=0.0, le=5.0)
    breakpoint_hold_factor: float = tunable(1.1, (1.0, 1.3), "assumption: breakpoint multiplier of units in the "
                                            "hold or garrison posture", ge=0.0, le=5.0)
    breakpoint_elite_factor: float = tunable(1.4, (1.2, 1.8), "assumption: breakpoint multiplier of elite units",
                                             ge=0.0, le=5.0)
    breakpoint_max: float = tunable(0.9, (0.6, 0.95), "assumption: no unit's breakpoint lies above this loss share",
                                    ge=0.0, le=1.0)
    rout_when_cut_off: float = tunable(0.3, (0.1, 0.6), "assumption: weight of rout for a unit cut off (nowhere to "
                                       "run; 1 otherwise)", ge=0.0, le=10.0)
    surrender_out_of_contact: float = tunable(0.3, (0.1, 0.6), "assumption: surrender weight multiplier for a unit "
                                              "that breaks out of contact (no one to surrender to)", ge=0.0, le=10.0)
    surrender_russian: float = tunable(0.1, (0.0, 0.3), "assumption: surrender weight multiplier of Russian units",
                                       ge=0.0, le=10.0)
    desertion_militia: float = tunable(0.5, (0.25, 0.75), "assumption: desertion weight of militia relative to "
                                       "the SAA", ge=0.0, le=10.0)
    desertion_rebel: float = tunable(0.2, (0.1, 0.4), "assumption: desertion weight of rebels relative to the SAA",
                                     ge=0.0, le=10.0)
    desertion_non_saa_factor: float = tunable(0.5, (0.25, 0.75), "assumption: what stands in for the SAA's "
                                              "(1 - pay) x conscript share in the desertion weight of militia and "
                                              "rebels", ge=0.0, le=1.0)
    defection_default_legitimacy: float = tunable(0.5, (0.3, 0.7), "assumption: legitimacy used in the defection "
                                                  "weight of factions that have none (all but the SAA)",
                                                  ge=0.0, le=1.0)
    defector_morale: float = tunable(0.6, (0.4, 0.8), "assumption: morale of a unit that has just defected",
                                     ge=0.0, le=1.0)
    defector_min_cohesion: float = tunable(0.3, (0.2, 0.5), "assumption: a defected unit keeps its cohesion, but at "
                                           "least this", ge=0.0, le=1.0)
    defector_ideology: float = tunable(0.3, (0.1, 0.5), "assumption: ideology of a unit that has just defected",
                                       ge=0.0, le=1.0)


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
    influence_km: float = tunable(12.0, (5.0, 25.0), "assumption: ground a unit holds around itself (where "
                                  "its side's network reaches, or its holder's no longer does: rules.control)",
                                  ge=0.0, le=100.0)
    city_majority_share: float = tunable(0.5, (0.5, 0.75), "assumption: a city changes hands when one side holds "
                                         "more than this share of its built-up cells", ge=0.5, lt=1.0)


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
    air_defence_cover_max: float = tunable(0.9, (0.5, 1.0), "assumption: most of a strike's effect the air "
                                           "defences with its target can remove", ge=0.0, le=1.0)
    max_kill_share: float = tunable(0.3, (0.1, 0.5), "assumption: most of a unit's personnel one step's air strikes, "
                                    "or one salvo, can kill", ge=0.0, le=1.0)
    max_suppression: float = tunable(0.9, (0.6, 1.0), "assumption: most of a unit's fire air strikes can suppress",
                                     ge=0.0, le=1.0)
    suppression_kept_per_step: float = tunable(0.5, (0.25, 0.75), "assumption: share of a unit's suppression left "
                                               "at the next step", ge=0.0, le=1.0)
    small_unit_floor: float = tunable(100.0, (50.0, 300.0), "assumption: a unit smaller than this counts as this "
                                      "size when air effects stated per 1,000-strong unit are scaled (suppression, "
                                      "fear), so remnants are not wiped out by a single sortie", gt=0.0, le=10_000.0)
    collapse_km: float = tunable(30.0, (15.0, 50.0), "assumption: radius within which broken friendly units slow a "
                                 "strike's coordination", ge=0.0, le=300.0)
    salvo_km: float = tunable(10.0, (5.0, 20.0), "assumption: a salvo falls on the enemy troops within this of the "
                              "city it targets", gt=0.0, le=100.0)
    missile_suppression_factor: float = tunable(0.5, (0.25, 1.0), "assumption: suppression by a missile relative "
                                                "to a sortie", ge=0.0, le=5.0)
    drone_range_km: float = tunable(150.0, (50.0, 300.0), "assumption: reach of strike drones from the faction's "
                                    "units to an enemy airbase", ge=0.0, le=2000.0)
    airborne_one_in: float = tunable(3.0, (2.0, 6.0), "assumption: one in this many serviceable aircraft is "
                                     "airborne, and escapes, when its base falls", ge=1.0, le=100.0)


class GroupIdeology(Strict):
    """Ideology of militia groups relative to their faction's (added, then clipped to [0, 1])."""

    irgc: float = tunable(0.2, (0.1, 0.3), "assumption: IRGC cadres are more convinced than their faction",
                          ge=-1.0, le=1.0)
    hezbollah: float = tunable(0.2, (0.1, 0.3), "assumption: Hezbollah fighters are more convinced than their "
                               "faction", ge=-1.0, le=1.0)
    fatemiyoun: float = tunable(0.1, (0.0, 0.2), "assumption: Afghan Shia volunteers", ge=-1.0, le=1.0)
    zeinabiyoun: float = tunable(0.1, (0.0, 0.2), "assumption: Pakistani Shia volunteers", ge=-1.0, le=1.0)
    iraqi_pmu: float = tunable(0.05, (0.0, 0.15), "assumption: Iraqi militias", ge=-1.0, le=1.0)
    liwa_al_quds: float = tunable(0.0, (-0.1, 0.1), "assumption: Palestinian militia of Aleppo, as their faction",
                                  ge=-1.0, le=1.0)
    ndf: float = tunable(-0.2, (-0.3, -0.1), "assumption: the National Defence Forces, local militia paid to "
                         "fight, are less convinced than their faction", ge=-1.0, le=1.0)


class DeploymentRules(Strict):
    """How the situation scales units as they are deployed (order of battle and arrivals)."""

    saa_quality_base: float = tunable(0.75, (0.6, 0.9), "assumption: quality multiplier of an SAA unit, x "
                                      "(saa_quality_base + saa_quality_per_professionalism x professionalism)",
                                      ge=0.0, le=2.0)
    saa_quality_per_professionalism: float = tunable(0.5, (0.25, 0.8), "assumption: quality multiplier gained at "
                                                     "full professionalism (the Russian modernisation)",
                                                     ge=0.0, le=2.0)
    conscript_breakpoint_cut: float = tunable(0.3, (0.1, 0.5), "assumption: SAA conscript units break at (1 - "
                                              "conscript_breakpoint_cut x conscript_share) of their drawn "
                                              "breakpoint", ge=0.0, le=1.0)
    hezbollah_personnel_base: float = tunable(0.3, (0.1, 0.5), "assumption: share of a Hezbollah unit's listed "
                                              "personnel it keeps at strength 0 (x (base + per_strength x "
                                              "actors.hezbollah.strength))", ge=0.0, le=1.0)
    hezbollah_personnel_per_strength: float = tunable(0.7, (0.5, 0.9), "assumption: see hezbollah_personnel_base",
                                                      ge=0.0, le=2.0)
    hezbollah_quality_base: float = tunable(0.8, (0.6, 0.9), "assumption: quality multiplier of a Hezbollah unit at "
                                            "strength 0 (x (base + per_strength x actors.hezbollah.strength))",
                                            ge=0.0, le=2.0)
    hezbollah_quality_per_strength: float = tunable(0.2, (0.1, 0.4), "assumption: see hezbollah_quality_base",
                                                    ge=0.0, le=2.0)
    turkish_backed_quality_base: float = tunable(0.8, (0.6, 0.9), "assumption: quality multiplier of a rebel unit "
                                                 "whose patron is Turkey, at no support (x (base + per_support x "
                                                 "actors.turkey.support))", ge=0.0, le=2.0)
    turkish_backed_quality_per_support: float = tunable(0.4, (0.2, 0.6), "assumption: see "
                                                        "turkish_backed_quality_base", ge=0.0, le=2.0)
    group_ideology: GroupIdeology = GroupIdeology()


class ActorRules(Strict):
    """What the strategic actors' acts do (their levers are under actors.*)."""

    israel_convoy_pipeline_kept: float = tunable(0.8, (0.5, 0.95), "assumption: share of Iran's recruiting "
                                                 "pipeline left after an Israeli convoy strike", ge=0.0, le=1.0)
    israel_commander_target_weight: float = tunable(3.0, (1.0, 6.0), "assumption: how much likelier Israel strikes "
                                                    "IRGC and Hezbollah units than other militia", ge=0.0, le=100.0)
    israel_max_kill_share: float = tunable(0.5, (0.2, 0.8), "assumption: most of a unit's personnel one Israeli "
                                           "strike can kill", ge=0.0, le=1.0)
    israel_leadership_loss: float = tunable(0.01, (0.0, 0.03), "assumption: militia faction leadership lost per "
                                            "Israeli leadership strike", ge=0.0, le=1.0)
    israel_leadership_floor: float = tunable(0.1, (0.0, 0.3), "assumption: leadership below which Israeli strikes "
                                             "do not push a militia faction", ge=0.0, le=1.0)
    israel_depot_supply_loss: float = tunable(0.3, (0.1, 0.5), "assumption: supply stock a unit loses to an Israeli "
                                              "depot strike", ge=0.0, le=1.0)
    reinforcement_cohesion_cut: float = tunable(0.1, (0.0, 0.2), "assumption: battalions sent by actors (Iranian "
                                                "recruits, Iraqi militias, Hezbollah) have their faction's cohesion "
                                                "less this", ge=0.0, le=1.0)
    reinforcement_min_cohesion: float = tunable(0.3, (0.2, 0.5), "assumption: but at least this cohesion",
                                                ge=0.0, le=1.0)
    reinforcement_ideology_gain: float = tunable(0.1, (0.0, 0.2), "assumption: volunteers sent by actors are more "
                                                 "convinced than their faction by this", ge=0.0, le=1.0)
    iraqi_militia_quality: float = tunable(0.45, (0.3, 0.6), "assumption: quality of Iraqi militia battalions",
                                           ge=0.0, le=1.0)
    hezbollah_battalion: int = tunable(500, (250, 1000), "assumption: size of the battalions Hezbollah sends from "
                                       "Lebanon", ge=50, le=5000)
    hezbollah_quality_base: float = tunable(0.5, (0.4, 0.6), "assumption: quality of Hezbollah's reinforcements, "
                                            "base + per_strength x actors.hezbollah.strength", ge=0.0, le=1.0)
    hezbollah_quality_per_strength: float = tunable(0.3, (0.1, 0.4), "assumption: see hezbollah_quality_base",
                                                    ge=0.0, le=1.0)
    turkish_backed_resupply_base: float = tunable(0.5, (0.2, 0.8), "assumption: Turkish-backed factions resupply at "
                                                  "supply.resupply x (base + actors.turkey.support)",
                                                  ge=0.0, le=2.0)


class WillRules(Strict):
    """The will to fight of factions and of each state's leadership (rules.will; docs/ODD.md "Will to
    fight"). Shocks are in will (0-1) per unit of their cause; rates are per day."""

    city_loss: float = tunable(0.05, (0.02, 0.1), "assumption (RAND RR-2477: the loss of territory and of "
                               "cities is among the first things that moves national will): will lost per unit of "
                               "a place's importance when the side loses it", ge=0.0, le=1.0)
    city_gain_share: float = tunable(0.5, (0.2, 1.0), "assumption: a side that takes a place gains this share of "
                                     "what its owner lost", ge=0.0, le=2.0)
    population_weight: float = tunable(1.0, (0.5, 2.0), "assumption: importance x sqrt(population in millions) "
                                       "(Aleppo 1.45, Hama 0.68, Saraqib 0.18)", ge=0.0, le=10.0)
    governorate_capital: float = tunable(0.5, (0.2, 1.0), "assumption: importance added by a governorate's seat",
                                         ge=0.0, le=10.0)
    capital: float = tunable(4.0, (2.0, 8.0), "assumption: importance added by the capital (the state's seat)",
                             ge=0.0, le=50.0)
    capital_place: str = Field("damascus", description="place id of the capital")
    heartland: float = tunable(1.0, (0.5, 2.0), "assumption: importance added by a place of the regime's "
                               "heartland (the coast)", ge=0.0, le=50.0)
    heartland_places: list[str] = Field(["latakia", "tartus", "jableh", "baniyas", "qardaha"],
                                        description="place ids of the coast and the Alawite mountains")
    base_importance: float = tunable(0.3, (0.1, 0.6), "assumption: importance of an airbase, port or crossing",
                                     ge=0.0, le=10.0)
    advance: float = tunable(0.04, (0.01, 0.1), "assumption: will lost per day while the enemy takes ground at "
                             "advance_scale_km2 a day or faster, nationally", ge=0.0, le=2.0)
    advance_scale_km2: float = tunable(800.0, (300.0, 2000.0), "assumption: km2 of a side's ground lost in a day "
                                       "that reads as a rout", gt=0.0, le=100_000.0)
    breaks: float = tunable(0.1, (0.05, 0.4), "assumption, calibrated on aleppo_2016 (docs/CALIBRATION.md; RAND "
                            "RR-2341: unit failures feed organisational will): will lost per share of the faction's men whose units broke, surrendered or "
                            "defected", ge=0.0, le=10.0)
    desertion: float = tunable(0.3, (0.1, 0.8), "assumption: will lost per share of the faction's men who deserted "
                               "because the will fell (not the steady trickle of the baseline)", ge=0.0, le=10.0)
    leaders: float = tunable(0.01, (0.0, 0.03), "assumption: will lost per strike that kills a faction's leaders",
                             ge=0.0, le=1.0)
    reinforcements: float = tunable(0.01, (0.0, 0.03), "assumption: will gained per 1,000 men a patron sends "
                                    "(a visible commitment)", ge=0.0, le=1.0)
    conditions: float = tunable(0.5, (0.0, 1.0), "assumption (Shils and Janowitz; RAND RR-2341 'motivations'): "
                                "losses of will x (1 + conditions x deficit), the deficit (1 - pay) x (1 - "
                                "legitimacy) for an army, 1 - leadership for militia", ge=0.0, le=10.0)
    recovery: float = tunable(0.1, (0.03, 0.15), "assumption, calibrated on aleppo_2016: share of the gap to its starting will a faction "
                              "regains (or, above it, gives back) a day", ge=0.0, le=1.0)
    leadership_cities: float = tunable(1.0, (0.5, 2.0), "assumption: the leadership feels the loss of places this "
                                       "much more than its army", ge=0.0, le=10.0)
    leadership_patrons: float = tunable(2.0, (1.0, 4.0), "assumption: the leadership feels its patrons' decisions "
                                        "this much more than its army (its survival depends on them)",
                                        ge=0.0, le=10.0)
    leadership_advance: float = tunable(0.5, (0.2, 1.0), "assumption: share of the national advance's toll the "
                                        "leadership feels (it counts cities, not kilometres)", ge=0.0, le=10.0)
    leadership_army: float = tunable(0.3, (0.1, 1.0), "assumption: share of its army's breaks and desertion the "
                                     "leadership feels", ge=0.0, le=10.0)
    collapse: float = tunable(0.15, (0.08, 0.25), "assumption: leadership will below which the leader leaves and "
                              "the regime collapses", ge=0.0, le=1.0)
    collapse_surrender: float = tunable(0.5, (0.2, 0.8), "assumption (facts.md A1: whole garrisons gave up "
                                        "without a fight): share of an army's units with an enemy beside them that "
                                        "surrender when the regime collapses; the rest go home", ge=0.0, le=1.0)
    news_national_days: float = tunable(1.0, (0.5, 2.0), "assumption: days before news reaches every unit of the "
                                        "faction", ge=0.0, le=10.0)
    news_regional_days: float = tunable(0.25, (0.0, 0.5), "assumption: days before news reaches units within "
                                        "news_regional_km of where it happened", ge=0.0, le=10.0)
    news_regional_km: float = tunable(60.0, (30.0, 120.0), "assumption: reach of regional news (a governorate)",
                                      ge=0.0, le=1000.0)
    morale: float = tunable(1.0, (0.5, 1.5), "assumption: a unit's resting morale moves this much per unit of its "
                            "faction's will (as news has reached it), damped by its ideology", ge=0.0, le=5.0)
    morale_conditions: float = tunable(0.5, (0.2, 1.0), "assumption: resting morale lost per unit rise of the "
                                       "conditions deficit during the campaign (pay cut, leaders killed), "
                                       "gained per unit fall",
                                       ge=0.0, le=5.0)
    pull: float = tunable(0.3, (0.1, 0.6), "assumption: share of the gap a unit's morale above its resting level "
                          "loses a day", ge=0.0, le=4.0)
    breakpoint: float = tunable(0.5, (0.25, 1.0), "assumption, calibrated on aleppo_2016: a unit breaks at breakpoint x (1 - breakpoint x the "
                                "fall of its faction's will)", ge=0.0, le=5.0)
    breakpoint_floor: float = tunable(0.3, (0.2, 0.5), "assumption: the will never cuts a breakpoint below this "
                                      "share", ge=0.0, le=1.0)
    desertion_rate: float = tunable(0.05, (0.02, 0.1), "assumption (the SAA in 2024: conscripts going home, men "
                                    "changing into civilian clothes): share of a unit out of contact that slips "
                                    "away a day per unit fall of its faction's will", ge=0.0, le=1.0)
    break_outcomes: float = tunable(3.0, (1.0, 6.0), "assumption: desertion and surrender weights of a break x (1 + "
                                    "break_outcomes x the fall of the faction's will)", ge=0.0, le=50.0)
    deal_will: float = tunable(0.35, (0.2, 0.5), "assumption (facts-2015-2020.md D4-D12: the south's towns settled "
                               "one by one): faction will below which a unit cut off or outnumbered beyond "
                               "deal_odds takes a local deal, surrender with safe passage", ge=0.0, le=1.0)
    deal_odds: float = tunable(3.0, (2.0, 6.0), "assumption: enemy to own men within deal_km at which a unit of "
                               "a faction whose will is below deal_will settles", gt=0.0, le=100.0)
    deal_talks_days: float = tunable(0.0, (0.0, 6.0), "assumption (facts-2015-2020.md D5-D7: Russia's talks with "
                                     "the south's command at Busra al-Sham ran four days, failing twice, before "
                                     "its deal): days a unit must go on meeting the terms of a deal, at the HQ's "
                                     "reviews, before it settles; 0 settles at once", ge=0.0, le=30.0)
    deal_km: float = tunable(15.0, (5.0, 30.0), "assumption: reach of the odds a unit weighs before a deal",
                             ge=0.0, le=200.0)
    patron_review_days: float = tunable(1.0, (0.5, 3.0), "assumption: how often patrons review their course",
                                        gt=0.0, le=60.0)
    patron_danger: float = tunable(0.45, (0.3, 0.6), "assumption: leadership will below which patrons judge the "
                                   "regime in danger and decide", ge=0.0, le=1.0)
    patron_double_down: float = tunable(0.35, (0.2, 0.6), "assumption: stake x capacity at or above which a patron "
                                        "doubles down on a regime in danger", ge=0.0, le=1.0)
    patron_evacuate: float = tunable(0.3, (0.15, 0.45), "assumption: leadership will below which a patron that "
                                     "does not double down evacuates its advisers", ge=0.0, le=1.0)
    patron_withdraw: float = tunable(0.2, (0.1, 0.3), "assumption: leadership will below which it withdraws",
                                     ge=0.0, le=1.0)
    double_down_signal: float = tunable(0.06, (0.02, 0.12), "assumption: will a patron's doubling down gives, x its "
                                        "stake", ge=0.0, le=1.0)
    evacuate_signal: float = tunable(0.05, (0.02, 0.1), "assumption: will the evacuation of a patron's advisers "
                                     "costs, x its stake", ge=0.0, le=1.0)
    withdraw_signal: float = tunable(0.1, (0.04, 0.2), "assumption: will a patron's withdrawal costs, x its stake",
                                     ge=0.0, le=1.0)


class DoctrineRules(Strict):
    """Numbers of the doctrine AI (the regime HQ's own levers are under actors.regime_hq)."""

    consolidate_morale: float = tunable(0.45, (0.35, 0.55), "assumption: an attacking faction whose fighting "
                                        "units' mean morale falls below this stops to consolidate",
                                        ge=0.0, le=1.0)
    resume_morale: float = tunable(0.6, (0.5, 0.7), "assumption: and attacks again once it is back above this",
                                   ge=0.0, le=1.0)
    exploit_will: float = tunable(0.4, (0.3, 0.5), "assumption: when the enemy leadership's will falls below "
                                  "this, an attacking faction goes for every objective at once, not one priority "
                                  "at a time", ge=0.0, le=1.0)

    threat_km: float = tunable(40.0, (20.0, 80.0), "assumption: reach of the enemy troops that make a place to hold "
                               "threatened (where reserves go)", ge=0.0, le=500.0)
    air_advance_scale_km: float = tunable(10.0, (5.0, 30.0), "assumption: air targets rank by power x (1 + "
                                          "advance_km / air_advance_scale_km) / (1 + distance / "
                                          "air_distance_scale_km): a unit that advanced this far in a day counts "
                                          "double", gt=0.0, le=500.0)
    air_distance_scale_km: float = tunable(50.0, (20.0, 100.0), "assumption: distance from the places a side must "
                                           "hold at which an air target's rank halves (see air_advance_scale_km)",
                                           gt=0.0, le=1000.0)


class FrictionRules(Strict):
    """Friction (Clausewitz: "everything in war is very simple, but the simplest thing is difficult"): the
    luck of a campaign that no order of battle shows. Each faction has a tempo, a multiplier on its units'
    movement and fire, that wanders from day to day and lingers (a commander's late or bold decision, a road
    blocked, weather on one front, a column lost). A tempo spread of 0 gives a campaign without it."""

    tempo_sd: float = tunable(0.3, (0.0, 0.6), "assumption, calibrated (docs/CALIBRATION.md): the spread of a "
                              "faction's tempo (standard deviation of its logarithm); the sources of the five "
                              "campaigns disagree on dates by a day or two, and the model's spread should be of "
                              "that order (issue 15)", ge=0.0, le=2.0)
    tempo_memory_days: float = tunable(2.0, (0.5, 6.0), "assumption: how long a good or bad spell lasts (the "
                                       "tempo's autocorrelation time)", gt=0.0, le=60.0)
    tempo_limit: float = tunable(3.0, (2.0, 5.0), "assumption: a faction's tempo stays within 1/limit and limit "
                                 "times its normal pace", ge=1.0, le=10.0)


class ObservationRules(Strict):
    """Windows of what the model notes for its outputs (no effect on the campaign)."""

    surprise_window_days: float = tunable(3.0, (2.0, 5.0), "Dupuy: surprise lasts about three days; each side's "
                                          "losses are noted when this window closes (loss_rate_window outcomes)",
                                          gt=0.0, le=60.0)
    break_attribution_days: float = tunable(3.0, (1.0, 7.0), "assumption: days of a unit's morale ledger that "
                                            "explain its break (read when the run is built)", gt=0.0, le=30.0)


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
    deployment: DeploymentRules = DeploymentRules()
    actors: ActorRules = ActorRules()
    will: WillRules = WillRules()
    doctrine: DoctrineRules = DoctrineRules()
    friction: FrictionRules = FrictionRules()
    observation: ObservationRules = ObservationRules()
