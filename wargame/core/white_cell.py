"""What may change a running campaign from outside its rules: the methods of ``WhiteCell``.

A classroom's white cell (injects and overrides), the lab, tests and scenario levers change a model only
through these methods, never by setting its attributes: each keeps the model's derived state (supply to
recompute, cities and objectives held) consistent and records what was done in the event log.
"""

from __future__ import annotations

import numpy as np

from wargame.core.actors import Patron, TurkeyActor
from wargame.core.errors import WargameError
from wargame.core.events import Note, StrategicDecision, Weather
from wargame.core.rules.breaks import defect
from wargame.core.rules.capture import strongest_enemy_near
from wargame.core.rules.control import update_cities
from wargame.core.rules.objectives import update_objectives
from wargame.core.scenario.levers import set_parameter

ISRAELI_TARGETS = ("leadership", "depot", "convoy")
UNIT_ADJUSTABLE = ("morale", "cohesion", "supply")


class WhiteCell:
    """Mixed into the campaign model: the explicit ways to change it while it runs."""

    def set_control(self, cells, side: str) -> None:
        """Hand cells to a side (an instructor's inject, a test): supply is recomputed for the sides touched."""
        cells = np.atleast_1d(np.asarray(cells, dtype=np.int64))
        cells = cells[self.theatre.inside[cells]]
        s = self.side_index[side]
        self.supply_dirty.update(np.unique(self.control[cells]).tolist() + [s])
        self.control[cells] = s
        update_cities(self)
        update_objectives(self)

    def give_city(self, city: str, side: str) -> None:
        """Hand a whole city to a side."""
        if city not in self.theatre.cities or side not in self.side_index:
            raise WargameError(f"city: give a city id and a side ({', '.join(self.side_ids)})")
        self.set_control(np.array(self.theatre.cities[city].cells), side)

    def impose_weather(self, bad: bool, days: float = 1.0) -> None:
        """Weather for the next `days`, whatever the dice say (the daily roll is still drawn, so that the
        random stream after it does not depend on whether weather was imposed)."""
        self.bad_weather = bool(bad)
        self.weather_imposed = (self.bad_weather, self.day + days)
        self.events.add(Weather(self.steps, self.day, self.bad_weather))

    def freeze(self, polygon) -> None:
        """A Russia-Turkey deal: no one attacks into or out of the ground inside the polygon."""
        self.frozen = self.theatre.cells_in_polygon(polygon)

    def add_aircraft(self, wing_key: str, count: int):
        """Aircraft reach a wing (a reinforcement from outside the theatre); returns the wing."""
        wing = next((w for w in self.wings if w.key == wing_key), None)
        if wing is None:
            raise WargameError(f"no wing {wing_key!r}; wings: {', '.join(w.key for w in self.wings) or 'none'}")
        wing.added += count
        return wing

    def israeli_strike(self, target: str) -> None:
        """One Israeli strike now, on the IRGC network's leadership, a depot or a convoy."""
        if target not in ISRAELI_TARGETS or "israel" not in self.actors:
            raise WargameError(f"israeli_strike: target must be {', '.join(ISRAELI_TARGETS)} (and Israel in "
                               "the scenario)")
        self.actors["israel"].strike(target)

    def defect_unit(self, key: str) -> None:
        """A unit on the map goes over to the strongest enemy beside it."""
        unit = self.unit_by_key(key)
        if unit is None or unit.idx < 0:
            raise WargameError(f"defection: no unit {key!r} on the map")
        if strongest_enemy_near(self, unit.row) is None:
            raise WargameError(f"defection: {key} has no enemy beside it to go over to")
        defect(self, unit.row)

    def adjust_unit(self, key: str, **values: float) -> None:
        """Set a unit's morale, cohesion or supply (each in [0, 1])."""
        unit = self.unit_by_key(key)
        if unit is None:
            raise WargameError(f"unit: no unit {key!r}")
        for field, value in values.items():
            if field not in UNIT_ADJUSTABLE:
                raise WargameError(f"unit: {field} cannot be adjusted; allowed: {', '.join(UNIT_ADJUSTABLE)}")
            if not 0.0 <= value <= 1.0:
                raise WargameError(f"unit: {field} must lie in [0, 1]")
        for field, value in values.items():
            getattr(self.table, field)[unit.row] = value

    def steer_patron(self, actor: str, course: str | None, source: str) -> None:
        """A patron's course decided from outside the rules (a classroom team's lever): from now on its
        reviews no longer decide for it; `course` None keeps the present course, else the patron sets out on
        it now (Patron.refuses says which courses it may still take)."""
        patron = self.actors.get(actor)
        if not isinstance(patron, Patron) or isinstance(patron, TurkeyActor):
            raise WargameError(f"{actor!r} is not a patron whose course can be steered")
        refused = patron.refuses(course)
        if refused:
            raise WargameError(f"course: {refused}")
        patron.reviews = False
        if course is not None and course != patron.course:
            patron.take_course(course, f"decided by {source}")

    def set_parameter(self, path: str, value, source: str) -> None:
        """Set one scenario parameter by its dotted path, validated (a lever pulled mid-campaign)."""
        set_parameter(self.spec, path, value, source=source)

    def note(self, text: str) -> None:
        self.events.add(Note(self.steps, self.day, text))

    def record_decision(self, actor: str, text: str) -> None:
        """A decision taken outside the rules (a team's, the white cell's), in the event log."""
        self.events.add(StrategicDecision(self.steps, self.day, actor, text))
