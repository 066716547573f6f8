"""Combat in the manner of Dupuy, with stochastic attrition between Lanchester's linear and square laws.

Combat power = (personnel x type firepower + armour x armour_weight + artillery x artillery_weight)
scaled by quality, morale, cohesion, supply and surprise (about x2 at complete surprise, decaying over
about three days). Defensive resilience is the same base scaled by terrain and posture.

Units of hostile sides within one hex are in contact. Each unit splits its fire equally among the enemy
units in contact; unit j, receiving fire F against resilience R, loses per day the share

    base x (F / ref) x (ref / R) ** w

of its personnel (Helmbold's form: w = 1 is the square law, losses follow the force ratio; w = 0 the
linear law, losses follow the enemy's absolute strength), times a mean-one gamma noise. `ref` is the
reference engagement size at which both laws agree. Routed units in contact lose several times more.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.agents.unit import GroundUnit, State
from wargame.events import UnitDestroyed

REFERENCE_POWER = 2000.0   # power at which linear and square laws give the same losses (assumption)
ROUT_LOSS_FACTOR = 3.0     # routed units in contact lose this many times more (DESIGN.md: "far more")
MAX_STEP_LOSS = 0.5        # no unit loses more than half its strength in one step
DESTROYED_BELOW = 0.08     # share of starting personnel under which a unit ceases to exist


def base_power(model, unit: GroundUnit) -> float:
    """Personnel and weapons in rifleman-equivalents, before any multiplier."""
    rules = model.spec.rules
    firepower = getattr(rules.unit_types, unit.utype).firepower
    combat = rules.combat
    return unit.personnel * firepower + unit.armour * combat.armour_weight + unit.artillery * combat.artillery_weight


def surprise_factor(model, unit: GroundUnit) -> float:
    """Multiplier for the side that achieved surprise: surprise_max at the start, decaying exponentially."""
    surprise = model.spec.surprise
    if surprise is None or unit.side != surprise.side:
        return 1.0
    combat = model.spec.rules.combat
    elapsed = model.day - surprise.day
    if elapsed < 0:
        return 1.0
    return 1.0 + (combat.surprise_max - 1.0) * surprise.degree * math.exp(-elapsed / combat.surprise_decay_days)


def offensive_power(model, unit: GroundUnit) -> float:
    """The fire a unit delivers: base power scaled by quality, morale, cohesion, supply and surprise."""
    power = base_power(model, unit)
    power *= (0.5 + unit.quality) * (0.5 + 0.5 * unit.morale) * (0.6 + 0.4 * unit.cohesion)
    power *= 0.4 + 0.6 * unit.supply
    power *= surprise_factor(model, unit)
    if unit.state is State.SHAKEN:
        power *= 0.75
    elif unit.state is State.ROUTING:
        power *= 0.1
    return power


def resilience(model, unit: GroundUnit) -> float:
    """How much fire a unit absorbs: base power scaled by terrain, posture and quality."""
    combat = model.spec.rules.combat
    terrain = model.theatre.terrain[unit.idx]
    power = base_power(model, unit) * combat.terrain_defence.as_list()[max(int(terrain), 0)]
    if unit.posture in ("defend", "hold", "garrison") and not unit.moved and unit.state is not State.ROUTING:
        power *= combat.defence_posture
    return power * (0.7 + 0.6 * unit.quality)


def contact_matrix(model, units: list[GroundUnit]) -> np.ndarray:
    """(n, n) bool: hostile units within one hex of each other."""
    idx = np.array([u.idx for u in units], dtype=np.int64)
    sides = np.array([model.side_index[u.side] for u in units], dtype=np.int64)
    near = model.theatre.layout.distance(idx[:, None], idx[None, :]) <= 1
    return near & model.hostile[sides[:, None], sides[None, :]]


def resolve_combat(model) -> None:
    units = list(model.units_on_map())
    for unit in units:
        unit.losses_step = 0.0
        unit.fire_received = 0.0
        unit.enemy_ratio = 0.0
        unit.in_contact = False
    if len(units) < 2:
        return
    contact = contact_matrix(model, units)
    engaged = contact.any(axis=1)
    if not engaged.any():
        return
    combat = model.spec.rules.combat
    fire = np.array([offensive_power(model, u) if e else 0.0 for u, e in zip(units, engaged)])
    resist = np.array([max(resilience(model, u), 1.0) if e else 1.0 for u, e in zip(units, engaged)])
    targets = contact.sum(axis=1)
    incoming = contact.T.astype(float) @ (fire / np.maximum(targets, 1))
    w = combat.lanchester_exponent
    base_step = combat.attrition_per_day / model.spec.steps_per_day
    share = base_step * (incoming / REFERENCE_POWER) * (REFERENCE_POWER / resist) ** w
    cv = combat.loss_noise
    if cv > 0:
        shape = 1.0 / cv**2
        share = share * model.rng.gamma(shape, 1.0 / shape, size=share.size)
    for k in np.flatnonzero(engaged):
        unit = units[k]
        unit.in_contact = True
        unit.fire_received = float(incoming[k])
        unit.enemy_ratio = float(incoming[k] / resist[k])
        loss = float(share[k]) * (ROUT_LOSS_FACTOR if unit.state is State.ROUTING else 1.0)
        apply_losses(model, unit, min(MAX_STEP_LOSS, loss))


def apply_losses(model, unit: GroundUnit, share: float) -> None:
    """Remove a share of the unit's personnel and equipment; a unit reduced below DESTROYED_BELOW ceases."""
    lost = unit.personnel * share
    unit.personnel -= lost
    unit.armour *= 1.0 - share
    unit.artillery *= 1.0 - share
    unit.losses_step += lost
    model.casualties[unit.faction] += lost
    if unit.personnel < DESTROYED_BELOW * unit.personnel_start:
        model.events.add(UnitDestroyed(model.turn, model.day, unit.key, unit.name, unit.faction))
        unit.remove_from_map(State.DESTROYED)
