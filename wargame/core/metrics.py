"""Per-step metrics of a run, computed with numpy over the unit table and the map, for the DataCollector;
and the per-unit records, taken a column at a time.

Names: ``<measure>_<faction>`` for forces (personnel, morale, cohesion, units in each state, killed,
captured, deserted, defected in and out, reinforcements, equipment captured), ``<measure>_<side>`` for
ground and air (territory share, cities held, supplied and encircled cells, units cut off, sorties,
strikes, missiles, drone raids); ``will_<faction>`` and ``will_<side>_leadership`` for the will to fight
(rules.will).
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from wargame.core.agents.unit import GONE_FROM, POSTURES, STATES, UNIT_TYPES
from wargame.core.tallies import TALLIES

EQUIPMENT = ("armour", "artillery", "air_defence", "aircraft")
COUNTS = ("units_", "cities_", "supplied_cells_", "encircled_cells_", "air_strikes_", "drone_raids_")


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
    names += [f"objective_{oid}" for oid in model.spec.objectives]
    names += [f"will_{entry}" for entry in model.will.names]     # factions, then leaderships (rules.will)
    return names


def compute_metrics(model) -> dict[str, float]:
    """All metrics of the current step, computed as arrays and laid out in metric_names order."""
    t = model.table
    n_factions, n_sides = len(model.faction_ids), len(model.side_ids)
    present = t.state < GONE_FROM
    faction = t.faction
    personnel = np.bincount(faction[present], weights=t.personnel[present], minlength=n_factions)
    weighted = np.divide(1.0, personnel, out=np.zeros(n_factions), where=personnel > 0)
    morale = np.bincount(faction[present], weights=(t.personnel * t.morale)[present], minlength=n_factions) * weighted
    cohesion = np.bincount(faction[present], weights=(t.personnel * t.cohesion)[present], minlength=n_factions) * weighted
    states = np.zeros((n_factions, len(STATES)), dtype=np.int64)
    np.add.at(states, (faction, t.state), 1)
    per_faction = np.column_stack(
        [personnel.round(1), morale.round(4), cohesion.round(4)]
        + [model.tally[tally].round(1) for tally in TALLIES] + [states]
        + [model.captured_equipment[kind].round(1) for kind in EQUIPMENT])

    inside = model.theatre.inside
    held = np.bincount(model.control[inside].clip(min=0), minlength=n_sides)
    cities = np.bincount(list(model.city_owner.values()), minlength=n_sides)
    cut = np.bincount(t.side[present & t.cut_off], minlength=n_sides)
    aircraft = np.zeros(n_sides)
    for wing in model.wings:
        if wing.spec.kind == "tactical" and wing.operating():       # grounded wings fly nothing
            aircraft[wing.side] += wing.aircraft
    encircled = [int(((model.control == s) & ~model.connected[s]).sum()) for s in range(n_sides)]
    per_side = np.column_stack([
        (held / int(inside.sum())).round(5), cities, [int(layer.sum()) for layer in model.supply_layers], encircled,
        cut, model.air_stats["sorties"].round(2), model.air_stats["strikes"], model.air_stats["missiles"].round(1),
        model.air_stats["drone_raids"], aircraft.round(1)])
    values = ([round(model.day, 4)] + per_faction.ravel().tolist() + per_side.ravel().tolist()
              + [round(model.objective_progress.get(oid, 0.0), 4) for oid in model.spec.objectives]
              + model.will.value.round(4).tolist())
    counts = model.static_cache.get("metric_is_count")
    if counts is None:
        counts = model.static_cache["metric_is_count"] = [name.startswith(COUNTS) for name in model.metric_names]
    return {name: int(v) if count else v for name, v, count in zip(model.metric_names, values, counts)}


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector for model reporters whose values are plain numbers. Mesa deep-copies every
    value it collects (a reporter might return a list that later changes); numbers cannot change, and the
    copying was a tenth of a step's cost, so this one stores them as they are."""

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)
        metrics = model.metrics             # our reporters read this step's metrics: read them directly
        appends = self.__dict__.get("_appends")
        if appends is None or len(appends) != len(self.model_reporters):
            appends = self._appends = [(var, reporter, self.model_vars[var].append)
                                       for var, reporter in self.model_reporters.items()]
        for var, reporter, append in appends:
            append(metrics[var] if var in metrics else reporter(model))


class UnitRecorder:
    """Per-unit records each step, kept as column snapshots (cheap) and turned into a table at the end;
    and the control of every cell each step (8 bits a cell), which the campaign maps shade."""

    COLUMNS = ("idx", "personnel", "morale", "cohesion", "supply", "state", "posture", "in_contact", "cut_off",
               "armour", "artillery")

    def __init__(self, model):
        self.model = model
        self.snapshots: list[tuple[int, dict[str, np.ndarray]]] = []
        self.control: list[np.ndarray] = []

    def record(self) -> None:
        t = self.model.table
        self.snapshots.append((self.model.steps, {c: getattr(t, c).copy() for c in self.COLUMNS}))
        self.control.append(self.model.control.astype(np.int8, copy=True))

    def control_history(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, control): the step of each snapshot and a steps x cells array of side indices (-1 none)."""
        steps = np.array([step for step, _ in self.snapshots], dtype=np.int32)
        return steps, np.stack(self.control) if self.control else np.zeros((0, self.model.theatre.n), np.int8)

    def frame(self) -> pd.DataFrame:
        model = self.model
        keys = np.array([a.key for a in model.ground_units])
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
