"""Doctrine AI: the default commander of every faction.

offensive  attack towards objectives along roads: each attacking unit makes for its own objective, else
           the nearest place of the highest-priority objective its side has not yet taken (of those its
           faction pursues: an objective may name the factions that go for it), no more units
           to a cell than it can hold, so that they fan out over a city's districts (the movement rule
           follows roads, so attacks run along them); reserves go the same way as attacking units.
           Nothing attacks into ground a Russia-Turkey deal has frozen. The campaign: a faction whose
           fighting units' mean morale falls below `consolidate_morale` stops to consolidate (its units hold)
           until it is back above `resume_morale`; when the enemy leadership's will falls below
           `exploit_will` it exploits, going for every objective at once instead of one priority at a time.
defensive  hold cities: units hold where they stand; reserves go to the threatened place their side must
           hold (most enemy troops within `threat_km`), as the 25th Division was rushed to Aleppo, once the
           regime HQ has reacted (`reaction_days` after the start: a surprised command reacts late) and
           unless that place's sector is already breaking (reserves are not fed into a collapse); withdraw
           when a sector breaks: a unit around which the regime HQ's `withdraw_share` of the side's units
           within `sector_km` have broken in the last day falls back one cell towards its supply sources
           (elite units and units in the `hold` posture stand). The HQ's parameters apply to every
           defensive faction of a scenario that has one.
           The campaign (every `review_days`): the HQ abandons a place it must hold when the enemy's men within
           `threat_km` outnumber its own `abandon_odds` to one, scaled by its army's will over its starting
           will (a failing command gives up sooner), but never below `abandon_min_odds` to one: the units within `sector_km` redeploy to the nearest
           place of its `core` it still holds, and no reserves go there. When the leadership's will falls
           below `fallback_will` it falls back to the core: every other place is abandoned at once. Units
           whose faction's will has fallen below rules.will `deal_will` and that are cut off or outnumbered
           take a local deal (surrender with safe passage). Each decision is an event with its reasons.
static     hold.
air        strike the most threatening enemy spearheads first: enemy power, raised by how fast it has
           been advancing, over its distance to the nearest place the side must hold
           (power x (1 + advance_km / `air_advance_scale_km`) / (1 + distance / `air_distance_scale_km`)).
The numbers are under rules.doctrine; the regime HQ's levers under actors.regime_hq.
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import POSTURES, ROUTING
from wargame.core.events import StrategicDecision
from wargame.core.rules.breaks import recent_breaks
from wargame.core.rules.combat import offensive_power
from wargame.core.rules.orders import Orders
from wargame.core.rules.will import deal_candidates

ATTACK, RESERVE, HOLD = POSTURES.index("attack"), POSTURES.index("reserve"), POSTURES.index("hold")


def objective_cells(model, side: str, kind: str = "capture", faction: str | None = None) -> list[tuple[int, int, str]]:
    """(priority, cell, city id or "") of the side's objectives of a kind that `faction` pursues (all of them
    when faction is None); for capture, the cells of its area objectives too."""
    key = ("objective_cells", side, kind, faction)
    if key not in model.static_cache:
        model.static_cache[key] = _objective_cells(model, side, kind, faction)
    return model.static_cache[key]


def objective_arrays(model, side: str, faction: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """objective_cells for capture as arrays: priority, cell, and the city's number in theatre.cities
    (len(cities) for a cell that is not a city's)."""
    key = ("objective_arrays", side, faction)
    if key not in model.static_cache:
        listed = objective_cells(model, side, "capture", faction)
        number = {cid: i for i, cid in enumerate(model.theatre.cities)}
        model.static_cache[key] = (np.array([p for p, _, _ in listed], dtype=np.int64),
                                   np.array([c for _, c, _ in listed], dtype=np.int64),
                                   np.array([number.get(cid, len(number)) for _, _, cid in listed], dtype=np.int64))
    return model.static_cache[key]


def _objective_cells(model, side: str, kind: str, faction: str | None) -> list[tuple[int, int, str]]:
    """A city to capture stands for all its built-up cells: a city is taken district by district (it falls
    when more than half its cells are held), so attackers fan out over it instead of queueing for its centre."""
    out = []
    city_at = {city.cell: cid for cid, city in model.theatre.cities.items()}
    for oid, objective in model.spec.objectives.items():
        if objective.side != side or (faction is not None and objective.factions and faction not in objective.factions):
            continue
        if objective.kind == kind or (kind == "capture" and objective.kind == "area"):
            for c in model.objective_cells[oid].tolist():
                city = city_at.get(c, "") if objective.kind != "area" else ""
                cells = model.theatre.cities[city].cells if kind == "capture" and city else (c,)
                out += [(objective.priority, int(x), city) for x in cells]
    return list(dict.fromkeys(out))


def spread_over(model, cells: np.ndarray, targets: np.ndarray, room) -> np.ndarray:
    """A target for each unit (standing in `cells`): the nearest target that still has room, at most `room`
    units to a target (a number, or one per target), nearer units served first. When every target is full
    the rest go to their nearest. Rounds of a vectorised greedy assignment (usually two or three)."""
    distance = model.theatre.km_between(cells[:, None], targets[None, :])
    chosen = targets[np.argmin(distance, axis=1)]
    left = np.broadcast_to(np.asarray(room), targets.shape).copy()
    waiting = np.arange(cells.size)
    while waiting.size and (left > 0).any():
        d = np.where(left[None, :] > 0, distance[waiting], np.inf)
        pick = np.argmin(d, axis=1)
        order = np.lexsort((d[np.arange(waiting.size), pick], pick))        # by target, nearest first
        waiting, pick = waiting[order], pick[order]
        first = np.searchsorted(pick, pick, side="left")
        served = np.arange(pick.size) - first < left[pick]
        chosen[waiting[served]] = targets[pick[served]]
        left -= np.bincount(pick[served], minlength=targets.size)
        waiting = waiting[~served]
    return chosen


def _recent_breaks(model, s: int) -> np.ndarray:
    """Where the side's units that broke in the last day stand, or last stood: worked out once a step for
    all its factions (a unit that leaves the map meanwhile, by a local deal, keeps its last cell)."""
    key = ("recent breaks", model.steps, s)
    cache = model.static_cache
    if key not in cache:
        cache.pop(("recent breaks", model.steps - 1, s), None)
        where, broke = recent_breaks(model, s)
        cache[key] = where[broke]
    return cache[key]


class DoctrineCommander:
    """The doctrine AI (see the module docstring)."""

    def orders(self, model, faction: str, rows: np.ndarray) -> Orders:
        doctrine = model.spec.factions[faction].doctrine
        if doctrine == "offensive":
            return self._offensive(model, faction, rows)
        if doctrine == "defensive":
            return self._defensive(model, faction, rows)
        return Orders()

    # ------------------------------------------------------------ offensive

    def _offensive(self, model, faction: str, rows: np.ndarray) -> Orders:
        t = model.table
        side = model.spec.factions[faction].side
        s = model.side_index[side]
        priority, cells, city = objective_arrays(model, side, faction)
        # a city stays a target until the side holds it (most of its cells), not until every district is won
        city_held = np.array([model.city_owner.get(cid) == s for cid in model.theatre.cities] + [False])
        open_ = (model.control[cells] != s) & ~model.frozen[cells] & ~city_held[city]
        course = self._offensive_course(model, faction, rows, s)
        orders = Orders()
        if course == "consolidate":
            return orders
        if course == "exploit":
            targets = cells[open_]
        else:
            targets = cells[open_ & (priority == priority[open_].min())] if open_.any() else cells[:0]
        free = rows[~model.frozen[t.idx[rows]]]
        own = model.table.objective_cell[free]
        own_open = (own >= 0) & (model.control[np.maximum(own, 0)] != s)
        chosen = np.where(own_open, own, -1)
        attacking = (t.posture[free] == ATTACK) | (t.posture[free] == RESERVE)
        seeking = ~own_open & attacking
        if targets.size and seeking.any():
            # a unit already making for one of today's targets keeps it (no churn as the front moves); the
            # others are spread over the room the targets have left
            current = t.last_target[free]
            is_target = np.zeros(model.theatre.n + 1, dtype=bool)        # the last slot: no target (-1)
            is_target[targets] = True
            keeps = seeking & is_target[current]
            chosen[keeps] = current[keeps]
            needs = seeking & ~keeps
            if needs.any():
                taken = np.bincount(np.searchsorted(targets_sorted := np.sort(targets), current[keeps]),
                                    minlength=targets.size)
                room = model.spec.rules.movement.stacking_limit - taken
                chosen[needs] = spread_over(model, t.idx[free[needs]], targets_sorted, room)
        ok = chosen >= 0
        orders.targets = dict(zip(free[ok].tolist(), chosen[ok].tolist()))
        return orders

    def _offensive_course(self, model, faction: str, rows: np.ndarray, s: int) -> str:
        """attack, consolidate or exploit (see the module docstring); a change of course is an event."""
        state = model.command_state.setdefault(("course", faction), {"course": "attack"})
        d = model.spec.rules.doctrine
        t = model.table
        men = t.personnel[rows]
        morale = float((men * t.morale[rows]).sum() / max(float(men.sum()), 1.0))
        w = model.will
        enemy_will = min((float(w.value[e]) for side, e in w.leadership.items() if model.hostile[s, side]),
                         default=1.0)
        course = state["course"]
        if course != "consolidate" and morale < d.consolidate_morale:
            course, why = "consolidate", f"its units' morale is {morale:.2f}"
        elif course == "consolidate" and morale >= d.resume_morale:
            course, why = "attack", f"its units' morale is back to {morale:.2f}"
        elif course == "attack" and enemy_will < d.exploit_will:
            course, why = "exploit", f"the enemy leadership's will is {enemy_will:.2f}"
        if course != state["course"]:
            state["course"] = course
            verb = {"consolidate": "consolidates", "attack": "attacks again", "exploit": "exploits"}[course]
            model.events.add(StrategicDecision(model.steps, model.day, faction, f"{verb}: {why}"))
        return course

    # ------------------------------------------------------------ defensive

    def _defensive(self, model, faction: str, rows: np.ndarray) -> Orders:
        t = model.table
        side = model.spec.factions[faction].side
        s = model.side_index[side]
        orders = Orders()
        plan = self._campaign(model, s)
        posture = t.posture[rows]
        threat_cell = self._threat_cell(model, side, s) if (posture == RESERVE).any() else None
        if threat_cell is not None:
            orders.targets.update(dict.fromkeys(rows[posture == RESERVE].tolist(), threat_cell))
        attackers = rows[(posture == ATTACK) & (model.table.objective_cell[rows] >= 0)]
        orders.targets.update(zip(attackers.tolist(), model.table.objective_cell[attackers].tolist()))
        orders.withdraw.update(self._broken_sectors(model, s, rows).tolist())
        redeploy = plan["redeploy"]
        moving = [r for r in rows.tolist() if r in redeploy]
        for row in moving:
            if model.theatre.km_between(int(t.idx[row]), redeploy[row]) <= model.theatre.layout.cell_km:
                del redeploy[row]                       # arrived: it holds there
            else:
                orders.targets[row] = redeploy[row]
                orders.withdraw.discard(row)
        deals = model.command_state.setdefault(("deals", faction), {"next": 0.0})
        if model.day >= deals["next"] - 1e-9:          # deals are weighed at the HQ's pace (every step without one)
            hq = model.spec.actors.regime_hq
            deals["next"] = model.day + (hq.review_days if hq else 0.0)
            orders.settle.update(deal_candidates(model, rows).tolist())
        return orders

    def _campaign(self, model, s: int) -> dict:
        """The side's campaign plan, reviewed every `review_days`: places abandoned, the fall-back to the core,
        the units redeploying (row -> cell)."""
        plan = model.command_state.setdefault(("plan", s), {"next": 0.0, "abandoned": {}, "fallback": None,
                                                            "redeploy": {}})
        hq = model.spec.actors.regime_hq
        if hq is None or model.day < plan["next"] - 1e-9:
            return plan
        plan["next"] = model.day + hq.review_days
        side = model.side_ids[s]
        w = model.will
        core = [p for p in hq.core if p in model.theatre.place_cell and model.control[model.theatre.place_cell[p]] == s]
        leadership = float(w.value[w.leadership[s]]) if s in w.leadership else None
        if plan["fallback"] is None and leadership is not None and leadership < hq.fallback_will and core:
            plan["fallback"] = model.day
            names = ", ".join(model.theatre.place(p).name for p in core)      # names, as the reader knows them
            model.events.add(StrategicDecision(model.steps, model.day, "regime_hq",
                                               f"falls back to {names}: the leadership's will is {leadership:.2f}"))
        army = w.army.get(s)
        confidence = float(w.value[army] / max(w.start[army], 1e-9)) if army is not None else 1.0
        for _, cell, cid in objective_cells(model, side, "hold"):
            place = cid or next((p for p, c in model.theatre.place_cell.items() if c == cell), str(cell))
            if place in plan["abandoned"] or place in hq.core or model.control[cell] != s or not core:
                continue
            if plan["fallback"] is not None:
                why = "falling back to the core"
            else:
                odds = self._odds(model, s, cell)
                if odds < max(hq.abandon_min_odds, hq.abandon_odds * confidence):
                    continue
                why = f"enemy {odds:.1f} to 1 within {model.spec.rules.doctrine.threat_km:g} km, army's will " \
                      f"{confidence:.0%} of its start"
            self._abandon(model, s, plan, place, cell, core, why)
        return plan

    def _odds(self, model, s: int, cell: int) -> float:
        t = model.table
        present = np.flatnonzero((t.idx >= 0) & (t.state <= 1))
        near = model.theatre.km_between(cell, t.idx[present]) <= model.spec.rules.doctrine.threat_km
        enemy = near & model.hostile[s, t.side[present]]
        own = near & (t.side[present] == s)
        return float(t.personnel[present[enemy]].sum() / max(float(t.personnel[present[own]].sum()), 1.0))

    def _abandon(self, model, s: int, plan: dict, place: str, cell: int, core: list[str], why: str) -> None:
        """Give a place up: the side's units around it redeploy to the nearest place of the core it holds."""
        t = model.table
        th = model.theatre
        hq = model.spec.actors.regime_hq
        core_cells = np.array([th.place_cell[p] for p in core])
        nearest = int(np.argmin(th.km_between(cell, core_cells)))
        rear = int(core_cells[nearest])
        rows = np.flatnonzero((t.side == s) & (t.idx >= 0) & (t.state <= 1))
        rows = rows[th.km_between(cell, t.idx[rows]) <= hq.sector_km]
        for row in rows.tolist():
            plan["redeploy"][row] = rear
        plan["abandoned"][place] = model.day
        name = th.place(place).name if place in th.place_cell else place
        model.events.add(StrategicDecision(model.steps, model.day, "regime_hq",
                                           f"abandons {name}: {why}; {rows.size} units redeploy to "
                                           f"{th.place(core[nearest]).name}"))

    def _threat_cell(self, model, side: str, s: int) -> int | None:
        """Where the side's reserves go this step (the same for all its defensive factions: computed once)."""
        key = ("threat_cell", model.steps, s)
        cache = model.static_cache
        if key not in cache:
            cache.pop(("threat_cell", model.steps - 1, s), None)
            abandoned = model.command_state.get(("plan", s), {}).get("abandoned", {})
            hold = [c for _, c, cid in objective_cells(model, side, "hold")
                    if model.control[c] == s and cid not in abandoned]
            hq = model.spec.actors.regime_hq
            reacting = hq is None or model.day >= hq.reaction_days - 1e-9
            if hold and hq is not None and reacting:     # reserves are not fed into a sector already breaking
                hold = [c for c, gone in zip(hold, self._collapsed(model, s, np.array(hold))) if not gone]
            cache[key] = self._most_threatened(model, s, hold) if reacting else None
        return cache[key]

    @staticmethod
    def _enemies(model, s: int) -> np.ndarray:
        t = model.table
        return np.flatnonzero((t.idx >= 0) & (t.state <= 1) & model.hostile[s, t.side])

    def _most_threatened(self, model, s: int, cells: list[int]) -> int | None:
        enemies = self._enemies(model, s)
        if not cells or enemies.size == 0:
            return None
        t = model.table
        distance = model.theatre.km_between(np.array(cells)[:, None], t.idx[enemies][None, :])
        threat = ((distance <= model.spec.rules.doctrine.threat_km) * t.personnel[enemies][None, :]).sum(axis=1)
        return int(cells[int(np.argmax(threat))]) if threat.max() > 0 else None

    @staticmethod
    def _collapsed(model, s: int, cells: np.ndarray) -> np.ndarray:
        """Bool per cell: within `sector_km` of it, the regime HQ's `withdraw_share` of the side's units
        have broken in the last day."""
        hq = model.spec.actors.regime_hq
        t = model.table
        last_cells = _recent_breaks(model, s)
        if last_cells.size == 0:
            return np.zeros(cells.size, dtype=bool)
        th = model.theatre
        mine = np.flatnonzero(t.side == s)
        standing = mine[(t.idx[mine] >= 0) & (t.state[mine] <= 1)]
        broke = th.count_within(cells, last_cells, hq.sector_km)
        holding = th.count_within(cells, t.idx[standing], hq.sector_km)
        return (broke > 0) & (broke >= hq.withdraw_share * np.maximum(1, broke + holding))

    def _broken_sectors(self, model, s: int, rows: np.ndarray) -> np.ndarray:
        """Rows in sectors where the regime HQ's share of units has broken in the last day."""
        hq = model.spec.actors.regime_hq
        if hq is None or rows.size == 0:
            return np.array([], dtype=np.int64)
        t = model.table
        last_cells = _recent_breaks(model, s)
        if last_cells.size == 0:
            return np.array([], dtype=np.int64)
        th = model.theatre
        breaks = th.count_within(t.idx[rows], last_cells, hq.sector_km)
        exposed = rows[breaks > 0]
        if exposed.size == 0:
            return exposed
        standing = th.count_within(t.idx[exposed], t.idx[rows], hq.sector_km)
        share = breaks[breaks > 0] / np.maximum(1.0, breaks[breaks > 0] + standing)
        steady = ~t.elite[exposed] & (t.posture[exposed] != HOLD)
        return exposed[(share >= hq.withdraw_share) & steady]

    # ------------------------------------------------------------ air

    def rank_air_targets(self, model, faction: str, candidates: np.ndarray) -> np.ndarray:
        t = model.table
        side = model.spec.factions[faction].side
        s = model.side_index[side]
        candidates = candidates[~model.frozen[t.idx[candidates]]]
        if candidates.size == 0:
            return candidates
        hold = [c for _, c, _ in objective_cells(model, side, "hold") if model.control[c] == s]
        friends = np.flatnonzero((t.idx >= 0) & (t.side == s) & (t.state != ROUTING))
        anchors = np.array(hold or t.idx[friends].tolist() or [t.idx[candidates[0]]])
        distance = model.theatre.km_between(t.idx[candidates][:, None], anchors[None, :]).min(axis=1)
        d = model.spec.rules.doctrine
        threat = (offensive_power(model, candidates) * (1.0 + t.advance_km[candidates] / d.air_advance_scale_km)
                  / (1.0 + distance / d.air_distance_scale_km))
        return candidates[np.argsort(-threat, kind="stable")]
