"""A classroom game session: teams command factions turn by turn, the model adjudicates, the instructor
(white cell) steers. Plain Python: the web server and the hot-seat command are thin layers over this.

The record in SQLite (orders, interventions, resolved turns) is the game. The model is rebuilt from it by
replaying: same scenario, same seed, the same orders and interventions at the same turn boundaries give
the same state, so a restarted server resumes exactly, and a rewind is a replay to an earlier turn.

Each turn: every human team submits orders (a resubmission replaces them until the turn resolves); the
turn resolves when all human teams have submitted, unless the game is paused, or when the instructor
forces it (a team that has not submitted is played by the doctrine AI that turn). Levers apply at the
start of the turn; the model then runs the turn's steps; every team's view, with its summary of the turn
(play.turn_summary: what the turn did, and the white cell's injects that touched it), is recorded for the
debrief.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
from pathlib import Path

import numpy as np

from wargame.core.dates import date_of, format_date
from wargame.core.errors import Problem, ScenarioError, WargameError
from wargame.core.model import WarModel
from wargame.core.scenario import CLASSROOM_SCENARIO, load_scenario
from wargame.core.scenario.loader import load_scenario_text
from wargame.play.airpower import PlaceAreas, air_picture
from wargame.play.briefing import briefing_of, briefing_problems
from wargame.play.commander import TeamCommander
from wargame.play.fog import ROOM_NEWS, Memory, redact, team_view, truth
from wargame.play.messages import MAX_MESSAGES_PER_TURN, WHITE_CELL, check_message
from wargame.play.names import PlaceNames
from wargame.play.orders import in_words, parse_orders, standing
from wargame.play.outcomes import OUTCOMES, freeze_north_west, local_surrender
from wargame.play.patrons import apply_course, course_problems
from wargame.play.result import end_reason, team_result
from wargame.play.store import GameStore
from wargame.play.teams import DEFAULT_TEAMS, Sectors, teams_in
from wargame.play.turn_summary import summarise_turn, turn_start, white_cell_lines
from wargame.report.style import short_name

# The 2018 Idlib de-escalation zone with the western Aleppo countryside (as hts_2024_russia_turkey_deal)
IDLIB_ZONE = [[35.45, 36.10], [35.45, 36.75], [35.80, 36.95], [36.15, 37.05], [36.35, 36.95], [36.35, 36.50],
              [36.00, 36.15], [35.45, 36.10]]
INJECTS = ("israeli_strike", "russian_aircraft", "weather", "defection", "parameter", "note")
OVERRIDES = ("city", "unit")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"      # no 0/O or 1/I to misread on a projector


MAX_REDEPLOY = 30            # aircraft Russia may ask of Moscow over a game
# A classroom game must resolve a turn in seconds on the instructor's laptop: the built-in scenarios have
# about 500 ground units on about 15,000 hexes (a 60,000-unit file took minutes and gigabytes to load).
MAX_UNITS = 2_000            # ground units, once each entry's `count` is expanded
MAX_CELLS = 50_000           # hexes of the theatre's grid (its bounds over cell_km)

logger = logging.getLogger(__name__)


class StaleTurn(WargameError):
    """Orders or a resolve meant for a turn that has already been resolved (another request came first)."""


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


class Game:
    """One game: its record in the store, and the model rebuilt from it."""

    def __init__(self, store: GameStore, game_id: str):
        self.store, self.id = store, game_id
        self.config = store.config(game_id)
        if not self.config:
            raise WargameError(f"no game {game_id!r} in {store.path}")
        self._rebuild()
        self._finish_interrupted_turn()

    # ---- creating and loading

    @classmethod
    def create(cls, store: GameStore, scenario: str = CLASSROOM_SCENARIO, seed: int = 1, turn_hours: float | None = None,
               humans: tuple[str, ...] | None = None, teams: tuple[str, ...] | None = None,
               game_id: str | None = None, scenario_text: str | None = None) -> Game:
        """A new game. `teams`: the teams in play (default: the usual five this scenario has); `humans`: those
        played by students (default: all of them); the others are played by the doctrine AI. `scenario_text`:
        the TOML of an uploaded scenario (then `scenario` is only its name), kept in the game's record."""
        loaded = load_scenario(scenario) if scenario_text is None else load_scenario_text(scenario_text, scenario)
        source = scenario if scenario_text is None else loaded.files[-1]
        size = size_problems(loaded.scenario, source) + briefing_problems(loaded.scenario, source)
        if size:
            raise ScenarioError(size)
        available = teams_in(loaded.scenario)
        if teams is None:
            teams = tuple(t for t in DEFAULT_TEAMS if t in available) + tuple(t for t in humans or () if
                                                                               t not in DEFAULT_TEAMS)
        if humans is None:
            humans = teams
        problems = [Problem("game", "teams", f"{t!r} is not a team of {scenario}; teams: {', '.join(available)}")
                    for t in (*teams, *humans) if t not in available]
        problems += [Problem("game", "humans", f"{t!r} is human but not among the teams") for t in humans
                     if t not in teams]
        hours = loaded.scenario.meta.hours_per_step
        turn_hours = turn_hours or 2 * hours
        if turn_hours < hours or turn_hours % hours:
            problems.append(Problem("game", "turn_hours", f"{turn_hours:g}: must be a multiple of the scenario's "
                                    f"{hours:g}-hour step"))
        if problems:
            raise ScenarioError(problems)
        game_id = game_id or new_code(6).lower()
        codes = {"instructor": new_code(8), "projector": new_code(6)}    # projector: the room's public view only
        codes.update({team: new_code(6) for team in teams if team in humans})
        turn_steps = int(turn_hours // hours)
        config = {"scenario": scenario, "seed": int(seed), "turn_hours": turn_hours, "turn_steps": turn_steps,
                  "turns": math.ceil(loaded.scenario.meta.duration_days * 24 / turn_hours),
                  "teams": list(teams), "humans": [t for t in teams if t in humans]}
        if scenario_text is not None:
            config["uploaded"] = True               # rebuilt from the text in the record (store.scenario_text)
        store.create(game_id, config, codes, scenario_text)
        store.log(game_id, "instructor", "created", config)
        return cls(store, game_id)

    def _rebuild(self) -> None:
        """Build the model and replay every resolved turn and intervention from the record."""
        cfg = self.config
        loaded = (load_scenario_text(self.store.scenario_text(self.id), cfg["scenario"]) if cfg.get("uploaded")
                  else load_scenario(cfg["scenario"]))
        self.teams = {t: team for t, team in teams_in(loaded.scenario).items() if t in cfg["teams"]}
        self.model = WarModel(loaded, rng=cfg["seed"], collect_units=True)
        self.sectors = Sectors(self.model.theatre)
        self.places = set(self.model.theatre.place_cell)
        self.place_areas = PlaceAreas(self.model.theatre)
        self.names = PlaceNames.of(self.model.theatre, self.sectors)      # names as typed: web and hot-seat
        self.commanders = {t: TeamCommander(self.sectors, self.place_areas) for t in self.teams}
        for t, team in self.teams.items():
            for faction in team.factions:
                self.model.commanders[faction] = self.commanders[t]
        self.memories = {t: Memory() for t in self.teams}
        self.offer_open = False
        self.redeployed = 0                        # aircraft asked of Moscow so far
        self.arriving: list[tuple[float, int]] = []   # (day due, aircraft) still on their way
        self.views = {}                            # a rewind rebuilds from the start: no view is the last one
        self.views = self._views()
        # a turn's summary counts the events since the last turn ended: those of the white cell's
        # interventions at the turn's start (an adjudicated surrender, say) belong to it
        self.turn_start = turn_start(self.model)     # what the next turn's summaries are measured from
        self.summaries: dict[str, list[dict]] = {t: [] for t in self.teams}     # each team's, turn by turn
        resolved = self.store.turns(self.id)
        self.turn = 0
        for _ in resolved:
            self._apply_interventions(self.turn)
            self._resolve(self.store.orders(self.id, self.turn), record=False)
        self._apply_interventions(self.turn)

    def _carry_over_orders(self) -> None:
        """A human team that sent nothing this turn keeps its last orders: recorded as this turn's, so a
        replay reads them like any others."""
        current = self.store.orders(self.id, self.turn)
        for team in self.config["humans"]:
            kept = self.standing_orders(team) if team not in current else None
            if kept:
                self.store.put_orders(self.id, self.turn, team, kept["orders"])
                self.store.log(self.id, team, "orders carried over",
                               {"turn_number": self.turn_number, "from_turn_number": kept["turn_number"]})

    def _finish_interrupted_turn(self) -> None:
        """A server stopped between the last team's orders and the end of the turn they completed left the
        turn unresolved: resolve it now, as the live server would have; if that fails, pause the game with a
        note to the instructor (who may resolve, resume or rewind) rather than leave the teams waiting."""
        humans = set(self.config["humans"])
        if not humans or self.finished or self.paused or not set(self.submitted()) >= humans:
            return
        try:
            self.resolve(by="all teams submitted (resolved when the game was loaded again)")
        except Exception as exc:                   # the game must stay loadable whatever went wrong
            logger.exception("game %s: the turn every team had ordered could not be resolved on loading", self.id)
            self._rebuild()
            self.store.set_paused(self.id, True)
            self.store.log(self.id, "game", "paused", {
                "note": f"every team's orders for turn {self.turn + 1} were in when the server stopped, but the "
                        f"turn could not be resolved on restarting ({exc}): resolve it, or rewind"})

    # ---- state

    @property
    def paused(self) -> bool:
        return self.store.paused(self.id)

    @property
    def finished(self) -> bool:
        return self.turn >= self.config["turns"] or not self.model.running

    @property
    def turn_number(self) -> int:
        """The turn as people count it: 1 for the first, the last one played once the game is over (at its
        last turn, or earlier when the campaign ended)."""
        return max(1, self.turn) if self.finished else self.turn + 1

    def submitted(self) -> list[str]:
        return sorted(self.store.orders(self.id, self.turn))

    def status(self) -> dict:
        """What anyone in the room may know: turn, date, who has submitted (not what), paused, finished."""
        when = date_of(self.model.spec.meta.start, self.model.day)
        # "turn": the record's index (0 for the first; what X-Game-Turn sends back); "turn_number": the
        # turn as every page, the log and the hot-seat number it (1 for the first; the last once over)
        return {"game": self.id, "scenario": self.config["scenario"], "turn": self.turn,
                "turn_number": self.turn_number, "turns": self.config["turns"], "day": round(self.model.day, 2),
                "date": format_date(when, "minute", pad_day=True),
                "humans": self.config["humans"], "submitted": self.submitted(), "paused": self.paused,
                "finished": self.finished,
                "ended": redact({"kind": "campaign_ended", "reason": self.end_reason})["reason"],   # why, in words
                # at the end every team's verdict is the room's (it follows from who holds which city)
                "results": {t: {k: r[k] for k in ("name", "verdict", "reason")} for t, r in self.results().items()}
                if self.finished else None,
                # the room's news: what a regime's collapse or the campaign's end says of a will is taken out
                "news": [{k: e[k] for k in ("kind", "name", "side", "from_side", "reason", "day", "time") if k in e}
                         for e in map(redact, self.model.events.to_dicts())
                         if e["kind"] in ROOM_NEWS][-12:]}

    def view(self, team: str) -> dict:
        if team not in self.teams:
            raise WargameError(f"no team {team!r} in this game")
        return {**self.views[team], "status": self.status(), "orders_submitted": self.store.orders(self.id, self.turn)
                .get(team), "briefing": self.briefing(team), "result": self.result(team) if self.finished else None,
                "messages": self.messages(team), "orders_standing": self.standing_orders(team)}

    # ---- briefings and results

    def briefing(self, team: str) -> dict:
        return briefing_of(self.model.spec, team)

    @property
    def end_reason(self) -> str:
        """Why the game ended ("" while it goes on)."""
        return end_reason(self.model, self.turn, self.config["turns"], self.model.spec.meta.duration_days) \
            if self.finished else ""

    def turn_of(self, day: float) -> int:
        """The game's turn (from 1) in which a model day fell (a step's events carry the day at its end)."""
        return min(self.config["turns"], max(1, math.ceil(day * 24 / self.config["turn_hours"] - 1e-9)))

    def result(self, team: str) -> dict:
        """A team's result from the objectives it is scored on (play.result), as things stand."""
        return team_result(self.model, self.teams[team], self.turn_of)

    def results(self) -> dict[str, dict]:
        return {t: self.result(t) for t in self.teams}


    def standing_orders(self, team: str) -> dict | None:
        """The team's orders of the last turn (one-shot levers aside), which stand this turn unless it sends
        others: {"turn_number": N, "orders": {...}}, or None (no earlier orders, or all left to doctrine)."""
        if self.turn == 0 or self.finished:
            return None
        kept = standing(self.store.orders(self.id, self.turn - 1).get(team))
        return {"turn_number": self.turn, "orders": kept} if kept else None

    def instructor_view(self) -> dict:
        return {"status": self.status(), "truth": truth(self.model), "codes": self.store.codes(self.id),
                "log": self.store.entries(self.id), "interventions": self.store.interventions(self.id),
                "orders": self.store.orders(self.id, self.turn), "results": self.results(),
                "messages": self.messages(WHITE_CELL)}

    # ---- orders and turns

    def check_turn(self, turn: int | None) -> None:
        if turn is not None and turn != self.turn:
            raise StaleTurn(f"turn {turn + 1} has already been resolved: it is now turn {self.turn + 1}; look at the "
                            "new picture and decide again")

    def submit(self, team: str, raw: dict, turn: int | None = None) -> dict:
        """Validate and record a team's orders for the current turn (`turn`, when given, must be it); resolve
        the turn if it is complete."""
        if team not in self.config["humans"]:
            raise WargameError(f"team {team!r} has no human seat in this game")
        if self.finished:
            raise WargameError("the game is over: no more orders")
        self.check_turn(turn)
        orders = parse_orders(team, raw, self.sectors, self.places, names=self.names)
        self._check_levers(team, orders)
        self.store.put_orders(self.id, self.turn, team, orders.model_dump(mode="json", exclude_defaults=True))
        self.store.log(self.id, team, "orders", {"turn_number": self.turn_number})
        resolved = False
        if set(self.submitted()) >= set(self.config["humans"]) and not self.paused:
            self.resolve(by="all teams submitted")
            resolved = True
        return {"accepted": True, "turn_resolved": resolved, "status": self.status()}

    def _check_levers(self, team: str, orders) -> None:
        """Levers this scenario cannot honour are refused rather than silently ignored."""
        actors = self.model.spec.actors
        needs = {"redeploy": "russia_hq", "talks_with_turkey": "turkey", "commitment": "iran",
                 "recruits_per_week": "iran", "iraqi_militias": "iraqi_militias", "support": "turkey",
                 "accept_talks": "turkey", "strikes_per_week": "israel"}
        problems = [Problem(f"orders of {team}", field, f"this scenario has no {actor.replace('_', ' ')}: leave it out")
                    for field, actor in needs.items()
                    if field in orders.model_fields_set and getattr(orders, field) not in (None, 0, False)
                    and getattr(actors, actor, None) is None]
        if getattr(orders, "accept_talks", False) and not self.offer_open:
            problems.append(Problem(f"orders of {team}", "accept_talks", "Russia has made no offer to accept"))
        if getattr(orders, "redeploy", 0) > MAX_REDEPLOY - self.redeployed:
            problems.append(Problem(f"orders of {team}", "redeploy", f"Moscow has {MAX_REDEPLOY - self.redeployed} "
                                    f"aircraft left to send in this game (of {MAX_REDEPLOY})"))
        problems += course_problems(self.model, team, orders)
        if problems:
            raise ScenarioError(in_words(problems, self.sectors.names))

    def resolve(self, by: str = "instructor", turn: int | None = None) -> dict:
        if self.finished:
            raise WargameError("the game is over")
        self.check_turn(turn)
        self._carry_over_orders()
        orders = self.store.orders(self.id, self.turn)
        summary = self._resolve(orders, record=True)
        self.store.log(self.id, "instructor" if by == "instructor" else "game", "turn resolved",
                       {"turn_number": summary["turn"] + 1, "by": by, "missing": sorted(set(self.config["humans"]) - set(orders))})
        self._apply_interventions(self.turn)
        return summary

    def _resolve(self, orders: dict[str, dict], record: bool) -> dict:
        model = self.model
        turn = self.turn
        events_before = self.turn_start.events
        for team, commander in self.commanders.items():
            raw = orders.get(team)
            commander.orders_now = parse_orders(team, raw, self.sectors, self.places) if raw is not None else None
        self._apply_levers()
        for _ in range(self.config["turn_steps"]):
            if not model.running:
                break
            model.step()
        for commander in self.commanders.values():
            commander.orders_now = None
        self.views = self._views()
        # each team's summary of the turn, kept in its view (and so in the record and the debrief); the
        # white cell's injects of the turn reach the teams they touched there
        injects = white_cell_lines(model, self.turn_start, self.store.interventions(self.id, turn), self.teams)
        for t, team in self.teams.items():
            self.views[t]["summary"] = summarise_turn(model, team, self.turn_start, turn, self.sectors, injects)
            self.summaries[t].append(self.views[t]["summary"])
        self.turn_start = turn_start(model)
        new = model.events.to_dicts()[events_before:]
        summary = {"turn": turn, "day": round(model.day, 2), "orders": orders,
                   "captures": [e for e in new if e["kind"] == "city_captured"],
                   "breaks": {f: sum(1 for e in new if e["kind"] == "unit_broke" and e["faction"] == f)
                              for f in model.faction_ids},
                   "decisions": [e for e in new if e["kind"] in ("strategic_decision", "local_deal", "uprising",
                                                                  "regime_collapsed")],
                   # every will at the end of the turn: the instructor's and the debrief's, never a team's
                   "will": {name: round(float(v), 3) for name, v in zip(model.will.names, model.will.value)},
                   "injects": injects}
        if record:
            self.store.put_turn(self.id, turn, summary, {"truth": truth(model), **self.views})
        self.turn += 1
        if self.finished and model.end_reason is None:      # the last turn played: the report says so
            model.end_reason = self.end_reason
        return summary

    def _views(self) -> dict[str, dict]:
        views = {t: team_view(self.model, team, self.memories[t], self.sectors) for t, team in self.teams.items()}
        for t, view in views.items():            # a team with aircraft sees its air war (play.airpower)
            view["air"] = air_picture(self.model, self.teams[t], self.views.get(t, {}).get("air"), view,
                                      self.place_areas)
        return views

    def _apply_levers(self) -> None:
        """The strategic levers in this turn's orders (ground orders act through the commanders), and the
        Russian aircraft due by now."""
        model = self.model
        spec = model.spec
        due = [(day, n) for day, n in self.arriving if day <= model.day + 1e-9]
        self.arriving = [(day, n) for day, n in self.arriving if day > model.day + 1e-9]
        hq_wing = spec.actors.russia_hq.wing if spec.actors.russia_hq is not None else None
        for _, count in due:
            if count and any(w.key == hq_wing for w in model.wings):
                wing = model.add_aircraft(hq_wing, count)
                where = short_name(spec.air[wing.key].name) if wing.key in spec.air else wing.key   # its name
                self._decide("russia_hq", f"{count} Russian aircraft reach {where}")
        for team, commander in self.commanders.items():
            o = commander.orders_now
            if o is None:
                continue
            if team == "russia":
                hq = spec.actors.russia_hq
                if getattr(o, "redeploy", 0) and hq is not None:
                    self.redeployed += o.redeploy
                    sent = round(o.redeploy * hq.ukraine_cap)        # the war in Ukraine lets only a share go
                    self.arriving.append((model.day + hq.delay_days, sent))
                    self._decide("russia_hq", f"Moscow will send {sent} of the {o.redeploy} aircraft asked for, "
                                              f"in {hq.delay_days:g} days")
                if getattr(o, "talks_with_turkey", False) and not self.offer_open and not model.frozen.any():
                    self.offer_open = True
                    self._decide("diplomacy", "Russia offers Turkey a deal freezing the north-west")
            by = f"{self.teams[team].name}'s team"         # read in the news: "decided by Russia's team"
            for path, value in self._lever_values(team, o):
                model.set_parameter(path, value, source=by)
            apply_course(model, team, o, by)
            if team == "turkey" and getattr(o, "accept_talks", False) and self.offer_open:
                self.offer_open = False
                model.freeze(IDLIB_ZONE)
                self._decide("diplomacy", "Turkey accepts: a Russia-Turkey deal freezes the north-west")
            if team == "regime" and getattr(o, "reserves_to", None):
                self._commit_reserves(o.reserves_to)

    def _lever_values(self, team: str, o) -> list[tuple[str, float]]:
        actors = self.model.spec.actors
        pairs = {"iran": [("actors.iran.commitment", "commitment"), ("actors.iran.recruits_per_week", "recruits_per_week"),
                          ("actors.iraqi_militias.willingness", "iraqi_militias")],
                 "turkey": [("actors.turkey.support", "support")],
                 "israel": [("actors.israel.strikes_per_week", "strikes_per_week")]}.get(team, [])
        return [(path, float(getattr(o, field))) for path, field in pairs
                if getattr(o, field, None) is not None and getattr(actors, path.split(".")[1], None) is not None]

    def _commit_reserves(self, sector: str) -> None:
        """The regime's reserves (units in reserve posture) make for the sector's centre this turn (the
        team's commander gives them the target; this records the decision)."""
        from wargame.core.agents.unit import POSTURES, fighting

        t = self.model.table
        saa = self.model.faction_ids.index("saa") if "saa" in self.model.faction_ids else -1
        rows = np.flatnonzero(fighting(t) & (t.faction == saa) & (t.posture == POSTURES.index("reserve")))
        self._decide("regime_hq", f"{rows.size} reserve units committed to {self.sectors.names[sector]}")

    def _decide(self, actor: str, text: str) -> None:
        self.model.record_decision(actor, text)

    # ---- the white cell

    def pause(self, paused: bool = True) -> None:
        self.store.set_paused(self.id, paused)
        self.store.log(self.id, "instructor", "paused" if paused else "resumed")

    def intervene(self, kind: str, params: dict) -> dict:
        """Inject an event, override an adjudication or adjudicate a negotiated outcome (play.outcomes) now;
        recorded and replayed at this turn boundary."""
        if kind not in INJECTS + OVERRIDES + OUTCOMES:
            raise WargameError(f"unknown intervention {kind!r}; allowed: {', '.join(INJECTS + OVERRIDES + OUTCOMES)}")
        result = self._intervene(kind, params)           # fails before anything is recorded
        self.store.add_intervention(self.id, self.turn, kind, params)
        what = "override" if kind in OVERRIDES else "outcome" if kind in OUTCOMES else "inject"
        self.store.log(self.id, "instructor", f"{what}: {kind}",
                       {**params, "result": result})
        # teams see it in their picture at the end of the turn (views are taken only at turn ends, so a
        # replayed game remembers exactly what the live one did)
        return {"applied": kind, "result": result}

    def _apply_interventions(self, turn: int) -> None:
        for entry in self.store.interventions(self.id, turn):
            self._intervene(entry["kind"], entry["params"])

    def _intervene(self, kind: str, params: dict) -> str:
        model = self.model
        if kind == "israeli_strike":
            target = params.get("target", "leadership")
            model.israeli_strike(target)
            return f"Israeli strike on {target}"
        if kind == "russian_aircraft":
            count = int(params.get("aircraft", 0))
            if not 0 < count <= 60:
                raise WargameError("russian_aircraft: give aircraft (1-60) and an existing wing")
            wing = model.add_aircraft(params.get("wing", "ru_khmeimim"), count)
            self._decide("russia_hq", f"white cell: {count} Russian aircraft reach {wing.key}")
            return f"{count} aircraft added to {wing.key}"
        if kind == "weather":
            model.impose_weather(bool(params.get("bad", True)), days=1.0)   # for a day, whatever the dice say
            return "bad weather" if model.bad_weather else "clear weather"
        if kind == "defection":
            key = params.get("unit")
            model.defect_unit(key)
            return f"{key} defected"
        if kind == "parameter":
            model.set_parameter(str(params.get("path")), params.get("value"), source="white cell")
            return f"{params.get('path')} = {params.get('value')}"
        if kind == "note":
            model.note(str(params.get("text", ""))[:500])
            return "noted"
        if kind == "city":
            city, side = params.get("city"), params.get("side")
            already_held(model, city, side)
            model.give_city(city, side)
            return f"{city} given to {side}"
        if kind == "unit":
            key = params.get("unit")
            model.adjust_unit(key, **{f: float(params[f]) for f in ("morale", "cohesion", "supply") if f in params})
            return f"{key} adjusted"
        if kind == "surrender":                   # negotiated outcomes the white cell adjudicates (play.outcomes)
            return local_surrender(model, self.sectors, params)
        if kind == "freeze":
            text = freeze_north_west(model, IDLIB_ZONE)
            self.offer_open = False                # the deal is made: Russia's offer is no longer open
            return text
        raise WargameError(f"unknown intervention {kind!r}")

    def rewind(self, turn: int) -> None:
        """Back to the start of `turn`: later turns, orders and interventions are set aside (and logged)."""
        if not 0 <= turn <= self.turn:
            raise WargameError(f"rewind: turn must be between 0 and {self.turn}")
        self.store.drop_turns_from(self.id, turn)
        self.store.drop_orders_from(self.id, turn)
        self.store.deactivate_interventions_from(self.id, turn)
        self.store.mark_messages_rewound_from(self.id, turn)
        self.store.log(self.id, "instructor", "rewound", {"to_turn_number": turn + 1})
        self._rebuild()

    # ---- talks (play.messages)

    def send_message(self, sender: str, to, text) -> dict:
        """A message from a team with a human seat, or from the white cell, stored with the turn and the
        game's date; WargameError naming the field if it cannot be sent."""
        humans = list(self.config["humans"])
        if sender != WHITE_CELL and sender not in humans:
            raise WargameError(f"team {sender!r} has no human seat in this game")
        names = {t: team.name for t, team in self.teams.items()}
        addressee, text = check_message(sender, to, text, humans, names)
        if self.store.count_messages(self.id, sender, self.turn) >= MAX_MESSAGES_PER_TURN:
            raise WargameError(f"text: {MAX_MESSAGES_PER_TURN} messages a turn at most: wait for the next turn")
        date = format_date(date_of(self.model.spec.meta.start, self.model.day), "minute", pad_day=True)   # as status()
        seq = self.store.add_message(self.id, self.turn, date, sender, addressee, text)
        self.store.log(self.id, "instructor" if sender == WHITE_CELL else sender, "message",
                       {"to": addressee, "turn": self.turn, "chars": len(text)})
        return {"sent": True, "seq": seq, "to": addressee, "turn": self.turn, "date": date}

    def messages(self, reader: str) -> list[dict]:
        """What `reader` may read: a team its own talks (sent, to it, to all), the white cell every message."""
        said = self.store.messages(self.id, None if reader == WHITE_CELL else reader)
        # when, as people count turns: a message sent once the game is over belongs to no turn
        return [{**m, "when": "after the end" if self.finished and m["turn"] >= self.turn else f"turn {m['turn'] + 1}"}
                for m in said]

    # ---- the debrief

    def debrief(self) -> list[dict]:
        """Turn by turn: the orders, the talks (messages sent during the turn; those said in turns a rewind set
        aside are in messages(WHITE_CELL) only), what followed (captures, breaks, decisions), the truth and each
        team's picture at the end of the turn."""
        out = []
        talks = self.messages(WHITE_CELL)
        for entry in self.store.turns(self.id):
            views = self.store.turn_views(self.id, entry["turn"])
            out.append({**entry["summary"], "resolved": entry["resolved"], "truth": views.get("truth"),
                        "views": {t: v for t, v in views.items() if t != "truth"},
                        "messages": [m for m in talks if m["turn"] == entry["turn"] and not m["rewound"]]})
        return out

    def write_report(self, directory: str | Path, workers: int | None = None, progress=None) -> Path:
        """The analysts' run directory and after-action report for the game as played so far; `workers` and
        `progress` as render_run's (a background worker draws in its own process only)."""
        from wargame.output import metrics_frame, run_info, write_run
        from wargame.report.render import render_run
        from wargame.report.summary import summarise

        summary = summarise(self.model.spec, run_info(self.model), metrics_frame(self.model),
                            self.model.events.to_dicts())
        return write_run(self.model, directory, summary,
                         render=lambda path: render_run(path, workers=workers, progress=progress))


def already_held(model, city, side) -> None:
    """Refuse to give a city to the side that already holds all of it: the override would change nothing,
    and an instructor who meant another side should be told so."""
    theatre = model.theatre
    if city not in theatre.cities or side not in model.side_index:
        return                                     # give_city names what is allowed
    cells = np.asarray(theatre.cities[city].cells, dtype=np.int64)
    cells = cells[theatre.inside[cells]]
    if cells.size and (model.control[cells] == model.side_index[side]).all():
        name = getattr(theatre.cities[city], "name", city)
        raise WargameError(f"city: {name} is already held by {model.spec.sides[side].name}; choose another side "
                           "to give it to")


def size_problems(scenario, source: str) -> list[Problem]:
    """What makes a scenario too large for a classroom game (MAX_UNITS, MAX_CELLS); none if it fits."""
    problems = []
    units = sum(u.count for u in scenario.units.values())
    if units > MAX_UNITS:
        problems.append(Problem(source, "units", f"{units:,} ground units (counting each entry's count): a "
                                f"classroom game takes {MAX_UNITS:,} at most"))
    t = scenario.theatre                   # the grid's rectangle (km, about) over a hex's area
    km_ns, km_ew = (t.north - t.south) * 111.2, (t.east - t.west) * 111.2 * math.cos(math.radians(t.south))
    cells = round(km_ns * km_ew / (t.cell_km ** 2 * math.sqrt(3) / 2))
    if cells > MAX_CELLS:
        problems.append(Problem(source, "theatre", f"about {cells:,} hexes (its bounds at {t.cell_km:g} km a hex): "
                                f"a classroom game takes {MAX_CELLS:,} at most; use a larger cell_km or "
                                "narrower bounds"))
    return problems


def typed_code(code) -> str:
    """A join code as typed ("7kq 2rm", "7KQ-2RM") as it is stored: no spaces or hyphens, upper case."""
    return re.sub(r"[\s-]+", "", code).upper() if isinstance(code, str) else ""


def authenticate(store: GameStore, code: str) -> tuple[str, str] | None:
    """(game id, role) for a join code: a team id or "instructor"; None for a code that is not known."""
    code = typed_code(code)
    if not 4 <= len(code) <= 16:
        return None
    return store.role_of(code)
