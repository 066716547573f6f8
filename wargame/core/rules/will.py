"""The will to fight: of each faction, and of each state's leadership (phase 7c), and how news of it
reaches the units.

A faction's will (0-1) starts where the scenario puts it (`factions.<id>.will`); so does its leadership's
(a side with an army of kind "saa" has one, the regime: `actors.regime_hq.will`, else its army's). Every step, named factors move it, each a
declared parameter of rules.will and each recorded in the will ledger (what the after-action report
reads to say why a regime held or collapsed):

  cities      a place lost: -`city_loss` x its importance (sqrt of its population in millions x
              `population_weight`, + `governorate_capital`, + `capital`, + `heartland` for the coast); a
              place taken: + `city_gain_share` of that. The leadership feels it x `leadership_cities`.
  bases       an airbase, port or crossing lost or taken: as a place of importance `base_importance`
  advance     the national speed of the enemy's advance: -`advance` a day while the side loses ground at
              `advance_scale_km2` a day or faster (proportionally below); the leadership x `leadership_advance`
  breaks      -`breaks` x the share of the faction's men whose units broke (the first time), surrendered or
              defected this step (the leadership feels its army's x `leadership_army`)
  desertion   -`desertion` x the share of the faction's men who deserted because the will fell
  patrons     the patrons' visible commitment: their decisions (double down, evacuate advisers, withdraw,
              each x their stake) and the reinforcements they send (`reinforcements` per 1,000 men); the
              leadership feels them x `leadership_patrons`
  leaders     -`leaders` per strike that kills a faction's commanders
  conditions  pay and legitimacy (an army), leadership (militia) make every loss of a faction worse: losses x
              `conditions` x the deficit ((1 - pay) x (1 - legitimacy); 1 - leadership); the extra is this
              (not for a leadership)
  recovery    `recovery` x (starting will - will) a day: with nothing happening, the will returns to where
              the faction's conditions put it

News: a unit sees its faction's will as it was `news_national_days` ago, plus the places lost or taken
since then within `news_regional_km` of it once `news_regional_days` have passed (its `will_seen`); what
happens beside it, it sees at once through contagion (rules.breaks). Units feel the will through their
resting morale, breakpoint, desertion and the outcomes of their breaks (rules.morale, rules.breaks,
rules.cohesion). When a leadership's will falls below `collapse`, the regime collapses: the leader leaves,
its army and militias go home, surrender or withdraw, its Russian detachments leave, and the campaign ends.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from wargame.core.agents.unit import DISSOLVED, KINDS, SURRENDERED, WITHDRAWN, on_map
from wargame.core.events import (
    BaseCaptured,
    CityCaptured,
    IsraeliStrike,
    LocalDeal,
    RegimeCollapsed,
    UnitArrived,
    UnitBroke,
    UnitDefected,
)
from wargame.core.rules.capture import hand_over, strongest_enemies_near, strongest_enemy_near

WILL_FACTORS = ("cities", "bases", "advance", "breaks", "desertion", "patrons", "leaders", "conditions",
                "recovery")
W = {name: i for i, name in enumerate(WILL_FACTORS)}
STATE_KIND = KINDS.index("saa")
HEX_AREA = math.sqrt(3.0) / 2.0          # a hex cell's area in units of (centre-to-centre distance) squared


class Will:
    """The will of each faction and of each state's leadership, its ledger, and the news units have seen.

    Entries are the factions (in the model's faction order), then one leadership per side that has an
    army of kind "saa" (named "<side>_leadership")."""

    def __init__(self, model):
        spec = model.spec
        factions = list(spec.factions.values())
        self.names = list(model.faction_ids)
        self.side = list(model.faction_side.tolist())
        self.army: dict[int, int] = {}           # side -> its state army's faction index
        self.leadership: dict[int, int] = {}     # side -> its leadership's entry
        for fid, faction in enumerate(factions):
            s = int(model.faction_side[fid])
            if faction.kind == "saa" and s not in self.leadership:
                self.army[s] = fid
                self.leadership[s] = len(self.names)
                self.names.append(f"{model.side_ids[s]}_leadership")
                self.side.append(s)
        self.side = np.array(self.side, dtype=np.int64)
        self.is_leadership = np.arange(len(self.names)) >= len(factions)
        hq = spec.actors.regime_hq
        self.start = np.array([f.will for f in factions]
                              + [hq.will if hq else factions[self.army[s]].will for s in self.leadership])
        self.value = self.start.copy()
        self.ledger = np.zeros((len(self.names), len(WILL_FACTORS)))
        self.last = np.zeros_like(self.ledger)             # this step's changes
        rules = spec.rules.will
        self.lag = max(1, int(round(rules.news_national_days * spec.steps_per_day)))
        self.regional_lag = int(round(rules.news_regional_days * spec.steps_per_day))
        self.history: deque[np.ndarray] = deque([self.value.copy()] * self.lag, maxlen=self.lag)
        self.news: list[tuple[int, int, np.ndarray]] = []   # (step, cell, change per entry) of places
        self.seen_events = 0
        self.signals: list[tuple[int, float, str]] = []     # (side, will, why) from patrons this step
        self.deserted = np.zeros(len(factions))             # men who deserted because the will fell, this step
        self.broken: set[str] = set()                       # units whose (first) break has been counted
        self.collapsed: dict[int, float] = {}               # side -> day its regime collapsed
        self.ground: deque[np.ndarray] = deque(maxlen=spec.steps_per_day + 1)
        self.deficit_start = conditions_deficit(model)

    def entry(self, name: str) -> int:
        return self.names.index(name)

    def signal(self, side: int, amount: float, why: str) -> None:
        """A patron's visible act: moves the will of the side's factions and leadership at the next update."""
        self.signals.append((side, amount, why))

    def fall(self, model, rows: np.ndarray) -> np.ndarray:
        """How far each unit's faction's will has fallen below its start, as the unit has heard (>= 0)."""
        t = model.table
        return np.maximum(0.0, self.start[t.faction[rows]] - t.will_seen[rows])

    def top_factors(self, entry: int, n: int = 3) -> list[tuple[str, float]]:
        """The factors that moved an entry's will most, largest loss first."""
        row = self.ledger[entry]
        ranked = sorted(((WILL_FACTORS[i], float(v)) for i, v in enumerate(row) if v < 0), key=lambda kv: kv[1])
        return ranked[:n]


def conditions_deficit(model) -> np.ndarray:
    """Per faction: how far its conditions fall short, (1 - pay) x (1 - legitimacy) for an army, 1 -
    leadership for militia, 0 for the rest."""
    out = []
    for faction in model.spec.factions.values():
        if faction.kind == "saa":
            out.append((1.0 - faction.pay) * (1.0 - faction.legitimacy))
        elif faction.kind == "militia":
            out.append(1.0 - faction.leadership)
        else:
            out.append(0.0)
    return np.array(out)


def importance(model, place_id: str) -> float:
    """What a place weighs in the will of the side that holds it (rules.will)."""
    cache = model.static_cache.setdefault("place_importance", {})
    if place_id not in cache:
        r = model.spec.rules.will
        place = model.theatre.place(place_id)
        if place.kind in ("city", "town"):
            value = r.population_weight * math.sqrt(place.population / 1e6)
            value += r.governorate_capital * place.governorate_capital
        else:
            value = r.base_importance
        value += r.capital * (place_id == r.capital_place) + r.heartland * (place_id in r.heartland_places)
        cache[place_id] = value
    return cache[place_id]


# ---------------------------------------------------------------- what units hear


def update_news(model, rows: np.ndarray) -> None:
    """Phase 7 (first): each unit's `will_seen`, its faction's will as news has reached it."""
    w = model.will
    t = model.table
    faction = t.faction[rows]
    seen = w.history[0][faction]
    r = model.spec.rules.will
    for step, cell, change in w.news:
        age = model.steps - step
        if age < w.regional_lag or age >= w.lag or not change[faction].any():
            continue
        near = model.theatre.km_between(t.idx[rows], cell) <= r.news_regional_km
        seen = seen + np.where(near, change[faction], 0.0)
    t.will_seen[rows] = np.clip(seen, 0.0, 1.0)


# ---------------------------------------------------------------- the will itself


def update_will(model) -> None:
    """Phase 7c: the factors of this step move every entry's will; the ledger records them."""
    w = model.will
    r = model.spec.rules.will
    t = model.table
    dt = 1.0 / model.spec.steps_per_day
    shocks = np.zeros((len(w.names), len(WILL_FACTORS)))
    strength = np.maximum(np.bincount(t.faction, weights=t.personnel_start, minlength=len(model.faction_ids)), 1.0)
    army_of = {f: s for s, f in w.army.items()}
    new_events = model.events.since(w.seen_events)
    w.seen_events += len(new_events)
    for event in new_events:
        if isinstance(event, (CityCaptured, BaseCaptured)):
            place = event.city if isinstance(event, CityCaptured) else event.base
            factor = "cities" if isinstance(event, CityCaptured) else "bases"
            _place_changed(model, shocks, place, W[factor], model.side_index[event.from_side],
                           model.side_index[event.side])
        elif isinstance(event, (UnitBroke, UnitDefected)):
            if event.unit in w.broken:
                continue                  # a unit that rallied and broke again is not news twice
            w.broken.add(event.unit)
            f = model.faction_index[event.faction]
            share = event.personnel / strength[f]
            shocks[f, W["breaks"]] -= r.breaks * share
            if f in army_of:
                shocks[w.leadership[army_of[f]], W["breaks"]] -= r.breaks * r.leadership_army * share
        elif isinstance(event, IsraeliStrike) and event.target == "leadership" and event.unit:
            unit = model.unit_by_key(event.unit)
            if unit is not None:
                shocks[model.faction_index[unit.faction], W["leaders"]] -= r.leaders
        elif isinstance(event, UnitArrived):
            unit = model.unit_by_key(event.unit)
            s = int(model.faction_side[model.faction_index[event.faction]])
            if unit is not None and s in w.leadership and unit.formation < 0:     # sent by a patron
                gain = r.reinforcements * unit.personnel_start / 1000.0
                shocks[w.side == s, W["patrons"]] += np.where(w.is_leadership[w.side == s],
                                                              gain * r.leadership_patrons, gain)
    desertion = r.desertion * w.deserted / strength
    shocks[: desertion.size, W["desertion"]] -= desertion
    for f, s in army_of.items():
        shocks[w.leadership[s], W["desertion"]] -= desertion[f] * r.leadership_army
    w.deserted[:] = 0.0
    _advance(model, shocks)
    for side, amount, _ in w.signals:
        mine = w.side == side
        shocks[mine, W["patrons"]] += np.where(w.is_leadership[mine], amount * r.leadership_patrons, amount)
    w.signals.clear()
    # soldiers' pay and belief make their losses worse; a leadership is not an unpaid conscript
    deficit = np.concatenate([conditions_deficit(model), np.zeros(len(w.leadership))])
    losses = np.where(shocks < 0, shocks, 0.0).sum(axis=1)
    shocks[:, W["conditions"]] += r.conditions * deficit * losses
    shocks[:, W["recovery"]] = r.recovery * dt * (w.start - w.value)
    total = shocks.sum(axis=1)
    after = np.clip(w.value + total, 0.0, 1.0)
    scale = np.divide(after - w.value, total, out=np.zeros_like(total), where=total != 0)
    w.last = shocks * scale[:, None]
    w.ledger += w.last
    w.value = after
    w.history.append(after.copy())
    w.news = [item for item in w.news if model.steps - item[0] < w.lag]
    for s, entry in w.leadership.items():
        if s not in w.collapsed and w.value[entry] < r.collapse:
            collapse_regime(model, s)


def _place_changed(model, shocks: np.ndarray, place: str, factor: int, loser: int, taker: int) -> None:
    """A place changed hands: its loser's entries lose will, its taker's gain; both hear it as regional news."""
    w = model.will
    r = model.spec.rules.will
    loss = r.city_loss * importance(model, place)
    change = np.zeros(len(w.names))
    for side, amount in ((loser, -loss), (taker, loss * r.city_gain_share)):
        mine = w.side == side
        change[mine] = np.where(w.is_leadership[mine], amount * r.leadership_cities, amount)
    shocks[:, factor] += change
    w.news.append((model.steps, model.theatre.place_cell[place], change))


def _advance(model, shocks: np.ndarray) -> None:
    """The national speed of the enemy's advance: ground each side lost over the last day."""
    w = model.will
    r = model.spec.rules.will
    th = model.theatre
    held = np.bincount(model.control[th.inside].clip(min=0), minlength=len(model.side_ids)).astype(float)
    w.ground.append(held)
    lost_km2 = np.maximum(0.0, w.ground[0] - held) * HEX_AREA * th.layout.cell_km ** 2
    day_share = (len(w.ground) - 1) / model.spec.steps_per_day
    if day_share <= 0:
        return
    pace = np.minimum(1.0, lost_km2 / day_share / r.advance_scale_km2)
    shocks[:, W["advance"]] -= r.advance * pace[w.side] * np.where(w.is_leadership, r.leadership_advance, 1.0) \
        / model.spec.steps_per_day


def collapse_regime(model, side: int) -> None:
    """The leadership's will has broken: the leader leaves; the army and its militias go home, surrender to
    the enemy beside them or withdraw; Russian detachments leave for home. The campaign ends."""
    w = model.will
    t = model.table
    r = model.spec.rules.will
    w.collapsed[side] = model.day
    why = ", ".join(f"{name} {value:+.2f}" for name, value in w.top_factors(w.leadership[side]))
    rows = np.flatnonzero(on_map(t) & (t.side == side))
    outcomes = {"deserted": 0, "surrendered": 0, "withdrew": 0}
    # found at once: the rows are all of one side, so none is another's captor and leaving changes no answer
    captors = strongest_enemies_near(model, rows).tolist()
    for row, captor in zip(rows.tolist(), captors):
        kind = KINDS[t.kind[row]]
        captor = None if captor < 0 else captor
        if kind == "saa":
            surrender = captor is not None and model.rng.random() < r.collapse_surrender
            state, tally = (SURRENDERED, "captured") if surrender else (DISSOLVED, "deserted")
        else:
            state, tally = WITHDRAWN, "withdrawn"
        hand_over(model, row, captor, "surrender" if state == SURRENDERED else "desertion")
        outcomes[{SURRENDERED: "surrendered", DISSOLVED: "deserted", WITHDRAWN: "withdrew"}[state]] += 1
        if state == WITHDRAWN:
            withdraw(model, np.array([row]))
            continue
        model.tally[tally][t.faction[row]] += t.personnel[row]
        getattr(t, tally)[row] += t.personnel[row]
        t.personnel[row] = 0.0
        t.agent[row].remove_from_map_state(state)
    will = round(float(w.value[w.leadership[side]]), 3)
    model.events.add(RegimeCollapsed(model.steps, model.day, model.side_ids[side], will, why,
                                     outcomes["deserted"], outcomes["surrendered"], outcomes["withdrew"]))


# ---------------------------------------------------------------- leaving the theatre


def withdraw(model, rows: np.ndarray) -> None:
    """These units leave the theatre by order (a patron's evacuation, a deal's safe passage): their men are
    counted as withdrawn, neither lost nor captured."""
    t = model.table
    for row in np.asarray(rows, dtype=np.int64).tolist():
        model.tally["withdrawn"][t.faction[row]] += t.personnel[row]
        t.withdrawn[row] += t.personnel[row]
        t.personnel[row] = 0.0
        t.agent[row].remove_from_map_state(WITHDRAWN)


# ---------------------------------------------------------------- local deals


def deal_candidates(model, rows: np.ndarray) -> np.ndarray:
    """Of these rows, the units that take a local deal now: those that meet its terms (`deal_terms`) and have
    been talking for `deal_talks_days`. Talks open the first time a unit meets the terms and go on while its
    faction's will (as it has heard it) stays below `deal_will`, whatever the odds of the day; a unit whose
    will recovers breaks them off."""
    t = model.table
    meets = deal_terms(model, rows)
    r = model.spec.rules.will
    if r.deal_talks_days <= 0.0:
        return meets
    t.talks_since[rows[t.will_seen[rows] >= r.deal_will]] = np.nan
    opening = meets[np.isnan(t.talks_since[meets])]
    t.talks_since[opening] = model.day
    return meets[model.day - t.talks_since[meets] >= r.deal_talks_days - 1e-9]


def deal_terms(model, rows: np.ndarray) -> np.ndarray:
    """Of these rows, the units that meet the terms of a local deal: their faction's will (as they have heard
    it) below `deal_will`, and either cut off or outnumbered `deal_odds` to one within `deal_km`. Russians,
    units of sides no one is at war with, and factions no one offers a deal (`offered_deals` false) do not
    settle."""
    t = model.table
    r = model.spec.rules.will
    offered = np.array([f.offered_deals for f in model.spec.factions.values()], dtype=bool)   # a timeline may change it
    rows = rows[(t.will_seen[rows] < r.deal_will) & (t.kind[rows] != KINDS.index("russia")) & offered[t.faction[rows]]]
    if rows.size == 0:
        return rows
    th = model.theatre
    present = on_map(t)
    against, with_me = np.zeros(rows.size), np.zeros(rows.size)
    for s in np.unique(t.side[rows]).tolist():         # men within deal_km (hex steps), summed per cell
        mine = t.side[rows] == s
        cells = t.idx[rows[mine]]
        enemy = present & model.hostile[s, t.side]
        own = present & (t.side == s)
        against[mine] = th.count_near(t.idx[enemy], r.deal_km, t.personnel[enemy])[cells]
        with_me[mine] = th.count_near(t.idx[own], r.deal_km, t.personnel[own])[cells]
    outnumbered = (against > 0) & (against >= r.deal_odds * np.maximum(with_me, 1.0))
    return rows[(t.cut_off[rows] & (against > 0)) | outnumbered]


def settle(model, rows: np.ndarray) -> None:
    """A local deal (facts-2015-2020.md D4-D12: the south's towns in 2018): the units hand their heavy weapons
    to the strongest enemy beside them and leave with safe passage (withdrawn, neither killed nor captured).
    One event per place, naming the nearest place and the side they settled with."""
    t = model.table
    groups: dict[tuple[str, str, int], list[int]] = {}
    th = model.theatre
    place_ids = list(th.place_cell)
    place_cells = np.array([th.place_cell[p] for p in place_ids])
    for row in rows.tolist():
        captor = strongest_enemy_near(model, row)
        enemy = (int(t.side[captor]) if captor is not None
                 else int(np.flatnonzero(model.hostile[t.side[row]])[0]) if model.hostile[t.side[row]].any() else -1)
        nearest = place_ids[int(np.argmin(th.km_between(t.idx[row], place_cells)))]
        faction = model.faction_ids[t.faction[row]]
        groups.setdefault((faction, nearest, enemy), []).append(row)
        hand_over(model, row, captor, "surrender")
    for (faction, place, enemy), members in groups.items():
        personnel = float(t.personnel[members].sum())
        fall = float(model.will.start[model.faction_index[faction]] - t.will_seen[members].mean())
        withdraw(model, np.array(members))
        model.events.add(LocalDeal(model.steps, model.day, faction, place, len(members), int(round(personnel)),
                                   model.side_ids[enemy] if enemy >= 0 else "", f"its will fell {fall:.2f}"))
