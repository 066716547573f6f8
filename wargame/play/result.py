"""The result of a game for each team, scored from the model's objective records (rules/objectives.py:
model.objective_progress, model.objectives_achieved and the capture events), and why the game ended.

An objective is met if it is complete at the end: every place of a capture or hold objective held by the
team's side, an area objective's share of cells held. A capture objective achieved and lost again says
when it was taken; a hold objective names the places lost and when each first fell. The verdict:
won (every objective met), held (every objective met, all of them to hold), partial (some met), lost (none
met, or the team's side's regime collapsed), unscored (the scenario sets the team no objectives).
"""

from __future__ import annotations

from wargame.core.dates import date_of, format_date
from wargame.core.rules.objectives import place_held
from wargame.play.briefing import objective_text, place_name, scored_objectives
from wargame.play.teams import Team
from wargame.play.words import count

VERDICTS = ("won", "held", "partial", "lost", "unscored")


def _first_lost(model, place: str, side: str) -> float | None:
    """The day a place first fell from `side`, from the capture events (None: never taken from it)."""
    for event in model.events.to_dicts():
        if event["kind"] in ("city_captured", "base_captured") and event.get("from_side") == side and \
                place in (event.get("city"), event.get("base")):
            return event["day"]
    return None


def when(model, day: float, turn_of) -> str:
    """A moment of the game as every page says it: its date and the game's turn ("28 Nov 11:00, turn 1")."""
    return f"{format_date(date_of(model.spec.meta.start, day), 'short', pad_day=True)}, turn {turn_of(day)}"


def objective_result(model, oid: str, turn_of) -> dict:
    """One objective at the end: met or not, its progress, and when (a day and the game's turn)."""
    o = model.spec.objectives[oid]
    side = model.side_index[o.side]
    progress = float(model.objective_progress.get(oid, 0.0))
    target = o.share if o.kind == "area" else 1.0
    met = progress >= target - 1e-12
    achieved = model.objectives_achieved.get(oid)
    out = {"id": oid, "text": objective_text(model.spec, oid), "kind": o.kind, "met": met,
           "progress": round(progress, 3), "day": None if achieved is None else round(float(achieved), 2)}
    if o.kind == "hold":
        lost = [p for p in o.places if not place_held(model, p, side)]
        falls = {p: _first_lost(model, p, o.side) for p in lost}
        out["lost"] = [{"place": p, "name": place_name(p), "day": None if d is None else round(d, 2),
                        "turn": None if d is None else turn_of(d)} for p, d in falls.items()]
        out["how"] = ("every place held" if met else "lost " + ", ".join(
            place_name(p) + (f" ({when(model, d, turn_of)})" if d is not None else "") for p, d in falls.items()))
    elif met:
        out["how"] = (f"met on {when(model, achieved, turn_of)}" if achieved is not None
                      else "held from the start")
    else:
        held = (f"{progress:.0%} of the area held" if o.kind == "area" else "not taken: " + ", ".join(
            place_name(p) for p in o.places if not place_held(model, p, side)))
        out["how"] = (f"met on {when(model, achieved, turn_of)} but lost again; {held}"
                      if achieved is not None else held)
    out["turn"] = None if achieved is None else turn_of(achieved)
    return out


def team_result(model, team: Team, turn_of) -> dict:
    """A team's result: its objectives (objective_result), the verdict and the reason for it."""
    objectives = [objective_result(model, oid, turn_of) for oid in scored_objectives(model.spec, team)]
    met = [o for o in objectives if o["met"]]
    side = model.side_index.get(team.side) if team.side else None
    collapsed = model.will.collapsed.get(side) if side is not None else None
    if collapsed is not None:
        verdict, reason = "lost", f"the regime collapsed on {when(model, collapsed, turn_of)}"
    elif not objectives:
        verdict, reason = "unscored", "this scenario sets your team no objectives"
    elif len(met) == len(objectives):
        verdict = "held" if all(o["kind"] == "hold" for o in objectives) else "won"
        reason = f"every objective met ({len(met)} of {len(objectives)})"
    else:
        verdict = "partial" if met else "lost"
        reason = f"{len(met)} of {count(len(objectives), 'objective')} met"
    if objectives and collapsed is None:
        missed = [o for o in objectives if not o["met"]]
        if missed:
            reason += "; not met: " + "; ".join(f"{o['text']} ({o['how']})" for o in missed)
    return {"team": team.id, "name": team.name, "verdict": verdict, "reason": reason, "objectives": objectives}


def end_reason(model, turn: int, turns: int, duration_days: float) -> str:
    """Why the game ended, in words (the model's own reason when it stopped itself)."""
    if model.end_reason:
        return model.end_reason
    if turn >= turns:
        return f"the last turn ({turns} of {turns}) was played: the game's {duration_days:g} days are over"
    return ""
