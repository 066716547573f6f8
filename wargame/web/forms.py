"""The classroom's forms: what a team's order form asks for (its levers, read from the order models), and
the fields the pages and API clients send, as the values Game expects, with a clear error for a bad one."""

from __future__ import annotations

import math
import re
import types
from typing import Literal, Union, get_args, get_origin

from starlette.requests import Request

from wargame.core.errors import WargameError
from wargame.core.scenario import CLASSROOM_SCENARIO, builtin_names
from wargame.play.orders import ORDER_TYPES
from wargame.play.teams import TEAMS
from wargame.web.security import MAX_SCENARIO, BadJSON, Upload, loads

MAX_SEED = 2**32 - 1
MAX_TURN_HOURS = 24 * 31
MAX_TURN = 100_000           # far beyond any game (a year of one-hour turns is 8,760)

LEVER_HELP = {
    "air_priorities": "Where your aircraft strike first: the enemies you see near a place, or a sector "
                      "(first choice first; the rest as the AI ranks them)",
    "redeploy": "Aircraft to ask of Moscow (0-30); they arrive after a delay",
    "talks_with_turkey": "Offer Turkey a deal freezing the north-west",
    "commitment": "Share of Iran's means put into Syria (0-1)",
    "recruits_per_week": "Recruiting drive: recruits a week (0-2000)",
    "iraqi_militias": "Pressure on the Iraqi militias to cross (0-1)",
    "reserves_to": "Commit the regime's reserves to a sector at once",
    "tempo": "How many of your units attack: cautious (a third), steady (two thirds), all_out (all)",
    "support": "Turkish support to the SNA (0.3-1)",
    "accept_talks": "Accept Russia's offer of a deal (when one is open)",
    "strikes_per_week": "Strikes a week on Iranian and Hezbollah targets (0-14)",
    "course": "Your patron's course: keep it, double down (send more now), evacuate the advisers, or "
              "withdraw for good. Once you give one, the rules stop deciding it for you; a course cannot be "
              "taken back",
}


def lever_fields(team: str) -> list[dict]:
    """The team's levers (every order field but the sectors), with a widget kind and limits, read from its
    order model so the form and the validation cannot drift apart."""
    out = []
    for name, field in ORDER_TYPES[team].model_fields.items():
        if name == "sectors":
            continue
        base = field.annotation
        if get_origin(base) in (Union, types.UnionType):           # Optional[X]: the widget is X's
            base = next(a for a in get_args(base) if a is not type(None))
        info = {"name": name, "help": LEVER_HELP.get(name, name.replace("_", " ")), "default": field.default}
        for meta in field.metadata:
            if hasattr(meta, "ge"):
                info["min"] = meta.ge
            if hasattr(meta, "le"):
                info["max"] = meta.le
        if base is bool:
            info["kind"] = "bool"
        elif get_origin(base) is Literal:
            info.update(kind="choice", choices=list(get_args(base)))
        elif base is int:
            info["kind"] = "int"
        elif base is float:
            info["kind"] = "float"
        elif get_origin(base) is list:             # the aircraft's priorities: chosen from a list
            info["kind"] = "target-list"
        else:
            info["kind"] = "sector"
        out.append(info)
    return out



def page_turn(request: Request) -> int | None:
    """The turn the page was showing (X-Game-Turn), so that a request meant for a resolved turn is refused."""
    text = request.headers.get("x-game-turn", "")
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def area_of(request: Request) -> str:
    """The map's area the page asks for: the whole theatre, or the front (the default)."""
    return "all" if request.query_params.get("area") == "all" else "front"


def new_game(body: dict) -> tuple[dict, list[str]]:
    """The new-game form as Game.create's arguments, and the problems with it (none: the game can be made).
    The scenario is a built-in one by name, or a scenario file sent with the form (`scenario_file`: a file
    in a multipart form, or TOML text from a script): never a path on the server's disk."""
    problems = []
    humans = body.get("humans", [])
    humans = [humans] if isinstance(humans, str) else humans
    if not isinstance(humans, list) or not all(isinstance(h, str) for h in humans):
        problems.append("humans: give the teams played by students as a list of team ids")
        humans = []
    elif not humans:
        problems.append("choose at least one team to be played by students")
    unknown = [h[:40] for h in humans if h not in TEAMS]
    if unknown:
        problems.append(f"unknown teams {unknown}; teams: {', '.join(TEAMS)}")

    def number(name, kind, default, low, high):
        value = body.get(name, "")
        if value in ("", None):
            return default
        label = name.replace("_", " ")
        try:
            out = kind(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        except (ValueError, OverflowError):
            out = None
        if out is None or (isinstance(out, float) and not math.isfinite(out)) or (kind is int and value != out
                                                                                   and isinstance(value, float)):
            problems.append(f"{label}: {str(value)[:40]!r} is not a {'whole ' if kind is int else ''}number")
            return default
        if not low <= out <= high:
            problems.append(f"{label}: must lie between {low:g} and {high:g}")
            return default
        return out

    seed = number("seed", int, 1, 0, MAX_SEED)
    turn_hours = number("turn_hours", float, None, 1, MAX_TURN_HOURS)
    scenario, text = body.get("scenario") or CLASSROOM_SCENARIO, None
    upload = body.get("scenario_file")
    if isinstance(upload, Upload) and upload.data:
        if len(upload.data) > MAX_SCENARIO:
            problems.append(f"scenario file: {len(upload.data):,} bytes; {MAX_SCENARIO:,} at most")
        else:
            try:
                text = upload.data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                problems.append(f"scenario file: not UTF-8 text (byte {exc.start}); save it as UTF-8")
        scenario = upload_name(upload.filename)
    elif isinstance(upload, str) and upload.strip():              # a script sends the file's text
        if len(upload.encode("utf-8", "replace")) > MAX_SCENARIO:
            problems.append(f"scenario file: {MAX_SCENARIO:,} bytes at most")
        else:
            text, scenario = upload.removeprefix("\ufeff"), upload_name(str(body.get("scenario_name") or ""))
    elif upload not in (None, "") and not isinstance(upload, Upload):
        problems.append("scenario file: send it as a file in a multipart form, or its text")
    elif not isinstance(scenario, str) or scenario not in builtin_names():
        problems.append(f"scenario: {str(scenario)[:60]!r} is not a built-in scenario; choose one of "
                        f"{', '.join(builtin_names())}, or send a scenario file")
    return {"scenario": scenario, "scenario_text": text, "seed": seed, "turn_hours": turn_hours or None,
            "humans": tuple(t for t in TEAMS if t in humans)}, problems


def upload_name(filename: str) -> str:
    """A scenario's name from its file's name as the browser gave it: letters, digits, _ and - only."""
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".toml")
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:40] or "uploaded"


def whole(value, name: str, low: int = -MAX_TURN, high: int = MAX_TURN) -> int:
    """A whole number from a form's text or a script's JSON, within [low, high]; WargameError if it is not."""
    try:
        out = int(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except (ValueError, OverflowError):
        out = None
    if out is None or (isinstance(value, float) and value != out):
        raise WargameError(f"{name}: {str(value)[:40]!r} is not a whole number")
    if not low <= out <= high:
        raise WargameError(f"{name}: {out} must lie between {low} and {high}")
    return out


def fraction(value, name: str) -> float:
    try:
        out = float(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except (ValueError, OverflowError):
        out = None
    if out is None:
        raise WargameError(f"{name}: {str(value)[:40]!r} is not a number")
    if not 0.0 <= out <= 1.0:                       # NaN is not either
        raise WargameError(f"{name}: {out:g} must lie between 0 and 1")
    return out


def intervention_params(kind: str, raw) -> dict:
    """The form's fields (strings from a page, or typed JSON from an API client) as the params Game expects,
    with a clear error for a value of the wrong type (rather than an exception deep in the model)."""
    if not isinstance(raw, dict):
        raise WargameError("params must be a JSON object { ... }")
    if kind == "israeli_strike":
        return {"target": str(raw.get("target", "leadership"))}
    if kind == "russian_aircraft":
        out = {"aircraft": whole(raw.get("aircraft"), "aircraft", 1, 60)}
        if raw.get("wing"):
            out["wing"] = str(raw["wing"])
        return out
    if kind == "weather":
        value = raw.get("weather", raw.get("bad"))
        if isinstance(value, bool):
            return {"bad": value}
        if value not in ("bad", "clear"):
            raise WargameError("weather: choose bad or clear")
        return {"bad": value == "bad"}
    if kind in ("defection",):
        return {"unit": str(raw.get("unit", "")).strip()}
    if kind == "parameter":
        value = raw.get("value")
        if isinstance(value, str):                 # a form sends text: a number or true/false is meant as one
            try:
                value = loads(value)
            except BadJSON:
                pass
        return {"path": str(raw.get("path", "")).strip(), "value": value}
    if kind == "note":
        return {"text": str(raw.get("text", ""))[:500]}
    if kind == "city":
        return {"city": str(raw.get("city", "")), "side": str(raw.get("side", ""))}
    if kind == "surrender":                   # a town (place) or a sector; the sides by id (play.outcomes)
        out = {k: " ".join(str(raw.get(k) or "").split())[:80] for k in ("place", "sector", "side", "to")}
        return {k: v for k, v in out.items() if v}
    if kind == "freeze":
        return {}
    if kind == "unit":
        out = {"unit": str(raw.get("unit", "")).strip()}
        for field in ("morale", "cohesion", "supply"):
            if raw.get(field) not in (None, ""):
                out[field] = fraction(raw[field], field)
        if len(out) == 1:
            raise WargameError("unit: give a morale, cohesion or supply between 0 and 1")
        return out
    return dict(raw)
