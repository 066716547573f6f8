"""Phase 1: the scenario's timeline and arrivals.

Rule: at the first step on or after an event's day, `set` events change parameters (validated as any
override is), `note` events are logged and `patron` events move a side's will as a patron's decision does
(rules.will `patrons`, with the decision as an event); units whose `arrives_day` has come enter at their place, and
dormant units (`rises_when`) rise when a side has lost so many cities, or when that side's will has fallen
below `will_below` and its men within `presence_km` of the unit's place are below `presence_below` of what
they were at the start (an uprising, an event with its reason; until then they are not on the map: they
neither fight nor hold ground).
"""

from __future__ import annotations

import numpy as np

from wargame.core.events import Note, ParameterSet, StrategicDecision, Uprising
from wargame.core.scenario.levers import set_parameter
from wargame.core.scenario.schema import Note as NoteSpec
from wargame.core.scenario.schema import PatronSignal


def run_timeline(model) -> None:
    while model.pending_events and model.pending_events[0].day <= model.day + 1e-9:
        event = model.pending_events.pop(0)
        if isinstance(event, NoteSpec):
            model.events.add(Note(model.steps, model.day, event.note))
            continue
        if isinstance(event, PatronSignal):
            model.will.signal(model.side_index[event.side], event.will, event.patron)
            model.events.add(StrategicDecision(model.steps, model.day, event.patron, event.note))
            continue
        for path, value in event.set.items():
            set_parameter(model.spec, path, value, source=f"timeline event of day {event.day}")
            model.events.add(ParameterSet(model.steps, model.day, path, value, event.note))
        model.invalidate_supply()                                # a rule of supply may have changed
        model.params_version += 1
    while model.pending_units and model.pending_units[0][0] <= model.day + 1e-9:
        _, key, spec = model.pending_units.pop(0)
        model.deploy(key, spec, arriving=True)
    for key, spec in list(model.dormant_units):
        why = rising(model, key, spec)
        if why is not None:
            model.dormant_units.remove((key, spec))
            units = model.deploy(key, spec, arriving=True)
            model.events.add(Uprising(model.steps, model.day, spec.faction, len(units),
                                      int(round(sum(u.personnel for u in units))), spec.at or nearest_town(model, spec),
                                      why))


def nearest_town(model, spec) -> str:
    """The city or town nearest a unit placed by coordinates (what its uprising is named after)."""
    th = model.theatre
    towns = list(th.cities.values())
    if not towns:
        return ""
    cell = th.cell_at(spec.lat, spec.lon)
    return towns[int(np.argmin(th.km_between(cell, np.array([c.cell for c in towns]))))].id


def rising(model, key: str, spec) -> str | None:
    """Why a dormant unit rises now (None: it stays quiet). See RiseTrigger: cities lost, or the side's
    will and its presence around the unit's place both fallen."""
    trigger = spec.rises_when
    s = model.side_index[trigger.side]
    if trigger.cities_lost is not None and model.cities_lost[s] >= trigger.cities_lost:
        return f"the {trigger.side} side has lost {int(model.cities_lost[s])} of the cities it must hold"
    if trigger.will_below is None:
        return None
    w = model.will
    will = float(w.value[w.leadership[s]]) if s in w.leadership else float(w.value[w.side == s].min())
    men = model.static_cache.get(("presence", key))
    if men is not None and will >= trigger.will_below:
        return None                      # the side's will holds: no need to count its men
    t = model.table
    th = model.theatre
    centre = th.place_cell[spec.at] if spec.at else int(th.cell_at(spec.lat, spec.lon))
    present = (t.idx >= 0) & (t.state <= 1) & (t.side == s)
    near = present & (th.km_between(centre, np.maximum(t.idx, 0)) <= trigger.presence_km)
    now = float(t.personnel[near].sum())
    if men is None:                      # the first look is the start: what the side had there then
        men = model.static_cache[("presence", key)] = now
    share = now / men if men > 0 else 0.0
    if will < trigger.will_below and share < trigger.presence_below:
        presence = (f"its men within {trigger.presence_km:g} km are {share:.0%} of what they were" if men > 0
                    else f"it has no men within {trigger.presence_km:g} km")
        return f"the {trigger.side} side's will is {will:.2f} and {presence}"
    return None
