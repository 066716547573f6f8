"""Per-step metrics of a run, computed with numpy over the units and the map, read by the DataCollector.

Names: ``<measure>_<faction>`` for forces (personnel, morale, cohesion, units in each state, casualties),
``<measure>_<side>`` for ground (territory share, cities held, supplied and encircled cells).
"""

from __future__ import annotations

import numpy as np

from wargame.agents.unit import STATES


def metric_names(model) -> list[str]:
    names = ["day"]
    for fid in model.spec.factions:
        names += [f"personnel_{fid}", f"morale_{fid}", f"cohesion_{fid}", f"casualties_{fid}"]
        names += [f"units_{state}_{fid}" for state in STATES]
    for sid in model.side_ids:
        names += [f"territory_{sid}", f"cities_{sid}", f"supplied_cells_{sid}", f"encircled_cells_{sid}"]
    return names


def compute_metrics(model) -> dict[str, float]:
    out: dict[str, float] = {"day": round(model.day, 4)}
    units = list(model.ground_units)
    for fid in model.spec.factions:
        mine = [u for u in units if u.faction == fid]
        on_map = [u for u in mine if u.cell is not None]
        weight = np.array([u.personnel for u in on_map])
        total = float(weight.sum())
        out[f"personnel_{fid}"] = round(total, 1)
        for measure in ("morale", "cohesion"):
            values = np.array([getattr(u, measure) for u in on_map])
            out[f"{measure}_{fid}"] = round(float(values @ weight / total), 4) if total > 0 else 0.0
        out[f"casualties_{fid}"] = round(model.casualties[fid], 1)
        counts = {state: 0 for state in STATES}
        for unit in mine:
            counts[unit.state.value] += 1
        for state in STATES:
            out[f"units_{state}_{fid}"] = counts[state]
    inside = model.theatre.inside
    n_inside = int(inside.sum())
    held = np.bincount(model.control[inside].clip(min=0), minlength=len(model.side_ids))
    cities = np.bincount(list(model.city_owner.values()), minlength=len(model.side_ids))
    for s, sid in enumerate(model.side_ids):
        out[f"territory_{sid}"] = round(held[s] / n_inside, 5)
        out[f"cities_{sid}"] = int(cities[s])
        out[f"supplied_cells_{sid}"] = int(model.supply_layers[s].sum())
        own = model.control == s
        out[f"encircled_cells_{sid}"] = int((own & ~model.connected[s]).sum())
    return out
