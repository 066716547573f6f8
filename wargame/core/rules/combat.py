"""Combat in the manner of Dupuy, with stochastic attrition between Lanchester's linear and square laws.

Combat power = (personnel x type firepower + armour x armour_weight + artillery x artillery_weight +
air defence x air_defence_weight), scaled by quality, morale, cohesion and supply (each x (`fire_*_base` +
`fire_*_slope` x value)), by state (`shaken_fire`, `routed_fire`), its faction's tempo (friction,
rules/friction.py), surprise (about x2 at
complete surprise, decaying over about three days), air support (friendly sorties on the enemy in front,
up to `air_support_cap`), drones (each adds `drone_power`, shared over its faction's units in contact)
and what enemy air strikes leave unsuppressed. Defensive resilience is the base scaled by terrain, posture
(a unit that stood still in a defensive posture) and quality (`resilience_quality_base` +
`resilience_quality_slope` x quality).

Units of hostile sides within one hex are in contact. A unit splits its fire equally among the cells
within one hex that hold hostile units (routed ones included, whoever controls the cell); fire into a cell is shared among the enemy units there by their resilience. Unit j,
receiving fire F against resilience R (the fire into a cell saturating at what its frontage lets bear:
`frontage_per_km` x cell size x the terrain's frontage factor), loses per day the share

    attrition_per_day x (F / ref) x (ref / R) ** w

of its personnel (Helmbold's form: w = 1 is the square law, losses follow the force ratio; w = 0 the
linear law, losses follow the enemy's absolute strength; `ref` is the engagement size at which they
agree), times a mean-one gamma noise, at most `max_step_loss` a step. Routed units in contact lose
`rout_loss_factor` times more. A unit reduced below `destroyed_below` of its strength ceases to exist; if
overrun in contact, the strongest enemy beside it takes a share of its equipment.
The odds a unit feels (enemy_ratio, for the morale rule's force_ratio factor) are F over R, with F moved
towards all the fire brought against it by rules.morale `odds_in_numbers` (0 by default: F itself).
"""

from __future__ import annotations

import math

import numpy as np

from wargame.core.agents.unit import DESTROYED, POSTURES, ROUTING, SHAKEN, UNIT_TYPES, on_map
from wargame.core.events import UnitDestroyed
from wargame.core.rules.capture import hand_over, strongest_enemy_near

DEFENSIVE = np.array([p in ("defend", "hold", "garrison") for p in POSTURES])


def base_power(model, rows: np.ndarray) -> np.ndarray:
    """Personnel and weapons in rifleman-equivalents, before any multiplier."""
    table, rules = model.table, model.spec.rules
    firepower = np.array([getattr(rules.unit_types, t).firepower for t in UNIT_TYPES])
    c = rules.combat
    return (table.personnel[rows] * firepower[table.utype[rows]] + table.armour[rows] * c.armour_weight
            + table.artillery[rows] * c.artillery_weight + table.air_defence[rows] * c.air_defence_weight)


def surprise_factor(model, sides: np.ndarray) -> np.ndarray:
    """Multiplier for the side that achieved surprise: surprise_max at the start, decaying exponentially."""
    surprise = model.spec.surprise
    out = np.ones(sides.size)
    if surprise is None:
        return out
    combat = model.spec.rules.combat
    elapsed = (model.steps - 1) / model.spec.steps_per_day - surprise.day     # from the start of this step
    if elapsed < 0:
        return out
    boost = 1.0 + (combat.surprise_max - 1.0) * surprise.degree * math.exp(-elapsed / combat.surprise_decay_days)
    return np.where(sides == model.side_index[surprise.side], boost, 1.0)


def offensive_power(model, rows: np.ndarray) -> np.ndarray:
    """The fire units deliver: base power scaled by quality, morale, cohesion, supply, surprise, friction, air
    and drones."""
    t = model.table
    c = model.spec.rules.combat
    power = base_power(model, rows)
    power *= ((c.fire_quality_base + t.quality[rows]) * (c.fire_morale_base + c.fire_morale_slope * t.morale[rows])
              * (c.fire_cohesion_base + c.fire_cohesion_slope * t.cohesion[rows]))
    power *= c.fire_supply_base + c.fire_supply_slope * t.supply[rows]
    power *= surprise_factor(model, t.side[rows])
    power *= model.tempo[t.faction[rows]]                     # friction (rules/friction.py)
    power *= 1.0 + np.minimum(c.air_support_cap, c.air_support_per_sortie * model.table.sorties_near[rows])
    power *= 1.0 - t.suppression[rows]
    state = t.state[rows]
    power *= np.where(state == SHAKEN, c.shaken_fire, np.where(state == ROUTING, c.routed_fire, 1.0))
    return power


def drone_bonus(model, rows: np.ndarray, power: np.ndarray) -> np.ndarray:
    """Each rebel faction's drones add `drone_power` each, shared over its units in the fight."""
    t = model.table
    bonus = np.zeros(rows.size)
    drone_power = model.spec.rules.combat.drone_power
    for fid, faction in enumerate(model.spec.factions.values()):
        drones = faction.__dict__.get("drones", 0)     # kinds without drones: getattr's miss is slow in pydantic
        if not drones:
            continue
        mine = t.faction[rows] == fid
        if mine.any() and power[mine].sum() > 0:
            bonus[mine] = drones * drone_power * power[mine] / power[mine].sum()
    return bonus


def resilience(model, rows: np.ndarray) -> np.ndarray:
    """How much fire units absorb: base power scaled by terrain, posture and quality."""
    t = model.table
    c = model.spec.rules.combat
    terrain = np.array(c.terrain_defence.as_list())[np.maximum(model.theatre.terrain[t.idx[rows]], 0)]
    dug_in = DEFENSIVE[t.posture[rows]] & ~t.moved[rows] & (t.state[rows] != ROUTING)
    posture = np.where(dug_in, c.defence_posture, 1.0)
    quality = c.resilience_quality_base + c.resilience_quality_slope * t.quality[rows]
    return np.maximum(base_power(model, rows) * terrain * posture * quality, 1.0)


def resolve_combat(model) -> None:
    t = model.table
    th = model.theatre
    t.fire_received[:] = 0.0
    t.enemy_ratio[:] = 0.0
    t.in_contact[:] = False
    rows = np.flatnonzero(on_map(t))
    if rows.size < 2:
        return
    n_sides = len(model.side_ids)
    cells, sides = t.idx[rows], t.side[rows]
    # hostile[s, c]: a unit hostile to side s stands in cell c (the extra last cell is "nowhere")
    presence = np.zeros((n_sides, th.n + 1), dtype=bool)
    presence[sides, cells] = True
    hostile = np.stack([presence[model.hostile[s]].any(axis=0) for s in range(n_sides)])
    hostile[:, -1] = False
    reach = np.column_stack([cells, th.neighbours[cells]])             # (units, 7): own cell and neighbours
    targets = hostile[sides[:, None], reach]                             # enemy-held cells within a hex
    n_targets = targets.sum(axis=1)
    engaged = n_targets > 0
    if not engaged.any():
        return
    t.in_contact[rows[engaged]] = True

    power = np.where(engaged, offensive_power(model, rows), 0.0)
    power = power + np.where(engaged, drone_bonus(model, rows, power), 0.0)
    resist = resilience(model, rows)
    share_out = power / np.maximum(n_targets, 1)
    incoming = np.zeros(rows.size)
    for s in range(n_sides):
        shooters = (sides == s) & engaged
        if not shooters.any():
            continue
        into = np.bincount(reach[shooters][targets[shooters]],
                           weights=np.repeat(share_out[shooters], n_targets[shooters]), minlength=th.n + 1)
        victims = model.hostile[s, sides]
        absorbing = np.bincount(cells[victims], weights=resist[victims], minlength=th.n + 1)
        incoming[victims] += into[cells[victims]] * resist[victims] / np.maximum(absorbing[cells[victims]], 1e-9)

    combat = model.spec.rules.combat
    brought = incoming
    incoming = within_frontage(model, cells, incoming, resist)
    w, ref = combat.lanchester_exponent, combat.reference_power
    share = (combat.attrition_per_day / model.spec.steps_per_day) * (incoming / ref) * (ref / resist) ** w
    if combat.loss_noise > 0:
        shape = 1.0 / combat.loss_noise ** 2
        share = share * model.rng.gamma(shape, 1.0 / shape, size=share.size)
    share = np.where(t.state[rows] == ROUTING, share * combat.rout_loss_factor, share)
    share = np.minimum(combat.max_step_loss, np.where(engaged, share, 0.0))
    t.fire_received[rows] = incoming
    t.enemy_ratio[rows] = np.where(engaged, felt_odds(model, incoming, brought) / resist, 0.0)
    dug_in = engaged & DEFENSIVE[t.posture[rows]] & ~t.moved[rows] & (t.state[rows] != ROUTING)
    terrain = np.maximum(th.terrain[cells[dug_in]], 0)
    np.add.at(model.defence_losses, terrain, share[dug_in])
    np.add.at(model.defence_exposure, terrain, 1)
    # the odds they faced, independent of terrain: fire received over their own power (for Dupuy's checks)
    np.add.at(model.defence_pressure, terrain, incoming[dug_in] / np.maximum(base_power(model, rows[dug_in]), 1.0))
    apply_losses(model, rows[engaged], share[engaged], "killed")


def felt_odds(model, bearing: np.ndarray, brought: np.ndarray) -> np.ndarray:
    """The fire a unit feels when it weighs its odds (rules.morale `odds_in_numbers`, s): the fire that bears on
    its cell, scaled towards all the fire brought against it as bearing x (brought / bearing) ** s. Soldiers
    count the enemy they see massing, not only the share of him that can shoot at once."""
    s = model.spec.rules.morale.odds_in_numbers
    if s <= 0.0:
        return bearing
    ratio = np.divide(brought, bearing, out=np.ones_like(bearing), where=bearing > 0)
    return bearing * ratio ** s


def within_frontage(model, cells: np.ndarray, incoming: np.ndarray, resist: np.ndarray) -> np.ndarray:
    """Only so much fire can bear on a cell's frontage: the fire into each cell saturates smoothly at
    frontage_per_km x cell size x the terrain's frontage factor (cities and mountains take less)."""
    th = model.theatre
    combat = model.spec.rules.combat
    factor = np.array(combat.frontage.as_list())[np.maximum(th.terrain[cells], 0)]
    cap = combat.frontage_per_km * th.layout.cell_km * factor
    into_cell = np.bincount(cells, weights=incoming, minlength=th.n)[cells]
    saturated = cap * (1.0 - np.exp(-into_cell / cap))
    return incoming * np.divide(saturated, into_cell, out=np.ones_like(into_cell), where=into_cell > 0)


def apply_losses(model, rows: np.ndarray, share: np.ndarray, tally: str) -> None:
    """Remove a share of units' personnel and equipment; a unit below `destroyed_below` of its starting
    personnel ceases to exist."""
    t = model.table
    lost = t.personnel[rows] * share
    t.personnel[rows] -= lost
    for k in ("armour", "artillery", "air_defence"):
        getattr(t, k)[rows] *= 1.0 - share
    t.losses_step[rows] += lost
    getattr(t, tally)[rows] += lost
    np.add.at(model.tally[tally], t.faction[rows], lost)
    destroyed_below = model.spec.rules.combat.destroyed_below
    for row in rows[t.personnel[rows] < destroyed_below * t.personnel_start[rows]]:
        destroy(model, int(row))


def destroy(model, row: int) -> None:
    """A unit ceases to exist: its last men count as killed; if overrun, its equipment goes to the captor."""
    t = model.table
    agent = model.table.agent[row]
    if t.in_contact[row]:
        hand_over(model, row, strongest_enemy_near(model, row), "overrun")
    remaining = t.personnel[row]
    t.personnel[row] = 0.0
    t.killed[row] += remaining
    model.tally["killed"][t.faction[row]] += remaining
    model.events.add(UnitDestroyed(model.steps, model.day, agent.key, agent.name, agent.faction))
    agent.remove_from_map_state(DESTROYED)
