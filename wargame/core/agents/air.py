"""Air wings, strike assets and air defences as Mesa agents (not on the grid: a base may lie outside the
theatre, and missiles fly from ships).

A wing's aircraft are its scenario count plus reinforcements minus losses, so a timeline event or an
override that changes the scenario's count still acts.
"""

from __future__ import annotations

import mesa

from wargame.core.scenario.forces import AirDefence, StrikeAsset, TacticalWing

AIR_DEFENCE_TYPES = ("s400", "s300", "pantsir", "ew")


class AirWingAgent(mesa.Agent):
    """Tactical aircraft flying sorties from a base, or bombers / cruise missiles striking in salvos."""

    def __init__(self, model, key: str):
        super().__init__(model)
        self.key = key
        self.added = 0.0
        self.lost_aircraft = 0.0
        self.sorties_flown = 0.0
        self.withdrawn = False          # its patron has taken it home
        self.next_salvo_day = self.spec.first_day

    @property
    def spec(self) -> TacticalWing | StrikeAsset:
        return self.model.spec.air[self.key]

    @property
    def faction(self) -> str:
        return self.spec.faction

    @property
    def side(self) -> int:
        return self.model.faction_side[self.model.faction_index[self.spec.faction]]

    @property
    def base(self) -> str | None:
        return self.spec.base

    @property
    def aircraft(self) -> float:
        return max(0.0, self.spec.aircraft + self.added - self.lost_aircraft)

    @aircraft.setter
    def aircraft(self, value: float) -> None:
        self.lost_aircraft = self.spec.aircraft + self.added - max(0.0, value)

    def operating(self) -> bool:
        """Flying today: started, not withdrawn, and its base (if on the map) still held by its side."""
        model = self.model
        if model.day < self.spec.first_day or self.aircraft <= 0 or self.withdrawn:
            return False
        cell = model.theatre.place_cell.get(self.base) if self.base else None
        return cell is None or model.control[cell] == self.side


class AirDefenceAgent(mesa.Agent):
    """S-400, S-300, Pantsir and electronic-warfare systems protecting a base against drones."""

    def __init__(self, model, key: str):
        super().__init__(model)
        self.key = key
        spec = self.spec
        self.counts = {kind: float(getattr(spec, kind)) for kind in AIR_DEFENCE_TYPES}

    @property
    def spec(self) -> AirDefence:
        return self.model.spec.air_defence[self.key]

    @property
    def side(self) -> int:
        return self.model.faction_side[self.model.faction_index[self.spec.faction]]

    @property
    def base(self) -> str:
        return self.spec.at

    @property
    def systems(self) -> float:
        return sum(self.counts.values())

    @systems.setter
    def systems(self, value: float) -> None:
        if value == 0:
            self.counts = dict.fromkeys(self.counts, 0.0)

    def leak(self) -> float:
        """Chance that one drone gets through every layer of this base's defences."""
        rules = self.model.spec.rules.air
        p = 1.0
        for kind, count in self.counts.items():
            p *= (1.0 - getattr(rules, f"intercept_{kind}")) ** count
        return p


def build_air(model) -> tuple[list[AirWingAgent], list[AirDefenceAgent]]:
    wings = [AirWingAgent(model, key) for key in model.spec.air]
    defences = [AirDefenceAgent(model, key) for key in model.spec.air_defence]
    return wings, defences
