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

Patrons decide (Russia, Iran, Hezbollah, the Iraqi militias, Turkey). Every rules.will
`patron_review_days` each weighs its stake (`actors.<name>.stake`), its capacity (Russia: ukraine_cap,
Iran: commitment, Hezbollah: strength, the militias: willingness, Turkey: support) and the regime's
prospects (its leadership's will, rules.will):
  hold           while the leadership's will stays above `patron_danger`
  double down    when it falls below, if stake x capacity >= `patron_double_down`: each sends what it can
                 (Russia more aircraft, Iran a higher commitment, Hezbollah and the militias their fighters
                 at once); the regime's side gains `double_down_signal` x stake of will
  evacuate       otherwise, below `patron_evacuate`: its advisers and detachments leave the theatre;
                 the regime's side loses `evacuate_signal` x stake
  withdraw       below `patron_withdraw`: its aircraft stop flying and its fighters leave; the regime's side
                 loses `withdraw_signal` x stake
Turkey backs its side's offensive when the regime is in danger and its stake x support is high enough
(the opposition gains `double_down_signal` x stake). Each decision is an event with its reasons.
"""

from __future__ import annotations

import mesa
import numpy as np

from wargame.core.agents.unit import GROUPS, KINDS, UNIT_TYPES, on_map
from wargame.core.events import IsraeliStrike, StrategicDecision, UnitArrived
from wargame.core.rules.combat import apply_losses
from wargame.core.rules.will import withdraw

REGIME_SIDE_KINDS = ("saa", "militia", "russia")
COURSES = ("double down", "evacuate", "withdraw")       # a patron's decisions (module docstring), from "hold"


def _regime_side(model) -> int | None:
    for fid, faction in enumerate(model.spec.factions.values()):
        if faction.kind == "saa":
            return int(model.faction_side[fid])
    return None


def lost_cities(n: int) -> str:
    """What triggered a patron's reinforcement, in words for the event log."""
    return f"the regime has lost {n} {'city' if n == 1 else 'cities'} it must hold"


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


class Patron(Actor):
    """A state backing one side: reviews its course as the regime's prospects change (module docstring)."""

    course = "hold"

    def __init__(self, model):
        super().__init__(model)
        # False once a classroom team has taken the course in hand: the rules no longer decide it for them
        self.reviews = True
        # patrons do not all meet on the same day: each first reviews at a random point of its first period
        self.next_review = float(model.rng.uniform(0.0, model.spec.rules.will.patron_review_days))

    def capacity(self) -> float:
        raise NotImplementedError

    def backed_side(self) -> int | None:
        return _regime_side(self.model)

    def prospects(self) -> float | None:
        """The regime's leadership will, as its patrons read it (None: no regime in this scenario)."""
        w = self.model.will
        side = _regime_side(self.model)
        return None if side not in w.leadership else float(w.value[w.leadership[side]])

    def review(self) -> None:
        model = self.model
        if model.day < self.next_review - 1e-9 or not self.reviews:
            return
        r = model.spec.rules.will
        self.next_review = model.day + r.patron_review_days
        prospects, side = self.prospects(), self.backed_side()
        if prospects is None or side is None or self.course == "withdraw":
            return
        weight = self.spec.stake * self.capacity()
        why = f"regime's will {prospects:.2f}, stake {self.spec.stake:.2f} x capacity {self.capacity():.2f}"
        if self.course == "hold" and prospects < r.patron_danger and weight >= r.patron_double_down:
            self.take_course("double down", why)
        elif self.course in ("hold", "evacuate") and prospects < r.patron_withdraw and weight < r.patron_double_down:
            self.take_course("withdraw", why)
        elif self.course == "hold" and prospects < r.patron_evacuate and weight < r.patron_double_down:
            self.take_course("evacuate", why)

    def refuses(self, course: str | None) -> str:
        """Why the patron cannot set out on `course` now ("" if it can, or if it is its present course or
        None: keeping a course is always possible). Courses only move on, in the order of COURSES: a patron
        that has evacuated cannot double down again, one that has withdrawn is gone."""
        if course is None or course == self.course:
            return ""
        if course not in COURSES:
            return f"{course!r} is not a course; courses: {', '.join(COURSES)}"
        if self.course in COURSES and COURSES.index(course) < COURSES.index(self.course):
            later = COURSES[COURSES.index(self.course) + 1:]
            if not later:
                return f"the course {self.course!r} has been taken, and it is final"
            return f"the course {self.course!r} has been taken: from there it can only go on to " \
                   + " or ".join(repr(c) for c in later)
        return ""

    def take_course(self, course: str, why: str) -> None:
        """Set out on a course (the review's choice, or a classroom team's): act on it, record the decision
        with its reasons and signal it to the backed side's will."""
        model = self.model
        r = model.spec.rules.will
        side = self.backed_side()
        self.course = course
        if course == "double down":
            self.decide(f"doubles down: {self.double_down()} ({why})")
            if side is not None:
                model.will.signal(side, r.double_down_signal * self.spec.stake, f"{self.name} doubles down")
        elif course == "withdraw":
            self.decide(f"withdraws: {self.withdraw()} ({why})")
            if side is not None:
                model.will.signal(side, -r.withdraw_signal * self.spec.stake, f"{self.name} withdraws")
        elif course == "evacuate":
            done, left = self.evacuate()
            self.decide(f"evacuates its advisers: {done} ({why})")
            if left and side is not None:                      # only a visible departure is news
                model.will.signal(side, -r.evacuate_signal * self.spec.stake, f"{self.name} evacuates")
        else:
            raise ValueError(f"unknown course {course!r}; courses: {', '.join(COURSES)}")

    def double_down(self) -> str:
        return "holds its course"

    def evacuate(self) -> tuple[str, int]:
        """(what it did, how many units left)."""
        return "has no advisers to evacuate", 0

    def withdraw(self) -> str:
        return self.evacuate()[0]

    def leave(self, rows: np.ndarray) -> int:
        """These units leave the theatre on their patron's order (withdrawn: neither lost nor captured)."""
        withdraw(self.model, rows)
        return int(rows.size)

    def rows_of(self, *, kind: str | None = None, groups: tuple[str, ...] = (), types: tuple[str, ...] = (),
                out_of_contact: bool = False) -> np.ndarray:
        t = self.model.table
        mask = on_map(t)
        if kind is not None:
            mask &= t.kind == KINDS.index(kind)
        if groups:
            mask &= np.isin(t.group, [GROUPS.index(g) for g in groups])
        if types:
            mask &= np.isin(t.utype, [UNIT_TYPES.index(u) for u in types])
        if out_of_contact:
            mask &= ~t.in_contact
        return np.flatnonzero(mask)


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


class IranActor(Patron):
    name = "iran"

    def __init__(self, model):
        super().__init__(model)
        self.pipeline = 0.0                 # recruited, not yet gathered into a battalion
        self.in_transit: list[tuple[float, float]] = []   # (arrival day, personnel)

    @property
    def commitment(self) -> float:
        """Its share of means put into Syria: the scenario parameter itself, so that a lever pulled mid-run
        (a timeline `set`, a classroom team's order, the white cell) and its own decisions act on one value."""
        return self.spec.commitment

    @commitment.setter
    def commitment(self, value: float) -> None:
        self.spec.commitment = float(value)

    def capacity(self) -> float:
        return self.commitment

    def double_down(self) -> str:
        before = self.commitment
        self.commitment += self.spec.stake * (1.0 - self.commitment)    # closes its stake's share of the gap
        return f"recruiting raised from {before:.2f} to {self.commitment:.2f} of its means"

    def evacuate(self) -> tuple[str, int]:
        n = self.leave(self.rows_of(groups=("irgc",), types=("advisers",)))
        return f"{n} IRGC adviser units leave", n

    def withdraw(self) -> str:
        self.commitment = 0.0
        n = self.leave(self.rows_of(groups=("irgc", "fatemiyoun", "zeinabiyoun"), out_of_contact=True))
        return f"recruiting stops; {n} IRGC and volunteer units out of contact leave"

    def step(self) -> None:
        model, spec = self.model, self.spec
        self.review()
        self.pipeline += spec.recruits_per_week * self.commitment / 7.0 / model.spec.steps_per_day
        while self.pipeline >= spec.battalion:
            self.pipeline -= spec.battalion
            self.in_transit.append((model.day + spec.delay_days, float(spec.battalion)))
        arriving = [p for day, p in self.in_transit if day <= model.day + 1e-9]
        self.in_transit = [(day, p) for day, p in self.in_transit if day > model.day + 1e-9]
        for personnel in arriving:
            self.send_battalions(personnel, spec.battalion, spec.entry, "fatemiyoun", spec.recruit_quality,
                                 key="recruits")


class TriggeredReinforcement(Patron):
    """Acts once, `delay_days` after the regime has lost `trigger_cities` of the cities it must hold (or at
    once, if it doubles down first)."""

    group = ""              # its militia group (the units that go home when it withdraws)
    going_home = ""         # what its withdrawal says, after the number of units

    def __init__(self, model):
        super().__init__(model)
        self.triggered_day: float | None = None

    def has_fighters(self) -> bool:
        return True

    def double_down(self) -> str:
        """Send its fighters at once, if they have not gone already."""
        if self.done or not self.has_fighters():
            return "has no more fighters to send"
        self.done = True
        self.act()
        return "sends its fighters now"

    def withdraw(self) -> str:
        n = self.leave(self.rows_of(groups=(self.group,), out_of_contact=True))
        return f"{n} {self.going_home}"

    def step(self) -> None:
        self.review()
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

    def capacity(self) -> float:
        return self.spec.willingness

    group, going_home = "iraqi_pmu", "Iraqi militia units out of contact go home"

    def trigger_message(self) -> str:
        return f"will send fighters: {lost_cities(self.regime_losses())} (willingness {self.spec.willingness:.2f})"

    def act(self) -> None:
        spec = self.spec
        personnel = spec.force * spec.willingness
        count = self.send_battalions(personnel, spec.battalion, spec.entry, "iraqi_pmu",
                                     self.model.spec.rules.actors.iraqi_militia_quality)
        self.decide(f"{personnel:.0f} fighters in {count} unit{'s' * (count != 1)} cross at "
                    f"{self.model.theatre.place(spec.entry).name}")


class HezbollahActor(TriggeredReinforcement):
    name = "hezbollah"

    def capacity(self) -> float:
        return self.spec.strength

    group, going_home = "hezbollah", "Hezbollah units out of contact return to Lebanon"

    def has_fighters(self) -> bool:
        return self.spec.reinforcement > 0

    def step(self) -> None:
        if self.spec.reinforcement > 0:
            super().step()
        else:
            self.review()

    def trigger_message(self) -> str:
        return f"will send fighters from Lebanon: {lost_cities(self.regime_losses())} (strength {self.spec.strength:.2f})"

    def act(self) -> None:
        spec = self.spec
        rules = self.model.spec.rules.actors
        personnel = spec.reinforcement * spec.strength
        quality = rules.hezbollah_quality_base + rules.hezbollah_quality_per_strength * spec.strength
        count = self.send_battalions(personnel, rules.hezbollah_battalion, spec.entry, "hezbollah", quality,
                                     utype="militia")
        self.decide(f"{personnel:.0f} fighters in {count} unit{'s' * (count != 1)} arrive from Lebanon")


class RussiaHQActor(TriggeredReinforcement):
    name = "russia_hq"

    def capacity(self) -> float:
        return self.spec.ukraine_cap

    def wing(self):
        return next((w for w in self.model.wings if w.key == self.spec.wing), None)

    def double_down(self) -> str:
        wing = self.wing()
        if wing is None:
            return "has no air group to reinforce"
        added = round(self.spec.reinforce_aircraft * self.spec.ukraine_cap)
        wing.added += added
        return f"{added} more aircraft reach {wing.key} at once"

    def evacuate(self) -> tuple[str, int]:
        n = self.leave(self.rows_of(kind="russia", types=("advisers", "military_police")))
        return f"{n} adviser and military police units withdraw to Khmeimim and Tartus", n

    def withdraw(self) -> str:
        russian = [w for w in self.model.wings if self.model.spec.factions[w.faction].kind == "russia"]
        for wing in russian:
            wing.withdrawn = True
        n = self.leave(self.rows_of(kind="russia"))
        return f"{len(russian)} air groups stop flying; {n} ground units leave"

    def trigger_message(self) -> str:
        return f"will send aircraft: {lost_cities(self.regime_losses())}"

    def act(self) -> None:
        spec = self.spec
        wing = next((w for w in self.model.wings if w.key == spec.wing), None)
        if wing is None:
            return
        added = round(spec.reinforce_aircraft * spec.ukraine_cap)
        wing.added += added
        self.decide(f"{added} aircraft reach the {wing.spec.name} (of {spec.reinforce_aircraft} promised; Ukraine cap "
                    f"{spec.ukraine_cap:.2f})")


class TurkeyActor(Patron):
    name = "turkey"

    def capacity(self) -> float:
        return self.spec.support

    def backed_side(self) -> int | None:
        sna = next((f for f in self.model.spec.factions.values() if getattr(f, "patron", None) == "turkey"), None)
        return None if sna is None else self.model.side_index[sna.side]

    def review(self) -> None:
        """Turkey backs the opposition: its one decision is to back it harder when the regime is in danger."""
        model = self.model
        r = model.spec.rules.will
        prospects, side = self.prospects(), self.backed_side()
        if self.course != "hold" or prospects is None or side is None or model.day < self.next_review - 1e-9:
            return
        self.next_review = model.day + r.patron_review_days
        if prospects < r.patron_danger and self.spec.stake * self.capacity() >= r.patron_double_down:
            self.course = "double down"
            self.decide(f"backs the offensive: the regime's will is {prospects:.2f} (stake {self.spec.stake:.2f} "
                        f"x support {self.capacity():.2f})")
            model.will.signal(side, r.double_down_signal * self.spec.stake, "Turkey backs the offensive")

    def step(self) -> None:
        self.review()
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
