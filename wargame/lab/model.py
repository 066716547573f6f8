"""The lab's model and levers: WarModel as the lab builds it, the seed box, and the main levers shown as
sliders (their ranges, defaults and notes come from the scenario's parameter metadata)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from wargame.core.dates import date_of, format_date
from wargame.core.model import WarModel, fresh_seed
from wargame.core.scenario import DEFAULT_SCENARIO

DEFAULT_SEED = 1
SCENARIO_ENV = "WARGAME_LAB_SCENARIO"     # how `python run.py lab NAME` hands the scenario to the page

# The main levers, in the order shown, with a short label each; a scenario shows those it has.
LEVERS = {
    "factions.saa.pay": "SAA pay",
    "factions.saa.professionalism": "SAA professionalism",
    "factions.saa.legitimacy": "SAA legitimacy",
    "rules.morale.contagion_weight": "Morale contagion",
    "rules.morale.force_ratio_weight": "Force-ratio morale loss",
    "actors.israel.strikes_per_week": "Israeli strikes a week",
    "actors.hezbollah.strength": "Hezbollah strength",
    "actors.iran.commitment": "Iranian commitment",
    "actors.russia_hq.ukraine_cap": "Russian forces Ukraine spares",
    "actors.turkey.support": "Turkish support",
    "actors.iraqi_militias.willingness": "Iraqi militias' willingness",
}


class LabModel(WarModel):
    """WarModel as the lab builds it: the seed may arrive as text (Mesa 3.5's seed box passes a string,
    mesa#3516), and no per-unit records are kept (nothing in the lab reads them)."""

    def __init__(self, scenario=DEFAULT_SCENARIO, rng=DEFAULT_SEED, *, overrides: dict | None = None,
                 collect_units: bool = False, **params):
        seed, note = parse_seed(rng)
        # a copy: the lab's lever dict goes on changing after this model is built
        super().__init__(scenario, rng=seed, overrides=dict(overrides or {}), collect_units=collect_units,
                         **params)
        self.seed_note = note


def parse_seed(value) -> tuple[int, str | None]:
    """A seed from the lab's seed box: a whole number 0 or more; blank or anything else draws a fresh one
    (and says so, so the user sees which seed ran)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0:
        return int(value), None
    text = "" if value is None else str(value).strip()
    if text.isdigit():
        return int(text), None
    seed = fresh_seed()
    return seed, None if not text else f"{text!r} is not a whole number 0 or more: a fresh seed was drawn"


def lever_params(loaded) -> list:
    """The scenario's tunable parameters (Param: path, value, range, note) among the main levers."""
    return [loaded.params[path] for path in LEVERS if path in loaded.params]


def slider_step(low: float, high: float, whole: bool) -> float:
    """About a hundred notches across the range, at a round size (0.001, 0.002, 0.005, 0.01, ...)."""
    if whole:
        return max(1, round((high - low) / 100))
    raw = (high - low) / 100
    exponent = math.floor(math.log10(raw)) if raw > 0 else -2
    for mantissa in (1, 2, 5, 10):
        if mantissa * 10 ** exponent >= raw:
            return round(mantissa * 10 ** exponent, 12)
    return raw


def is_whole(param) -> bool:
    """A parameter counted in whole numbers (aircraft, fighters): whole value and bounds, a wide range."""
    low, high = param.range
    return all(float(v).is_integer() for v in (param.value, low, high)) and high - low >= 20


def show(value: float) -> str:
    return f"{value:.4g}"



def when(model: WarModel) -> dt.datetime:
    return date_of(model.spec.meta.start, model.day)


def date_line(model: WarModel) -> str:
    return f"{format_date(when(model), 'minute')}  ·  day {model.day:g}"
