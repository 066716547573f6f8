"""Hot-seat play on one laptop, no browser: `python run.py play`. The laptop passes from team to team;
the screen is cleared between them so no team sees another's picture or orders.

Orders are typed on one line, parts separated by ";":
    aleppo hold; idlib attack saraqib; hama withdraw        sector stances (and an axis for attack)
    tempo=all_out; support=0.9; air_priorities=aleppo,hama  levers (see `help`)
Names in any case, as the map writes them (play.names). Orders stand from turn to turn: an empty line sends
the last turn's again (one-shot levers aside), `doctrine` leaves everything to the doctrine AI this turn.
`help` lists the sectors, places, levers and their values; `map` writes the team's map as a PNG.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args, get_origin

from wargame.core.dates import date_of, format_date
from wargame.core.errors import WargameError
from wargame.play.airpower import air_summary_lines
from wargame.play.briefing import briefing_lines
from wargame.play.fog import ROOM_NEWS, redact
from wargame.play.game import Game
from wargame.play.news import describe as news_line
from wargame.play.news import grouped
from wargame.play.orders import ONE_SHOT, ORDER_TYPES, STANCES, orders_in_words
from wargame.play.textmap import text_map
from wargame.play.turn_summary import reader_names, summary_lines
from wargame.play.words import change, count

DEFECTED = " (defected)"     # how the model names a unit that changed sides (core.rules.breaks)
PLACES_IN_HELP = 30          # places listed in `help` (`places` lists every one)
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


def picture_lines(view: dict, sector_names: dict[str, str], names: dict | None = None) -> list[str]:
    """A team's picture as text: status, what the last turn did (its summary), own forces by state, enemies
    seen, the latest reports; `names`: the names to write them with (screen_names)."""
    status = view["status"]
    lines = [f"== {view['name']}: turn {status['turn_number']} of {status['turns']}, {status['date']}"]
    lines += [f"   {line}" for line in summary_lines(view.get("summary"))]
    lines += [
             f"   your forces: {count(len(view['own']), 'unit')} on the map "
             f"({', '.join(f'{n} {s}' for s, n in Counter(u['state'] for u in view['own']).most_common())})"]
    if view["own"]:
        weakest = sorted(view["own"], key=lambda u: u["morale"])[:5]
        # whole names, one a line: cut short, a front's battalions all read alike
        lines.append("   lowest morale:")
        lines += [f"     {u['morale']:.2f} {unit_line(u)}" for u in weakest]
    lines.append(f"   enemies in sight: {len(view['enemies'])}; remembered elsewhere: {len(view['last_seen'])}; "
                 f"friendly units: {len(view['friendly'])}")
    will = view.get("will") or {}
    if will.get("entries"):                       # the team's own will only (play.fog.team_will)
        lines.append("   your will to fight: " + "; ".join(
            f"{x['name']} {x['value']:.2f} ({change(x['change'])} this turn"
            + (f": {', '.join(f['text'] for f in x['factors'][:2])} since the start" if x["factors"]
               else f"; {x['factors_note']}" if x.get("factors_note") else "") + ")"
            for x in will["entries"]))
    if view.get("air"):                           # a team with aircraft: its air war (play.airpower)
        lines.append("   your air groups: " + "; ".join(
            f"{w['name']} {w['aircraft']:g} aircraft, {w['sorties_turn']:g} sorties this turn" for w in view["air"]["wings"]))
        lines += [f"   {text}" for text in air_summary_lines(view["air"])]
    start = (names or {}).get("start")
    for event, text in grouped(view["reports"], names or {}, (names or {}).get("unit_names"))[-8:]:
        # dated as the pages date them ("27 Nov 11:00"), the model's day only where the start is not known
        when = format_date(date_of(start, event["day"]), "short", pad_day=True) if start else f"day {event['day']}"
        lines.append(f"   {when}: {text}")
    lines.append(f"   sectors: {', '.join(f'{k} ({v})' for k, v in sector_names.items())}")
    return lines


def unit_line(unit: dict) -> str:
    """An own unit by name and state; one that came over to the team's side says so in words, not as its
    record's "X (defected)" beside its state ("X (defected) (active)" reads as if it had left the team)."""
    name, came_over = unit["name"], unit["name"].endswith(DEFECTED)
    if came_over:
        name = name[: -len(DEFECTED)]
    return f"{name} ({'came over to your side; ' if came_over else ''}{unit['state']})"


def orders_words(game: Game, orders: dict) -> str:
    """Orders as the team reads them back: the names of the sectors and places, not JSON and ids."""
    return orders_in_words(orders, game.sectors.names, game.names.place.labels)


def screen_names(game: Game) -> dict:
    """The scenario's names for the screen: sides, factions, places, air wings, and units (a report that
    speaks of a unit, a surrendered one's captured equipment say, names it), and the start the reports are
    dated from."""
    return {**reader_names(game.model), "unit_names": {a.key: a.name for a in game.model.table.agent},
            "start": game.model.spec.meta.start}


def lever_values(team: str) -> list[tuple[str, str]]:
    """Each lever of the team with the values it takes, read from its order model (so the help cannot drift
    from what the game accepts)."""
    out = []
    for name, field in ORDER_TYPES[team].model_fields.items():
        if name == "sectors":
            continue
        annotation = str(field.annotation)
        limits = {k: getattr(m, k) for m in field.metadata for k in ("ge", "le") if getattr(m, k, None) is not None}
        span = f" from {limits['ge']:g} to {limits['le']:g}" if len(limits) == 2 else ""
        if "Literal" in annotation:
            base = field.annotation           # Literal[...] or Literal[...] | None: the choices are the Literal's
            base = next((a for a in get_args(base) if get_origin(a) is Literal), base)
            values = " | ".join(get_args(base)) + (" (not given: as the AI would)" if "None" in annotation else "")
        elif "bool" in annotation:
            values = "yes | no"
        elif "list" in annotation:
            values = "sectors, comma-separated, first first"
        elif "int" in annotation and "float" not in annotation:
            values = f"a whole number{span}"
        elif "float" in annotation:
            values = f"a number{span}"
        else:
            values = "a sector"
        out.append((name, values))
    return out


def help_text(team: str, game: Game | None = None) -> str:
    """What a team can type: the order language, its sectors and places, its levers and their values, and
    examples; names in any case, as the map writes them."""
    fields = ORDER_TYPES[team].model_fields
    lines = ["Orders on one line, parts separated by ';'. Sectors and places in any case, by the name the map",
             "writes (Aleppo airport, Maarat al-Numan) or their id (aleppo_airport).", ""]
    if "sectors" in fields:
        lines += ["  SECTOR STANCE [AXIS]",
                  "    stance  doctrine (the AI commands, as when no order is given) | hold (dig in) |",
                  "            attack (advance towards AXIS, else the AI's target) | withdraw (fall back)"]
        if game is not None:
            lines += wrap("    sectors ", [f"{name} ({sid})" for sid, name in game.sectors.names.items()])
            labels = sorted(game.names.place.labels[p] for p in game.places)
            lines += wrap("    places  ", labels[:PLACES_IN_HELP] + ([f"... ({len(labels)} in all: type places)"]
                                                                      if len(labels) > PLACES_IN_HELP else []))
    levers = lever_values(team)
    lines += ["  LEVER=VALUE" + ("" if levers else f"   ({team} has no levers)")]
    lines += [f"    {name:<18} {values}" for name, values in levers]
    example = {"rebels": "idlib attack Saraqib; aleppo hold; tempo=steady",
               "russia": "idlib attack Saraqib; air_priorities=Idlib, Aleppo; redeploy=6",
               "regime": "idlib attack Saraqib; hama hold; reserves_to=Idlib",
               "iran": "aleppo hold; commitment=0.8; recruits_per_week=1200",
               "turkey": "idlib hold; support=0.9", "israel": "strikes_per_week=10"}.get(team, "")
    lines += ["", f"  e.g. {example}" if example else "",
              "  Orders stand from turn to turn until you change them (except the one-shot levers:",
              f"  {', '.join(ONE_SHOT)}).",
              "  Commands: help | briefing (your situation, objectives, what counts as winning, your levers)",
            "            places (every place) | view (your picture again)",
              "            map (your map as a PNG file) | textmap (a map in the terminal)",
              "            doctrine (the AI decides everything this turn) | quit: save and stop",
              "            an empty line: your last orders stand (none yet: the AI decides)"]
    return "\n".join(line for line in lines if line is not None)


def wrap(head: str, items: list[str], width: int = 100) -> list[str]:
    """Items after a heading, comma-separated, wrapped to the terminal's width."""
    lines, line = [], head
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > width and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece + " "
    return lines + [line.rstrip()]


def places_text(game: Game) -> str:
    """Every place an attack may aim at: the name the map writes, and its id."""
    return "\n".join(wrap("places: ", [f"{game.names.place.labels[p]} ({p})" for p in
                                       sorted(game.places, key=lambda p: game.names.place.labels[p])]))


def write_map(game: Game, team: str, folder: Path) -> Path:
    """The team's picture as the web page draws it, written as a PNG for the team to open."""
    from wargame.report.maps import draw_picture_png

    model = game.model
    png = draw_picture_png(model.theatre, model.spec, list(model.side_ids), game.view(team), truth=False,
                           area="front", size="large")
    path = folder / f"map-{game.id}-{team}-turn{game.turn_number:02d}.png"
    path.write_bytes(png)
    return path


def clear_screen() -> None:
    """Clear the screen and its scrollback, so the next team cannot scroll up to the last one's picture."""
    print("\033[3J\033[H\033[2J", end="", flush=True)


def play(game: Game, ask: Callable[[str], str] = input, say: Callable[[str], None] = print,
         clear: Callable[[], None] = clear_screen, map_folder: Path | None = None) -> None:
    """Play the game to its end (or until a team types quit): each human team in turn, then the turn
    resolves. The game is saved after every order, so `python run.py play --game ID` resumes it. `map`
    writes a team's map in `map_folder` (default: beside the game's file)."""
    while not game.finished:
        events_before = len(game.model.events)
        if game.paused:                          # paused from the instructor's console on the same game file
            say("The instructor has paused the game. Resume it from the console, then run this again.")
            return
        for team in game.config["humans"]:
            if team in game.submitted():
                continue
            # the prompt comes before the screen is cleared, so the room reads the turn's news first; the last
            # team's picture was cleared when it passed the laptop on, so the next team never sees it
            typed = ask(f"Pass the laptop to {game.teams[team].name}, then press Enter ").strip()
            clear()
            if typed:
                say(f"  ({typed!r} typed at the hand-over was not taken: type your orders at the prompt below)")
            view = game.view(team)
            if game.turn == 0:                   # the first time at the laptop: the briefing comes first
                for line in briefing_lines(view["briefing"]):
                    say(line)
            for line in picture_lines(view, game.sectors.names, screen_names(game)):
                say(line)
            standing = view.get("orders_standing")
            if standing:
                say(f"   your orders from turn {standing['turn_number']} stand unless you change them: "
                    f"{orders_words(game, standing['orders'])}")
            maps: list[Path] = []
            while True:
                line = ask(f"{team} orders (help for help)> ").strip()
                command = line.lower()
                if command == "help":
                    say(help_text(team, game))
                    continue
                if command == "briefing":
                    for text in briefing_lines(game.briefing(team)):
                        say(text)
                    continue
                if command == "places":
                    say(places_text(game))
                    continue
                if command == "map":
                    maps.append(write_map(game, team, map_folder or Path(game.store.path).parent))
                    say(f"  your map is in {maps[-1]} (open it; it is deleted when you pass the laptop on)")
                    continue
                if command == "textmap":
                    for text in text_map(game, team, game.view(team)):
                        say(text)
                    continue
                if command == "view":
                    for text in picture_lines(game.view(team), game.sectors.names, screen_names(game)):
                        say(text)
                    continue
                if command == "quit":
                    say(f"Saved. Resume with: python run.py play --game {game.id} --db {game.store.path}")
                    return
                if command == "doctrine":
                    orders = {}                           # everything to the doctrine AI this turn
                elif not line and standing:
                    orders = standing["orders"]           # nothing typed: last turn's orders stand
                else:
                    try:
                        orders = parse_line(team, line)
                    except WargameError as exc:
                        say(f"  not accepted: {exc}")
                        continue
                try:
                    result = game.submit(team, orders)
                except WargameError as exc:
                    say(f"  not accepted: {exc}")
                    continue
                say(f"  orders accepted: {orders_words(game, orders)}"
                    + ("; the turn resolves" if result["turn_resolved"] else ""))
                break
            for path in maps:                             # the next team must not find this team's map
                path.unlink(missing_ok=True)
            clear()
        if not game.config["humans"]:
            game.resolve(by="instructor")
        status = game.status()
        # the room's news of this turn only, each with who took what from whom
        news = [e.to_dict(game.model.events.start) for e in game.model.events.since(events_before)
                if e.kind in ROOM_NEWS]
        names = reader_names(game.model)
        say(f"Turn {game.turn} resolved: now {status['date']}. "
            + (f"News: {'; '.join(news_line(redact(e), names) for e in news)}" if news
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
