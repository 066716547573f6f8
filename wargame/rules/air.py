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
  the friendly ground network collapses. A target that has moved more than one hex meanwhile is missed.
- The main effect is suppression and fear, not casualties: a strike kills `kills_per_sortie` per sortie,
  suppresses `suppression_per_sortie` of a 1,000-strong unit's fire per sortie (decaying by half each
  step), frightens it (morale factor air_enemy) and heartens friendly units beside it (air_own, and air
  support in combat). Air defences with the target absorb `air_defence_cover` of the effect each.
- Bombers and cruise missiles strike in salvos every `every_days`, with their own intelligence, at the
  enemy-held city with most enemy troops near it: killing, suppressing and destroying depot stocks.
- Rebel drones raid enemy airbases in reach; each raid gets through every layer of the base's air
  defence (S-400, S-300, Pantsir, electronic warfare) with the product of the layers' leak chances, and
  then destroys `drone_aircraft_kill` aircraft.
"""

from __future__ import annotations

import numpy as np

from wargame.agents.unit import ROUTING, UNIT_TYPES, fighting, on_map
from wargame.commanders import air_targets
from wargame.events import AirStrike, DroneRaid, MissileStrike, Weather
from wargame.rules.combat import apply_losses

COLLAPSE_KM = 30.0
DRONE_RANGE_KM = 150.0


def run_air(model) -> None:
    table = model.table
    table.suppression[:] *= 0.5
    model.sorties_on[:] = 0.0
    model.sorties_near[:] = 0.0
    rules = model.spec.rules.air
    if (model.turn - 1) % model.spec.steps_per_day == 0:
        model.bad_weather = bool(model.rng.random() < rules.bad_weather_chance)
        if model.bad_weather:
            model.events.add(Weather(model.turn, model.day, True))
    _land_due_strikes(model)
    for wing in model.wings:
        if not wing.operating():
            continue
        if wing.spec.kind == "tactical":
            _fly_sorties(model, wing)
        elif model.day + 1e-9 >= wing.next_salvo_day:
            _salvo(model, wing)
            wing.next_salvo_day += wing.spec.every_days
    _drone_raids(model)


# ---------------------------------------------------------------- tactical sorties


def spotted(model, side: int) -> np.ndarray:
    """Rows of enemy units on the map within spotting range of the side's fighting ground units."""
    t = model.table
    eyes = np.flatnonzero(fighting(t) & (t.side == side))
    enemies = np.flatnonzero(on_map(t) & model.hostile[side, t.side])
    if eyes.size == 0 or enemies.size == 0:
        return np.array([], dtype=np.int64)
    reach = np.array([getattr(model.spec.rules.unit_types, u).spotting_km for u in UNIT_TYPES])[t.utype[eyes]]
    distance = model.theatre.km_between(t.idx[eyes][:, None], t.idx[enemies][None, :])
    return enemies[(distance <= reach[:, None]).any(axis=0)]


def coordination_delay(model, side: int, cell: int) -> int:
    """Steps from request to strike: longer as friendly units near the target break."""
    t = model.table
    rules = model.spec.rules.air
    mine = np.flatnonzero((t.side == side) & ((t.idx >= 0) | (t.broke_turn >= 0)))
    near = mine[(t.idx[mine] >= 0) & (model.theatre.km_between(cell, np.maximum(t.idx[mine], 0)) <= COLLAPSE_KM)]
    recent = (t.broke_turn[mine] >= model.turn - model.spec.steps_per_day) & (t.broke_turn[mine] >= 0)
    collapse = recent.sum() / max(1, near.size + recent.sum()) if mine.size else 0.0
    hours = rules.coordination_hours * (1.0 + rules.collapse_delay_factor * collapse)
    return int(round(hours / model.spec.meta.hours_per_step))


def _fly_sorties(model, wing) -> None:
    rules = model.spec.rules.air
    spec = wing.spec
    sorties = wing.aircraft * spec.availability * spec.sortie_rate / model.spec.steps_per_day
    if model.bad_weather:
        sorties *= rules.bad_weather_factor
    candidates = spotted(model, wing.side)
    if sorties <= 0 or candidates.size == 0:
        return
    ranked = air_targets(model, wing.faction, candidates)
    wing.sorties_flown += sorties
    model.air_stats["sorties"][wing.side] += sorties
    remaining = sorties
    for row in ranked:
        if remaining <= 1e-9:
            break
        n = min(float(rules.max_sorties_per_target), remaining)
        remaining -= n
        cell = int(model.table.idx[row])
        delay = coordination_delay(model, wing.side, cell)
        model.strike_queue.append((model.turn + delay, wing.key, int(row), cell, n, delay))


def _land_due_strikes(model) -> None:
    due = [s for s in model.strike_queue if s[0] <= model.turn]
    model.strike_queue = [s for s in model.strike_queue if s[0] > model.turn]
    t = model.table
    wings = {w.key: w for w in model.wings}
    for _, key, row, cell, sorties, delay in due:
        if t.idx[row] < 0 or model.theatre.layout.distance(int(t.idx[row]), cell) > 1:
            continue                                     # moved, routed away or gone: a wasted sortie
        wing = wings[key]
        killed = strike_unit(model, row, sorties * wing.spec.effectiveness, wing.side)
        model.air_stats["strikes"][wing.side] += 1
        agent = model.unit_agents[row]
        model.events.add(AirStrike(model.turn, model.day, key, wing.faction, agent.key, agent.faction,
                                   round(sorties, 2), round(killed, 1), delay))


def strike_unit(model, row: int, effect: float, side: int) -> float:
    """Apply `effect` sortie-equivalents to a unit: a few killed, fire suppressed, fear; friends heartened."""
    t = model.table
    rules = model.spec.rules.air
    effect *= 1.0 - min(0.9, rules.air_defence_cover * t.air_defence[row])
    if effect <= 0 or t.personnel[row] <= 0:
        return 0.0
    killed = min(effect * rules.kills_per_sortie, 0.3 * t.personnel[row])
    t.suppression[row] = min(0.9, t.suppression[row] + effect * rules.suppression_per_sortie
                             * 1000.0 / max(t.personnel[row], 100.0))
    model.sorties_on[row] += effect
    cell = int(t.idx[row])
    near = np.append(model.theatre.neighbours[cell], cell)
    friends = np.flatnonzero(on_map(t) & (t.side == side) & np.isin(t.idx, near[near >= 0]))
    model.sorties_near[friends] += effect
    apply_losses(model, np.array([row]), np.array([killed / t.personnel[row]]), "killed")
    return killed


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
        if owner is None or not model.hostile[wing.side, owner]:
            continue
        near = th.km_between(city.cell, t.idx[enemies]) <= 10.0
        troops = float(t.personnel[enemies[near]].sum())
        if troops > best_troops:
            best, best_troops = cid, troops
    if best is None:
        return
    missiles = wing.aircraft * wing.spec.availability * wing.spec.effectiveness
    targets = enemies[th.km_between(th.cities[best].cell, t.idx[enemies]) <= 10.0]
    weights = t.personnel[targets] / t.personnel[targets].sum()
    killed = 0.0
    for row, w in zip(targets, weights):
        share = min(0.3, missiles * w * rules.missile_kills / max(t.personnel[row], 1.0))
        killed += share * t.personnel[row]
        apply_losses(model, np.array([row]), np.array([share]), "killed")
        t.supply[row] = max(0.0, t.supply[row] - missiles * w * rules.missile_supply_damage)
        t.suppression[row] = min(0.9, t.suppression[row] + 0.5 * missiles * w * rules.suppression_per_sortie)
        model.sorties_on[row] += missiles * w
    model.air_stats["missiles"][wing.side] += missiles
    model.events.add(MissileStrike(model.turn, model.day, wing.key, wing.faction, best, round(missiles, 1),
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
            if (cell is not None and wing.aircraft > 0 and model.hostile[side, wing.side] and own.size
                    and th.km_between(cell, t.idx[own]).min() <= DRONE_RANGE_KM):
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
            model.events.add(DroneRaid(model.turn, model.day, model.faction_ids[fid], wing.base, not through,
                                       round(destroyed, 2)))
