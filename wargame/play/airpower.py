"""A team's air power as its players read it: its air wings, the sorties they fly, how long a strike takes
to land, what its strikes did this turn; and the air targets it may choose from.

Only a team whose factions own air wings has an air picture (Russia's, the regime's). What it is told of
its strikes is what a battle-damage assessment would tell it: the unit struck, where (the place nearest
to it, if it is still in sight or was last seen there), the sorties that landed, the men killed and
whether the unit broke before the turn ended. Sorties that found their target gone are counted: a target
that has moved more than a hex during the coordination delay is missed (rules.air).

Air targets: a team ranks the spotted enemies its aircraft strike first by naming sectors or places. A
place stands for the enemies nearer to it than to any other place (PlaceAreas): the same area is used to
offer "enemies seen near Saraqib" as a choice and to rank the targets when the aircraft fly, so what is
chosen is what is struck first.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from wargame.core.dates import date_of, format_date
from wargame.core.events import AirStrike, DroneRaid, MissileStrike, UnitBroke

AIR_TARGET_SLOTS = 3          # priorities the order form offers (first, second, third)
AIR_TARGETS_OFFERED = 12      # enemy concentrations offered as choices, the largest first
SORTIES_SHOWN = 1             # decimals of sorties in the team's picture


class PlaceAreas:
    """Every cell's nearest named place (a Voronoi partition of the map by its places)."""

    def __init__(self, theatre):
        self.ids = sorted(theatre.place_cell)
        self.names = {p: theatre.place(p).name for p in self.ids}
        cells = np.array([int(theatre.place_cell[p]) for p in self.ids], dtype=np.int64)
        _, nearest = cKDTree(np.column_stack([theatre.x[cells], theatre.y[cells]])).query(
            np.column_stack([theatre.x, theatre.y]))
        self.of_cell = nearest.astype(np.int64)               # index into ids of every cell's nearest place

    def place_of(self, cell: int) -> str | None:
        return self.ids[int(self.of_cell[cell])] if cell >= 0 else None


def air_target_choices(view: dict, sectors, places: PlaceAreas) -> dict:
    """What the team may name as an air priority: the places near which it sees enemies (most units
    first, at most AIR_TARGETS_OFFERED) and every sector, as (id, label) pairs, each id offered once."""
    counts: dict[str, int] = {}
    for unit in view.get("enemies", []):
        place = places.place_of(unit["cell"])
        if place is not None:
            counts[place] = counts.get(place, 0) + 1
    # a place that shares its id with a sector (Idlib the city, the Idlib sector) is not offered apart: the
    # order names the id, which means the sector (target_rank), so "near Idlib" and "Idlib sector" would be
    # two choices that send the same order; the sector's entry is the one choice
    seen = sorted((p for p in counts if p not in sectors.ids),
                  key=lambda p: (-counts[p], places.names[p]))[:AIR_TARGETS_OFFERED]
    return {"places": [(p, f"near {places.names[p]}: {counts[p]} enemy unit{'s' * (counts[p] != 1)} seen")
                       for p in seen],
            "sectors": [(s, f"{sectors.names[s]} sector") for s in sectors.ids]}


def target_rank(priorities: list[str], sectors, places: PlaceAreas | None, cells: np.ndarray) -> np.ndarray:
    """Each target cell's rank under the team's priorities (0: its first; len(priorities): none of them):
    a sector takes the targets inside it, a place those nearer to it than to any other place; an id that
    names both (idlib) is the sector."""
    rank = np.full(cells.size, len(priorities), dtype=np.int64)
    safe = np.maximum(cells, 0)
    for i, name in reversed(list(enumerate(priorities))):      # the first priority naming a target wins
        if name in sectors.ids:
            hit = sectors.of_cell[safe] == sectors.index(name)
        elif places is not None and name in places.ids:
            hit = places.of_cell[safe] == places.ids.index(name)
        else:
            continue
        rank[hit & (cells >= 0)] = i
    return rank


def _when(model, day: float) -> str:
    """A moment as the classroom's pages print it ("27 Nov 05:00")."""
    return format_date(date_of(model.spec.meta.start, day), "short", pad_day=True)


def _own_wings(model, team) -> list:
    return [w for w in model.wings if w.faction in team.factions]


def air_picture(model, team, previous: dict | None, view: dict, places: PlaceAreas) -> dict | None:
    """The team's air power at the end of a turn (None: it has no aircraft). `previous`: its air picture
    at the end of the last turn (to count this turn's sorties), `view`: its picture of the war now (where
    it sees or last saw the units it struck)."""
    wings = _own_wings(model, team)
    if not wings:
        return None
    rules = model.spec.rules.air
    hours = model.spec.meta.hours_per_step
    since = (previous or {}).get("step", 0)
    before = {w["key"]: w["sorties_total"] for w in (previous or {}).get("wings", [])}
    out_wings = []
    for wing in wings:
        spec = wing.spec
        base = model.theatre.place(spec.base).name if spec.base in model.theatre.place_cell else (spec.base or "")
        tactical = spec.kind == "tactical"
        out_wings.append({
            "key": wing.key, "name": spec.name, "kind": spec.kind, "base": base,
            "aircraft": round(float(wing.aircraft), 1), "lost": round(float(wing.lost_aircraft), 1),
            "availability": spec.availability, "sortie_rate": spec.sortie_rate if tactical else None,
            "per_day": round(float(wing.aircraft * spec.availability * spec.sortie_rate), SORTIES_SHOWN)
            if tactical else None,
            "sorties_total": round(float(wing.sorties_flown), SORTIES_SHOWN),
            "sorties_turn": round(float(wing.sorties_flown - before.get(wing.key, 0.0)), SORTIES_SHOWN),
            "flying": bool(wing.operating()), "withdrawn": bool(wing.withdrawn)})
    keys = {w.key for w in wings}
    where = {u["unit"]: u["cell"] for u in view.get("last_seen", []) + view.get("enemies", [])}
    names = {u["unit"]: u["name"] for u in view.get("enemies", [])}
    broke: dict[str, list] = {}             # this turn's breaks by unit (a unit may rally and break again)
    for event in model.events.of_kind(UnitBroke):
        if event.step > since:
            broke.setdefault(event.unit, []).append(event)
    strikes, all_strikes = [], [s for s in model.events.of_kind(AirStrike) if s.wing in keys]
    killed = 0              # this turn's: the strikes' and salvos' own rounded figures, summed, so that the
                            # card, its strike lines and the turn summary's "Your strikes" all agree
    for s in all_strikes:
        if s.step <= since:
            continue
        killed += round(s.killed)
        unit = model.unit_by_key(s.target)
        place = places.place_of(where.get(s.target, -1))
        after = next((b for b in broke.get(s.target, []) if b.step >= s.step), None)
        strikes.append({
            "day": round(s.day, 2), "when": _when(model, s.day), "wing": model.spec.air[s.wing].name,
            "target": names.get(s.target) or (unit.name if unit is not None else s.target),
            "near": places.names[place] if place else "", "sorties": s.sorties, "killed": round(s.killed),
            "delay_hours": s.delay_steps * hours,
            "broke": after.outcome if after is not None else ""})
    fired = [m for m in model.events.of_kind(MissileStrike) if m.wing in keys and m.step > since]
    killed += sum(round(m.killed) for m in fired)
    salvos = [{"day": round(m.day, 2), "when": _when(model, m.day), "wing": model.spec.air[m.wing].name,
               "place": model.theatre.place(m.place).name if m.place in model.theatre.place_cell else m.place,
               "missiles": m.missiles, "killed": round(m.killed)} for m in fired]
    bases = {w.spec.base for w in wings if w.spec.base}
    raids: dict[str, dict] = {}             # drone raids on the bases its aircraft fly from, by base
    for raid in model.events.of_kind(DroneRaid):
        if raid.step > since and raid.base in bases:
            name = model.theatre.place(raid.base).name if raid.base in model.theatre.place_cell else raid.base
            tally = raids.setdefault(name, {"base": name, "raids": 0, "stopped": 0, "destroyed": 0.0})
            tally["raids"] += 1
            tally["stopped"] += int(raid.intercepted)
            tally["destroyed"] += raid.aircraft_destroyed
    landed = sum(s["sorties"] for s in strikes)
    flown = sum(w["sorties_turn"] for w in out_wings if w["kind"] == "tactical")
    pending = sum(q[4] for q in model.strike_queue if q[1] in keys)
    delays = [s["delay_hours"] for s in strikes]
    # what was in the air at the last turn's end landed (or missed) this turn: flown + pending before =
    # landed + missed + pending now
    missed = flown + (previous or {}).get("pending", 0.0) - landed - pending
    return {
        "step": model.steps, "wings": out_wings, "strikes": strikes, "salvos": salvos,
        "drone_raids": list(raids.values()),
        "turn": {"sorties": round(flown, SORTIES_SHOWN), "landed": round(landed, SORTIES_SHOWN),
                 "strikes": len(strikes), "missed": round(max(0.0, missed), SORTIES_SHOWN), "killed": killed,
                 "units_struck": len({s["target"] for s in strikes}),
                 "broke": len({s["target"] for s in strikes if s["broke"]})},
        "total": {"sorties": round(sum(w["sorties_total"] for w in out_wings), SORTIES_SHOWN),
                  "strikes": len(all_strikes), "killed": round(sum(s.killed for s in all_strikes))},
        "pending": round(float(pending), SORTIES_SHOWN),
        "coordination": {"hours": rules.coordination_hours,
                         "worst_hours": rules.coordination_hours * (1.0 + rules.collapse_delay_factor),
                         "collapse_km": rules.collapse_km, "step_hours": hours,
                         "turn_mean_hours": round(sum(delays) / len(delays), 1) if delays else None,
                         "turn_max_hours": max(delays) if delays else None},
        "bad_weather": bool(model.bad_weather), "max_sorties_per_target": rules.max_sorties_per_target,
        "kills_per_sortie": rules.kills_per_sortie}


def air_summary_lines(air: dict) -> list[str]:
    """The turn's air war in plain words (the team page's card, the hot-seat's screen)."""
    t = air["turn"]
    if not t["sorties"] and not t["strikes"]:
        grounded = "bad weather, or no target your side has spotted" if any(w["flying"] for w in air["wings"]) \
            else "none of your air groups is flying"
        lines = [f"Your aircraft flew no sorties this turn ({grounded})."]
    else:
        lines = [f"This turn your aircraft flew {t['sorties']:g} sorties; {t['landed']:g} struck "
                 f"{t['units_struck']} enemy unit{'s' * (t['units_struck'] != 1)} in {t['strikes']} "
                 f"strike{'s' * (t['strikes'] != 1)}, killing {t['killed']} and suppressing their fire"
                 + (f"; {t['broke']} of them broke" if t["broke"] else "") + "."]
    missed = t["missed"]
    if t["sorties"] and missed > 0.05:
        lines.append(f"{missed:.1f} sorties found their target gone (it moved during the coordination delay).")
    if air["pending"]:
        lines.append(f"{air['pending']:g} sorties are on their way to targets and land next turn.")
    for s in air["strikes"]:
        where = f" near {s['near']}" if s["near"] else ""
        after = f"; it broke ({s['broke']})" if s["broke"] else ""
        lines.append(f"{s['when']}: {s['wing']} struck {s['target']}{where}: {s['sorties']:.1f} sorties, "
                     f"{s['killed']} killed, fire suppressed, {s['delay_hours']:g} h after the call{after}.")
    for r in air.get("drone_raids", []):
        lines.append(f"Drones raided {r['base']} {r['raids']} time{'s' * (r['raids'] != 1)} ({r['stopped']} stopped "
                     f"by its air defences): {r['destroyed']:g} aircraft destroyed there.")
    for m in air["salvos"]:
        lines.append(f"{m['when']}: {m['wing']} fired {m['missiles']:g} missiles at {m['place']}: "
                     f"{m['killed']} killed.")
    return lines
