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
from wargame.play.game import Game
from wargame.play.news import describe as news_line
from wargame.play.orders import ORDER_TYPES, STANCES

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
            key = key.lower().replace(" ", "_")
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
            elif "Literal" in annotation:             # a choice: "All_out" is all_out
                orders[key] = value.lower()
            else:
                orders[key] = value
            continue
        if "sectors" not in fields:
            raise WargameError(f"{team} gives no ground orders; levers only")
        sector, stance, axis = ground_order(part)
        order = {"stance": stance}
        if axis:
            order["axis"] = axis
        orders.setdefault("sectors", {})[sector] = order
    return orders


def ground_order(part: str) -> tuple[str, str, str]:
    """SECTOR STANCE [AXIS], where a sector or place may be several words ("deir ez-zor hold", "idlib attack
    Maarat al-Numan"): the first stance word splits them. Names are resolved by the game (play.names)."""
    words = part.split()
    at = next((k for k, w in enumerate(words) if w.lower() in STANCES), None)
    if at is None or at == 0 or (words[at].lower() != "attack" and at < len(words) - 1):
        raise WargameError(f"{part!r}: write SECTOR STANCE [AXIS] (an axis only with attack), stance one of "
                           f"{', '.join(STANCES)}; e.g. idlib attack Saraqib")
    return " ".join(words[:at]), words[at].lower(), " ".join(words[at + 1:])


def _number(key: str, value: str, kind):
    try:
        return kind(value)
    except ValueError:
        raise WargameError(f"{key}: {value!r} is not a {'whole ' if kind is int else ''}number") from None


def picture_lines(view: dict, sector_names: dict[str, str]) -> list[str]:
    """A team's picture as text: status, own forces by state, enemies seen, the latest reports."""
    status = view["status"]
    lines = [f"== {view['name']}: turn {status['turn'] + 1} of {status['turns']}, {status['date']} (day {status['day']})",
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
    for event in view["reports"][-8:]:
        lines.append(f"   day {event['day']:>5}: {event['kind'].replace('_', ' ')}: {news_line(event, {})}")
    lines.append(f"   sectors: {', '.join(f'{k} ({v})' for k, v in sector_names.items())}")
    return lines


def help_text(team: str) -> str:
    fields = [f for f in ORDER_TYPES[team].model_fields if f != "sectors"]
    return ("orders on one line, parts separated by ';':\n"
            "  SECTOR STANCE [AXIS]   stance: doctrine | hold | attack | withdraw; axis: a place id (attack)\n"
            f"  LEVER=VALUE            levers of {team}: {', '.join(fields) or 'none'}\n"
            "  (empty line: the doctrine AI decides this turn)   view: show your picture again   quit: save and stop")


def clear_screen() -> None:
    """Clear the screen and its scrollback, so the next team cannot scroll up to the last one's picture."""
    print("\033[3J\033[H\033[2J", end="", flush=True)


def play(game: Game, ask: Callable[[str], str] = input, say: Callable[[str], None] = print,
         clear: Callable[[], None] = clear_screen) -> None:
    """Play the game to its end (or until a team types quit): each human team in turn, then the turn
    resolves. The game is saved after every order, so `python run.py play --game ID` resumes it."""
    while not game.finished:
        if game.paused:                          # paused from the instructor's console on the same game file
            say("The instructor has paused the game. Resume it from the console, then run this again.")
            return
        for team in game.config["humans"]:
            if team in game.submitted():
                continue
            clear()
            ask(f"Pass the laptop to {game.teams[team].name}, then press Enter ")
            view = game.view(team)
            for line in picture_lines(view, game.sectors.names):
                say(line)
            while True:
                line = ask(f"{team} orders (help for help)> ").strip()
                if line == "help":
                    say(help_text(team))
                    continue
                if line == "view":
                    for text in picture_lines(game.view(team), game.sectors.names):
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
        say(f"Turn resolved: now {status['date']} (day {status['day']}). News: "
            + "; ".join(f"{e['name']} taken" for e in status["news"][-4:]))
    say("The game is over.")
