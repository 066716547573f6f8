"""A team's orders as a commander (rules.orders): the doctrine AI proposes, the team's sector stances
decide, for the turn they are given. Sectors left at "doctrine" are played as the AI would; "hold" keeps
units where they are; "attack" sends them towards the sector's axis (or, with none, the AI's target, else
the enemy-held ground of the sector nearest its centre); "withdraw" falls back. The rebels' tempo keeps
only a share of the attacks (the same units each turn: the lowest rows). Aircraft strike spotted enemies
in the team's priority sectors and places first (play.airpower.target_rank), in the AI's order within each."""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import POSTURES
from wargame.core.commanders import DOCTRINE
from wargame.core.rules.orders import Orders
from wargame.play.airpower import target_rank
from wargame.play.orders import TEMPO_SHARE


class TeamCommander:
    def __init__(self, sectors, places=None):
        self.sectors = sectors
        self.places = places               # play.airpower.PlaceAreas: air priorities may name places
        self.orders_now = None             # the team's orders for the turn being resolved (None: all doctrine)

    def orders(self, model, faction: str, rows: np.ndarray) -> Orders:
        """The doctrine's orders with the team's sector stances applied to targets and withdrawals only:
        postures stay the doctrine's, so a stance lasts the turn it was given and no longer."""
        base = DOCTRINE.orders(model, faction, rows)
        given = self.orders_now
        if given is None:
            return base
        t = model.table
        sector_of = self.sectors.of_cell[np.maximum(t.idx[rows], 0)]
        targets = dict(base.targets)
        withdraw = set(base.withdraw)
        for sector, order in getattr(given, "sectors", {}).items():
            k = self.sectors.index(sector)
            mine = [int(r) for r in rows[sector_of == k]]
            if order.stance == "hold":
                for row in mine:
                    targets.pop(row, None)
                    withdraw.discard(row)
            elif order.stance == "withdraw":
                for row in mine:
                    targets.pop(row, None)
                    withdraw.add(row)
            elif order.stance == "attack":
                goal = (int(model.theatre.place_cell[order.axis]) if order.axis is not None
                        else self._enemy_ground(model, faction, k))
                for row in mine:
                    withdraw.discard(row)
                    if order.axis is not None or row not in targets:
                        if goal is not None:
                            targets[row] = goal
        reserves_to = getattr(given, "reserves_to", None)
        if reserves_to is not None:          # the reserves make for the sector's centre
            centre = self.sectors.centre[reserves_to]
            for row in map(int, rows[t.posture[rows] == POSTURES.index("reserve")]):
                targets[row] = centre
                withdraw.discard(row)
        tempo = getattr(given, "tempo", None)
        if tempo is not None and tempo != "all_out":
            attacking = sorted(targets)
            keep = int(round(len(attacking) * TEMPO_SHARE[tempo]))
            for row in attacking[keep:]:
                targets.pop(row)
        return Orders(targets=targets, withdraw=withdraw, postures=dict(base.postures), settle=set(base.settle))

    def _enemy_ground(self, model, faction: str, sector: int) -> int | None:
        """An attack with no axis: the enemy-held cell of the sector nearest its centre (None if none)."""
        side = model.table.side[model.table.faction == model.faction_ids.index(faction)]
        if side.size == 0:
            return None
        hostile = model.hostile[int(side[0])]
        held = np.flatnonzero((self.sectors.of_cell == sector) & (model.control >= 0)
                              & hostile[np.maximum(model.control, 0)])
        if held.size == 0:
            return None
        th, centre = model.theatre, self.sectors.centre[self.sectors.ids[sector]]
        return int(held[np.argmin(np.hypot(th.x[held] - th.x[centre], th.y[held] - th.y[centre]))])

    def rank_air_targets(self, model, faction: str, candidates: np.ndarray) -> np.ndarray:
        ranked = DOCTRINE.rank_air_targets(model, faction, candidates)
        priorities = list(getattr(self.orders_now, "air_priorities", []) or [])
        if not priorities or ranked.size == 0:
            return ranked
        rank = target_rank(priorities, self.sectors, self.places, model.table.idx[ranked])
        return ranked[np.argsort(rank, kind="stable")]
