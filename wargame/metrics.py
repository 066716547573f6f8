"""Per-step metrics of a run, computed with numpy over the unit table and the map, for the DataCollector;
and the per-unit records, taken a column at a time.

Names: ``<measure>_<faction>`` for forces (personnel, morale, cohesion, units in each state, killed,
captured, deserted, defected in and out, reinforcements, equipment captured), ``<measure>_<side>`` for
ground and air (territory share, cities held, supplied and encircled cells, units cut off, sorties,
strikes, missiles, drone raids).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wargame.agents.unit import GONE_FROM, POSTURES, STATES, UNIT_TYPES
from wargame.model_tallies import TALLIES

EQUIPMENT = ("armour", "artillery", "air_defence", "aircraft")


def metric_names(model) -> list[str]:
    names = ["day"]
    for fid in model.faction_ids:
        names += [f"personnel_{fid}", f"morale_{fid}", f"cohesion_{fid}"]
        names += [f"{tally}_{fid}" for tally in TALLIES]
        names += [f"units_{state}_{fid}" for state in STATES]
        names += [f"captured_{kind}_{fid}" for kind in EQUIPMENT]
    for sid in model.side_ids:
        names += [f"territory_{sid}", f"cities_{sid}", f"supplied_cells_{sid}", f"encircled_cells_{sid}",
                  f"units_cut_off_{sid}", f"sorties_{sid}", f"air_strikes_{sid}", f"missiles_{sid}",
                  f"drone_raids_{sid}", f"aircraft_{sid}"]
    return names


def compute_metrics(model) -> dict[str, float]:
    t = model.table
    out: dict[str, float] = {"day": round(model.day, 4)}
    n_factions = len(model.faction_ids)
    present = t.state < GONE_FROM
    faction = t.faction
    personnel = np.bincount(faction[present], weights=t.personnel[present], minlength=n_factions)
    morale = np.bincount(faction[present], weights=(t.personnel * t.morale)[present], minlength=n_factions)
    cohesion = np.bincount(faction[present], weights=(t.personnel * t.cohesion)[present], minlength=n_factions)
    states = np.zeros((n_factions, len(STATES)), dtype=np.int64)
    np.add.at(states, (faction, t.state), 1)
    for f, fid in enumerate(model.faction_ids):
        out[f"personnel_{fid}"] = round(float(personnel[f]), 1)
        out[f"morale_{fid}"] = round(float(morale[f] / personnel[f]), 4) if personnel[f] > 0 else 0.0
        out[f"cohesion_{fid}"] = round(float(cohesion[f] / personnel[f]), 4) if personnel[f] > 0 else 0.0
        for tally in TALLIES:
            out[f"{tally}_{fid}"] = round(float(model.tally[tally][f]), 1)
        for k, state in enumerate(STATES):
            out[f"units_{state}_{fid}"] = int(states[f, k])
        for kind in EQUIPMENT:
            out[f"captured_{kind}_{fid}"] = round(float(model.captured_equipment[kind][f]), 1)
    inside = model.theatre.inside
    n_inside = int(inside.sum())
    n_sides = len(model.side_ids)
    held = np.bincount(model.control[inside].clip(min=0), minlength=n_sides)
    cities = np.bincount(list(model.city_owner.values()), minlength=n_sides)
    cut = np.bincount(t.side[present & t.cut_off], minlength=n_sides)
    aircraft = np.zeros(n_sides)
    for wing in model.wings:
        if wing.spec.kind == "tactical":
            aircraft[wing.side] += wing.aircraft
    for s, sid in enumerate(model.side_ids):
        out[f"territory_{sid}"] = round(held[s] / n_inside, 5)
        out[f"cities_{sid}"] = int(cities[s])
        out[f"supplied_cells_{sid}"] = int(model.supply_layers[s].sum())
        out[f"encircled_cells_{sid}"] = int(((model.control == s) & ~model.connected[s]).sum())
        out[f"units_cut_off_{sid}"] = int(cut[s])
        out[f"sorties_{sid}"] = round(float(model.air_stats["sorties"][s]), 2)
        out[f"air_strikes_{sid}"] = int(model.air_stats["strikes"][s])
        out[f"missiles_{sid}"] = round(float(model.air_stats["missiles"][s]), 1)
        out[f"drone_raids_{sid}"] = int(model.air_stats["drone_raids"][s])
        out[f"aircraft_{sid}"] = round(float(aircraft[s]), 1)
    return out


class UnitRecorder:
    """Per-unit records each step, kept as column snapshots (cheap) and turned into a table at the end."""

    COLUMNS = ("idx", "personnel", "morale", "cohesion", "supply", "state", "posture", "in_contact", "cut_off",
               "armour", "artillery")

    def __init__(self, model):
        self.model = model
        self.snapshots: list[tuple[int, dict[str, np.ndarray]]] = []

    def record(self) -> None:
        t = self.model.table
        self.snapshots.append((self.model.turn, {c: getattr(t, c).copy() for c in self.COLUMNS}))

    def frame(self) -> pd.DataFrame:
        model = self.model
        keys = np.array([a.key for a in model.unit_agents])
        factions = np.array(model.faction_ids)[model.table.faction]
        sides = np.array(model.side_ids)[model.table.side]
        types = np.array(UNIT_TYPES)[model.table.utype]
        parts = []
        for step, columns in self.snapshots:
            n = columns["idx"].size
            parts.append(pd.DataFrame({
                "step": step, "unit": keys[:n], "faction": factions[:n], "side": sides[:n], "type": types[:n],
                "cell": columns["idx"], "personnel": columns["personnel"].round(1),
                "morale": columns["morale"].round(4), "cohesion": columns["cohesion"].round(4),
                "supply": columns["supply"].round(4), "state": np.array(STATES)[columns["state"]],
                "posture": np.array(POSTURES)[columns["posture"]], "in_contact": columns["in_contact"],
                "cut_off": columns["cut_off"], "armour": columns["armour"].round(2),
                "artillery": columns["artillery"].round(2)}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
