"""Strategic actors as Mesa agents: each acts once a step, in phase 1, on the scenario's levers.

  Israel          strikes Iranian and Hezbollah leadership, depots and convoys at `strikes_per_week`
                  (what a strike does: rules.actors.israel_*)
  Iran            recruits at `recruits_per_week` x commitment; recruits arrive after `delay_days`,
                  gathered into battalions of lower quality; Israeli convoy strikes thin the pipeline
  IraqiMilitias   once the regime has lost `trigger_cities` of the cities it must hold, send
                  `force` x willingness fighters through al-Bukamal after `delay_days` (quality
                  rules.actors.iraqi_militia_quality)
  Hezbollah       its strength after the war with Israel scales its units (at deployment) and any
                  reinforcement from Lebanon, sent once the regime has lost its own `trigger_cities`, after
                  its own `delay_days` (rules.actors.hezbollah_*)
  Turkey          its support scales the SNA (quality at deployment, resupply); a deal with Russia on
                  `deal_day` freezes the north-west: inside the polygon no faction attacks or strikes
  RussiaHQ        once the regime has lost `trigger_cities` cities, sends `reinforce_aircraft` x
                  ukraine_cap aircraft to its wing after `delay_days` ("new hardware within 72 hours");
                  Iranian-backed units keep `golan_km` from the Golan (rules.movement)
  RegimeHQ        its parameters steer the doctrine AI's withdrawals (commanders.doctrine)
"""

from __future__ import annotations

import mesa
import numpy as np

from wargame.core.agents.unit import GROUPS, KINDS, on_map
from wargame.core.events import IsraeliStrike, StrategicDecision, UnitArrived
from wargame.core.rules.combat import apply_losses

REGIME_SIDE_KINDS = ("saa", "militia", "russia")


def _regime_side(model) -> int | None:
    for fid, faction in enumerate(model.spec.factions.values()):
        if faction.kind == "saa":
            return int(model.faction_side[fid])
    return None


def _militia_faction(model) -> str | None:
    return next((fid for fid, f in model.spec.factions.items() if f.kind == "militia"), None)


class Actor(mesa.Agent):
    name = "actor"

    def __init__(self, model):
        super().__init__(model)
        self.done = False

    @property
    def spec(self):
        return getattr(self.model.spec.actors, self.name)

    def decide(self, decision: str) -> None:
        self.model.events.add(StrategicDecision(self.model.steps, self.model.day, self.name, decision))

    def regime_losses(self) -> int:
        side = _regime_side(self.model)
        return 0 if side is None else int(self.model.cities_lost[side])

    def send_battalions(self, personnel: float, size: int, place: str, group: str, quality: float,
                        utype: str = "militia", key: str = "reinforcement") -> int:
        """Bring `personnel` fighters of the militia faction onto the map at `place`, in battalions."""
        model = self.model
        faction = _militia_faction(model)
        if faction is None or personnel <= 0:
            return 0
        f = model.spec.factions[faction]
        rules = model.spec.rules.actors
        cell = model.theatre.place_cell[place]
        count = max(1, int(round(personnel / size)))
        each = personnel / count
        cells = model._placement_cells(cell, count)
        for idx in cells:
            n = len(model.ground_units)
            unit = model.add_unit(
                key=f"{self.name}_{key}_{n}", name=f"{group.replace('_', ' ').title()} battalion ({self.name}, "
                f"day {model.day:.1f})", formation=-1, faction=faction, utype=utype, personnel=each, armour=0,
                artillery=0, air_defence=0, quality=quality, morale=f.morale,
                cohesion=max(rules.reinforcement_min_cohesion, f.cohesion - rules.reinforcement_cohesion_cut),
                ideology=min(1.0, f.ideology + rules.reinforcement_ideology_gain), supply=1.0, posture="reserve",
                elite=False, group=group, idx=idx)
            model.tally["reinforced"][model.faction_index[faction]] += each
            model.events.add(UnitArrived(model.steps, model.day, unit.key, unit.name, faction, place))
        return count


class IsraelActor(Actor):
    name = "israel"

    def step(self) -> None:
        model, spec = self.model, self.spec
        strikes = model.rng.poisson(spec.strikes_per_week / 7.0 / model.spec.steps_per_day)
        for _ in range(strikes):
            roll = model.rng.random()
            if roll < spec.leadership_share:
                self.strike("leadership")
            elif roll < spec.leadership_share + spec.depot_share:
                self.strike("depot")
            else:
                self.strike("convoy")

    def strike(self, kind: str) -> None:
        """One strike on a convoy (the Iranian pipeline), or on a militia unit's leaders or depot."""
        model, spec = self.model, self.spec
        rules = model.spec.rules.actors
        t = model.table
        if kind == "convoy" and "iran" in model.actors:
            model.actors["iran"].pipeline *= rules.israel_convoy_pipeline_kept
            model.events.add(IsraeliStrike(model.steps, model.day, kind, None, 0.0))
            return
        targets = np.flatnonzero(on_map(t) & (t.kind == KINDS.index("militia")))
        if targets.size == 0:
            return
        # commanders of the IRGC and Hezbollah first
        weight = np.where(np.isin(t.group[targets], [GROUPS.index("irgc"), GROUPS.index("hezbollah")]),
                          rules.israel_commander_target_weight, 1.0)
        row = int(targets[model.rng.choice(targets.size, p=weight / weight.sum())])
        killed = min(spec.kills_per_strike, t.personnel[row] * rules.israel_max_kill_share)
        key = model.table.agent[row].key
        apply_losses(model, np.array([row]), np.array([killed / max(t.personnel[row], 1.0)]), "killed")
        if kind == "leadership":
            t.cohesion[row] = max(0.0, t.cohesion[row] - model.spec.rules.cohesion.leader_loss)
            faction = model.spec.factions[model.faction_ids[t.faction[row]]]
            if faction.kind == "militia":
                faction.leadership = max(rules.israel_leadership_floor, faction.leadership - rules.israel_leadership_loss)
        else:
            t.supply[row] = max(0.0, t.supply[row] - rules.israel_depot_supply_loss)
        model.events.add(IsraeliStrike(model.steps, model.day, kind, key, round(killed, 1)))


class IranActor(Actor):
    name = "iran"

    def __init__(self, model):
        super().__init__(model)
        self.pipeline = 0.0                 # recruited, not yet gathered into a battalion
        self.in_transit: list[tuple[float, float]] = []   # (arrival day, personnel)

    def step(self) -> None:
        model, spec = self.model, self.spec
        self.pipeline += spec.recruits_per_week * spec.commitment / 7.0 / model.spec.steps_per_day
        while self.pipeline >= spec.battalion:
            self.pipeline -= spec.battalion
            self.in_transit.append((model.day + spec.delay_days, float(spec.battalion)))
        arriving = [p for day, p in self.in_transit if day <= model.day + 1e-9]
        self.in_transit = [(day, p) for day, p in self.in_transit if day > model.day + 1e-9]
        for personnel in arriving:
            self.send_battalions(personnel, spec.battalion, spec.entry, "fatemiyoun", spec.recruit_quality,
                                 key="recruits")


class TriggeredReinforcement(Actor):
    """Acts once, `delay_days` after the regime has lost `trigger_cities` of the cities it must hold."""

    def __init__(self, model):
        super().__init__(model)
        self.triggered_day: float | None = None

    def step(self) -> None:
        if self.done:
            return
        spec = self.spec
        if self.triggered_day is None and self.regime_losses() >= spec.trigger_cities:
            self.triggered_day = self.model.day
            self.decide(self.trigger_message())
        if self.triggered_day is not None and self.model.day >= self.triggered_day + spec.delay_days - 1e-9:
            self.done = True
            self.act()


class IraqiMilitiasActor(TriggeredReinforcement):
    name = "iraqi_militias"

    def trigger_message(self) -> str:
        return f"regime lost {self.regime_losses()} cities: willingness {self.spec.willingness:.2f}"

    def act(self) -> None:
        spec = self.spec
        personnel = spec.force * spec.willingness
        count = self.send_battalions(personnel, spec.battalion, spec.entry, "iraqi_pmu",
                                     self.model.spec.rules.actors.iraqi_militia_quality)
        self.decide(f"{personnel:.0f} fighters in {count} units cross at {spec.entry}")


class HezbollahActor(TriggeredReinforcement):
    name = "hezbollah"

    def step(self) -> None:
        if self.spec.reinforcement > 0:
            super().step()

    def trigger_message(self) -> str:
        return f"regime lost {self.regime_losses()} cities: strength {self.spec.strength:.2f}"

    def act(self) -> None:
        spec = self.spec
        rules = self.model.spec.rules.actors
        personnel = spec.reinforcement * spec.strength
        quality = rules.hezbollah_quality_base + rules.hezbollah_quality_per_strength * spec.strength
        count = self.send_battalions(personnel, rules.hezbollah_battalion, spec.entry, "hezbollah", quality,
                                     utype="militia")
        self.decide(f"{personnel:.0f} fighters in {count} units from Lebanon")


class RussiaHQActor(TriggeredReinforcement):
    name = "russia_hq"

    def trigger_message(self) -> str:
        return f"regime lost {self.regime_losses()} cities: Moscow sends aircraft"

    def act(self) -> None:
        spec = self.spec
        wing = next((w for w in self.model.wings if w.key == spec.wing), None)
        if wing is None:
            return
        added = round(spec.reinforce_aircraft * spec.ukraine_cap)
        wing.added += added
        self.decide(f"{added} aircraft reach {wing.key} (of {spec.reinforce_aircraft} promised; Ukraine cap "
                    f"{spec.ukraine_cap:.2f})")


class TurkeyActor(Actor):
    name = "turkey"

    def step(self) -> None:
        spec, model = self.spec, self.model
        if not self.done and spec.deal_day is not None and model.day >= spec.deal_day - 1e-9:
            self.done = True
            if spec.freeze_polygon:
                model.freeze(spec.freeze_polygon)
            self.decide("a Russia-Turkey deal freezes the north-west")


class RegimeHQActor(Actor):
    name = "regime_hq"

    def step(self) -> None:
        pass     # its parameters are read by the doctrine AI when it orders withdrawals


ACTOR_CLASSES = {"israel": IsraelActor, "iran": IranActor, "iraqi_militias": IraqiMilitiasActor,
                 "hezbollah": HezbollahActor, "turkey": TurkeyActor, "russia_hq": RussiaHQActor,
                 "regime_hq": RegimeHQActor}


def build_actors(model) -> dict[str, Actor]:
    return {name: cls(model) for name, cls in ACTOR_CLASSES.items() if getattr(model.spec.actors, name) is not None}
