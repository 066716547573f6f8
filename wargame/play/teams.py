"""Who plays what in a classroom game: the teams, the factions and strategic actors each commands, and the
sectors orders refer to.

A team commands its factions' ground units (through the commander interface, like the doctrine AI) and
turns its strategic levers (actors' parameters). Factions no team holds (the SDF, the southern groups)
are always played by the doctrine AI, as is every team whose seat is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    factions: tuple[str, ...]          # ground factions it commands (those the scenario has)
    actors: tuple[str, ...]            # strategic actors whose levers it holds
    side: str                          # the side whose picture it sees


TEAMS = {
    "russia": Team("russia", "Russia", ("russia",), ("russia_hq",), "regime"),
    "iran": Team("iran", "Iran and its militias", ("iran_axis",), ("iran", "iraqi_militias", "hezbollah"), "regime"),
    "regime": Team("regime", "The Assad regime", ("saa",), ("regime_hq",), "regime"),
    "rebels": Team("rebels", "HTS-led rebels", ("hts", "moc_allies", "rebels", "jaysh_al_fatah"), (), "opposition"),
    "turkey": Team("turkey", "Turkey", ("sna",), ("turkey",), "opposition"),
    "israel": Team("israel", "Israel", (), ("israel",), ""),
}
DEFAULT_TEAMS = ("russia", "iran", "regime", "rebels", "turkey")

# The places that name sectors, where the scenario has them: a cell belongs to the nearest one.
SECTOR_PLACES = ("aleppo", "idlib", "hama", "homs", "damascus", "latakia", "daraa", "raqqa", "deir_ez_zor",
                 "palmyra")


class Sectors:
    """Named sectors of the theatre: each cell belongs to the nearest sector place (a Voronoi partition)."""

    def __init__(self, theatre):
        self.ids = [p for p in SECTOR_PLACES if p in theatre.place_cell]
        if not self.ids:                                   # another map: its cities name the sectors
            self.ids = [c for c, city in theatre.cities.items() if city.kind == "city"][:10]
        self.names = {p: theatre.geodata.places[p].name.split(" (")[0] for p in self.ids}
        self.centre = {p: int(theatre.place_cell[p]) for p in self.ids}
        centres = np.array([[theatre.x[self.centre[p]], theatre.y[self.centre[p]]] for p in self.ids])
        _, nearest = cKDTree(centres).query(np.column_stack([theatre.x, theatre.y]))
        self.of_cell = nearest.astype(np.int64)            # sector index of every cell

    def index(self, sector: str) -> int:
        return self.ids.index(sector)


def teams_in(scenario) -> dict[str, Team]:
    """The teams this scenario can seat: each with the factions and actors the scenario actually has."""
    out = {}
    for team in TEAMS.values():
        factions = tuple(f for f in team.factions if f in scenario.factions)
        actors = tuple(a for a in team.actors if getattr(scenario.actors, a, None) is not None)
        if factions or actors:
            out[team.id] = Team(team.id, team.name, factions, actors, team.side if team.side in scenario.sides
                                else "")
    return out
