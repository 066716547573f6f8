"""A team's orders as a commander (commanders.base): the doctrine AI proposes, the team's sector stances
decide. Sectors left at "doctrine" are played as the AI would; "hold" keeps units where they are, dug in;
"attack" sends them towards the sector's axis (or the AI's target); "withdraw" falls back. The rebels'
tempo keeps only a share of the attacks (the same units each turn: the lowest rows). Aircraft strike
spotted enemies in the team's priority sectors first, in the AI's order within each."""

from __future__ import annotations

import numpy as np

from wargame.agents.unit import POSTURES
from wargame.commanders import DOCTRINE
from wargame.commanders.base import Orders
from wargame.play.orders import TEMPO_SHARE


class TeamCommander:
    def __init__(self, sectors):
        self.sectors = sectors
        self.orders_now = None             # the team's orders for the turn being resolved (None: all doctrine)

    def orders(self, model, faction: str, rows: np.ndarray) -> Orders:
        base = DOCTRINE.orders(model, faction, rows)
        given = self.orders_now
        if given is None or not (getattr(given, "sectors", None) or hasattr(given, "tempo")
                                 or getattr(given, "reserves_to", None)):
            return base
        t = model.table
        sector_of = self.sectors.of_cell[np.maximum(t.idx[rows], 0)]
        targets = dict(base.targets)
        withdraw = set(base.withdraw)
        postures = dict(base.postures)
        for sector, order in getattr(given, "sectors", {}).items():
            k = self.sectors.index(sector)
            mine = rows[sector_of == k]
            for row in map(int, mine):
                if order.stance == "hold":
                    targets.pop(row, None)
                    withdraw.discard(row)
                    postures[row] = "defend"
                elif order.stance == "withdraw":
                    targets.pop(row, None)
                    withdraw.add(row)
                elif order.stance == "attack":
                    withdraw.discard(row)
                    postures[row] = "attack"
                    if order.axis is not None:
                        targets[row] = int(model.theatre.place_cell[order.axis])
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
        return Orders(targets=targets, withdraw=withdraw, postures=postures)

    def rank_air_targets(self, model, faction: str, candidates: np.ndarray) -> np.ndarray:
        ranked = DOCTRINE.rank_air_targets(model, faction, candidates)
        priorities = list(getattr(self.orders_now, "air_priorities", []) or [])
        if not priorities or ranked.size == 0:
            return ranked
        sector_of = self.sectors.of_cell[np.maximum(model.table.idx[ranked], 0)]
        order = {self.sectors.index(s): i for i, s in enumerate(priorities)}
        rank = np.array([order.get(int(s), len(order)) for s in sector_of])
        return ranked[np.argsort(rank, kind="stable")]
