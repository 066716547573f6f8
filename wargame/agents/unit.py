"""Ground units: battalion-to-brigade formations as Mesa ``CellAgent``s on the hex grid.

A unit has personnel (now and at the start), equipment, training quality, morale and cohesion in [0, 1],
a posture, a supply stock, a state and a morale ledger that records every change of morale with the
factor that caused it, so a report can say why a unit broke.
"""

from __future__ import annotations

from collections import defaultdict
from enum import Enum

from mesa.discrete_space import CellAgent


class State(str, Enum):
    ACTIVE = "active"
    SHAKEN = "shaken"
    ROUTING = "routing"
    SURRENDERED = "surrendered"
    DISSOLVED = "dissolved"
    DEFECTED = "defected"
    DESTROYED = "destroyed"

    @property
    def gone(self) -> bool:
        """No longer on the map as a fighting unit."""
        return self in (State.SURRENDERED, State.DISSOLVED, State.DEFECTED, State.DESTROYED)


STATES = tuple(s.value for s in State)


class GroundUnit(CellAgent):
    """A ground formation. Rules in ``wargame.rules`` act on these attributes phase by phase."""

    def __init__(self, model, *, key: str, name: str, faction: str, side: str, utype: str, personnel: int,
                 armour: int, artillery: int, quality: float, morale: float, cohesion: float, posture: str,
                 elite: bool, group: str | None, objective: str | None, breakpoint: float, idx: int):
        super().__init__(model)
        self.key = key
        self.name = name
        self.faction = faction
        self.side = side
        self.utype = utype
        self.personnel = float(personnel)
        self.personnel_start = float(personnel)
        self.armour = float(armour)
        self.artillery = float(artillery)
        self.quality = quality
        self.morale = morale
        self.cohesion = cohesion
        self.posture = posture
        self.elite = elite
        self.group = group
        self.objective = objective
        self.active_from_day = 0.0            # before this day its commander keeps it in place
        self.breakpoint = breakpoint          # share of starting personnel lost at which it breaks
        self.state = State.ACTIVE
        self.supply = 1.0
        self.cut_off = False
        self.in_contact = False
        self.moved = False                    # moved this step (no prepared defence)
        self.withdraw = False                 # ordered back one cell after losing a fight
        self.enemy_ratio = 0.0                # enemy fire against own resilience, last combat
        self.target_cell: int | None = None   # where its commander sends it this step
        self.progress_km = 0.0                # movement banked towards the next cell
        self.losses_step = 0.0
        self.fire_received = 0.0
        self.ledger: dict[str, float] = defaultdict(float)   # factor -> cumulative morale change
        self.ledger_recent: list[tuple[int, str, float]] = []  # (step, factor, change), kept short
        self.idx = -1
        self.place(idx)

    # ------------------------------------------------------------ derived values

    def place(self, idx: int) -> None:
        """Move to the cell with flat index `idx` (the Mesa cell and the cached index stay in step)."""
        self.idx = int(idx)
        self.cell = self.model.cells[self.idx]

    @property
    def loss_share(self) -> float:
        return 1.0 - self.personnel / self.personnel_start if self.personnel_start else 1.0

    @property
    def fighting(self) -> bool:
        """Able to hold ground and fight: active or shaken, not routing or gone."""
        return self.state in (State.ACTIVE, State.SHAKEN)

    # ------------------------------------------------------------ morale ledger

    def change_morale(self, factors: dict[str, float]) -> None:
        """Apply this step's morale changes together and record each in the ledger with its factor.

        Morale stays in [0, 1]; when the bound cuts the total change, every factor's entry is scaled by
        the same proportion, so the order of the factors never decides what the ledger blames.
        """
        total = sum(factors.values())
        if total == 0.0:
            return
        before = self.morale
        self.morale = min(1.0, max(0.0, self.morale + total))
        scale = (self.morale - before) / total
        for factor, delta in factors.items():
            applied = delta * scale
            if applied != 0.0:
                self.ledger[factor] += applied
                self.ledger_recent.append((self.model.turn, factor, applied))
        if len(self.ledger_recent) > 400:
            del self.ledger_recent[:200]

    def break_attribution(self, window_steps: int) -> dict[str, float]:
        """Shares of the morale lost over the last `window_steps` steps, by factor (sums to 1)."""
        since = self.model.turn - window_steps
        lost: dict[str, float] = defaultdict(float)
        for step, factor, change in self.ledger_recent:
            if step > since and change < 0:
                lost[factor] -= change
        total = sum(lost.values())
        if total <= 0:
            return {}
        return {k: round(v / total, 4) for k, v in sorted(lost.items(), key=lambda kv: -kv[1])}

    def remove_from_map(self, state: State) -> None:
        """Leave the map (surrendered, dissolved, defected or destroyed); the agent stays for the record."""
        self.state = state
        self.target_cell = None
        self.in_contact = False
        self.cell = None
        self.idx = -1

    def __repr__(self) -> str:
        return f"<{self.key} {self.faction} {self.state.value} {self.personnel:.0f}>"
