"""Friction: each faction's tempo, a multiplier on its units' movement and fire that wanders from day to day
(docs/ODD.md §7.18).

The logarithm of the tempo is a stationary autoregressive process: each step
    log tempo <- rho x log tempo + sqrt(1 - rho^2) x tempo_sd x N(0, 1),   rho = exp(-step / tempo_memory_days)
started from its stationary distribution at the first step, centred so that the mean tempo is 1, and
clipped to [1 / tempo_limit, tempo_limit]. A faction's units share its tempo, so a bad spell slows a whole
front, not one battalion (spread over many units would average out and leave the campaign as certain as
before). With tempo_sd = 0 nothing is drawn and every tempo stays 1.
"""

from __future__ import annotations

import math

import numpy as np


def update_tempo(model) -> None:
    """Phase 1b: this step's tempo of every faction (model.tempo), from the model's seeded rng."""
    f = model.spec.rules.friction
    if f.tempo_sd <= 0.0:
        return
    shocks = model.rng.standard_normal(len(model.faction_ids))
    if model.tempo_log is None:                         # the first step: the stationary distribution
        model.tempo_log = f.tempo_sd * shocks
    else:
        rho = math.exp(-1.0 / (model.spec.steps_per_day * f.tempo_memory_days))
        model.tempo_log = rho * model.tempo_log + math.sqrt(1.0 - rho * rho) * f.tempo_sd * shocks
    centred = model.tempo_log - 0.5 * f.tempo_sd * f.tempo_sd          # mean of exp() is then 1
    model.tempo = np.clip(np.exp(centred), 1.0 / f.tempo_limit, f.tempo_limit)
