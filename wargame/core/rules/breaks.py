"""Breaks: when a unit breaks, what becomes of it, and how the collapse spreads.

A fighting unit breaks when its morale falls below its threshold, `break_threshold` x
(`break_threshold_cohesion_base` 1.3 - `break_threshold_cohesion_slope` 0.6 x cohesion) (cohesive units hold
on lower; within `shaken_margin` above it a unit shows as shaken), or when its losses pass its breakpoint
(drawn per unit from a right-skewed distribution; see rules.morale.draw_breakpoint). The outcome is drawn
with weights from its drivers (rules.breaks):
  rout       1, or `rout_when_cut_off` (0.3) if cut off       retreats towards its sources; may rally
  surrender  `surrender` x (1 - ideology), x `surrender_encircled` if cut off, x `surrender_out_of_contact`
             (0.3) out of contact, x `surrender_russian` (0.1) for Russians
                                                   personnel captured; equipment to the captor
  desertion  `desertion` x (1 - ideology) x (1 - pay) x conscript share for the SAA; for militia and rebels
             x `desertion_militia` (0.5) or `desertion_rebel` (0.2) x `desertion_non_saa_factor` (0.5), none
             for Russians                          dissolves; equipment left to any enemy beside it
  defection  `defection` x (1 - ideology) x (1 - legitimacy; `defection_default_legitimacy` for factions
             without one), only with an enemy beside it, never for Russians
                                                   a new unit of the enemy's faction, with its weapons,
                                                   `defector_morale`, `defector_ideology`, cohesion at least
                                                   `defector_min_cohesion`
As its faction's will falls (rules.will), surrender and desertion weigh x (1 + `break_outcomes` x the fall)
and the breakpoint shrinks x (1 - `breakpoint` x the fall).
Contagion (rules.morale): every break costs friendly units within `contagion_km` up to `contagion_weight`
morale, fading with distance (ledger: contagion; at most `contagion_max_breaks` breaks' worth a step), and
the rest of its formation `command_weight` x the share of the formation that broke (its parent formation
`command_from_children` as much, and `command_from_parent` of the parent's share passes down to its other
children; ledger: command); rebels near enemy breaks gain `momentum_gain` for each of up to
`momentum_max_breaks` (momentum). So a collapse can cascade: shaken neighbours break at the next step. A
routed unit out of contact whose morale recovers to `rally_threshold` rallies with a fresh breakpoint (not in
the step it broke).
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import (
    ACTIVE,
    DEFECTED,
    DISSOLVED,
    GONE_FROM,
    KINDS,
    ROUTING,
    SHAKEN,
    SURRENDERED,
    fighting,
    on_map,
)
from wargame.core.events import UnitBroke, UnitDefected, UnitRallied
from wargame.core.rules.capture import hand_over, strongest_enemies_near, strongest_enemy_near
from wargame.core.rules.morale import FACTORS, F, apply_morale, damp, draw_breakpoint, faction_column

OUTCOMES = ("rout", "surrender", "desertion", "defection")


def break_threshold(model, rows: np.ndarray) -> np.ndarray:
    m = model.spec.rules.morale
    return m.break_threshold * (m.break_threshold_cohesion_base
                                - m.break_threshold_cohesion_slope * model.table.cohesion[rows])


def will_breakpoint_factor(model, rows: np.ndarray) -> np.ndarray:
    """Units of a faction whose will has fallen break at lower losses: x (1 - `breakpoint` x the fall), at
    least `breakpoint_floor` (rules.will)."""
    r = model.spec.rules.will
    return np.maximum(r.breakpoint_floor, 1.0 - r.breakpoint * model.will.fall(model, rows))


def recent_breaks(model, side: int) -> tuple[np.ndarray, np.ndarray]:
    """The side's units that stand or stood on the map: the cell each stands in (or last stood in) and
    whether it broke within the last day. What the regime HQ's sectors and the air coordination delay
    count."""
    t = model.table
    mine = np.flatnonzero((t.side == side) & ((t.idx >= 0) | (t.last_idx >= 0)))
    broke = (t.broke_turn[mine] >= 0) & (t.broke_turn[mine] >= model.steps - model.spec.steps_per_day)
    return np.where(t.idx[mine] >= 0, t.idx[mine], t.last_idx[mine]), broke


def outcome_weights(model, rows: np.ndarray) -> np.ndarray:
    """(rows, 4) weights of rout, surrender, desertion, defection."""
    t = model.table
    b = model.spec.rules.breaks
    kind = t.kind[rows]
    ideology = t.ideology[rows]
    cut = t.cut_off[rows]
    russian = kind == KINDS.index("russia")
    rout = np.where(cut, b.rout_when_cut_off, 1.0)
    surrender = b.surrender * (1.0 - ideology) * np.where(cut, b.surrender_encircled, 1.0)
    surrender *= np.where(t.in_contact[rows], 1.0, b.surrender_out_of_contact) * np.where(
        russian, b.surrender_russian, 1.0)
    pay = faction_column(model, rows, "pay", 1.0)
    conscripts = faction_column(model, rows, "conscript_share", 0.0)
    kind_factor = np.select([kind == KINDS.index("saa"), kind == KINDS.index("militia"),
                             kind == KINDS.index("rebel")], [1.0, b.desertion_militia, b.desertion_rebel], 0.0)
    desertion = b.desertion * kind_factor * (1.0 - ideology) * np.where(
        kind == KINDS.index("saa"), (1.0 - pay) * conscripts, b.desertion_non_saa_factor)
    # a faction whose will has fallen breaks into men going home and giving up, not into a fighting retreat
    losing_heart = 1.0 + model.spec.rules.will.break_outcomes * model.will.fall(model, rows)
    surrender, desertion = surrender * losing_heart, desertion * losing_heart
    legitimacy = faction_column(model, rows, "legitimacy", b.defection_default_legitimacy)
    enemy_beside = strongest_enemies_near(model, rows) >= 0
    defection = np.where(enemy_beside & ~russian, b.defection * (1.0 - ideology) * (1.0 - legitimacy), 0.0)
    return np.column_stack([rout, surrender, desertion, defection])


def resolve_breaks(model) -> None:
    t = model.table
    rows = np.flatnonzero(fighting(t))
    threshold = break_threshold(model, rows)
    # the breakpoint is the shock of casualties: men who slipped away home shrink a unit, they do not break it
    loss_share = 1.0 - (t.personnel[rows] + t.deserted[rows]) / np.maximum(t.personnel_start[rows], 1.0)
    broke = (t.morale[rows] < threshold) | (loss_share >= t.breakpoint[rows] * will_breakpoint_factor(model, rows))
    breaking, holding = rows[broke], rows[~broke]
    shaken = t.morale[holding] < break_threshold(model, holding) + model.spec.rules.morale.shaken_margin
    t.state[holding] = np.where(shaken, SHAKEN, ACTIVE)
    t.broke_step[:] = False
    if breaking.size:
        weights = outcome_weights(model, breaking)
        probabilities = weights / weights.sum(axis=1, keepdims=True)
        draws = model.rng.random(breaking.size)
        outcomes = (draws[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1)
        where = t.idx[breaking].copy()          # surrendered units leave the map; their neighbours saw it
        # a unit whose morale held but whose losses passed its breakpoint broke on casualties, not morale
        by_morale = (t.morale[rows] < threshold)[broke]
        for row, outcome, morale in zip(breaking, outcomes, by_morale):
            _break(model, int(row), OUTCOMES[min(int(outcome), len(OUTCOMES) - 1)],
                   "morale" if morale else "breakpoint")
        t.broke_step[breaking] = True
        spread_breaks(model, breaking, where)
    _rally(model)


def _break(model, row: int, outcome: str, trigger: str = "morale") -> None:
    t = model.table
    agent = t.agent[row]
    window = t.recent(row, excluding_turn=model.steps) + model.table.ledger_step[row]
    lost = {FACTORS[i]: -float(v) for i, v in enumerate(window) if v < 0}
    total = sum(lost.values())
    factors = {k: round(v / total, 4) for k, v in sorted(lost.items(), key=lambda kv: -kv[1])} if total > 0 else {}
    if outcome == "defection" and strongest_enemy_near(model, row) is None:
        outcome = "rout"                 # the enemy it would have gone over to has gone itself
    model.events.add(UnitBroke(model.steps, model.day, agent.key, agent.name, agent.faction, outcome,
                               int(round(t.personnel[row])), round(float(agent.loss_share), 4), factors, trigger))
    t.broke_turn[row] = model.steps
    if outcome == "rout":
        t.state[row] = ROUTING
        t.target[row] = -1
    elif outcome == "defection":
        defect(model, row)
    else:
        leave(model, row, outcome)


def leave(model, row: int, outcome: str) -> None:
    """A surrendering or dissolving unit leaves the map: its men counted as captured or deserted, its
    equipment handed to the strongest enemy beside it."""
    t = model.table
    tally, state = ("captured", SURRENDERED) if outcome == "surrender" else ("deserted", DISSOLVED)
    hand_over(model, row, strongest_enemy_near(model, row), outcome)
    model.tally[tally][t.faction[row]] += t.personnel[row]
    getattr(t, tally)[row] += t.personnel[row]
    t.personnel[row] = 0.0
    model.table.agent[row].remove_from_map_state(state)


def defect(model, row: int) -> None:
    """The unit changes side with its weapons: a new unit of the enemy beside it takes its place."""
    t = model.table
    agent = t.agent[row]
    captor = strongest_enemy_near(model, row)
    new_faction = model.faction_ids[t.faction[captor]]
    personnel = float(t.personnel[row])
    b = model.spec.rules.breaks
    new = model.add_unit(
        key=f"{agent.key}_defected", name=f"{agent.name} (defected)", formation=-1, faction=new_faction,
        utype=agent.utype, personnel=personnel, armour=t.armour[row], artillery=t.artillery[row],
        air_defence=t.air_defence[row], quality=t.quality[row], morale=b.defector_morale,
        cohesion=max(b.defector_min_cohesion, t.cohesion[row]), ideology=b.defector_ideology, supply=t.supply[row],
        posture="defend", elite=False, group=None, idx=int(t.idx[row]))
    old_fid, new_fid = t.faction[row], t.faction[new.row]
    model.tally["defected_out"][old_fid] += personnel
    model.tally["defected_in"][new_fid] += personnel
    t.personnel[row] = 0.0
    for k in ("armour", "artillery", "air_defence"):
        getattr(t, k)[row] = 0.0
    agent.remove_from_map_state(DEFECTED)
    model.events.add(UnitDefected(model.steps, model.day, agent.key, agent.name, agent.faction, new.key,
                                  new_faction, int(round(personnel))))


def spread_breaks(model, breaking: np.ndarray, where: np.ndarray) -> None:
    """Contagion to friends nearby, command shock up and down the formation, momentum to the enemy."""
    t = model.table
    m = model.spec.rules.morale
    rows = np.flatnonzero(on_map(t))
    if rows.size == 0:
        return
    placed = where >= 0
    factors = np.zeros((rows.size, len(FACTORS)))
    if placed.any():
        th = model.theatre
        break_sides = t.side[breaking[placed]]
        friends = np.zeros(rows.size)
        enemies = np.zeros(rows.size)
        for s in np.unique(break_sides):
            cells = where[placed][break_sides == s]
            # each break weighs 1 where it happens, fading to 0 at contagion_km
            distance = th.km_between(t.idx[rows][:, None], cells[None, :])
            seen = np.clip(1.0 - distance / max(m.contagion_km, 1e-9), 0.0, 1.0).sum(axis=1)
            friends += np.where(t.side[rows] == s, seen, 0.0)
            enemies += np.where(model.hostile[s, t.side[rows]], seen, 0.0)
        factors[:, F["contagion"]] = -m.contagion_weight * np.minimum(m.contagion_max_breaks, friends)
        gain = faction_column(model, rows, "momentum_gain", 0.0)
        factors[:, F["momentum"]] = gain * np.minimum(m.momentum_max_breaks, enemies)
    formation = t.formation[rows]
    is_breaking = np.zeros(t.n, dtype=bool)
    is_breaking[breaking] = True
    standing = (t.formation >= 0) & ((t.state < GONE_FROM) | is_breaking)
    sizes = np.bincount(t.formation[standing], minlength=len(model.formation_keys))
    broke = np.bincount(t.formation[breaking][t.formation[breaking] >= 0], minlength=len(model.formation_keys))
    share = np.where(sizes > 0, broke / np.maximum(sizes, 1), 0.0)
    parent = model.formation_parent
    upward = np.zeros_like(share)
    np.add.at(upward, parent[parent >= 0], share[parent >= 0])      # children breaking shake the parent
    chain = (share + m.command_from_children * upward
             + m.command_from_parent * np.where(parent >= 0, share[np.maximum(parent, 0)], 0.0))
    factors[:, F["command"]] = np.where(formation >= 0, -m.command_weight * chain[np.maximum(formation, 0)], 0.0)
    factors[is_breaking[rows]] = 0.0
    apply_morale(model, rows, damp(model, rows, factors))


def _rally(model) -> None:
    t = model.table
    rules = model.spec.rules.morale
    breaks = model.spec.rules.breaks
    # a unit that broke this step does not rally in the same breath (a breakpoint break can leave morale high)
    rows = np.flatnonzero((t.state == ROUTING) & ~t.in_contact & (t.morale >= rules.rally_threshold)
                          & (t.broke_turn != model.steps))
    for row in rows:
        agent = t.agent[row]
        t.state[row] = ACTIVE
        t.breakpoint[row] = agent.loss_share + draw_breakpoint(model.rng, t.quality[row], t.cohesion[row],
                                                               agent.posture, bool(t.elite[row]), breaks)
        model.events.add(UnitRallied(model.steps, model.day, agent.key, agent.name, agent.faction))
