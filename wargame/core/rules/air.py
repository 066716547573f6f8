"""Air power: sorties, spotting, coordination delay, strikes, salvos of bombers and cruise missiles, and
drone raids on airbases.

Rules:
- Sorties per step = aircraft x availability x sortie_rate / steps_per_day, cut to `bad_weather_factor`
  on a bad-weather day (a day is bad with chance `bad_weather_chance`). A wing flies only while its base
  is held by its side.
- A strike needs a target spotted by the wing's side: an enemy unit within the spotting range of one of
  its fighting ground units (advisers and special forces see further). No spotter, no strike. The
  commander ranks spotted targets (doctrine: the most threatening spearheads) and sorties are allocated
  greedily, at most `max_sorties_per_target` each.
- A strike lands after a coordination delay, `coordination_hours` x (1 + collapse_delay_factor x c), where
  c is the share of friendly units near the target that have broken in the last day: the delay grows as
  the friendly ground network collapses (broken units within `collapse_km`). A target that has moved more
  than one hex meanwhile is missed.
- The main effect is suppression and fear, not casualties: a strike kills `kills_per_sortie` per sortie
  (at most `max_kill_share` of the unit a step), suppresses `suppression_per_sortie` of a 1,000-strong
  unit's fire per sortie (a unit under `small_unit_floor` counts as that size; at most `max_suppression`;
  `suppression_kept_per_step` of it left at the next step), frightens it (morale factor air_enemy) and
  heartens friendly units beside it (air_own, and air support in combat). Air defences with the target
  absorb `air_defence_cover` of the effect each, `air_defence_cover_max` in all.
- Bombers and cruise missiles strike in salvos every `every_days`, with their own intelligence, at the
  enemy-held city with most enemy troops in and near it (weighted by closeness, out to `salvo_km`):
  killing, suppressing (`missile_suppression_factor` of a sortie's) and destroying depot stocks.
- Rebel drones raid enemy airbases within `drone_range_km` of their units; each raid gets through every
  layer of the base's air defence (S-400, S-300, Pantsir, electronic warfare) with the product of the
  layers' leak chances, and then destroys `drone_aircraft_kill` aircraft.
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import UNIT_TYPES, fighting, on_map
from wargame.core.events import AirStrike, DroneRaid, MissileStrike, Weather
from wargame.core.rules.breaks import recent_breaks
from wargame.core.rules.combat import apply_losses
from wargame.core.rules.orders import air_targets


def run_air(model) -> None:
    model.air_cache.clear()
    table = model.table
    rules = model.spec.rules.air
    table.suppression[:] *= rules.suppression_kept_per_step
    model.table.sorties_on[:] = 0.0
    model.table.sorties_near[:] = 0.0
    if (model.steps - 1) % model.spec.steps_per_day == 0:
        rolled = bool(model.rng.random() < rules.bad_weather_chance)
        # weather imposed by a classroom's white cell holds for its day; the roll is still drawn so that
        # the random stream (and everything after it) does not depend on whether weather was imposed
        imposed = model.weather_imposed
        if imposed is not None and model.day < imposed[1] - 1e-9:
            model.bad_weather = imposed[0]
        else:
            model.bad_weather = rolled
            if model.bad_weather:
                model.events.add(Weather(model.steps, model.day, True))
    for wing in model.wings:
        if not wing.operating():
            continue
        if wing.spec.kind == "tactical":
            _fly_sorties(model, wing)
        elif model.day + 1e-9 >= wing.next_salvo_day:
            _salvo(model, wing)
            wing.next_salvo_day += wing.spec.every_days
    _land_due_strikes(model)
    _drone_raids(model)


# ---------------------------------------------------------------- tactical sorties


def spotted(model, side: int) -> np.ndarray:
    """Rows of enemy units on the map within spotting range of the side's fighting ground units."""
    key = ("spotted", side)
    if key not in model.air_cache:
        model.air_cache[key] = _spotted(model, side)
    return model.air_cache[key]


def spotting_mask(model, side: int) -> np.ndarray:
    """Cells within spotting range of the side's fighting ground units (each type sees its own distance)."""
    t = model.table
    seen = np.zeros(model.theatre.n, dtype=bool)
    eyes = np.flatnonzero(fighting(t) & (t.side == side))
    if eyes.size == 0:
        return seen
    reach = np.array([getattr(model.spec.rules.unit_types, u).spotting_km for u in UNIT_TYPES])[t.utype[eyes]]
    for km in np.unique(reach):
        seen |= model.theatre.near_mask(t.idx[eyes[reach == km]], float(km))
    return seen


def _spotted(model, side: int) -> np.ndarray:
    t = model.table
    enemies = np.flatnonzero(on_map(t) & model.hostile[side, t.side])
    if enemies.size == 0:
        return np.array([], dtype=np.int64)
    return enemies[spotting_mask(model, side)[t.idx[enemies]]]


def coordination_delay(model, side: int, cells: np.ndarray,
                       units: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Steps from request to strike at each target cell: longer as friendly units near it have broken.

    The collapse near a target is the share of the side's units within `collapse_km` of it (where they
    stand, or where they last stood) that broke within the last day. `units` is `recent_breaks(model, side)`
    if the caller has it already (the wings of a side share it: no unit moves or breaks while they fly).
    """
    rules = model.spec.rules.air
    where, broke = recent_breaks(model, side) if units is None else units
    if broke.any():
        th = model.theatre
        collapse = (th.count_within(cells, where[broke], rules.collapse_km)
                    / np.maximum(1, th.count_within(cells, where, rules.collapse_km)))
    else:
        collapse = np.zeros(cells.size)
    hours = rules.coordination_hours * (1.0 + rules.collapse_delay_factor * collapse)
    return np.rint(hours / model.spec.meta.hours_per_step).astype(np.int64)


def _fly_sorties(model, wing) -> None:
    rules = model.spec.rules.air
    spec = wing.spec
    sorties = wing.aircraft * spec.availability * spec.sortie_rate / model.spec.steps_per_day
    if model.bad_weather:
        sorties *= rules.bad_weather_factor
    candidates = spotted(model, wing.side)
    if sorties <= 0 or candidates.size == 0:
        return
    key = ("ranked", wing.faction)
    if key not in model.air_cache:
        model.air_cache[key] = air_targets(model, wing.faction, candidates)
    ranked = model.air_cache[key]
    per_target = float(rules.max_sorties_per_target)
    count = min(ranked.size, int(np.ceil(sorties / per_target)))
    if count == 0:
        return
    rows = ranked[:count]
    loads = np.minimum(per_target, sorties - per_target * np.arange(count))     # never above the cap
    wing.sorties_flown += float(loads.sum())
    model.air_stats["sorties"][wing.side] += float(loads.sum())
    cells = model.table.idx[rows]
    key = ("delay units", wing.side)
    if key not in model.air_cache:
        model.air_cache[key] = recent_breaks(model, wing.side)
    delays = coordination_delay(model, wing.side, cells, model.air_cache[key])
    for row, cell, load, delay in zip(rows.tolist(), cells.tolist(), loads.tolist(), delays.tolist()):
        model.strike_queue.append((model.steps + delay, wing.key, row, cell, load, delay))


def _land_due_strikes(model) -> None:
    """Strikes whose coordination delay has run out land now, all at once."""
    due = [s for s in model.strike_queue if s[0] <= model.steps]
    if not due:
        return
    model.strike_queue = [s for s in model.strike_queue if s[0] > model.steps]
    t = model.table
    th = model.theatre
    wings = {w.key: w for w in model.wings}
    rows = np.array([s[2] for s in due], dtype=np.int64)
    aimed = np.array([s[3] for s in due], dtype=np.int64)
    here = t.idx[rows]
    hit = (here >= 0) & (th.layout.distance(np.maximum(here, 0), aimed) <= 1)   # else moved away: wasted
    effect = np.array([s[4] * wings[s[1]].spec.effectiveness for s in due])
    effect = np.where(hit, effect, 0.0)
    killed = strike_units(model, rows, effect, np.array([wings[s[1]].side for s in due]))
    for s, k, landed in zip(due, killed, hit):
        if not landed:
            continue
        wing = wings[s[1]]
        model.air_stats["strikes"][wing.side] += 1
        agent = model.table.agent[s[2]]
        model.events.add(AirStrike(model.steps, model.day, wing.key, wing.faction, agent.key, agent.faction,
                                   round(s[4], 2), round(float(k), 1), s[5]))


def strike_units(model, rows: np.ndarray, effect: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """Apply `effect` sortie-equivalents to units (rows may repeat): a few killed, fire suppressed, fear;
    friendly units beside each struck unit are heartened. Returns the personnel killed by each strike."""
    t = model.table
    rules = model.spec.rules.air
    effect = effect * (1.0 - np.minimum(rules.air_defence_cover_max, rules.air_defence_cover * t.air_defence[rows]))
    effect = np.where(t.personnel[rows] > 0, effect, 0.0)
    if not effect.any():
        return np.zeros(rows.size)
    total = np.zeros(t.n)
    np.add.at(total, rows, effect)
    struck = np.flatnonzero(total)
    people = t.personnel[struck]
    killed_unit = np.minimum(total[struck] * rules.kills_per_sortie, rules.max_kill_share * people)
    t.suppression[struck] = np.minimum(rules.max_suppression, t.suppression[struck] + total[struck]
                                       * rules.suppression_per_sortie * 1000.0
                                       / np.maximum(people, rules.small_unit_floor))
    model.table.sorties_on[struck] += total[struck]
    th = model.theatre
    for side in np.unique(sides[effect > 0]):
        mine = effect > 0
        mine &= sides == side
        near = th.count_near(t.idx[rows[mine]], th.layout.cell_km, effect[mine])
        friends = np.flatnonzero((t.side == side) & (t.idx >= 0))
        model.table.sorties_near[friends] += near[t.idx[friends]]
    apply_losses(model, struck, killed_unit / np.maximum(people, 1.0), "killed")
    share = np.divide(effect, total[rows], out=np.zeros_like(effect), where=total[rows] > 0)
    by_row = np.zeros(t.n)
    by_row[struck] = killed_unit
    return by_row[rows] * share


# ---------------------------------------------------------------- bombers and cruise missiles


def _salvo(model, wing) -> None:
    t = model.table
    rules = model.spec.rules.air
    th = model.theatre
    enemies = np.flatnonzero(on_map(t) & model.hostile[wing.side, t.side])
    if enemies.size == 0:
        return
    best, best_troops = None, 0.0
    for cid, city in th.cities.items():
        owner = model.city_owner.get(cid)
        if owner is None or not model.hostile[wing.side, owner] or model.frozen[city.cell]:
            continue
        closeness = np.maximum(0.0, 1.0 - th.km_between(city.cell, t.idx[enemies]) / rules.salvo_km)
        troops = float(t.personnel[enemies] @ closeness)          # troops in and near the city
        if troops > best_troops:
            best, best_troops = cid, troops
    if best is None:
        return
    missiles = wing.aircraft * wing.spec.availability * wing.spec.effectiveness
    targets = enemies[th.km_between(th.cities[best].cell, t.idx[enemies]) <= rules.salvo_km]
    weights = t.personnel[targets] / t.personnel[targets].sum()
    killed = 0.0
    for row, w in zip(targets, weights):
        share = min(rules.max_kill_share, missiles * w * rules.missile_kills / max(t.personnel[row], 1.0))
        killed += share * t.personnel[row]
        apply_losses(model, np.array([row]), np.array([share]), "killed")
        t.supply[row] = max(0.0, t.supply[row] - missiles * w * rules.missile_supply_damage)
        t.suppression[row] = min(rules.max_suppression, t.suppression[row]
                                 + rules.missile_suppression_factor * missiles * w * rules.suppression_per_sortie)
        model.table.sorties_on[row] += missiles * w
    model.air_stats["missiles"][wing.side] += missiles
    model.events.add(MissileStrike(model.steps, model.day, wing.key, wing.faction, best, round(missiles, 1),
                                   round(killed, 1)))


# ---------------------------------------------------------------- drones on airbases


def _drone_raids(model) -> None:
    rules = model.spec.rules.air
    t = model.table
    th = model.theatre
    for fid, faction in enumerate(model.spec.factions.values()):
        drones = getattr(faction, "drones", 0)
        if not drones:
            continue
        side = model.faction_side[fid]
        raids = model.rng.poisson(rules.drone_strikes_per_day * drones / 10.0 / model.spec.steps_per_day)
        if raids == 0:
            continue
        own = np.flatnonzero(on_map(t) & (t.faction == fid))
        bases = []
        for wing in model.wings:
            cell = th.place_cell.get(wing.base) if wing.base else None
            if (cell is not None and wing.operating() and model.hostile[side, wing.side] and own.size
                    and th.km_between(cell, t.idx[own]).min() <= rules.drone_range_km):
                bases.append((wing, cell))
        for _ in range(raids):
            if not bases:
                break
            wing, cell = bases[int(model.rng.integers(len(bases)))]
            leak = np.prod([d.leak() for d in model.air_defences if d.base == wing.base and d.side == wing.side])
            through = bool(model.rng.random() < leak)
            destroyed = min(wing.aircraft, rules.drone_aircraft_kill) if through else 0.0
            wing.lost_aircraft += destroyed
            model.air_stats["drone_raids"][side] += 1
            model.events.add(DroneRaid(model.steps, model.day, model.faction_ids[fid], wing.base, not through,
                                       round(destroyed, 2)))
