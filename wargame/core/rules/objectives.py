"""Objectives: how far each side has got with what it set out to take or hold.

Progress of a capture objective is the share of its places the side holds; of an area objective, the share
of the area's cells it holds; of a hold objective, the share of its places still held. A city is held by
the side holding most of its built-up cells (the rule of its fall: a pocket such as the SDF's Sheikh
Maqsoud in Aleppo does not keep the city from falling); any other place by its cell. The first time a
capture objective is complete, or an area objective reaches its `share`, an ObjectiveAchieved event is
logged (this is what the validation suite times, e.g. the regime holding 90 percent of east Aleppo); an
objective its side already meets at the start (idlib_2020's rebels "retaking" Saraqib, which they hold on
day 0) is achieved only once it has been lost and won back.
"""

from __future__ import annotations

import numpy as np

from wargame.core.events import ObjectiveAchieved


def objective_cells(model) -> dict[str, np.ndarray]:
    """The cells each objective is about: its places' cells, or the cells of its area."""
    th = model.theatre
    out = {}
    for oid, objective in model.spec.objectives.items():
        if objective.kind == "area":
            out[oid] = np.flatnonzero(th.cells_in_polygon(objective.area))
        else:
            out[oid] = np.array([th.place_cell[p] for p in objective.places], dtype=np.int64)
    return out


def place_held(model, place: str, side: int) -> bool:
    """Whether a side holds a place: a city by most of its built-up cells, anything else by its cell."""
    if place in model.theatre.cities:
        return model.city_owner.get(place) == side
    return bool(model.control[model.theatre.place_cell[place]] == side)


def update_objectives(model) -> None:
    for oid, objective in model.spec.objectives.items():
        side = model.side_index[objective.side]
        if objective.kind == "area":
            cells = model.objective_cells[oid]
            held = float(np.mean(model.control[cells] == side)) if cells.size else 0.0
        else:
            # the share of places held (count over number: what np.mean of the flags gives, without an array)
            held = sum(place_held(model, p, side) for p in objective.places) / len(objective.places)
        model.objective_progress[oid] = held
        target = objective.share if objective.kind == "area" else 1.0
        complete = held >= target - 1e-12
        if not complete:
            model.objectives_open.add(oid)
        elif objective.kind != "hold" and oid in model.objectives_open and oid not in model.objectives_achieved:
            model.objectives_achieved[oid] = model.day
            model.events.add(ObjectiveAchieved(model.steps, model.day, oid, objective.side, round(held, 4)))
