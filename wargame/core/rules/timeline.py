"""Phase 1: the scenario's timeline and arrivals.

Rule: at the first step on or after an event's day, `set` events change parameters (validated as any
override is) and `note` events are logged; units whose `arrives_day` has come enter at their place, and
units that `rises_when` a side has lost so many cities rise once it has (until then they are not on the
map: they neither fight nor hold ground).
"""

from __future__ import annotations

from wargame.core.events import Note, ParameterSet
from wargame.core.scenario.levers import set_parameter
from wargame.core.scenario.schema import Note as NoteSpec


def run_timeline(model) -> None:
    while model.pending_events and model.pending_events[0].day <= model.day + 1e-9:
        event = model.pending_events.pop(0)
        if isinstance(event, NoteSpec):
            model.events.add(Note(model.steps, model.day, event.note))
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
        trigger = spec.rises_when
        if model.cities_lost[model.side_index[trigger.side]] >= trigger.cities_lost:
            model.dormant_units.remove((key, spec))
            model.deploy(key, spec, arriving=True)
