"""Events as lines of news for players: one wording for the web pages and the hot-seat screen.

Names come from the status the reader has: `side_names` and `faction_names` (the scenario's), place ids
through the theatre's places, strategic actors as report.will names them. What a team may not know of an
enemy's will has already been taken out of the event (play.fog.redact)."""

from __future__ import annotations

from wargame.play.words import count
from wargame.report.will import ACTORS, VERBS, name_of_place


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
        return name_of_place(p, {})
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
        return f"air strike ({event['wing']}) on {unit(event['target'])}: {event['killed']:.0f} killed"
    if k == "missile_strike":
        return f"missile strike on {place(event['place'])}: {event['killed']:.0f} killed"
    if k == "drone_raid":
        return f"drone raid on {place(event['base'])}" + (" (intercepted)" if event.get("intercepted") else "")
    if k == "israeli_strike":
        return f"Israeli strike on {event['target']}" + (f" ({unit(event['unit'])})" if event.get("unit") else "")
    if k == "strategic_decision":
        actor, decision = event["actor"], event["decision"]
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
