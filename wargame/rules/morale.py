"""Morale: named factors move each unit's morale every step; a unit breaks at its breakpoint.

Factors this step (each written to the unit's ledger under its name):
  casualties   - losses this step, relative to the unit's size, times `casualty_weight`
  force_ratio  - in contact, the enemy's fire against the unit's resilience: 3:1 costs `force_ratio_weight`
                 per step; favourable odds give a little back
  supply       - a unit whose supply stock is below half loses up to `supply_weight` per step
  rest         - out of contact and supplied, morale recovers by `rest_recovery` x (1 - morale)

Breaking: a fighting unit breaks when its morale falls below `break_threshold` (lower for cohesive units)
or when its losses pass its breakpoint, drawn per unit from a right-skewed distribution (most units at 10
to 20 percent losses, a few past 40), shifted by quality, cohesion, posture and elite status. A broken
unit routs; a routing unit out of contact whose morale recovers to `rally_threshold` rallies.
"""

from __future__ import annotations

import math

from wargame.agents.unit import GroundUnit, State
from wargame.events import UnitBroke, UnitRallied

BREAKPOINT_MEDIAN = 0.15   # historically most units break at 10-20 percent losses (DESIGN.md)
BREAKPOINT_SIGMA = 0.45    # lognormal spread: ~55% of draws in 10-20%, ~1.5% beyond 40%
SHAKEN_MARGIN = 0.15       # morale within this of the break threshold shows as shaken
ATTRIBUTION_DAYS = 3.0     # the ledger window that explains a break


def draw_breakpoint(rng, quality: float, cohesion: float, posture: str, elite: bool) -> float:
    """Loss share at which this unit breaks: lognormal around 15%, shifted by its qualities."""
    base = BREAKPOINT_MEDIAN * math.exp(BREAKPOINT_SIGMA * rng.standard_normal())
    shift = (0.7 + 0.6 * quality) * (0.7 + 0.6 * cohesion)
    if posture in ("hold", "garrison"):
        shift *= 1.1
    if elite:
        shift *= 1.4
    return float(min(0.9, base * shift))


def break_threshold(model, unit: GroundUnit) -> float:
    """Morale below which the unit breaks: cohesive units hold on lower."""
    return model.spec.rules.morale.break_threshold * (1.3 - 0.6 * unit.cohesion)


def morale_factors(model, unit: GroundUnit) -> dict[str, float]:
    """This step's morale changes by factor (negative is a loss)."""
    rules = model.spec.rules.morale
    factors: dict[str, float] = {}
    before = unit.personnel + unit.losses_step
    if unit.losses_step > 0 and before > 0:
        factors["casualties"] = -rules.casualty_weight * unit.losses_step / before
    if unit.in_contact and unit.enemy_ratio > 0:
        odds = math.log(unit.enemy_ratio) / math.log(3.0)
        factors["force_ratio"] = -rules.force_ratio_weight * (odds if odds > 0 else 0.3 * odds)
    if unit.supply < 0.5:
        factors["supply"] = -rules.supply_weight * (1.0 - 2.0 * unit.supply)
    if not unit.in_contact and unit.supply >= 0.5:
        factors["rest"] = rules.rest_recovery * (1.0 - unit.morale) * (0.5 + unit.cohesion)
    return factors


def update_morale(model) -> None:
    rules = model.spec.rules.morale
    window = int(ATTRIBUTION_DAYS * model.spec.steps_per_day)
    for unit in list(model.units_on_map()):
        unit.change_morale(morale_factors(model, unit))
        if unit.fighting:
            threshold = break_threshold(model, unit)
            if unit.morale < threshold or unit.loss_share >= unit.breakpoint:
                unit.state = State.ROUTING
                unit.posture = "defend"
                model.events.add(UnitBroke(model.turn, model.day, unit.key, unit.name, unit.faction, "rout",
                                           int(unit.personnel), round(unit.loss_share, 4),
                                           unit.break_attribution(window)))
            else:
                unit.state = State.SHAKEN if unit.morale < threshold + SHAKEN_MARGIN else State.ACTIVE
        elif unit.state is State.ROUTING and not unit.in_contact and unit.morale >= rules.rally_threshold:
            unit.state = State.ACTIVE
            unit.breakpoint = unit.loss_share + draw_breakpoint(model.rng, unit.quality, unit.cohesion,
                                                                unit.posture, unit.elite)
            model.events.add(UnitRallied(model.turn, model.day, unit.key, unit.name, unit.faction))
