"""Friction (rules/friction.py, docs/ODD.md §7.18): each faction's tempo wanders, seeded, shared by its units,
and it is what gives an ensemble its spread."""

import math

import numpy as np

from wargame.core.model import WarModel
from wargame.core.rules.friction import update_tempo
from wargame.experiments.runner import run_ensemble


def test_a_factions_tempo_wanders_about_one_within_its_limits_and_is_seeded():
    def tempos(seed, steps=400):
        model = WarModel("hts_2024", rng=seed)
        out = []
        for _ in range(steps):
            update_tempo(model)
            out.append(model.tempo.copy())
        return np.array(out)

    a, b = tempos(1), tempos(1)
    assert np.array_equal(a, b)                                    # same seed, same tempo
    assert not np.array_equal(a, tempos(2))
    limit = WarModel("hts_2024", rng=1).spec.rules.friction.tempo_limit
    assert a.min() >= 1 / limit - 1e-12 and a.max() <= limit + 1e-12
    assert 0.85 < a.mean() < 1.15                                  # centred on the normal pace
    assert a.std() > 0.15                                          # it does wander
    logs = np.log(a[:, 0])                                         # and lingers: a spell lasts days, not a step
    assert np.corrcoef(logs[:-1], logs[1:])[0, 1] > 0.7


def test_without_friction_every_tempo_stays_one_and_nothing_is_drawn():
    model = WarModel("hts_2024", rng=3, overrides={"rules.friction.tempo_sd": 0.0})
    state = model.rng.bit_generator.state
    update_tempo(model)
    assert np.all(model.tempo == 1.0) and model.rng.bit_generator.state == state


def test_friction_gives_the_fall_of_a_city_a_spread_of_days():
    """Issue 15: without friction Kuweires fell at the same hour in every run; with it the ensemble spreads."""
    still = run_ensemble("hts_2024", 8, master_seed=7, workers=1, overrides={"rules.friction.tempo_sd": 0.0})
    rough = run_ensemble("hts_2024", 8, master_seed=7, workers=1)
    spread = {name: frame["fell_kuweires"].max() - frame["fell_kuweires"].min()
              for name, frame in (("still", still), ("rough", rough))}
    assert spread["rough"] >= 0.5 and spread["rough"] > spread["still"], spread
    assert math.isclose(rough["fell_aleppo"].median(), still["fell_aleppo"].median(), abs_tol=1.0)
