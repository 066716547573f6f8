"""Hot-seat play on one laptop, no browser: `python run.py play`. The laptop passes from team to team;
the screen is cleared between them so no team sees another's picture or orders.

Orders are typed on one line, parts separated by ";":
    aleppo hold; idlib attack saraqib; hama withdraw        sector stances (and an axis for attack)
    tempo=all_out; support=0.9; air_priorities=aleppo,hama  levers (see `help`)
An empty line leaves everything to the doctrine AI this turn.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from wargame.core.errors import WargameError
from wargame.play.airpower import air_summary_lines
from wargame.play.briefing import briefing_lines
from wargame.play.fog import redact
from wargame.play.game import Game
from wargame.play.news import describe as news_line
from wargame.play.news import grouped
from wargame.play.orders import ORDER_TYPES, STANCES
from wargame.play.turn_summary import reader_names, summary_lines

PUBLIC_NEWS = ("city_captured", "base_captured", "regime_collapsed", "campaign_ended")   # as Game.status

BOOLEAN = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def parse_line(team: str, line: str) -> dict:
    """The one-line order language as the orders' JSON (validated later by the game)."""
    orders: dict = {}
    fields = ORDER_TYPES[team].model_fields
    for part in (p.strip() for p in line.split(";")):
        if not part:
            continue
        if "=" in part:
            key, _, value = (s.strip() for s in part.partition("="))
            if key not in fields or key == "sectors":
                raise WargameError(f"{key!r}: not an order of {team}; levers: "
                                   f"{', '.join(f for f in fields if f != 'sectors') or 'none'}")
            annotation = str(fields[key].annotation)
            if "list" in annotation:
                orders[key] = [v.strip() for v in value.split(",") if v.strip()]
            elif "bool" in annotation:
                if value.lower() not in BOOLEAN:
                    raise WargameError(f"{key}: say yes or no")
                orders[key] = BOOLEAN[value.lower()]
            elif "int" in annotation and "float" not in annotation:
                orders[key] = _number(key, value, int)
            elif "float" in annotation:
                orders[key] = _number(key, value, float)
            else:
                orders[key] = value
            continue
        words = part.split()
        if "sectors" not in fields:
            raise WargameError(f"{team} gives no ground orders; levers only")
        if len(words) not in (2, 3) or words[1] not in STANCES:
            raise WargameError(f"{part!r}: write SECTOR STANCE [AXIS], stance one of {', '.join(STANCES)}")
        order = {"stance": words[1]}
        if len(words) == 3:
            order["axis"] = words[2]
        orders.setdefault("sectors", {})[words[0]] = order
    return orders


def _number(key: str, value: str, kind):
    try:
        return kind(value)
    except ValueError:
        raise WargameError(f"{key}: {value!r} is not a {'whole ' if kind is int else ''}number") from None


def picture_lines(view: dict, sector_names: dict[str, str], names: dict | None = None) -> list[str]:
    """A team's picture as text: status, what the last turn did (its summary), own forces by state, enemies
    seen, the latest reports; `names`: the names to write them with (screen_names)."""
    status = view["status"]
    lines = [f"== {view['name']}: turn {status['turn'] + 1} of {status['turns']}, {status['date']} (day {status['day']})"]
    lines += [f"   {line}" for line in summary_lines(view.get("summary"))]
    lines += [
             f"   your units: {len(view['own'])} on the map "
             f"({', '.join(f'{n} {s}' for s, n in Counter(u['state'] for u in view['own']).most_common())})"]
    if view["own"]:
        weakest = sorted(view["own"], key=lambda u: u["morale"])[:5]
        lines.append("   lowest morale: " + "; ".join(f"{u['name'][:40]} {u['morale']:.2f}" for u in weakest))
    lines.append(f"   enemies in sight: {len(view['enemies'])}; remembered elsewhere: {len(view['last_seen'])}; "
                 f"friendly units: {len(view['friendly'])}")
    will = view.get("will") or {}
    if will.get("entries"):                       # the team's own will only (play.fog.team_will)
        lines.append("   your will to fight: " + "; ".join(
            f"{x['name']} {x['value']:.2f} ({x['change']:+.2f} this turn"
            + (f": {', '.join(f['text'] for f in x['factors'][:2])} since the start" if x["factors"] else "") + ")"
            for x in will["entries"]))
    if view.get("air"):                           # a team with aircraft: its air war (play.airpower)
        lines.append("   your air groups: " + "; ".join(
            f"{w['name']} {w['aircraft']:g} aircraft, {w['sorties_turn']:g} sorties this turn" for w in view["air"]["wings"]))
        lines += [f"   {text}" for text in air_summary_lines(view["air"])]
    for event, text in grouped(view["reports"], names or {}, (names or {}).get("unit_names"))[-8:]:
        lines.append(f"   day {event['day']:>5}: {text}")
    lines.append(f"   sectors: {', '.join(f'{k} ({v})' for k, v in sector_names.items())}")
    return lines


def screen_names(game: Game) -> dict:
    """The scenario's names for the screen: sides, factions, places, air wings, and units (a report that
    speaks of a unit, a surrendered one's captured equipment say, names it)."""
    return {**reader_names(game.model), "unit_names": {a.key: a.name for a in game.model.table.agent}}


def help_text(team: str) -> str:
    fields = [f for f in ORDER_TYPES[team].model_fields if f != "sectors"]
    return ("orders on one line, parts separated by ';':\n"
            "  SECTOR STANCE [AXIS]   stance: doctrine | hold | attack | withdraw; axis: a place id (attack)\n"
            f"  LEVER=VALUE            levers of {team}: {', '.join(fields) or 'none'}\n"
            "  (empty line: the doctrine AI decides this turn)   view: show your picture again   quit: save and stop\n"
            "  briefing: your situation, objectives, what counts as winning and what each lever does")


def clear_screen() -> None:
    """Clear the screen and its scrollback, so the next team cannot scroll up to the last one's picture."""
    print("\033[3J\033[H\033[2J", end="", flush=True)


def play(game: Game, ask: Callable[[str], str] = input, say: Callable[[str], None] = print,
         clear: Callable[[], None] = clear_screen) -> None:
    """Play the game to its end (or until a team types quit): each human team in turn, then the turn
    resolves. The game is saved after every order, so `python run.py play --game ID` resumes it."""
    while not game.finished:
        events_before = len(game.model.events)
        if game.paused:                          # paused from the instructor's console on the same game file
            say("The instructor has paused the game. Resume it from the console, then run this again.")
            return
        for team in game.config["humans"]:
            if team in game.submitted():
                continue
            clear()
            ask(f"Pass the laptop to {game.teams[team].name}, then press Enter ")
            view = game.view(team)
            if game.turn == 0:                   # the first time at the laptop: the briefing comes first
                for line in briefing_lines(view["briefing"]):
                    say(line)
            for line in picture_lines(view, game.sectors.names, screen_names(game)):
                say(line)
            while True:
                line = ask(f"{team} orders (help for help)> ").strip()
                if line == "help":
                    say(help_text(team))
                    continue
                if line == "briefing":
                    for text in briefing_lines(game.briefing(team)):
                        say(text)
                    continue
                if line == "view":
                    for text in picture_lines(game.view(team), game.sectors.names, screen_names(game)):
                        say(text)
                    continue
                if line == "quit":
                    say(f"Saved. Resume with: python run.py play --game {game.id} --db {game.store.path}")
                    return
                try:
                    result = game.submit(team, parse_line(team, line))
                except WargameError as exc:
                    say(f"  not accepted: {exc}")
                    continue
                say(f"  orders accepted: {json.dumps(parse_line(team, line))}"
                    + ("; the turn resolves" if result["turn_resolved"] else ""))
                break
            clear()
        if not game.config["humans"]:
            game.resolve(by="instructor")
        status = game.status()
        # the room's news of this turn only, each with who took what from whom
        news = [e.to_dict(game.model.events.start) for e in game.model.events.since(events_before)
                if e.kind in PUBLIC_NEWS]
        say(f"Turn resolved: now {status['date']} (day {status['day']}). "
            + (f"News: {'; '.join(news_line(redact(e), reader_names(game.model)) for e in news)}" if news
               else "No city or base changed hands this turn."))
    for line in result_lines(game):
        say(line)


def result_lines(game: Game) -> list[str]:
    """The end of the game: why it ended, and every team's verdict with its objectives."""
    lines = [f"The game is over: {game.status()['ended'] or 'ended'}."]      # the room's words: no will given away
    for result in game.results().values():
        lines.append(f"== {result['name']}: {result['verdict'].upper()}: {result['reason']}")
        lines += [f"   {'met' if o['met'] else 'not met'}: {o['text']} ({o['how']})" for o in result["objectives"]]
    return lines
