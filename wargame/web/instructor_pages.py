"""The instructor's pages: the console (the truth, the join codes, the turn's controls, injects and
overrides, the log) and the debrief (each turn's orders and what followed, the truth beside each team's
picture)."""

from __future__ import annotations

import html
import json

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
    """A team's orders in a line: "Idlib: attack towards Saraqib; tempo all_out"."""
    if orders is None:
        return "no orders: the doctrine AI played this team"
    places = game.model.theatre.geodata.places
    parts = []
    for sector, order in (orders.get("sectors") or {}).items():
        text = f"{game.sectors.names.get(sector, sector)}: {order.get('stance', 'doctrine')}"
        if order.get("axis"):
            axis = order["axis"]
            text += f" towards {places[axis].name.split(' (')[0] if axis in places else axis}"
        parts.append(text)

    def sector(x):
        return game.sectors.names.get(x, x) if isinstance(x, str) else x

    parts += [f"{k.replace('_', ' ')} {', '.join(map(sector, v)) if isinstance(v, list) else sector(v)}"
              for k, v in orders.items() if k != "sectors"]
    return "; ".join(parts) or "all sectors left to doctrine"



def injects_forms(game: Game, truth: dict) -> str:
    """The white cell's forms: one per inject and override, each posted as JSON by play.js."""
    model = game.model
    cities = "".join(f'<option value="{e(c)}">{e(city.name) if hasattr(city, "name") else e(c)}</option>'
                     for c, city in sorted(model.theatre.cities.items()))
    sides = "".join(f'<option value="{e(s)}">{e(model.spec.sides[s].name)}</option>' for s in model.side_ids)
    wings = "".join(f'<option value="{e(w.key)}">{e(w.key)}</option>' for w in model.wings)
    units = "".join(f'<option value="{e(u["unit"])}">' for u in truth["units"])

    def form(kind: str, title: str, fields: str, api: str = "inject") -> str:
        return (f'<form class="api card mini" data-endpoint="/api/instructor/{api}" data-kind="{kind}">'
                f'<h3>{title}</h3>{fields}<button type="submit">Apply</button><p class="result" hidden></p></form>')

    return f"""<datalist id="unit-keys">{units}</datalist>
<div class="forms">
{form("israeli_strike", "Israeli strike", '<label>Target <select name="target"><option>leadership</option>'
      '<option>depot</option><option>convoy</option></select></label>')}
{form("russian_aircraft", "Russian aircraft arrive", '<label>Aircraft <input type="number" name="aircraft" min="1" '
      f'max="60" value="6" required></label><label>Wing <select name="wing">{wings}</select></label>')}
{form("weather", "Weather", '<label>Weather <select name="weather"><option value="bad">bad: aircraft grounded'
      '</option><option value="clear">clear</option></select></label>')}
{form("defection", "A unit defects", '<label>Unit id <input name="unit" list="unit-keys" required></label>')}
{form("parameter", "Set a parameter", '<label>Path <input name="path" placeholder="factions.saa.pay" required>'
      '</label><label>Value <input name="value" required></label>')}
{form("note", "Note to the record", '<label>Text <input name="text" maxlength="500" required></label>')}
{form("city", "Override: give a city", f'<label>City <select name="city">{cities}</select></label>'
      f'<label>To <select name="side">{sides}</select></label>', api="override")}
{form("unit", "Override: a unit's state", '<label>Unit id <input name="unit" list="unit-keys" required></label>'
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
    log = "".join(f'<li><time>{e(x["at"][11:])}</time> <b>{e(x["who"])}</b> {e(x["action"])} '
                  + (f'<span class="note">{e(str(x["detail"]["note"])[:600])}</span></li>' if "note" in x["detail"]
                     else f'<span class="dim">{e(json.dumps(x["detail"], default=str)[:160])}</span></li>')
                  for x in reversed(iv["log"]))
    interventions = "".join(f'<li>turn {x["turn"] + 1}: <b>{e(x["kind"])}</b> '
                            f'{e(json.dumps(x["params"], default=str))}</li>' for x in iv["interventions"])
    back = max(0, len(rewind_dates) - 2)           # the start of the last turn played: "undo that turn"
    options = "".join(f'<option value="{k}"{" selected" if k == back else ""}>turn {k + 1} (start, {e(d)})</option>'
                      for k, d in enumerate(rewind_dates))
    paused = status["paused"]
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
  <p><a href="/projector" target="_blank">Projector view</a> · <a href="/debrief">Debrief</a> ·
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
    <h2>The turn</h2>
    <form class="api inline" data-endpoint="/api/instructor/resolve" method="get" action="/instructor/confirm"
      data-confirm="Resolve turn {status["turn"] + 1} now? Teams without new orders keep their last ones (the AI plays
      those that never gave any). This cannot be undone, only rewound.">
      <input type="hidden" name="action" value="resolve"><input type="hidden" name="at" value="{status["turn"]}">
      <button type="submit" id="resolve-now">Resolve the turn now</button>
      <span class="dim">teams without new orders keep their last ones; the AI plays those that never gave any</span>
      <p class="result" hidden></p></form>
    <form class="api inline" data-endpoint="/api/instructor/{"resume" if paused else "pause"}">
      <button type="submit" class="{"" if paused else "quiet"}">{"Resume" if paused else "Pause"} the game</button>
      <p class="result" hidden></p></form>
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

