"""Cohesion: organisational integrity. Lost to casualties, to killed leaders and to desertion; regained
slowly at rest, up to the unit's normal level. It sets how deep morale can fall before a unit breaks
(rules.breaks) and how fast it recovers (the rest factor of rules.morale).

Rules:
  - casualties: `casualty_weight` x the share of personnel lost this step
  - desertion: `desertion_weight` x the share of personnel that deserted this step
  - leaders killed: `leader_loss` when a strike kills a unit's commanders (rules.strategic, Israel)
  - recovery: `recovery` x (normal - cohesion) a day when out of contact with a supply stock of at least
    `recovery_min_supply`
Daily desertion: SAA conscript units slip away at `daily_desertion` a day, scaled by how unpaid, how
demoralised and how conscripted they are; and any unit out of contact (but Russians) loses rules.will
`desertion_rate` x the fall of its faction's will a day, damped by its ideology: men go home as the cause
fails (the desertion counts as deserted, not killed; the second kind also costs the faction will).
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import KINDS
from wargame.core.rules.morale import faction_column


def update_cohesion(model, rows: np.ndarray) -> None:
    t = model.table
    rules = model.spec.rules.cohesion
    before = t.personnel[rows] + t.losses_step[rows] + t.deserted_step[rows]
    lost = t.losses_step[rows] / np.maximum(before, 1.0)
    deserted = t.deserted_step[rows] / np.maximum(before, 1.0)
    resting = ~t.in_contact[rows] & (t.supply[rows] >= rules.recovery_min_supply)
    recovery = np.where(resting, rules.recovery / model.spec.steps_per_day
                        * np.maximum(0.0, t.cohesion_base[rows] - t.cohesion[rows]), 0.0)
    change = -rules.casualty_weight * lost - rules.desertion_weight * deserted + recovery
    t.cohesion[rows] = np.clip(t.cohesion[rows] + change, 0.0, 1.0)


def daily_desertion(model, rows: np.ndarray) -> None:
    """Unpaid, demoralised conscripts slip away: personnel counted as deserted."""
    t = model.table
    t.deserted_step[:] = 0.0
    dt = 1.0 / model.spec.steps_per_day
    rate = model.spec.rules.breaks.daily_desertion * dt
    saa = (t.kind[rows] == KINDS.index("saa")) & t.conscripts[rows]
    pay = faction_column(model, rows, "pay", 1.0)
    conscripted = faction_column(model, rows, "conscript_share", 0.0)
    steady = np.where(saa, rate * (1.0 - pay) * (1.0 - t.morale[rows]) * 2.0 * conscripted, 0.0)
    # as the faction's will falls, men out of contact go home (Russians are not at home here)
    r = model.spec.rules.will
    convinced = 1.0 - model.spec.rules.morale.ideology_resistance * t.ideology[rows]
    heartsick = np.where(~t.in_contact[rows] & (t.kind[rows] != KINDS.index("russia")),
                         r.desertion_rate * dt * model.will.fall(model, rows) * convinced, 0.0)
    if not (steady.any() or heartsick.any()):
        return
    before = t.personnel[rows]
    lost = before * (steady + heartsick)
    t.personnel[rows] = before - lost
    t.deserted[rows] += lost
    t.deserted_step[rows] = lost
    np.add.at(model.tally["deserted"], t.faction[rows], lost)
    np.add.at(model.will.deserted, t.faction[rows], before * heartsick)
