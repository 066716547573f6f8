"""The campaign: the Mesa model of the war, built from a scenario and stepped in fixed phases.

``Campaign`` is the model with its commanders injected (``model.WarModel`` is the campaign commanded by
the doctrine AI unless told otherwise). ``step`` is the only orchestrator of the phases (docs/ODD.md,
"Process overview and scheduling"). One step (default 6 hours):
  1. timeline events and arrivals; strategic actors (Israel, Iran, Iraqi militias, Hezbollah, Turkey,
     Russia's headquarters)                                   rules.timeline, rules.strategic
  2. commanders decide (doctrine AI or a human's orders)      commanders
  3. control and supply, whole map at once                    rules.control, rules.supply
  4. air: sorties, targeting, strikes, drones                 rules.air
  5. movement                                                 rules.movement
  6. combat                                                   rules.combat
  7. news of the war reaches units; morale; desertion and   rules.will, rules.morale, rules.cohesion,
     cohesion; breaks, contagion, rallies and capture;        rules.breaks, rules.capture
     the will to fight of factions and leaderships            rules.will
  8. objectives, data collection and end conditions           rules.objectives, metrics

Mesa's ``steps`` counts the steps (during a step, the step being made). A running model is changed from
outside (a classroom's white cell, the lab) only through the methods of ``white_cell.WhiteCell``.

Unit numbers live in ``model.table`` (a column per attribute, declared in agents/table.py); each unit
is also a Mesa ``CellAgent``, in the ``ground_units`` AgentSet.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np

from wargame.core.actors import build_actors
from wargame.core.agents.air import build_air
from wargame.core.agents.table import COLUMN, UnitTable
from wargame.core.agents.unit import ACTIVE, GROUPS, KINDS, POSTURES, UNIT_TYPES, GroundUnit, fighting, on_map
from wargame.core.events import CampaignEnded, EventLog, RegimeCollapsed, UnitArrived
from wargame.core.grids import flat_cells, give_back, lease_grid, set_layer
from wargame.core.metrics import MetricsCollector, UnitRecorder, compute_metrics, metric_names
from wargame.core.rules.air import run_air
from wargame.core.rules.breaks import resolve_breaks
from wargame.core.rules.cohesion import daily_desertion, update_cohesion
from wargame.core.rules.combat import resolve_combat
from wargame.core.rules.control import update_cities, update_control
from wargame.core.rules.friction import update_tempo
from wargame.core.rules.morale import FACTORS, draw_breakpoint, update_morale
from wargame.core.rules.movement import FieldCache, move_units
from wargame.core.rules.objectives import objective_cells, place_held, update_objectives
from wargame.core.rules.orders import Commander, decide
from wargame.core.rules.strategic import run_actors
from wargame.core.rules.supply import side_supply, update_supply
from wargame.core.rules.timeline import run_timeline
from wargame.core.rules.will import Will, update_news, update_will
from wargame.core.scenario import LoadedScenario, load_scenario
from wargame.core.scenario.forces import UnitSpec
from wargame.core.tallies import TALLIES
from wargame.core.theatre import TERRAIN_CLASSES, TheatreSpec, build_theatre
from wargame.core.white_cell import WhiteCell


def copy_scenario(scenario) -> tuple[object, bytes]:
    """A deep copy of a validated scenario and a digest of its content: the copy through pickle, about twice
    as fast as pydantic's deep copy (and every model's build pays for one); the digest of the same bytes,
    so that what is derived from a scenario's content can be kept for the next model of the same content."""
    blob = pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
    return pickle.loads(blob), hashlib.blake2b(blob, digest_size=16).digest()


# Columns of the initial forces' rows that each build sets itself: the Mesa agent, the breakpoint (a random
# draw) and the will to fight as news has brought it (read from the model's Will, as ``add_unit`` does).
PER_RUN_COLUMNS = ("agent", "breakpoint", "will_seen")


@dataclass(frozen=True)
class InitialForces:
    """The units a scenario opens with, as deployed (``Campaign.deploy`` for each entry of the order of
    battle, then the note of the units already cut off): the table's columns of their rows but the
    PER_RUN_COLUMNS, and each unit's key and name. Deploying them draws nothing at random and depends only
    on the scenario, so every model of the same scenario content deploys them alike: the first one in a
    process deploys them entry by entry and keeps the result here, the next ones take it as a block."""

    columns: dict[str, np.ndarray]
    keys: tuple[str, ...]
    names: tuple[str, ...]


# The initial forces of the last few scenarios built in this process, by the digest of the scenario's content
# (copy_scenario): an edited or overridden scenario has another digest, so it is deployed afresh.
_INITIAL_FORCES: dict[bytes, InitialForces] = {}
_INITIAL_FORCES_KEPT = 8


def fresh_seed() -> int:
    """A seed from the operating system's entropy, so that a run without one can still be reproduced."""
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])


class Campaign(WhiteCell, mesa.Model):
    """The Syrian war on a hex grid of western Syria. See the module docstring for the phases.

    ``commanders`` maps faction ids to commanders (``rules.orders.Commander``); ``default_commander``
    commands every other faction (none: their units hold). ``collect_units`` keeps every unit's record at
    every step; ``collect_metrics=False`` leaves the DataCollector with the opening row only and computes
    ``metrics`` when they are read (an ensemble that keeps only each run's outcome row reads them once, at
    the end, and saves a twentieth of every step)."""

    def __init__(self, scenario: str | Path | LoadedScenario, rng=None, *, overrides: dict | None = None,
                 collect_units: bool = True, collect_metrics: bool = True,
                 commanders: dict[str, Commander] | None = None, default_commander: Commander | None = None,
                 **params):
        overrides = {**(overrides or {}), **params}
        if isinstance(scenario, LoadedScenario) and not overrides:
            loaded = scenario
        else:
            source = scenario.path if isinstance(scenario, LoadedScenario) else scenario
            base = scenario.overrides if isinstance(scenario, LoadedScenario) else {}
            loaded = load_scenario(source, {**base, **overrides})
        if rng is None:
            rng = fresh_seed()
        super().__init__(rng=rng)
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else None
        self.loaded = loaded
        self.spec, self.spec_digest = copy_scenario(loaded.scenario)   # timeline events and actors may change it
        self.events = EventLog(self.spec.meta.start)
        self.end_reason: str | None = None
        self.commanders = dict(commanders or {})             # faction id -> Commander
        self.default_commander = default_commander

        t = self.spec.theatre
        self.theatre = build_theatre(TheatreSpec.of(t))
        self._build_sides()
        self._build_grid()
        self.will = Will(self)
        self.command_state: dict = {}        # what commanders keep between steps (the doctrine AI's decisions)
        self.table = UnitTable(FACTORS, window=max(1, int(self.spec.rules.observation.break_attribution_days
                                                              * self.spec.steps_per_day)))
        self.ground_units = mesa.agent.AgentSet([], random=self.random)   # every unit ever, in row order
        self.formation_keys = list(self.spec.units)
        self.formation_parent = np.array([self.formation_keys.index(u.parent) if u.parent else -1
                                          for u in self.spec.units.values()], dtype=np.int64)
        self.tally = {name: np.zeros(len(self.faction_ids)) for name in TALLIES}
        self.city_owner: dict[str, int] = {}
        self.major_cities: dict[int, set[str]] = {}
        for objective in self.spec.objectives.values():
            if objective.kind == "hold":
                self.major_cities.setdefault(self.side_index[objective.side], set()).update(objective.places)
        update_cities(self)
        self.initial_city_owner = dict(self.city_owner)
        self.initial_place_owner = {pid: int(self.control[cell]) for pid, cell in self.theatre.place_cell.items()}
        self.objective_cells = objective_cells(self)
        self.objective_progress: dict[str, float] = {}
        self.objectives_achieved: dict[str, float] = {}
        self.objectives_open: set[str] = set()       # objectives seen incomplete (rules/objectives.py)
        update_objectives(self)
        self.cities_lost = np.zeros(len(self.side_ids), dtype=np.int64)
        self.air_stats = {"sorties": np.zeros(len(self.side_ids)), "strikes": np.zeros(len(self.side_ids)),
                          "missiles": np.zeros(len(self.side_ids)), "drone_raids": np.zeros(len(self.side_ids))}
        self.captured_equipment = {k: np.zeros(len(self.faction_ids))
                                   for k in ("armour", "artillery", "air_defence", "aircraft")}
        self.bad_weather = False
        self.weather_imposed: tuple[bool, float] | None = None   # (bad, until day): the white cell's weather
        self.strike_queue: list[tuple] = []
        self.air_cache: dict = {}            # what the air phase works out once a step per side or faction
        self.tempo = np.ones(len(self.faction_ids))     # each faction's friction (rules/friction.py)
        self.tempo_log: np.ndarray | None = None
        self.faction_cache: dict = {}
        self.static_cache: dict = {}         # things fixed for the run, computed on first use
        self.fields = FieldCache()
        self.frozen = np.zeros(self.theatre.n, dtype=bool)   # ground a Russia-Turkey deal has frozen
        hq = self.spec.actors.russia_hq
        self.golan_zone = self.theatre.inside & (self.theatre.km_to_golan <= (hq.golan_km if hq else -1.0))
        for city in (hq.golan_exempt if hq else []):
            if city in self.theatre.cities:
                self.golan_zone[list(self.theatre.cities[city].cells)] = False
        self.wings, self.air_defences = build_air(self)
        self.actors = build_actors(self)

        self.pending_events = sorted(self.spec.timeline, key=lambda e: e.day)
        specs = sorted(self.spec.units.items(), key=lambda kv: kv[1].arrives_day)
        self.pending_units = [(s.arrives_day, k, s) for k, s in specs if s.arrives_day > 0 and s.rises_when is None]
        self.dormant_units = [(k, s) for k, s in specs if s.rises_when is not None]   # rise on a trigger
        self._deploy_initial_forces([(key, spec) for key, spec in specs
                                     if spec.arrives_day == 0 and spec.rises_when is None])
        self.initial_personnel = float(self.table.personnel.sum())
        self.losses_at_day: dict[float, np.ndarray] = {}        # side losses when the surprise window closed
        self.defence_losses = np.zeros(len(TERRAIN_CLASSES))    # loss shares of dug-in units in contact, by terrain
        self.defence_exposure = np.zeros(len(TERRAIN_CLASSES))  # and how many unit-steps they were
        self.defence_pressure = np.zeros(len(TERRAIN_CLASSES))  # and the fire they faced over their own power

        self.metric_names = metric_names(self)
        self.collect_metrics = collect_metrics
        self._metrics, self._metrics_step = compute_metrics(self), self.steps
        self.recorder = UnitRecorder(self) if collect_units else None
        self.datacollector = MetricsCollector(model_reporters={name: _reader(name) for name in self.metric_names})
        self.datacollector.collect(self)
        if self.recorder:
            self.recorder.record()
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
        self.faction_ids = list(self.spec.factions)
        self.faction_index = {fid: i for i, fid in enumerate(self.faction_ids)}
        self.faction_side = np.array([self.side_index[f.side] for f in self.spec.factions.values()])
        self.faction_kind = np.array([KINDS.index(f.kind) for f in self.spec.factions.values()])

    def _build_grid(self) -> None:
        th = self.theatre
        self.grid_layers = ("terrain", "control", *(f"{kind}_{sid}" for sid in self.side_ids
                                                    for kind in ("supply", "influence")))
        self.grid = lease_grid(th.shape, self.grid_layers, self.random)
        self.cells = flat_cells(self.grid)       # shared with the grid's other models: never changed
        set_layer(self.grid, "terrain", th.as_grid(th.terrain))
        self.control = set_layer(self.grid, "control", th.as_grid(self._initial_control())).reshape(-1)  # a view
        nothing = np.zeros(th.shape, dtype=bool)
        self.supply_layers = [set_layer(self.grid, f"supply_{sid}", nothing).reshape(-1) for sid in self.side_ids]
        self.influence_layers = [set_layer(self.grid, f"influence_{sid}", nothing).reshape(-1)
                                 for sid in self.side_ids]
        self.connected = [np.zeros(th.n, dtype=bool) for _ in self.side_ids]
        self.params_version = 0          # bumped when a timeline event changes a parameter
        self.supply_dirty: set[int] = set(range(len(self.side_ids)))   # sides whose supply must be recomputed
        self.supply_own: list[np.ndarray | None] = [None] * len(self.side_ids)  # ground at the last recompute
        self.supply_range_turn = [-10**9] * len(self.side_ids)

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

    # ------------------------------------------------------------------ units

    def deploy(self, key: str, spec: UnitSpec, arriving: bool = False) -> list[GroundUnit]:
        """Create the unit(s) of an order-of-battle entry at their place."""
        th = self.theatre
        centre = th.place_cell[spec.at] if spec.at else th.cell_at(spec.lat, spec.lon)
        faction = self.spec.factions[spec.faction]
        d = self.spec.rules.deployment
        quality = faction.quality if spec.quality is None else spec.quality
        if faction.kind == "saa" and spec.quality is None:
            quality *= d.saa_quality_base + d.saa_quality_per_professionalism * faction.professionalism
        personnel = float(spec.personnel)
        hezbollah = self.spec.actors.hezbollah
        if spec.group == "hezbollah" and hezbollah is not None:
            personnel *= d.hezbollah_personnel_base + d.hezbollah_personnel_per_strength * hezbollah.strength
            quality *= d.hezbollah_quality_base + d.hezbollah_quality_per_strength * hezbollah.strength
        turkey = self.spec.actors.turkey
        if faction.kind == "rebel" and faction.patron == "turkey" and turkey is not None:
            quality *= d.turkish_backed_quality_base + d.turkish_backed_quality_per_support * turkey.support
        offset = getattr(d.group_ideology, spec.group) if spec.group else 0.0
        ideology = spec.ideology if spec.ideology is not None else min(1.0, max(0.0, faction.ideology + offset))
        created = []
        side = self.side_index[faction.side]
        with self.table.adding():          # one refresh of the column views for the whole entry
            for i, cell in enumerate(self._placement_cells(int(centre), spec.count, side)):
                unit = self.add_unit(
                    key=key if spec.count == 1 else f"{key}_{i + 1}",
                    name=spec.name if spec.count == 1 else f"{spec.name} ({i + 1})",
                    formation=self.formation_keys.index(key), faction=spec.faction, utype=spec.type,
                    personnel=personnel, armour=spec.armour, artillery=spec.artillery, air_defence=spec.air_defence,
                    quality=min(1.0, quality), morale=faction.morale if spec.morale is None else spec.morale,
                    cohesion=faction.cohesion if spec.cohesion is None else spec.cohesion, ideology=ideology,
                    supply=spec.supply, posture=spec.posture, elite=spec.elite, group=spec.group, idx=cell,
                    active_from_day=spec.active_from_day, conscripts=faction.kind == "saa" and not spec.elite,
                    objective_cell=th.place_cell[spec.objective] if spec.objective else -1)
                created.append(unit)
                if arriving:
                    self.tally["reinforced"][self.faction_index[spec.faction]] += personnel
                    self.events.add(UnitArrived(self.steps, self.day, unit.key, unit.name, unit.faction,
                                                spec.at or f"{spec.lat:.3f},{spec.lon:.3f}"))
        return created

    def _deploy_initial_forces(self, entries: list[tuple[str, UnitSpec]]) -> None:
        """Deploy the order-of-battle entries the scenario opens with and mark the units already cut off;
        as a block if an earlier model of the same scenario content in this process deployed them
        (InitialForces). Either way the breakpoints are drawn unit by unit in the order of the rows."""
        forces = _INITIAL_FORCES.get(self.spec_digest)
        if forces is None:
            for key, spec in entries:
                self.deploy(key, spec)
            self._note_initial_encirclement()
            if len(_INITIAL_FORCES) >= _INITIAL_FORCES_KEPT:
                _INITIAL_FORCES.pop(next(iter(_INITIAL_FORCES)), None)     # the oldest
            t = self.table
            _INITIAL_FORCES[self.spec_digest] = InitialForces(
                columns={name: t.raw(name)[:t.n].copy() for name in COLUMN if name not in PER_RUN_COLUMNS},
                keys=tuple(unit.key for unit in t.agent), names=tuple(unit.name for unit in t.agent))
            return
        columns = forces.columns
        faction, formation = columns["faction"], columns["formation"].tolist()
        breakpoints = [self.draw_unit_breakpoint(*values) for values in zip(
            columns["quality"].tolist(), columns["cohesion"].tolist(), columns["posture"].tolist(),
            columns["elite"].tolist(), columns["conscripts"].tolist(), faction.tolist())]
        rows = self.table.extend(len(forces.keys), breakpoint=breakpoints, will_seen=self.will.history[0][faction],
                                 **columns)
        agents = self.table.raw("agent")
        for row, key, name, entry in zip(rows, forces.keys, forces.names, formation):
            unit = GroundUnit(self, key=key, name=name, row=row,
                              formation_key=self.formation_keys[entry] if entry >= 0 else key)
            agents[row] = unit
            self.ground_units.add(unit)

    def draw_unit_breakpoint(self, quality: float, cohesion: float, posture: int, elite: bool, conscripts: bool,
                             faction: int) -> float:
        """The loss share at which a new unit breaks (a random draw, rules.morale.draw_breakpoint), lowered
        for SAA conscripts as their faction's conscript share rises."""
        rules = self.spec.rules
        breakpoint = draw_breakpoint(self.rng, quality, cohesion, POSTURES[posture], elite, rules.breaks)
        f = self.spec.factions[self.faction_ids[faction]]
        if conscripts and f.kind == "saa":
            breakpoint *= 1.0 - rules.deployment.conscript_breakpoint_cut * f.conscript_share
        return breakpoint

    def add_unit(self, *, key: str, name: str, faction: str, **columns) -> GroundUnit:
        """Add one unit: a row in the table (``columns`` are its declared columns, agents/table.py, by name;
        codes such as ``utype`` and ``posture`` may be given by name) and a Mesa agent in its cell. Its
        side, kind and breakpoint follow from its faction and qualities."""
        fid = self.faction_index[faction]
        for column, names in (("utype", UNIT_TYPES), ("posture", POSTURES), ("group", GROUPS)):
            if isinstance(columns.get(column), str) or (column == "group" and columns.get(column) is None):
                columns[column] = -1 if columns.get(column) is None else names.index(columns[column])
        columns.setdefault("posture", POSTURES.index("defend"))
        breakpoint = self.draw_unit_breakpoint(columns["quality"], columns["cohesion"], columns["posture"],
                                               columns.get("elite", False), columns.get("conscripts"), fid)
        row = self.table.add(
            side=self.faction_side[fid], faction=fid, kind=self.faction_kind[fid], state=ACTIVE,
            personnel_start=columns["personnel"], morale_start=columns["morale"],
            will_seen=self.will.history[0][fid],
            cohesion_base=columns["cohesion"], breakpoint=breakpoint, **columns)
        formation = columns.get("formation", -1)
        unit = GroundUnit(self, key=key, name=name, row=row,
                          formation_key=self.formation_keys[formation] if formation >= 0 else key)
        self.table.raw("agent")[row] = unit      # raw: the views may wait for the end of a deployment
        self.ground_units.add(unit)
        return unit

    def _placement_cells(self, centre: int, count: int, side: int | None = None) -> list[int]:
        """`count` cells nearest the centre (itself first) with room under the stacking limit, and, for a
        side, not held by another side nor holding enemy units."""
        th = self.theatre
        limit = self.spec.rules.movement.stacking_limit
        table = self.table
        present = on_map(table)
        stack = np.bincount(table.idx[present], minlength=th.n) if table.n else np.zeros(th.n, int)
        if side is not None:
            enemy_units = np.zeros(th.n, dtype=bool)
            enemy_units[table.idx[present & self.hostile[side, table.side]]] = True
            hostile_ground = (self.control >= 0) & (self.control != side)   # no unit starts on another's ground
            stack = np.where(enemy_units | hostile_ground, limit, stack)     # no room there
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

    def invalidate_supply(self) -> None:
        """Recompute every side's supply in full at the next step (after sources or rules changed)."""
        self.supply_dirty.update(range(len(self.side_ids)))
        self.supply_own = [None] * len(self.side_ids)

    def _note_initial_encirclement(self) -> None:
        """Units already cut off when the scenario opens (a siege under way) have long absorbed the shock of
        encirclement: mark them cut off from the start, so the shock falls only on units cut off later."""
        t = self.table
        for s in range(len(self.side_ids)):
            linked = side_supply(self, s)[1]
            mine = np.flatnonzero((t.side == s) & (t.idx >= 0))
            near = self.theatre.neighbours[t.idx[mine]]
            touching = (linked[np.where(near >= 0, near, 0)] & (near >= 0)).any(axis=1)
            cut = ~linked[t.idx[mine]] & ~touching
            t.cut_off[mine[cut]] = True
            t.cut_since[mine[cut]] = 0

    # ------------------------------------------------------------------ Mesa's own "scenario"

    @property
    def scenario(self):
        """Always None. Mesa 3.5 gives models an experimental ``scenario`` object (a bag of parameters and
        the seed), and SolaraViz replaces a model's ``scenario`` argument with a new one of those when it
        rebuilds a model that has one. Ours is a wargame scenario by name (``self.spec`` once loaded), so
        we hide Mesa's: SolaraViz then passes our keyword parameters through untouched."""
        return None

    @scenario.setter
    def scenario(self, value) -> None:
        self._mesa_scenario = value

    # ------------------------------------------------------------------ views

    @property
    def side_losses(self) -> np.ndarray:
        """Personnel each side has lost so far: killed, captured and deserted."""
        lost = self.tally["killed"] + self.tally["captured"] + self.tally["deserted"]
        return np.bincount(self.faction_side, weights=lost, minlength=len(self.side_ids))

    @property
    def side_start_personnel(self) -> np.ndarray:
        """Each side's personnel at the start plus its reinforcements."""
        t = self.table
        first = np.bincount(t.side, weights=t.personnel_start, minlength=len(self.side_ids))
        defected = np.bincount(self.faction_side, weights=self.tally["defected_in"], minlength=len(self.side_ids))
        return first - defected

    @property
    def day(self) -> float:
        """Days since the start at the end of the current step."""
        return self.steps / self.spec.steps_per_day

    def commander_of(self, faction: str) -> Commander | None:
        """The commander of a faction: its own if one was injected, else the default (None: it holds)."""
        return self.commanders.get(faction, self.default_commander)

    def units_on_map(self) -> list[GroundUnit]:
        return self.table.agent[on_map(self.table)].tolist()

    def unit_by_key(self, key: str) -> GroundUnit | None:
        """The unit with this key (as in events and the order of battle), or None."""
        index = self.static_cache.get("unit_keys")
        if index is None or len(index) != self.table.n:
            index = self.static_cache["unit_keys"] = {a.key: a for a in self.table.agent}
        return index.get(key)

    def fighting_rows(self) -> np.ndarray:
        return np.flatnonzero(fighting(self.table))

    def sync_cells(self, rows) -> None:
        """Put the Mesa agents of these rows in the cells their table rows say."""
        rows = np.asarray(rows, dtype=np.int64)
        agents, cells = self.table.agent, self.cells
        for row, target in zip(rows.tolist(), self.table.idx[rows].tolist()):    # Python ints: cheap indexing
            agents[row].cell = cells[target] if target >= 0 else None

    # ------------------------------------------------------------------ the step

    def step(self) -> None:
        """One step, its phases in order (Mesa has already counted it in ``steps``)."""
        self.table.losses_step[:] = 0.0        # every loss this step (strikes, hunger, combat) counts
        run_timeline(self)
        update_tempo(self)
        run_actors(self)
        decide(self)
        update_control(self)
        update_supply(self)
        run_air(self)
        move_units(self)
        resolve_combat(self)
        self.morale_phase()
        update_will(self)
        update_objectives(self)
        window = self.spec.rules.observation.surprise_window_days
        if window not in self.losses_at_day and self.day >= window - 1e-9:
            self.losses_at_day[window] = self.side_losses.copy()
        if self.collect_metrics:
            self._metrics, self._metrics_step = compute_metrics(self), self.steps
            self.datacollector.collect(self)
        if self.recorder:
            self.recorder.record()
        self._check_end()

    @property
    def metrics(self) -> dict[str, float]:
        """The metrics at the end of the last step (metrics.compute_metrics); a model that does not collect
        them every step computes them here, when first read after a step. Not to be read during a step."""
        if self._metrics_step != self.steps:
            self._metrics, self._metrics_step = compute_metrics(self), self.steps
        return self._metrics

    def morale_phase(self) -> None:
        """Phase 7: morale factors, desertion and cohesion, then breaks and their outcomes (contagion,
        capture, rallies); this step's morale changes go to the ledger."""
        t = self.table
        t.start_step_ledger()
        rows = np.flatnonzero(on_map(t))
        if rows.size:
            update_news(self, rows)
            update_morale(self, rows)
            daily_desertion(self, rows)
            update_cohesion(self, rows)
        resolve_breaks(self)
        t.record(self.steps)

    def _check_end(self) -> None:
        reason = None
        for s, day in self.will.collapsed.items():
            why = next((e.why for e in self.events.of_kind(RegimeCollapsed) if e.side == self.side_ids[s]), "")
            reason = f"{regime_name(self.side_ids[s])} collapsed on day {day:.2f} ({why})"
        for oid, objective in self.spec.objectives.items():
            if reason is not None or not objective.ends_campaign:
                continue
            progress = self.objective_progress[oid]
            if objective.kind == "capture" and progress >= 1.0:
                reason = f"objective {oid} achieved by {objective.side}"
                break
            if objective.kind == "area" and progress >= (objective.end_share or objective.share) - 1e-12:
                reason = f"objective {oid} achieved by {objective.side} ({progress:.0%} of the area held)"
                break
            if objective.kind == "hold" and progress < 1.0:
                lost = [p for p in objective.places if not place_held(self, p, self.side_index[objective.side])]
                reason = f"objective {oid} failed: {objective.side} lost " + ", ".join(lost)
                break
        if reason is None and self.steps >= self.spec.total_steps:
            reason = f"end of the scenario's {self.spec.meta.duration_days:g} days"
        if reason is None:
            sides_fighting = set(self.table.side[fighting(self.table)].tolist())
            for objective in self.spec.objectives.values():
                if self.side_index[objective.side] not in sides_fighting:
                    reason = f"{objective.side} has no fighting units left"
                    break
        if reason is not None:
            self.end_reason = reason
            self.events.add(CampaignEnded(self.steps, self.day, reason))
            self.running = False

    def release(self) -> None:
        """Done with this model: its agents leave the grid and the grid waits, empty, for the next model of
        the same theatre in this process (grids.py). The model must not be used after; ensembles, sweeps and
        calibrations release each run once its outcomes are taken."""
        self.remove_all_agents()
        # numpy's object arrays are invisible to the garbage collector, so the agents in the table's agent
        # column (each holding the model) would keep the whole model alive for the life of the process
        self.table.raw("agent")[:] = None
        give_back(self.grid, self.grid_layers)
        self.running = False

    def run(self, progress=None) -> None:
        """Step until the campaign ends; `progress(model)` is called after each step."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self)


def regime_name(side: str) -> str:
    """How a side's regime is named in prose: "the regime" for a side whose id says it is one (the
    built-in scenarios' "regime"), else "the <side> side's regime" (never "the regime regime")."""
    return "the regime" if "regime" in side.split("_") else f"the {side.replace('_', ' ')} side's regime"


def _reader(name: str):
    def read(model) -> float:
        return model.metrics[name]
    read.__name__ = f"metric_{name}"
    return read
