"""The will to fight as an analyst reads it: who is who, which factors moved each will and what lay behind
them, and the chain of decisions that led a regime to collapse or let it hold.

Everything comes from the run directory: the will's ledger at the end (will.json, output.will_state), its
values step by step (the metrics' `will_<entry>`) and the event log, named from the scenario and the
theatre's places (never an internal id where a name exists).

    entries(run) -> [WillEntry]: factions, then leaderships; id, label, side, start, end, ledger
    entry_label(run, entry_id) -> "Syrian Arab Army", "the regime's leadership"
    factor_lines(run, entry) -> [(factor, value, "the loss of cities: -0.38 (Aleppo, Hama)")], losses first
    decision_chain(run, side) -> [(day, who, text)]: abandoned places, the fall-back, local deals,
        uprisings, patrons' courses, the other side's courses, the collapse
    regime_verdicts(run) -> [Verdict]: one per side with a leadership, collapsed or held, with the above
    event_line(run, event) -> readable text of a will-related event (regime_collapsed, local_deal, uprising,
        strategic_decision), or None for other kinds
    major_falls(run) -> [(day, [names])]: the fall of governorate capitals, grouped by step (chart marks)

The ledger's factors (rules.will.WILL_FACTORS) are worded for a reader by FACTOR_WORDS: one phrase for a
loss and one for a gain, since the same factor (cities) takes from the side that lost a place and gives
to the side that took it.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from functools import lru_cache

from wargame.core.campaign import regime_name
from wargame.core.dates import date_of, format_date
from wargame.core.rules.will import WILL_FACTORS
from wargame.report.style import short_name

# factor: (said of a loss, said of a gain)
FACTOR_WORDS = {
    "cities": ("the loss of cities", "cities taken"),
    "bases": ("the loss of air bases and crossings", "air bases and crossings taken"),
    "advance": ("the speed of the enemy's advance", "the speed of the enemy's advance"),
    "breaks": ("its units breaking", "its units breaking"),
    "desertion": ("desertion", "desertion"),
    "patrons": ("its patrons' decisions", "its patrons' support"),
    "leaders": ("commanders killed in strikes", "commanders killed in strikes"),
    "conditions": ("its conditions making every loss worse", "its conditions"),
    "recovery": ("settling back toward its usual level", "recovery with time"),
}
# factor: a neutral name, for a legend where the same colour is a loss for one side and a gain for another
FACTOR_NAMES = {
    "cities": "cities lost or taken", "bases": "air bases and crossings lost or taken",
    "advance": "the speed of the enemy's advance", "breaks": "its units breaking", "desertion": "desertion",
    "patrons": "patrons' decisions and support", "leaders": "commanders killed in strikes",
    "conditions": "conditions (pay, legitimacy, leaders)", "recovery": "recovery toward its usual level",
}
assert tuple(FACTOR_WORDS) == tuple(FACTOR_NAMES) == WILL_FACTORS, "word every factor of rules.will"

# The strategic actors as a reader knows them (a faction acting is named from the scenario)
ACTORS = {"regime_hq": "The regime's command", "russia_hq": "Russia", "iran": "Iran", "hezbollah": "Hezbollah",
          "iraqi_militias": "The Iraqi militias", "turkey": "Turkey", "israel": "Israel", "diplomacy": "Diplomacy"}
PATRONS = ("russia_hq", "iran", "hezbollah", "iraqi_militias", "turkey")
# The patrons' courses (actors.Patron.review) by the words their decisions begin with; a patron's other
# decisions (its triggered reinforcements, Moscow's aircraft) are reported in the chain but are not courses
COURSES = {"doubles down": "doubles down", "withdraws": "withdraws", "evacuates its advisers": "evacuates its advisers",
           "backs the offensive": "backs the offensive"}
# A faction's changes of course (commanders/doctrine.py, _offensive_course)
COURSE_VERBS = ("consolidates", "attacks again", "exploits")
# Decisions that begin with one of these read as a sentence after the actor's name ("Iran withdraws: ...");
# any other is quoted after a colon ("Russia: 4 aircraft reach ...")
VERBS = ("doubles down", "withdraws", "evacuates", "backs", "abandons", "falls back", "consolidates", "exploits",
         "attacks again", "will send")
SMALL = 0.005                  # a factor that moved a will by less than this is left out of the text
LISTED = 5                     # names listed after a factor before "and N more"


@dataclass
class WillEntry:
    id: str                    # a faction id, or "<side>_leadership"
    label: str
    side: str
    leadership: bool
    start: float
    end: float
    ledger: dict[str, float] = field(default_factory=dict)


@dataclass
class Verdict:
    """What became of one side's regime: collapsed (on `day`) or held, and why."""

    side: str
    collapsed: bool
    day: float | None
    threshold: float
    leadership: WillEntry
    army: WillEntry | None
    leadership_factors: list[tuple[str, float, str]]
    army_factors: list[tuple[str, float, str]]
    chain: list[tuple[float, str, str]]
    outcome: dict | None                # the regime_collapsed event, when it collapsed

    @property
    def title(self) -> str:
        regime = regime_name(self.side)
        return f"Why {regime} {'collapsed' if self.collapsed else 'held'}"


# ---------------------------------------------------------------- names


@lru_cache(maxsize=1)
def _places():
    from wargame.core.theatre.features import load_geodata

    return load_geodata().places


def place_name(run, place: str) -> str:
    """A place id as its name ("Homs"); a dormant unit's key (an uprising with no place) as the city or town
    nearest to where the unit stood ("near Daraa"); anything else as given."""
    return name_of_place(place, getattr(run.scenario, "units", {}))


def name_of_place(place: str, units: dict) -> str:
    """place_name, given the scenario's units (a mapping of unit keys to their specs)."""
    places = _places()
    if place in places:
        return short_name(places[place].name)
    unit = units.get(place)
    if unit is not None and getattr(unit, "lat", None) is not None:
        towns = [p for p in places.values() if p.kind in ("city", "town")]
        if towns:
            scale = math.cos(math.radians(unit.lat))
            near = min(towns, key=lambda p: (p.lat - unit.lat) ** 2 + ((p.lon - unit.lon) * scale) ** 2)
            return f"near {short_name(near.name)}"
    return place.replace("_", " ")


def faction_name(run, fid: str) -> str:
    faction = run.scenario.factions.get(fid)
    return short_name(faction.name) if faction else fid.replace("_", " ")


def side_name(run, sid: str) -> str:
    side = run.scenario.sides.get(sid)
    return short_name(side.name) if side else sid.replace("_", " ")


def the(name: str) -> str:
    """A name as the object of a sentence: "the HTS-led coalition and the SNA"."""
    return name if name[:4].lower() == "the " else f"the {name}"


def actor_name(run, actor: str) -> str:
    """Who took a decision: a strategic actor, or a faction (the rebels' courses are their factions'). A
    known actor comes first: idlib_2020's Turkish army in Idlib is the faction `turkey`, Ankara the actor
    `turkey`. Any other is named from its id, as a proper name ("united_states": "United States")."""
    if actor in ACTORS:
        return ACTORS[actor]
    if actor in run.scenario.factions:
        return faction_name(run, actor)
    return string.capwords(actor.replace("_", " "))


def patrons(run) -> tuple[str, ...]:
    """The actors that back a side: the model's patrons, and any patron beyond the theatre whose course the
    scenario's timeline gives (south_2018: the United States)."""
    signals = [e.patron for e in run.scenario.timeline if getattr(e, "event", None) == "patron"]
    return PATRONS + tuple(p for p in signals if p not in PATRONS)


def is_course(run, event: dict) -> bool:
    """Whether a strategic decision is a faction's change of course (commanders/doctrine.py: "exploits: ..."),
    not the decision of an actor that shares its id with a faction."""
    return event["actor"] in run.scenario.factions and event["decision"].startswith(COURSE_VERBS)


def entry_label(run, entry_id: str) -> str:
    """A will entry as a reader knows it: the faction's name, or "the regime's leadership"."""
    if entry_id in run.scenario.factions:
        return faction_name(run, entry_id)
    side = entry_id.removesuffix("_leadership")
    return f"{regime_name(side)}'s leadership"


def _listed(names: list[str]) -> str:
    unique = list(dict.fromkeys(names))
    if len(unique) <= LISTED:
        return ", ".join(unique)
    return ", ".join(unique[:LISTED]) + f" and {len(unique) - LISTED} more"


def when(run, day: float) -> str:
    return format_date(date_of(run.start, day), "minute")


# ---------------------------------------------------------------- the entries and their factors


def entries(run) -> list[WillEntry]:
    """The will's entries: from will.json, or (a run written before it was kept) from the metrics' will
    columns, with an empty ledger; none for a run with neither."""
    if run.will:
        return [WillEntry(e["id"], entry_label(run, e["id"]), e["side"], bool(e["leadership"]), float(e["start"]),
                          float(e["end"]), dict(e["ledger"])) for e in run.will["entries"]]
    m = run.metrics
    out = []
    for column in (c for c in m.columns if c.startswith("will_")):
        eid = column.removeprefix("will_")
        leadership = eid not in run.scenario.factions
        side = eid.removesuffix("_leadership") if leadership else run.scenario.factions[eid].side
        out.append(WillEntry(eid, entry_label(run, eid), side, leadership, float(m[column].iloc[0]),
                             float(m[column].iloc[-1])))
    return out


def leadership_of(run) -> dict[str, str]:
    """{side: its leadership's entry id} for the sides that have one."""
    if run.will:
        return dict(run.will["leadership"])
    return {e.side: e.id for e in entries(run) if e.leadership}


def army_of(run) -> dict[str, str]:
    """{side: its state army's faction id} for the sides with a leadership."""
    if run.will:
        return dict(run.will["army"])
    return {sid: next(fid for fid, f in run.scenario.factions.items() if f.side == sid and f.kind == "saa")
            for sid in leadership_of(run)}


def collapsed_days(run) -> dict[str, float]:
    """{side: day its regime collapsed}, from will.json or else the event log."""
    if run.will:
        return {s: float(d) for s, d in run.will["collapsed"].items()}
    return {e["side"]: float(e["day"]) for e in run.events if e["kind"] == "regime_collapsed"}


def _patron_side(run, actor: str) -> str | None:
    """The side a patron backs: Turkey the side of the faction it patronises, the others the regime's."""
    if actor == "turkey":
        return next((f.side for f in run.scenario.factions.values() if getattr(f, "patron", None) == "turkey"), None)
    return next(iter(army_of(run)), None)


def _course(decision: str) -> str | None:
    for words, course in COURSES.items():
        if decision.startswith(words):
            return course
    return None


def _detail(run, entry: WillEntry, factor: str, value: float) -> str:
    """What lay behind a factor's change of an entry's will, in a few words (empty when nothing names it)."""
    side = entry.side
    if entry.leadership:                           # the leadership feels its army's breaks and desertion
        own = [army_of(run).get(side, "")]
    else:
        own = [entry.id]
    events = run.events
    if factor in ("cities", "bases"):
        kind, key = ("city_captured", "city") if factor == "cities" else ("base_captured", "base")
        lost = value < 0
        changed = [e for e in events if e["kind"] == kind and e["from_side" if lost else "side"] == side]
        places = _places()
        # the largest first: a reader looks for Aleppo before As-Safira
        changed.sort(key=lambda e: -(places[e[key]].population if e[key] in places else 0))
        return _listed([short_name(e["name"]) for e in changed])
    if factor == "advance":
        column = f"territory_{side}"
        if column in run.metrics:
            first, last = run.metrics[column].iloc[0], run.metrics[column].iloc[-1]
            return f"held {first:.1%} of the theatre, then {last:.1%}"
        return ""
    if factor == "breaks":
        broke = [e for e in events if e["kind"] in ("unit_broke", "unit_defected") and e.get("faction") in own]
        units = len({e["unit"] for e in broke})
        men = sum(int(e.get("personnel", 0)) for e in broke)
        return f"{units} unit{'s' * (units != 1)}, {men:,} men" if units else ""
    if factor == "desertion":
        # a regime's collapse sends its men home in its last step: those are not the desertion that moved the will
        collapsed = side in collapsed_days(run) and len(run.metrics) > 1
        row = run.metrics.iloc[-2 if collapsed else -1]
        men = sum(float(row[f"deserted_{f}"]) for f in own if f"deserted_{f}" in row)
        return f"{men:,.0f} men deserted{' before the collapse' if collapsed else ''}" if men >= 1 else ""
    if factor == "patrons":
        courses = [f"{actor_name(run, e['actor'])} {_course(e['decision'])}" for e in events
                   if e["kind"] == "strategic_decision" and e["actor"] in PATRONS and _course(e["decision"])
                   and _patron_side(run, e["actor"]) == side and "no advisers" not in e["decision"]]
        # a patron's battalions are keyed after it (actors.Actor.send_battalions: "iran_recruits_512")
        arrived = sum(1 for e in events if e["kind"] == "unit_arrived"
                      and any(str(e.get("unit", "")).startswith(f"{p}_") for p in PATRONS)
                      and run.scenario.factions.get(e.get("faction")) is not None
                      and run.scenario.factions[e["faction"]].side == side)
        parts = courses + ([f"{arrived} battalion{'s' * (arrived != 1)} sent"] if arrived else [])
        return _listed(parts)
    if factor == "leaders":
        strikes = sum(1 for e in events if e["kind"] == "israeli_strike" and e.get("target") == "leadership")
        return f"{strikes} strike{'s' * (strikes != 1)} on commanders" if strikes else ""
    if factor == "conditions":
        faction = run.scenario.factions.get(entry.id)
        if faction is not None and faction.kind == "saa":
            return f"pay {faction.pay:.2f}, legitimacy {faction.legitimacy:.2f}"
        if faction is not None and faction.kind == "militia":
            return f"leadership {faction.leadership:.2f}"
        return ""
    return ""


def factor_lines(run, entry: WillEntry) -> list[tuple[str, float, str]]:
    """The factors that moved an entry's will, losses first (the largest first), then gains; each with a
    line in plain words: "the loss of cities: -0.38 (Aleppo, Hama)"."""
    moved = [(f, v) for f, v in entry.ledger.items() if abs(v) >= SMALL]
    moved.sort(key=lambda fv: (fv[1] >= 0, fv[1] if fv[1] < 0 else -fv[1]))
    out = []
    for factor, value in moved:
        words = FACTOR_WORDS.get(factor, (factor, factor))[0 if value < 0 else 1]
        detail = _detail(run, entry, factor, value)
        out.append((factor, value, f"{words}: {value:+.2f}" + (f" ({detail})" if detail else "")))
    return out


# ---------------------------------------------------------------- events and decisions


def decision_line(run, event: dict) -> str:
    """A strategic decision as a sentence: "Iran withdraws: recruiting stops; ...", "HTS-led Military
    Operations Command exploits: the enemy leadership's will is 0.39", "Russia: 4 aircraft reach ..."."""
    decision = event["decision"]
    joint = " " if decision.startswith(VERBS) else ": "
    return f"{actor_name(run, event['actor'])}{joint}{decision}"


def event_line(run, event: dict) -> str | None:
    """Readable text of an event of the will to fight (None for other kinds)."""
    kind = event["kind"]
    if kind == "regime_collapsed":
        return (f"{regime_name(event['side']).capitalize()} collapses (its leadership's will {event['will']:.2f}; "
                f"{event['why']}): {event['deserted']} units go home, {event['surrendered']} surrender, "
                f"{event['withdrew']} leave the theatre")
    if kind == "local_deal":
        one = event["units"] == 1
        other = f" with {the(side_name(run, event['side']))}" if event.get("side") else ""
        place = place_name(run, event["place"])
        return (f"{event['units']} unit{'' if one else 's'} of the {faction_name(run, event['faction'])} "
                f"({event['personnel']:,} men) settle{'s' if one else ''}{other} "
                f"{place if place.startswith('near ') else 'at ' + place}: "
                f"{'it hands over its' if one else 'they hand over their'} heavy weapons and "
                f"leave{'s' if one else ''} ({event['why']})")
    if kind == "uprising":
        place = place_name(run, event["place"])
        return (f"{faction_name(run, event['faction'])} rise {place if place.startswith('near ') else 'at ' + place} "
                f"({event['units']} unit{'s' * (event['units'] != 1)}, {event['personnel']:,} men): "
                f"{event['why']}")
    if kind == "strategic_decision":
        return decision_line(run, event)
    return None


CHAIN_KINDS = ("strategic_decision", "local_deal", "uprising", "regime_collapsed")


def will_events(run, kinds=CHAIN_KINDS) -> list[tuple[dict, str]]:
    """The events of these kinds in order, each with its readable text; the same course taken by several
    factions in one step ("exploits") is one entry naming them all (the first faction's event stands for
    it)."""
    out: list[tuple[dict, str]] = []
    courses: dict[tuple[int, str], list] = {}
    for e in run.events:
        if e["kind"] not in kinds:
            continue
        if e["kind"] == "strategic_decision" and is_course(run, e):
            key = (int(e["step"]), e["decision"])
            if key not in courses:
                courses[key] = [e, []]
                out.append((e, ""))               # its text once every faction that took it is known
            courses[key][1].append(faction_name(run, e["actor"]))
            continue
        out.append((e, event_line(run, e)))
    for i, (e, text) in enumerate(out):
        if text:
            continue
        names = courses[(int(e["step"]), e["decision"])][1]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb, _, why = e["decision"].partition(": ")
        if len(names) > 1:                        # "exploits" -> "exploit" for several
            first, *rest = verb.split()
            verb = " ".join([first.removesuffix("s"), *rest])
        out[i] = (e, f"{who} {verb}" + (f": {why}" if why else ""))
    return out


def decision_chain(run, side: str) -> list[tuple[float, str, str]]:
    """(day, what, text) of the decisions that bore on a side's regime, in order: its command's
    (abandoned places, the fall-back), its units' local deals, the uprisings against it, its patrons'
    courses, its enemies' courses, and its collapse."""
    chain = []
    for e, text in will_events(run):
        kind = e["kind"]
        if kind == "regime_collapsed" and e["side"] != side:
            continue
        if kind == "strategic_decision":
            what = "course" if is_course(run, e) else "patron" if e["actor"] in patrons(run) else "command"
        else:
            what = {"local_deal": "local deal", "uprising": "uprising", "regime_collapsed": "collapse"}[kind]
        chain.append((float(e["day"]), what, text))
    return chain


def regime_verdicts(run) -> list[Verdict]:
    """One verdict per side with a leadership: did its regime collapse, and why (its leadership's and its
    army's factors, the chain of decisions)."""
    all_entries = {e.id: e for e in entries(run)}
    collapsed = collapsed_days(run)
    armies = army_of(run)
    threshold = float(run.scenario.rules.will.collapse)
    out = []
    for side, lead_id in leadership_of(run).items():
        lead = all_entries.get(lead_id)
        if lead is None:
            continue
        army = all_entries.get(armies.get(side, ""))
        outcome = next((e for e in run.events if e["kind"] == "regime_collapsed" and e["side"] == side), None)
        out.append(Verdict(side, side in collapsed, collapsed.get(side), threshold, lead, army,
                           factor_lines(run, lead), factor_lines(run, army) if army else [],
                           decision_chain(run, side), outcome))
    return out


def major_falls(run) -> list[tuple[float, list[str]]]:
    """The fall of each governorate capital (the cities a reader marks a campaign by), the first time it
    changed hands, grouped by the step it fell in."""
    places = _places()
    by_step: dict[int, tuple[float, list[str]]] = {}
    seen = set()
    for e in run.events:
        if e["kind"] != "city_captured" or e["city"] in seen:
            continue
        place = places.get(e["city"])
        if place is None or place.kind != "city" or not place.governorate_capital:
            continue
        seen.add(e["city"])
        day, names = by_step.setdefault(int(e["step"]), (float(e["day"]), []))
        names.append(short_name(e["name"]))
    return [by_step[s] for s in sorted(by_step)]
