"""A team's orders for one turn, validated strictly with messages that say what is allowed.

Every team may give ground orders for its factions by sector:
    sectors = {"aleppo": {"stance": "hold"}, "idlib": {"stance": "attack", "axis": "saraqib"}}
      stance   doctrine (the AI decides; the default) | hold | attack | withdraw
      axis     a place id to attack towards (attack only; default: the AI's choice of target)
and, by team, its levers:
    russia   air_priorities = ["saraqib", "hama"]  places or sectors whose spotted enemies its aircraft strike
                                                    first (a place: the enemies nearer to it than to any other)
             redeploy = 12                          aircraft asked of Moscow (the war in Ukraine lets a share go;
                                                    they arrive after Moscow's delay; 30 in a game at most)
             talks_with_turkey = true               offer Turkey a deal freezing the north-west
             course = "double_down"                 Moscow's course: keep | double_down | evacuate | withdraw
                                                    (play.patrons; Iran's team has the same lever)
    iran     commitment = 0.8                       share of its means Iran puts into Syria (0-1)
             recruits_per_week = 800                recruiting drive (0-2000)
             iraqi_militias = 0.6                   pressure on the Iraqi militias to cross (0-1)
    regime   reserves_to = "hama"                   commit the regime HQ's reserves to a sector at once
    rebels   tempo = "cautious" | "steady" | "all_out"   share of the AI's attacks kept (a third, two thirds,
                                                    all); not given: as the AI attacks
    turkey   support = 0.9                          Turkish support to the SNA (0.3-1)
             accept_talks = true                    accept Russia's offer of a deal (refused when none is open)
    israel   strikes_per_week = 10                  strike tempo on Iranian and Hezbollah targets (0-14)
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wargame.core.errors import Problem, ScenarioError, problems_from_validation
from wargame.play.names import PlaceNames, canonical_orders

STANCES = ("doctrine", "hold", "attack", "withdraw")
MAX_AIR_PRIORITIES = 10      # places or sectors a team may rank for its aircraft (the web form offers three)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SectorOrder(Strict):
    stance: Literal["doctrine", "hold", "attack", "withdraw"] = "doctrine"
    axis: str | None = None


class BaseOrders(Strict):
    sectors: dict[str, SectorOrder] = {}


Course = Literal["keep", "double_down", "evacuate", "withdraw"]     # play.patrons


class RussiaOrders(BaseOrders):
    air_priorities: list[str] = Field([], max_length=MAX_AIR_PRIORITIES)
    redeploy: int = Field(0, ge=0, le=30)
    talks_with_turkey: bool = False
    course: Course | None = None


class IranOrders(BaseOrders):
    commitment: float | None = Field(None, ge=0.0, le=1.0)
    recruits_per_week: float | None = Field(None, ge=0.0, le=2000.0)
    iraqi_militias: float | None = Field(None, ge=0.0, le=1.0)
    course: Course | None = None


class RegimeOrders(BaseOrders):
    reserves_to: str | None = None


class RebelOrders(BaseOrders):
    tempo: Literal["cautious", "steady", "all_out"] | None = None      # None: as the doctrine AI attacks


class TurkeyOrders(BaseOrders):
    support: float | None = Field(None, ge=0.3, le=1.0)
    accept_talks: bool = False


class IsraelOrders(Strict):
    strikes_per_week: float | None = Field(None, ge=0.0, le=14.0)


ORDER_TYPES: dict[str, type[BaseModel]] = {"russia": RussiaOrders, "iran": IranOrders, "regime": RegimeOrders,
                                           "rebels": RebelOrders, "turkey": TurkeyOrders, "israel": IsraelOrders}
TEMPO_SHARE = {"cautious": 1 / 3, "steady": 2 / 3, "all_out": 1.0}
# Levers that act once when given (ask Moscow for aircraft, open or accept talks, commit the reserves): they do
# not carry over to the next turn, where asking again is a new decision. Every other order stands until changed.
ONE_SHOT = ("redeploy", "talks_with_turkey", "accept_talks", "reserves_to")


def standing(orders: dict | None) -> dict | None:
    """A turn's orders as they stand the next turn unless changed: all but the one-shot levers."""
    return None if orders is None else {k: v for k, v in orders.items() if k not in ONE_SHOT}


def parse_orders(team: str, raw: dict, sectors, places: set[str], names: PlaceNames | None = None) -> BaseModel:
    """Validate a team's orders; a ScenarioError lists every problem (field path and what is allowed).
    With `names`, sectors and places may be given as the map labels them, in any case (play.names)."""
    source = f"orders of {team}"
    raw = canonical_orders(raw, names)
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(source, "", "orders must be a JSON object")])
    try:
        orders = ORDER_TYPES[team].model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(in_words(problems_from_validation(exc, source, schema=ORDER_TYPES[team]),
                                     sectors.names)) from None
    problems = []
    known = ", ".join(sectors.names.get(s, s) for s in sectors.ids)      # as the map names them

    def meant(text, suggest) -> str:
        close = suggest(text) if names is not None else []
        return f"; did you mean {' or '.join(close)}?" if close else ""

    no_sector = names.suggest_sector if names is not None else None
    for sector, order in getattr(orders, "sectors", {}).items():
        if sector not in sectors.ids:
            problems.append(Problem(source, f"sectors.{sector}", f"no such sector{meant(sector, no_sector)}; "
                                        f"sectors: {known}"))
        if order.axis is not None:
            if order.stance != "attack":
                problems.append(Problem(source, f"sectors.{sector}.axis", "an axis goes with stance \"attack\""))
            elif order.axis not in places:
                problems.append(Problem(source, f"sectors.{sector}.axis", f"{order.axis!r} is not a place on the map"
                                        + meant(order.axis, names.suggest_place if names else None)))
    for field in ("air_priorities",):
        for target in getattr(orders, field, []):
            if target not in sectors.ids and target not in places:
                problems.append(Problem(source, field, f"{target!r} is neither a sector nor a place on the map"
                                        f"{meant(target, names.suggest_target if names else None)}; "
                                        f"choose from the targets offered (sectors: {known})"))
    reserves = getattr(orders, "reserves_to", None)
    if reserves is not None and reserves not in sectors.ids:
        problems.append(Problem(source, "reserves_to", f"{reserves!r} is not a sector{meant(reserves, no_sector)}; "
                                f"sectors: {known}"))
    if problems:
        raise ScenarioError(in_words(problems, sectors.names))
    return orders


def field_words(path: str, sector_names: dict[str, str]) -> str:
    """An order's field as a student reads it: "sectors.idlib.axis" is "Idlib sector, axis",
    "air_priorities[1]" is "air priorities, choice 2", "reserves_to" is "reserves to"."""
    if not path:
        return "your orders"
    head, _, rest = path.partition(".")
    if head == "sectors" and rest:
        sector, _, field = rest.partition(".")
        name = f"{sector_names[sector]} sector" if sector in sector_names else f"sector {sector!r}"
        return f"{name}, {field.replace('_', ' ')}" if field else name
    base, bracket, index = path.partition("[")
    words = base.replace("_", " ").replace(".", ", ")
    if bracket and index.rstrip("]").isdigit():
        words += f", choice {int(index.rstrip(']')) + 1}"
    return words


def in_words(problems: list[Problem], sector_names: dict[str, str]) -> list[Problem]:
    """A team's order problems for the student who gave them: the field named in words (field_words), not as
    a dotted path after "orders of <team>" (the team is the one reading)."""
    return [Problem(field_words(p.path, sector_names), "", p.message, p.value, p.has_value) for p in problems]


def orders_in_words(orders: dict, sector_names: dict[str, str], place_names: dict[str, str]) -> str:
    """A team's orders as a student reads them back ("Idlib: attack towards Saraqib; tempo: all out;
    air priorities: Idlib sector, near Saraqib"), never as JSON or ids; no orders at all: the AI decides."""
    def target(x: str) -> str:
        return f"{sector_names[x]} sector" if x in sector_names else f"near {place_names.get(x, x)}"

    parts = []
    for sector, order in (orders.get("sectors") or {}).items():
        stance = order.get("stance", "doctrine")
        words = {"doctrine": "as the AI decides", "hold": "hold", "withdraw": "withdraw"}.get(stance, stance)
        if stance == "attack":
            axis = order.get("axis")
            words = f"attack towards {place_names.get(axis, axis)}" if axis else "attack (the AI's target)"
        parts.append(f"{sector_names.get(sector, sector)}: {words}")
    for key, value in orders.items():
        if key == "sectors":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = ", ".join(target(x) for x in value) or "none"
        elif key == "reserves_to":
            value = sector_names.get(value, value)
        elif isinstance(value, str):
            value = value.replace("_", " ")
        else:
            value = f"{value:g}"
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts) if parts else "none: the AI decides everything"
