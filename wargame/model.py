"""WarModel: the Mesa model of the war, built from a scenario and stepped in fixed phases.

One step (default 6 hours), as in DESIGN.md:
  1. timeline events due and arrivals            (rules.timeline)
  2. commanders decide                            (commanders.doctrine)
  3. control and supply, whole map at once        (rules.control, rules.supply)
  4. air                                          (later: rules.air)
  5. movement                                     (rules.movement)
  6. combat                                       (rules.combat)
  7. morale, breaks                               (rules.morale)
  8. data collection, end conditions

Plain keyword parameters make it drivable by ``mesa.batch_run`` and SolaraViz:
``WarModel(scenario="hts_2024", rng=7, **{"factions.saa.pay": 0.3})`` (or ``factions__saa__pay=0.3``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import HexGrid, PropertyLayer

from wargame.agents.unit import GroundUnit
from wargame.commanders.doctrine import decide
from wargame.events import CampaignEnded, EventLog, UnitArrived
from wargame.metrics import compute_metrics, metric_names
from wargame.rules.combat import resolve_combat
from wargame.rules.control import update_cities, update_control
from wargame.rules.morale import draw_breakpoint, update_morale
from wargame.rules.movement import move_units
from wargame.rules.supply import update_supply
from wargame.rules.timeline import run_timeline
from wargame.scenario import LoadedScenario, load_scenario
from wargame.scenario.schema import UnitSpec
from wargame.theatre import TheatreSpec, build_theatre

UNIT_REPORTERS = {
    "key": "key", "faction": "faction", "side": "side", "type": "utype", "cell": "idx",
    "personnel": "personnel", "morale": "morale", "cohesion": "cohesion", "supply": "supply",
    "posture": "posture", "state": lambda u: u.state.value, "in_contact": "in_contact",
}


def fresh_seed() -> int:
    """A seed from the operating system's entropy, so that a run without one can still be reproduced."""
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])


class WarModel(mesa.Model):
    """The Syrian war on a hex grid of western Syria. See the module docstring for the phases."""

    def __init__(self, scenario: str | Path | LoadedScenario = "hts_2024", rng=None, *,
                 overrides: dict | None = None, collect_units: bool = True, **params):
        overrides = {**(overrides or {}), **params}
        if isinstance(scenario, LoadedScenario) and not overrides:
            loaded = scenario
        else:
            source = scenario.files[-1] if isinstance(scenario, LoadedScenario) else scenario
            base = scenario.overrides if isinstance(scenario, LoadedScenario) else {}
            loaded = load_scenario(source, {**base, **overrides})
        if rng is None:
            rng = fresh_seed()
        super().__init__(rng=rng)
        self.seed = rng if isinstance(rng, (int, np.integer)) else None
        self.loaded = loaded
        self.spec = loaded.scenario.model_copy(deep=True)   # timeline events may change it
        self.turn = 0
        self.events = EventLog(self.spec.meta.start)
        self.end_reason: str | None = None

        t = self.spec.theatre
        self.theatre = build_theatre(TheatreSpec(t.south, t.north, t.west, t.east, t.cell_km))
        self.adjacency_f32 = self.theatre.adjacency.astype(np.float32)
        self._build_sides()
        self._build_grid()
        self.city_owner: dict[str, int] = {}
        update_cities(self)

        self.casualties: dict[str, float] = defaultdict(float)
        self.pending_events = sorted(self.spec.timeline, key=lambda e: e.day)
        specs = sorted(self.spec.units.items(), key=lambda kv: kv[1].arrives_day)
        self.pending_units = [(s.arrives_day, k, s) for k, s in specs if s.arrives_day > 0]
        for key, spec in specs:
            if spec.arrives_day == 0:
                self.deploy(key, spec)

        self.metrics = compute_metrics(self)
        unit_reporters = {GroundUnit: UNIT_REPORTERS} if collect_units else {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reader(name) for name in metric_names(self)},
            agenttype_reporters=unit_reporters,
        )
        self.datacollector.collect(self)
        self.running = True

    # ------------------------------------------------------------------ construction

    def _build_sides(self) -> None:
        self.side_ids = list(self.spec.sides)
        self.side_index = {sid: i for i, sid in enumerate(self.side_ids)}
        n = len(self.side_ids)
        self.hostile = np.zeros((n, n), dtype=bool)
        for sid, side in self.spec.sides.items():
            for enemy in side.enemies:
                self.hostile[self.side_index[sid], self.side_index[enemy]] = True
                self.hostile[self.side_index[enemy], self.side_index[sid]] = True
        self.source_cells = [[self.theatre.place_cell[p] for p in self.spec.sides[sid].supply_sources]
                             for sid in self.side_ids]

    def _build_grid(self) -> None:
        th = self.theatre
        ncols, nrows = th.shape
        self.grid = HexGrid(th.shape, torus=False, random=self.random)
        self.cells = [self.grid[(c, r)] for c in range(ncols) for r in range(nrows)]
        self.grid.add_property_layer(PropertyLayer.from_data("terrain", th.as_grid(th.terrain).copy()))
        self.grid.add_property_layer(PropertyLayer.from_data("control", th.as_grid(self._initial_control())))
        self.control = self.grid.control.data.reshape(-1)          # a view: writes go to the layer
        self.supply_layers, self.influence_layers = [], []
        for sid in self.side_ids:
            for name, store in ((f"supply_{sid}", self.supply_layers), (f"influence_{sid}", self.influence_layers)):
                self.grid.add_property_layer(PropertyLayer(name, th.shape, default_value=False, dtype=bool))
                store.append(getattr(self.grid, name).data.reshape(-1))
        self.connected = [np.zeros(th.n, dtype=bool) for _ in self.side_ids]

    def _initial_control(self) -> np.ndarray:
        th = self.theatre
        control = np.full(th.n, self.side_index[self.spec.control_default], dtype=np.int8)
        for area in self.spec.control:
            if area.polygon is not None:
                mask = th.cells_in_polygon(area.polygon)
            else:
                mask = np.zeros(th.n, dtype=bool)
                mask[th.cells_within(th.place_cell[area.around], area.km)] = True
            control[mask] = self.side_index[area.side]
        control[~th.inside] = -1
        return control

    def deploy(self, key: str, spec: UnitSpec, arriving: bool = False) -> list[GroundUnit]:
        """Create the unit(s) of an order-of-battle entry at their place."""
        th = self.theatre
        centre = th.place_cell[spec.at] if spec.at else th.cell_at(spec.lat, spec.lon)
        faction = self.spec.factions[spec.faction]
        cells = self._placement_cells(int(centre), spec.count)
        created = []
        for i, cell in enumerate(cells):
            quality = faction.quality if spec.quality is None else spec.quality
            cohesion = faction.cohesion if spec.cohesion is None else spec.cohesion
            unit = GroundUnit(
                self, key=key if spec.count == 1 else f"{key}_{i + 1}",
                name=spec.name if spec.count == 1 else f"{spec.name} ({i + 1})",
                faction=spec.faction, side=faction.side, utype=spec.type, personnel=spec.personnel,
                armour=spec.armour, artillery=spec.artillery, quality=quality,
                morale=faction.morale if spec.morale is None else spec.morale, cohesion=cohesion,
                posture=spec.posture, elite=spec.elite, group=spec.group, objective=spec.objective,
                breakpoint=draw_breakpoint(self.rng, quality, cohesion, spec.posture, spec.elite), idx=cell)
            unit.active_from_day = spec.active_from_day
            created.append(unit)
            if arriving:
                self.events.add(UnitArrived(self.turn, self.day, unit.key, unit.name, unit.faction,
                                            spec.at or f"{spec.lat:.3f},{spec.lon:.3f}"))
        return created

    def _placement_cells(self, centre: int, count: int) -> list[int]:
        """`count` cells nearest the centre (itself first) with room under the stacking limit."""
        th = self.theatre
        limit = self.spec.rules.movement.stacking_limit
        stack = np.bincount([u.idx for u in self.units_on_map()], minlength=th.n)
        km = th.layout.cell_km * 1.5
        while True:
            near = th.cells_within(centre, km)
            if near.size >= count * 2 or km > 200:
                break
            km *= 1.6
        order = near[np.lexsort((near, th.km_between(centre, near)))]
        chosen = []
        for cell in order:
            if stack[cell] < limit:
                chosen.append(int(cell))
                stack[cell] += 1
                if len(chosen) == count:
                    return chosen
        return (chosen + [centre] * count)[:count]

    # ------------------------------------------------------------------ views

    @property
    def day(self) -> float:
        """Days since the start at the end of the current step."""
        return self.turn / self.spec.steps_per_day

    @property
    def ground_units(self):
        """All ground units ever created (an AgentSet, in creation order), on the map or not."""
        return self.agents_by_type[GroundUnit] if GroundUnit in self.agent_types else mesa.agent.AgentSet([], random=self.random)

    def units_on_map(self):
        return [u for u in self.ground_units if u.cell is not None]

    # ------------------------------------------------------------------ the step

    def step(self) -> None:
        self.turn += 1
        run_timeline(self)
        decide(self)
        update_control(self)
        update_supply(self)
        move_units(self)
        resolve_combat(self)
        update_morale(self)
        self.metrics = compute_metrics(self)
        self.datacollector.collect(self)
        self._check_end()

    def _check_end(self) -> None:
        reason = None
        for oid, objective in self.spec.objectives.items():
            if objective.ends_campaign and all(
                    self.control[self.theatre.place_cell[p]] == self.side_index[objective.side] for p in objective.places):
                reason = f"objective {oid} achieved by {objective.side}"
                break
        if reason is None and self.turn >= self.spec.total_steps:
            reason = f"end of the scenario's {self.spec.meta.duration_days:g} days"
        if reason is None:
            fighting = {self.side_index[u.side] for u in self.units_on_map() if u.fighting}
            for objective in self.spec.objectives.values():
                if self.side_index[objective.side] not in fighting:
                    reason = f"{objective.side} has no fighting units left"
                    break
        if reason is not None:
            self.end_reason = reason
            self.events.add(CampaignEnded(self.turn, self.day, reason))
            self.running = False

    def run(self, progress=None) -> None:
        """Step until the campaign ends; `progress(model)` is called after each step."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self)


def _reader(name: str):
    def read(model) -> float:
        return model.metrics[name]
    read.__name__ = f"metric_{name}"
    return read
