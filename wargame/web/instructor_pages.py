"""The instructor's pages: the console (the truth, the join codes, the turn's controls, injects and
overrides, the log) and the debrief (each turn's orders and what followed, the truth beside each team's
picture)."""

from __future__ import annotations

import html

from wargame.play.game import Game
from wargame.play.messages import WHITE_CELL
from wargame.play.news import describe
from wargame.play.turn_summary import reader_names
from wargame.play.words import count
from wargame.report.maps import picture_legend_html
from wargame.report.style import short_name
from wargame.web.briefing_pages import results_table
from wargame.web.dates import day_to_date
from wargame.web.maptools import map_tools
from wargame.web.pages import area_switch, status_bar, topbar, will_table
from wargame.web.summary_pages import debrief_summaries
from wargame.web.talks_pages import debrief_talks, instructor_talks_card, outcomes_forms, team_names

e = html.escape


def orders_text(orders: dict | None, game: Game) -> str:
    """A team's orders in a line, in words: "Idlib: attack towards Saraqib; tempo: all out; air priorities:
    near Kafr Nabl, the Idlib sector" (sectors and places by name, a lever's choice without underscores)."""
    if orders is None:
        return "no orders: the doctrine AI played this team"
    places = game.model.theatre.geodata.places
    labels = game.names.place.labels
    parts = []
    for sector, order in (orders.get("sectors") or {}).items():
        text = f"{game.sectors.names.get(sector, sector)}: {order.get('stance', 'doctrine')}"
        if order.get("axis"):
            axis = order["axis"]
            text += f" towards {labels.get(axis) or (places[axis].name if axis in places else axis)}"
        parts.append(text)

    def word(x, in_list: bool = False) -> str:
        if isinstance(x, bool):
            return "yes" if x else "no"
        if isinstance(x, float):
            return f"{x:g}"
        if not isinstance(x, str):
            return str(x)
        if x in game.sectors.names:
            return f"the {game.sectors.names[x]} sector" if in_list else game.sectors.names[x]
        if x in labels:
            return f"near {labels[x]}"                   # an air priority: the enemies near that place
        return x.replace("_", " ")

    parts += [f"{k.replace('_', ' ')}: {', '.join(word(x, True) for x in v) if isinstance(v, list) else word(v)}"
              for k, v in orders.items() if k != "sectors"]
    return "; ".join(parts) or "all sectors left to doctrine"


def unit_options(game: Game, truth: dict) -> str:
    """The units on the map as a list to choose from, by name, grouped by faction (an instructor knows a
    unit by its name, not by its id)."""
    factions = game.model.spec.factions
    groups: dict[str, list[dict]] = {}
    for u in truth["units"]:
        if u["cell"] >= 0:
            groups.setdefault(u["faction"], []).append(u)
    return '<option value="">choose a unit</option>' + "".join(
        f'<optgroup label="{e(factions[f].name if f in factions else f)}">'
        + "".join(f'<option value="{e(u["unit"])}">{e(u["name"])}</option>'
                  for u in sorted(units, key=lambda u: u["name"]))
        + "</optgroup>" for f, units in groups.items())


def injects_forms(game: Game, truth: dict) -> str:
    """The white cell's forms: one per inject and override, each posted as JSON by play.js."""
    model = game.model
    cities = "".join(f'<option value="{e(c)}">{e(city.name) if hasattr(city, "name") else e(c)}</option>'
                     for c, city in sorted(model.theatre.cities.items()))
    sides = "".join(f'<option value="{e(s)}">{e(model.spec.sides[s].name)}</option>' for s in model.side_ids)
    # aircraft "from Russia" reach a Russian wing only, named as the scenario names it
    russian = [w for w in model.wings if w.faction == "russia"]
    wings = "".join(f'<option value="{e(w.key)}">{e(w.spec.name)}</option>' for w in russian)
    wing_field = (f'<label>Wing <select name="wing">{wings}</select></label>' if russian
                  else '<p class="dim">No Russian air wing in this scenario.</p>')
    units = unit_options(game, truth)

    def form(kind: str, title: str, fields: str, api: str = "inject", confirm: str = "") -> str:
        ask = f' data-confirm="{e(confirm)}"' if confirm else ""          # play.js asks before it posts
        return (f'<form class="api card mini" data-endpoint="/api/instructor/{api}" data-kind="{kind}"{ask}>'
                f'<h3>{title}</h3>{fields}<button type="submit">Apply</button><p class="result" hidden></p></form>')

    return f"""<div class="forms">
{form("israeli_strike", "Israeli strike", '<label>Target <select name="target">'
      '<option value="leadership">leadership: a militia unit\'s commanders (its cohesion, its faction\'s '
      'leadership)</option><option value="depot">depot: a militia unit\'s supplies</option>'
      '<option value="convoy">convoy: Iran\'s pipeline of men and arms</option></select></label>'
      '<p class="dim small">A leadership or depot strike hits a militia unit on the map, the IRGC\'s and '
      'Hezbollah\'s first, and kills some of its men.</p>')}
{form("russian_aircraft", "Russian aircraft arrive", '<label>Aircraft <input type="number" name="aircraft" min="1" '
      f'max="60" value="6" required></label>{wing_field}')}
{form("weather", "Weather", '<label>Weather <select name="weather"><option value="bad">bad: aircraft grounded'
      '</option><option value="clear">clear</option></select></label>')}
{form("defection", "A unit defects", f'<label>Unit <select name="unit" required>{units}</select></label>')}
{form("parameter", "Set a parameter", '<label>Path <input name="path" placeholder="factions.saa.pay" required>'
      '</label><label>Value <input name="value" required></label>')}
{form("note", "Note to the record", '<label>Text <input name="text" maxlength="500" required></label>')}
{form("city", "Override: give a city", f'<label>City <select name="city">{cities}</select></label>'
      f'<label>To <select name="side">{sides}</select></label>', api="override",
      confirm="Give this city to that side? Its ground changes hands now (rewind to undo).")}
{form("unit", "Override: a unit's state", f'<label>Unit <select name="unit" required>{units}</select></label>'
      '<label>Morale <input type="number" name="morale" min="0" max="1" step="0.05"></label>'
      '<label>Cohesion <input type="number" name="cohesion" min="0" max="1" step="0.05"></label>'
      '<label>Supply <input type="number" name="supply" min="0" max="1" step="0.05"></label>', api="override")}
</div>"""


def instructor_page(game: Game, iv: dict, status: dict, area: str, version: str, rewind_dates: list[str]) -> str:
    """The console; `rewind_dates`: the date at the start of each turn played so far."""
    codes = iv["codes"]
    rows = []
    for t, team in game.teams.items():
        human = t in game.config["humans"]
        orders = iv["orders"].get(t)
        state = ("✓ orders in" if orders is not None else "waiting") if human else "AI"
        rows.append(f'<tr class="{"done" if orders is not None else ("waiting" if human else "ai")}">'
                    f'<th scope="row">{e(team.name)}</th><td class="code">{e(codes.get(t, "-"))}</td>'
                    f'<td>{state}</td><td>{e(orders_text(orders, game)) if orders is not None else ""}</td></tr>')
    names = detail_names(game)
    for x in [*iv["log"], *({"detail": y["params"]} for y in iv["interventions"])]:   # a defected unit too
        key = x["detail"].get("unit")
        if isinstance(key, str) and (unit := game.model.unit_by_key(key)) is not None:
            names[key] = unit.name
    who = {**names, "instructor": "instructor", "game": "game"}
    log = "".join(f'<li><time>{e(x["at"][11:])}</time> <b>{e(who.get(x["who"], x["who"]))}</b> {e(x["action"])} '
                  + (f'<span class="note">{e(str(x["detail"]["note"])[:600])}</span></li>' if "note" in x["detail"]
                     else f'<span class="dim">{e(in_words(x["detail"], names)[:300])}</span></li>')
                  for x in reversed(iv["log"]))
    interventions = "".join(f'<li>turn {x["turn"] + 1}: <b>{e(KIND_WORDS.get(x["kind"], x["kind"]))}</b>: '
                            f'{e(in_words(x["params"], names))}</li>' for x in iv["interventions"])
    # the turns that exist: a finished game has no turn after its last (its start would be the end)
    starts = rewind_dates[: game.config["turns"]]
    back = max(0, min(status["turn"] - 1, len(starts) - 1))      # the start of the last turn played: "undo it"
    options = "".join(f'<option value="{k}"{" selected" if k == back else ""}>turn {k + 1} (start, {e(d)})</option>'
                      for k, d in enumerate(starts))
    paused = status["paused"]
    over = status["finished"]
    # once the game is over nothing is left to resolve or pause: only a rewind reopens it
    resolve_pause = "" if over else f"""<form class="api inline" data-endpoint="/api/instructor/resolve" method="get" action="/instructor/confirm"
      data-confirm="Resolve turn {status["turn"] + 1} now? Teams without new orders keep their last ones (the AI plays
      those that never gave any). This cannot be undone, only rewound.">
      <input type="hidden" name="action" value="resolve"><input type="hidden" name="at" value="{status["turn"]}">
      <button type="submit" id="resolve-now">Resolve the turn now</button>
      <span class="dim">teams without new orders keep their last ones; the AI plays those that never gave any</span>
      <p class="result" hidden></p></form>
    <form class="api inline" data-endpoint="/api/instructor/{"resume" if paused else "pause"}">
      <button type="submit" id="pause" class="{"" if paused else "quiet"}">{"Resume" if paused else "Pause"} the game</button>
      <p class="result" hidden></p></form>"""
    return f"""{topbar("Instructor console", f"Game {e(game.id)} · {e(status['title'])} · "
                       f"seed {game.config['seed']} · {game.config['turn_hours']:g} h turns")}
{status_bar(status)}
<main class="instructor">
<section class="mapcol">
  <div class="maphead"><h2>The truth</h2>{area_switch("/instructor", area)}</div>
  {map_tools(f"/api/instructor/map.png?area={area}&v={version}", tap=False)}
  <div class="mapbox" id="mapbox">
  <img id="map" class="map" src="/api/instructor/map.png?area={area}&amp;v={e(version)}"
       data-base="/api/instructor/map.png?area={area}" alt="Map: true control and every unit" width="990" height="990">
  </div>
  {picture_legend_html(game.model.spec, list(game.model.side_ids), iv["truth"], truth=True)}
  <p><a href="/projector" target="_blank">Projector view</a> · <a href="/instructor/codes">Join codes page</a> ·
     <a href="/debrief">Debrief</a> ·
     <a href="/instructor/report" target="_blank">After-action report</a> (drawn in the background in about half
     a minute, while the game goes on; its tab fills in by itself) · <a href="/api/instructor/view">instructor JSON</a></p>
</section>
<section class="ordercol">
  {results_table(iv["results"], status["ended"], debrief_link=True) if status["finished"] else ""}
  <div class="card">
    <h2>Teams and join codes</h2>
    <details class="codes"><summary>Show the join codes (not on the projector)</summary>
    <div class="scroll-x"><table class="codes"><thead><tr><th>Team</th><th>Code</th><th>This turn</th><th>Orders</th>
    </tr></thead><tbody>{"".join(rows)}</tbody></table></div>
    <p class="dim">Instructor code: <span class="code">{e(codes.get("instructor", ""))}</span> (keep it to yourself);
       projector code: <span class="code">{e(codes.get("projector", ""))}</span> (the room's public view only)</p>
    </details>
  </div>
  <div class="card controls">
    <h2>{"The game is over" if over else "The turn"}</h2>
    {'<p class="dim">Nothing is left to resolve. A rewind to the start of a turn reopens the game from there.</p>'
     if over else resolve_pause}
    <form class="api inline" data-endpoint="/api/instructor/rewind" method="get" action="/instructor/confirm"
      data-confirm="Rewind? Later turns, orders and interventions are set aside (they stay in the log).">
      <input type="hidden" name="action" value="rewind"><input type="hidden" name="at" value="{status["turn"]}">
      <label>Rewind to <select name="turn">{options}</select></label><button type="submit" class="quiet">Rewind</button>
      <p class="result" hidden></p></form>
  </div>
  <div class="card" id="will"><h2>The will to fight <span class="dim">(the truth: every side)</span></h2>
  {will_table(iv["truth"].get("will"), this_turn=False)}{_collapse_note(iv["truth"].get("will"))}</div>
  <h2>Inject and override</h2>
  {injects_forms(game, iv["truth"])}
  {outcomes_forms(game)}
  {instructor_talks_card(game, iv.get("messages", []))}
  <div class="card"><h2>Interventions</h2>{f"<ol>{interventions}</ol>" if interventions else '<p class="dim">None yet.</p>'}</div>
  <div class="card"><h2>Log <span class="dim">(newest first)</span></h2><ol class="log">{log}</ol></div>
</section>
</main>"""


KIND_WORDS = {"israeli_strike": "an Israeli strike", "russian_aircraft": "Russian aircraft arrive",
              "weather": "the weather", "defection": "a unit defects", "parameter": "a parameter set",
              "note": "a note", "city": "a city given", "unit": "a unit's state set", "surrender": "a surrender",
              "freeze": "a freeze"}         # an intervention's kind as the console's forms name it


def detail_names(game: Game) -> dict[str, str]:
    """The names people read for the ids a log entry or an intervention holds: teams, sides, factions,
    cities, places, units, air wings."""
    model = game.model
    names = {p: v.name for p, v in model.theatre.geodata.places.items()}
    names.update({c: getattr(city, "name", c) for c, city in model.theatre.cities.items()})
    names.update({f: v.name for f, v in model.spec.factions.items()})
    names.update({s: v.name for s, v in model.spec.sides.items()})
    names.update({w.key: w.spec.name for w in model.wings})
    names.update({t: team.name for t, team in game.teams.items()})
    names[WHITE_CELL] = "the white cell"
    return names


def in_words(detail: dict, names: dict[str, str]) -> str:
    """A log entry's or an intervention's details as people read them, not as JSON: ids by name, turns
    counted from 1 (a "turn" key is the record's index, from 0; a "turn_number" already counts from 1)."""

    def word(v) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, (list, tuple)):
            return ", ".join(map(word, v)) or "none"
        if isinstance(v, dict):
            return "; ".join(f"{k.replace('_', ' ')} {word(x)}" for k, x in v.items())
        if isinstance(v, float):
            return f"{v:g}"
        if isinstance(v, str):
            return names.get(v, v)
        return str(v)

    parts = []
    for k, v in detail.items():
        if k == "unit" and isinstance(v, str):
            parts.append(f"unit {names.get(v, v)}")
        elif k == "turn" and isinstance(v, int):
            parts.append(f"in turn {v + 1}")
        elif k.endswith("turn_number"):
            parts.append(f"{k[:-len('turn_number')].replace('_', ' ')}turn {v}")
        elif k == "missing":
            parts.append(f"no new orders from {word(v)}" if v else "every team's orders in")
        elif k == "result":
            parts.append(word(v) if v else "")
        elif k == "text":                                     # a note: its words are the point
            parts.append(str(v))
        elif k in ("to", "by"):
            parts.append(f"{k} {word(v)}")
        else:
            parts.append(f"{k.replace('_', ' ')} {word(v)}")
    return "; ".join(p for p in parts if p)


def _collapse_note(will: dict | None) -> str:
    if not will:
        return ""
    fell = "; ".join(f"{side}: collapsed on day {day:g}" for side, day in (will.get("collapsed") or {}).items())
    return (f'<p class="dim small">A regime collapses when its leadership\'s will falls below '
            f'{will.get("collapse_below", 0):.2f}.{" " + e(fell) + "." if fell else ""}</p>')


def _will_line(will: dict | None) -> str:
    """The truth's will at the end of a turn, in a line (leaderships first)."""
    entries = sorted((will or {}).get("entries", []), key=lambda x: not x.get("leadership"))
    return ", ".join(f"{x['name']} {x['value']:.2f}" for x in entries)


def debrief_page(game: Game, turns: list[dict], instructor: bool = True) -> str:
    """The debrief: a slider over the turns resolved, each with its orders, what followed and the pictures."""
    spec = game.model.spec
    status = {"side_names": {s: v.name for s, v in spec.sides.items()},
              "faction_names": {f: short_name(v.name) for f, v in spec.factions.items()}}
    status = {**reader_names(game.model), **status}      # places and air wings by name in the decisions
    sections = []
    for k, entry in enumerate(turns):
        t = entry["turn"]
        humans = game.config["humans"]
        seats = sorted(game.teams, key=lambda tid: tid not in humans)          # the students' teams first
        seat = {tid: "students" if tid in humans else "AI" for tid in seats}
        orders = "".join(f'<li><b>{e(game.teams[tid].name)}</b> <span class="dim">({seat[tid]})</span>: '
                         f'{e(orders_text(entry["orders"].get(tid), game))}</li>' for tid in seats)
        caps = "".join(f"<li>{e(describe(x, status))}</li>" for x in entry["captures"]) or "<li>no city changed hands</li>"
        breaks = ", ".join(f"{e(spec.factions[f].name.split(' (')[0])}: {n}" for f, n in entry["breaks"].items() if n)
        decisions = "".join(f"<li>{e(describe(x, status))}</li>" for x in entry["decisions"])
        will = _will_line((entry.get("truth") or {}).get("will"))
        pictures = [("truth", "The truth", "every unit and who really holds the ground")]
        for tid in seats:
            v = entry["views"].get(tid)
            if v is not None:
                note = (f'{count(len(v.get("own", [])), "own unit")}, {count(len(v.get("enemies", [])), "enemy")} '
                        f'in sight, {len(v.get("last_seen", []))} last seen')
                pictures.append((tid, f"Seen by {game.teams[tid].name} ({seat[tid]})", note))
        figures = "".join(
            f'<figure><img data-src="/api/instructor/debrief/map.png?turn={t}&amp;picture={p}" alt="{e(title)}, '
            f'end of turn {t + 1}" width="460" height="440"><figcaption><b>{e(title)}</b><br>{e(note)}</figcaption></figure>'
            for p, title, note in pictures)
        end = day_to_date(spec.meta.start, entry["day"])
        sections.append(f"""<section class="dturn" data-index="{k}"{"" if k == 0 else " hidden"}>
<h2>Turn {t + 1} <span class="dim">· to {e(end)} · resolved {e(entry["resolved"][11:])}</span></h2>
<div class="dcols"><div><h3>Orders given</h3><ul>{orders}</ul></div>
<div><h3>What followed</h3><ul>{caps}</ul><p>Units broken: {breaks or "none"}</p>
{f'<p class="will-line">Will to fight at the end of the turn: {e(will)}</p>' if will else ""}
{f"<h3>Decisions</h3><ul>{decisions}</ul>" if decisions else ""}
{debrief_talks(entry.get("messages", []), team_names(game))}</div></div>
{debrief_summaries(entry, game.teams, seats)}</div></div>
<div class="pictures">{figures}</div></section>""")
    # one key for every picture: in a team's picture the counters are that team's own units
    first = turns[0]["truth"] if turns else {}
    key = {"units": first.get("units", []), "control": sorted(set(first.get("control", []))) + [-1]}
    if not sections:
        body = '<p class="card">No turn has been resolved yet: the debrief fills as the game is played.</p>'
    else:
        n = len(sections)
        body = f"""<div class="slider card"><button type="button" id="prev" class="quiet">◀ Previous</button>
<label>Turn <input type="range" id="turn-slider" min="0" max="{n - 1}" value="0" step="1"></label>
<output id="turn-label">turn 1 of {n}</output><button type="button" id="next" class="quiet">Next ▶</button></div>
{picture_legend_html(spec, list(game.model.side_ids), key, truth=False, own="the team's own units (in the truth: every unit)")}
{"".join(sections)}"""
    return f"""{topbar("Debrief", f"Game {e(game.id)} · {e(spec.meta.title)} · "
                       "the truth beside each team's picture, turn by turn")}
<main class="debrief"><p>{'<a href="/instructor">Back to the console</a> · <a href="/api/instructor/debrief">'
                           'debrief JSON</a>' if instructor else '<a href="/team">Back to your page</a>'}</p>
{results_table(game.results(), game.end_reason) if game.finished else ""}{body}{other_talks(game, turns)}</main>"""


def other_talks(game: Game, turns: list[dict]) -> str:
    """The messages no resolved turn of the debrief holds: those of the turn being played, and those said in
    turns a rewind set aside."""
    shown = {m["seq"] for entry in turns for m in entry.get("messages", [])}
    rest = [m for m in game.messages(WHITE_CELL) if m["seq"] not in shown]
    talks = debrief_talks(rest, team_names(game), "Talks not in a resolved turn (this turn's, or said before a rewind)")
    return f'<section class="card" id="other-talks">{talks}</section>' if talks else ""

