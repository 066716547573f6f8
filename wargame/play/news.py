"""Events as lines of news for players: one wording for the web pages and the hot-seat screen."""

from __future__ import annotations


def describe(event: dict, status: dict, names: dict[str, str] | None = None) -> str:
    """An event as a line of news for a player (`names`: unit ids to the names the reader knows them by)."""
    sides = status.get("side_names", {})
    k = event.get("kind")
    def side(s):
        return sides.get(s, s)
    def unit(key):
        return (names or {}).get(key, key)
    if k == "city_captured":
        return f"{event['name']} taken by {side(event['side'])} (from {side(event['from_side'])})"
    if k == "base_captured":
        return f"{event['name']} taken by {side(event['side'])}"
    if k == "unit_broke":
        return f"{event['name']} broke ({event['outcome']}, {event['personnel']} men)"
    if k in ("unit_rallied", "unit_destroyed", "unit_encircled"):
        return f"{event['name']} {k.split('_')[1]}"
    if k == "unit_arrived":
        return f"{event['name']} arrived at {event['place']}"
    if k == "unit_defected":
        return f"{event['name']} defected ({event['personnel']} men)"
    if k == "equipment_captured":
        return f"equipment of {unit(event['unit'])} captured ({event['reason']})"
    if k == "air_strike":
        return f"air strike ({event['wing']}) on {unit(event['target'])}: {event['killed']:.0f} killed"
    if k == "missile_strike":
        return f"missile strike on {event['place']}: {event['killed']:.0f} killed"
    if k == "drone_raid":
        return f"drone raid on {event['base']}" + (" (intercepted)" if event.get("intercepted") else "")
    if k == "israeli_strike":
        return f"Israeli strike on {event['target']}" + (f" ({unit(event['unit'])})" if event.get("unit") else "")
    if k == "strategic_decision":
        return f"{event['actor']}: {event['decision']}"
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
