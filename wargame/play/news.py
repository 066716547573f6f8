"""Events as lines of news for players: one wording for the web pages and the hot-seat screen.

Names come from the status the reader has: `side_names` and `faction_names` (the scenario's), place ids
through the theatre's places (`place_names`), air wings (`wing_names`), strategic actors as report.will
names them. What a team may not know of an enemy's will has already been taken out of the event
(play.fog.redact). `grouped` reads repetitive events as one line: the units of one faction that broke in
the same step, an air wing's strikes in a step, and the like."""

from __future__ import annotations

import re

from wargame.play.words import count
from wargame.report.will import ACTORS, VERBS, name_of_place

LISTED = 6               # units or places listed by name before "and N more"
OUTCOME_WORDS = {"rout": "routed", "surrender": "surrendered", "desertion": "deserted", "defection": "defected"}
# Events read as one line when several of a kind (and of one faction, or one air wing) come in one step
GROUPED = ("unit_broke", "unit_encircled", "unit_rallied", "unit_destroyed", "equipment_captured", "air_strike",
           "drone_raid")

# An id in free text (a decision's words): lower-case words joined by underscores, as "ru_khmeimim"
ID_IN_TEXT = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def named(text: str, status: dict) -> str:
    """Free text with the ids it carries (air wings, places, factions) replaced by their names."""
    known = {**status.get("faction_names", {}), **status.get("place_names", {}), **status.get("wing_names", {})}
    return ID_IN_TEXT.sub(lambda m: known.get(m.group(0), m.group(0)), text)


def describe(event: dict, status: dict, names: dict[str, str] | None = None) -> str:
    """An event as a line of news for a player (`names`: unit ids to the names the reader knows them by)."""
    sides = status.get("side_names", {})
    factions = status.get("faction_names", {})
    k = event.get("kind")
    def side(s):
        return sides.get(s, s)
    def unit(key):
        return (names or {}).get(key, key)
    def faction(f):
        return factions.get(f, str(f).replace("_", " "))
    def place(p):
        return status.get("place_names", {}).get(p) or name_of_place(p, {})

    def wing(w):
        return status.get("wing_names", {}).get(w, w)
    if k == "city_captured":
        return f"{event['name']} taken by {side(event['side'])} (from {side(event['from_side'])})"
    if k == "base_captured":
        return f"{event['name']} taken by {side(event['side'])}"
    if k == "unit_broke":
        return f"{event['name']} broke ({event['outcome']}, {count(event['personnel'], 'man')})"
    if k in ("unit_rallied", "unit_destroyed", "unit_encircled"):
        return f"{event['name']} {k.split('_')[1]}"
    if k == "unit_arrived":
        return f"{event['name']} arrived at {place(event['place'])}"
    if k == "unit_defected":
        return f"{event['name']} defected ({count(event['personnel'], 'man')})"
    if k == "equipment_captured":
        return f"equipment of {unit(event['unit'])} captured ({event['reason']})"
    if k == "air_strike":
        return f"air strike ({wing(event['wing'])}) on {unit(event['target'])}: {event['killed']:.0f} killed"
    if k == "missile_strike":
        return f"missile strike on {place(event['place'])}: {event['killed']:.0f} killed"
    if k == "drone_raid":
        return f"drone raid on {place(event['base'])}" + (" (intercepted)" if event.get("intercepted") else "")
    if k == "israeli_strike":
        if not event.get("unit"):
            return "Israeli strike on an Iranian supply convoy"
        what = {"leadership": "the commanders of", "depot": "the depot of"}.get(event["target"], "")
        return f"Israeli strike on {what} {unit(event['unit'])}: {event.get('killed', 0):.0f} killed".replace("  ", " ")
    if k == "strategic_decision":
        actor, decision = event["actor"], named(event["decision"], status)
        who = factions.get(actor) or ACTORS.get(actor, actor.replace("_", " ").capitalize())
        return f"{who}{' ' if decision.startswith(VERBS) else ': '}{decision}"
    if k == "regime_collapsed":
        regime = "The regime" if event["side"] == "regime" else f"The regime of {side(event['side'])}"
        if "deserted" not in event:                # the room's news keeps only the headline
            return f"{regime} collapses"
        return (f"{regime} collapses: {count(event['deserted'], 'unit')} go home, {event['surrendered']} surrender, "
                f"{event['withdrew']} leave the theatre")
    if k == "local_deal":
        with_whom = f" with {side(event['side'])}" if event.get("side") else ""
        return (f"{count(event['units'], 'unit')} of {faction(event['faction'])} ({count(event['personnel'], 'man')})"
                f" settle{with_whom}"
                f" at {place(event['place'])}, hand over their heavy weapons and leave ({event['why']})")
    if k == "uprising":
        return (f"{faction(event['faction'])} rise at {place(event['place'])} ({count(event['units'], 'unit')}, "
                f"{count(event['personnel'], 'man')}): {event['why']}")
    if k == "weather":
        return "bad weather: aircraft grounded" if event.get("bad") else "the weather clears"
    if k == "parameter_set":
        return f"{event['path']} set to {event['value']}"
    if k == "note":
        return str(event.get("note", ""))
    if k == "campaign_ended":
        return f"the campaign ends: {event.get('reason', '')}"
    if k == "objective_achieved":
        return f"objective {event['objective']} achieved by {side(event['side'])}"
    return str(k).replace("_", " ")


def listed(names: list[str], limit: int = LISTED) -> str:
    """ "A, B and C", or "A, B, ... and 4 more" past `limit`."""
    names = list(dict.fromkeys(names))
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}" if names else ""


def grouped(events: list[dict], status: dict, names: dict[str, str] | None = None) -> list[tuple[dict, str]]:
    """Events as (first event, line of news), in their order, with the repetitive ones grouped (GROUPED):
    "12 Syrian Arab Army units broke (3,580 men; 8 routed, 4 surrendered): A, B, ... and 6 more"."""
    order: list[tuple] = []
    members: dict[tuple, list[dict]] = {}
    for n, event in enumerate(events):
        k = event.get("kind")
        key = ((event.get("step"), k, event.get("wing") if k == "air_strike" else event.get("faction"))
               if k in GROUPED else (n,))
        if key not in members:
            members[key] = []
            order.append(key)
        members[key].append(event)
    return [(members[key][0], describe(members[key][0], status, names) if len(members[key]) == 1
             else describe_many(members[key], status, names)) for key in order]


def describe_many(events: list[dict], status: dict, names: dict[str, str] | None = None) -> str:
    """Several events of one kind (and one faction or air wing) in one step, as one line of news."""
    k, n, first = events[0]["kind"], len(events), events[0]
    factions = status.get("faction_names", {})
    who = factions.get(first.get("faction"), str(first.get("faction", "")).replace("_", " "))

    def unit(key):
        return (names or {}).get(key, key)
    if k == "unit_broke":
        outcomes: dict[str, int] = {}
        for e in events:
            outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
        how = ", ".join(f"{c} {OUTCOME_WORDS.get(o, o)}" for o, c in sorted(outcomes.items(), key=lambda oc: -oc[1]))
        return (f"{n} {who} units broke ({sum(e['personnel'] for e in events):,} men; {how}): "
                f"{listed([e['name'] for e in events])}")
    if k in ("unit_encircled", "unit_rallied", "unit_destroyed"):
        return f"{n} {who} units {k.split('_')[1]}: {listed([e['name'] for e in events])}"
    if k == "equipment_captured":
        return f"equipment of {n} {who} units captured: {listed([unit(e['unit']) for e in events])}"
    if k == "air_strike":
        wing = status.get("wing_names", {}).get(first["wing"], first["wing"])
        return (f"{n} air strikes ({wing}) on {listed([unit(e['target']) for e in events])}: "
                f"{sum(e['killed'] for e in events):.0f} killed")
    if k == "drone_raid":
        places = status.get("place_names", {})
        stopped = sum(bool(e.get("intercepted")) for e in events)
        return (f"{n} drone raids on {listed([places.get(e['base'], e['base']) for e in events])}"
                + (f" ({stopped} intercepted)" if stopped else ""))
    return "; ".join(describe(e, status, names) for e in events)
