"""Morale: named factors move every unit's morale each step, and each change goes to its ledger.

Factors (each a column of changes, one per unit; the ledger keeps them by name; parameters in rules.morale):
  casualties    losses this step relative to the unit's size, times `casualty_weight`
  force_ratio   in contact: enemy fire against the unit's resilience; 3:1 costs `force_ratio_weight` a day,
                favourable odds give a little back (`favourable_odds_regain` of that, at most `rest_recovery`
                a day)
  contagion     friendly units breaking within `contagion_km` (applied as they break; see rules.breaks)
  command       the unit's own formation (and the one above it) breaking this step (see rules.breaks)
  encirclement  cut off from every source: `encirclement_shock` at once, then `encirclement_weight` a day
  supply        a supply stock below `low_supply_level` (half): up to `supply_weight` a day
  air_enemy     enemy sorties that struck it: `air_fear_weight` per sortie on a 1,000-strong unit (at most
                `air_fear_max` a step)
  air_own       friendly sorties on the enemy beside it: `air_support_weight` per sortie (at most
                `air_support_max` a step)
  stiffening    Russian advisers, special forces or military police within the Russian faction's
                `stiffening_km`: its `stiffening` a day (IRGC advisers do the same for militia within
                `irgc_stiffening_km`: `irgc_stiffening` x militia leadership a day)
  shock         an enemy unit within `shock_km` advancing faster than `shock_speed_km_day`: up to
                `shock_weight` a day (x min(1, speed ratio - `shock_offset`))
  will          above its resting level, a unit's morale sinks towards it: rules.will `pull` x (morale - level)
                a day, in or out of contact (a failing state's news, a faction's fading cause)
  momentum      rebels: `momentum_gain` per enemy unit that broke nearby (applied in rules.breaks)
  rest          below its resting level, out of contact, linked, with a stock of at least `rest_min_supply`:
                `rest_recovery` x (level - morale) x (`rest_cohesion_base` + cohesion) a day
The resting level is where a unit's conditions put its morale (see `resting_morale`): its morale at the
start (the scenario states the morale that pay, legitimacy, ideology, leadership and patrons gave it),
moved by its faction's will as news has reached it (rules.will `morale`, damped by ideology) and by any
worsening of its faction's conditions during the campaign (`morale_conditions`: pay cut, leaders killed).
With no enemy action morale therefore holds where it started. Stiffening never lifts a unit above it.
Rates "a day" are applied as their share of a day each step, so the step length does not change them.
Ideology damps every loss by up to `ideology_resistance`; elite units feel losses x `elite_loss_factor` (20%
less). Changes are applied together and clipped to [0, 1]; a clipped total is shared by the factors in
proportion, so the ledger never depends on the order in which factors are computed.
"""

from __future__ import annotations

import math
import typing

import numpy as np

from wargame.core.agents.unit import GROUPS, KINDS, UNIT_TYPES, on_map
from wargame.core.rules.will import conditions_deficit
from wargame.core.scenario.forces import Faction
from wargame.core.scenario.rules import BreakRules

# every parameter some kind of faction has (the schema's faction classes)
FACTION_PARAMETERS = frozenset(name for cls in typing.get_args(typing.get_args(Faction)[0]) for name in cls.model_fields)

FACTORS = ("casualties", "force_ratio", "contagion", "command", "encirclement", "supply", "air_enemy",
           "air_own", "stiffening", "shock", "will", "momentum", "rest")
F = {name: i for i, name in enumerate(FACTORS)}
STIFFENERS = ("advisers", "special_forces", "military_police")
STIFFENER_TYPES = np.array([u in STIFFENERS for u in UNIT_TYPES])


DEFAULT_BREAK_RULES = BreakRules()


def draw_breakpoint(rng, quality: float, cohesion: float, posture: str, elite: bool,
                    rules: BreakRules = DEFAULT_BREAK_RULES) -> float:
    """Loss share at which a unit breaks: lognormal around `breakpoint_median` (15%), shifted by its qualities.
    `rules` are the model's rules.breaks (the schema's defaults if not given)."""
    base = rules.breakpoint_median * math.exp(rules.breakpoint_sigma * rng.standard_normal())
    shift = ((rules.breakpoint_quality_base + rules.breakpoint_quality_slope * quality)
             * (rules.breakpoint_cohesion_base + rules.breakpoint_cohesion_slope * cohesion))
    if posture in ("hold", "garrison"):
        shift *= rules.breakpoint_hold_factor
    if elite:
        shift *= rules.breakpoint_elite_factor
    return float(min(rules.breakpoint_max, base * shift))


def faction_column(model, rows: np.ndarray, attribute: str, default: float) -> np.ndarray:
    """A faction parameter for each row; `default` stands for factions whose kind has no such parameter
    (each rule says what the absence means for it: no pay drain, no defection pull...)."""
    return faction_values(model, attribute, default)[model.table.faction[rows]]


def faction_values(model, attribute: str, default: float) -> np.ndarray:
    """A faction parameter per faction, computed once a step (parameters change only between steps).
    A name that no kind of faction has is an error, not a silent default."""
    key = (model.steps, attribute, default)
    cache = model.faction_cache
    if key not in cache:
        if attribute not in FACTION_PARAMETERS:
            raise KeyError(f"no faction parameter {attribute!r}; faction parameters: "
                           f"{', '.join(sorted(FACTION_PARAMETERS))}")
        if len(cache) > 64:
            cache.clear()
        cache[key] = np.array([f.__dict__.get(attribute, default) for f in model.spec.factions.values()], dtype=float)
    return cache[key]


def morale_factors(model, rows: np.ndarray) -> np.ndarray:
    """(rows, factors) morale changes this step, before damping by ideology and clipping."""
    t = model.table
    m = model.spec.rules.morale
    dt = 1.0 / model.spec.steps_per_day
    out = np.zeros((rows.size, len(FACTORS)))
    before = t.personnel[rows] + t.losses_step[rows]
    out[:, F["casualties"]] = -m.casualty_weight * t.losses_step[rows] / np.maximum(before, 1.0)
    ratio = t.enemy_ratio[rows]
    contact = t.in_contact[rows] & (ratio > 0)
    odds = np.log(np.where(contact, ratio, 1.0)) / math.log(3.0)
    # favourable odds give a little back, never faster than rest would: winning a fight is not a rest
    regained = np.minimum(m.favourable_odds_regain * m.force_ratio_weight * -odds, m.rest_recovery)
    out[:, F["force_ratio"]] = np.where(contact, dt * np.where(odds > 0, -m.force_ratio_weight * odds, regained), 0.0)
    newly_cut = t.cut_off[rows] & (t.cut_since[rows] == model.steps) & (model.steps > 0)
    out[:, F["encirclement"]] = np.where(t.cut_off[rows], -m.encirclement_weight * dt, 0.0) \
        - np.where(newly_cut, m.encirclement_shock, 0.0)
    supply = t.supply[rows]
    low = m.low_supply_level       # x / low is x * 2.0 exactly at the default 0.5
    out[:, F["supply"]] = np.where(supply < low, -m.supply_weight * dt * (1.0 - supply / low), 0.0)
    out[:, F["air_enemy"]] = -np.minimum(m.air_fear_max, m.air_fear_weight * model.table.sorties_on[rows] * 1000.0
                                         / np.maximum(t.personnel[rows], model.spec.rules.air.small_unit_floor))
    out[:, F["air_own"]] = np.minimum(m.air_support_max, m.air_support_weight * model.table.sorties_near[rows])
    gap = resting_morale(model, rows) - t.morale[rows]
    out[:, F["stiffening"]] = np.minimum(stiffening(model, rows) * dt, np.maximum(gap, 0.0))
    out[:, F["shock"]] = shock(model, rows) * dt
    out[:, F["will"]] = np.where(gap < 0, model.spec.rules.will.pull * dt * gap, 0.0)
    resting = ~t.in_contact[rows] & (supply >= m.rest_min_supply) & ~t.cut_off[rows] & (gap > 0)
    out[:, F["rest"]] = np.where(resting, m.rest_recovery * dt * gap * (m.rest_cohesion_base + t.cohesion[rows]), 0.0)
    return out


def resting_morale(model, rows: np.ndarray) -> np.ndarray:
    """Where each unit's morale rests with no enemy action: its starting morale, moved by its faction's will as
    the unit has heard it (damped by its ideology) and by the worsening of its faction's conditions."""
    t = model.table
    r = model.spec.rules.will
    will = model.will
    faction = t.faction[rows]
    key = (model.steps, "deficit_rise")
    if key not in model.faction_cache:
        model.faction_cache[key] = np.maximum(0.0, conditions_deficit(model) - will.deficit_start)
    convinced = 1.0 - model.spec.rules.morale.ideology_resistance * t.ideology[rows]
    level = (t.morale_start[rows] + r.morale * convinced * (t.will_seen[rows] - will.start[faction])
             - r.morale_conditions * model.faction_cache[key][faction])
    return np.clip(level, 0.0, 1.0)


def stiffening(model, rows: np.ndarray) -> np.ndarray:
    """Morale added to units near Russian (or, for militia, IRGC) advisers, special forces and police."""
    t = model.table
    out = np.zeros(rows.size)
    present = on_map(t)
    for fid, faction in enumerate(model.spec.factions.values()):
        if faction.kind != "russia":
            continue
        stiffeners = np.flatnonzero(present & (t.faction == fid) & STIFFENER_TYPES[t.utype])
        out += _near_bonus(model, rows, stiffeners, faction.stiffening_km, faction.stiffening,
                           (t.side[rows] == model.faction_side[fid]) & (t.faction[rows] != fid))
    irgc = np.flatnonzero(present & (t.group == GROUPS.index("irgc")) & (t.utype == UNIT_TYPES.index("advisers")))
    if irgc.size:
        m = model.spec.rules.morale
        leadership = faction_column(model, irgc[:1], "leadership", 0.5)[0]
        militia = (t.kind[rows] == KINDS.index("militia")) & (t.group[rows] != GROUPS.index("irgc"))
        out += _near_bonus(model, rows, irgc, m.irgc_stiffening_km, m.irgc_stiffening * leadership, militia)
    return out


def _near_bonus(model, rows, sources, km, amount, eligible) -> np.ndarray:
    if sources.size == 0 or amount <= 0 or not eligible.any():
        return np.zeros(rows.size)
    t = model.table
    cells = t.idx[sources]
    key = ("near_mask", km, cells.tobytes())          # advisers seldom move: reuse the mask while they stay
    cache = model.faction_cache
    if key not in cache:
        cache[key] = model.theatre.near_mask(cells, km)
    return np.where(eligible & cache[key][t.idx[rows]], amount, 0.0)


def shock(model, rows: np.ndarray) -> np.ndarray:
    """Morale lost when an enemy unit nearby advances fast (km moved over about the last day)."""
    t = model.table
    m = model.spec.rules.morale
    fast = np.flatnonzero(on_map(t) & (t.advance_km > m.shock_speed_km_day))
    if fast.size == 0:
        return np.zeros(rows.size)
    strongest = np.zeros(rows.size)
    for s in range(len(model.side_ids)):
        theirs = fast[t.side[fast] == s]
        if theirs.size == 0:
            continue
        speed = model.theatre.max_near(t.idx[theirs], m.shock_km, t.advance_km[theirs] / m.shock_speed_km_day)
        victims = model.hostile[s, t.side[rows]]
        strongest = np.where(victims, np.maximum(strongest, speed[t.idx[rows]]), strongest)
    return np.where(strongest > 0, -m.shock_weight * np.minimum(1.0, strongest - m.shock_offset), 0.0)


def damp(model, rows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Ideology and elite status damp losses (positive changes are left alone)."""
    t = model.table
    m = model.spec.rules.morale
    keep = 1.0 - m.ideology_resistance * t.ideology[rows]
    keep = keep * np.where(t.elite[rows], m.elite_loss_factor, 1.0)
    return np.where(factors < 0, factors * keep[:, None], factors)


def apply_morale(model, rows: np.ndarray, factors: np.ndarray) -> None:
    """Add the factors' changes to morale together, clipped to [0, 1], and record them in the ledger."""
    t = model.table
    total = factors.sum(axis=1)
    before = t.morale[rows]
    after = np.clip(before + total, 0.0, 1.0)
    scale = np.divide(after - before, total, out=np.zeros_like(total), where=total != 0)
    t.morale[rows] = after
    t.ledger_step[rows] += factors * scale[:, None]


def update_morale(model, rows: np.ndarray) -> None:
    """Phase 7a: every factor moves the morale of the units on the map (`rows`); the model's step then
    runs desertion, cohesion and breaks."""
    apply_morale(model, rows, damp(model, rows, morale_factors(model, rows)))
