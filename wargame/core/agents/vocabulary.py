"""The fixed vocabularies of ground units: states, postures, unit types, faction kinds, militia groups.

The unit table stores each as its index in these tuples (see table.py); agents and outputs show the names.
"""

from __future__ import annotations

from enum import Enum


class State(str, Enum):
    ACTIVE = "active"
    SHAKEN = "shaken"
    ROUTING = "routing"
    SURRENDERED = "surrendered"
    DISSOLVED = "dissolved"
    DEFECTED = "defected"
    DESTROYED = "destroyed"
    WITHDRAWN = "withdrawn"      # left the theatre by order (a patron's evacuation, a deal's safe passage)

    @property
    def code(self) -> int:
        return STATE_CODES[self]

    @property
    def gone(self) -> bool:
        """No longer on the map as a fighting unit of its faction."""
        return self.code >= GONE_FROM


STATE_LIST = list(State)
STATE_CODES = {s: i for i, s in enumerate(STATE_LIST)}
STATES = tuple(s.value for s in State)
ACTIVE, SHAKEN, ROUTING, SURRENDERED, DISSOLVED, DEFECTED, DESTROYED, WITHDRAWN = range(len(STATE_LIST))
GONE_FROM = SURRENDERED          # states from here on are off the map
POSTURES = ("attack", "defend", "hold", "reserve", "garrison")
UNIT_TYPES = ("infantry", "mechanised", "armour", "special_forces", "militia", "artillery", "advisers",
              "military_police", "headquarters")
KINDS = ("saa", "militia", "russia", "rebel", "static")
GROUPS = ("irgc", "iraqi_pmu", "fatemiyoun", "zeinabiyoun", "hezbollah", "liwa_al_quds", "ndf")
