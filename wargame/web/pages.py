"""The classroom's pages as HTML: the shell every page shares (head, top bar, status bar), the join page,
the page of a game just created, the error page, the projector's view and a team's page. Plain f-strings,
every value escaped; no inline script or style (the CSP allows neither)."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

from wargame.core.scenario import CLASSROOM_SCENARIO
from wargame.play.game import Game
from wargame.play.news import describe, grouped
from wargame.play.orders import ORDER_TYPES, STANCES
from wargame.play.teams import DEFAULT_TEAMS, TEAMS
from wargame.play.turn_summary import reader_names
from wargame.play.words import count
from wargame.report.maps import picture_legend_html
from wargame.web.air_pages import air_card, air_target_selects
from wargame.web.briefing_pages import briefing_card, result_card, results_table
from wargame.web.dates import when
from wargame.web.forms import lever_fields
from wargame.web.maptools import map_tools
from wargame.web.security import MAX_SCENARIO
from wargame.web.summary_pages import summary_card
from wargame.web.talks_pages import team_messages_card

e = html.escape


# ---------------------------------------------------------------------------------------------- the shell

def page(title: str, body: str, *, kind: str = "", data: dict | None = None, status: int = 200) -> HTMLResponse:
    """A whole page: `kind` names it for the style and play.js, `data` goes on its body as data-* attributes."""
    attrs = "".join(f' data-{k}="{e(str(v))}"' for k, v in (data or {}).items())
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Syria wargame</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/static/play.css"><script src="/static/play.js" defer></script></head>
<body class="page-{e(kind)}" data-page="{e(kind)}"{attrs}>
{body}
</body></html>""", status_code=status)


def topbar(title: str, subtitle: str = "", logout: bool = True) -> str:
    out = f'<header class="top"><div><h1>{e(title)}</h1>'
    if subtitle:
        out += f'<p class="sub">{subtitle}</p>'
    out += "</div>"
    if logout:
        out += ('<form method="post" action="/logout" class="logout"><button type="submit" class="quiet">'
                "Leave this game</button></form>")
    return out + "</header>"


def status_bar(s: dict, team: str | None = None) -> str:
    """The big bar every page carries: turn, date, who has submitted, paused. JS redraws it on each poll
    with the same markup (play.js renderStatus)."""
    over = s["finished"]
    turn = "Game over" if over else f"Turn <b>{s['turn'] + 1}</b> of {s['turns']}"
    teams = "".join(
        f'<li class="{"done" if t in s["submitted"] or over else "waiting"}{" me" if t == team else ""}">'
        f'{e(s["names"].get(t, t))}<span class="mark">'
        f'{"✓ orders in" if t in s["submitted"] else "" if over else "waiting"}'
        f"</span></li>" for t in s["humans"])
    flags = '<span class="badge paused">PAUSED</span>' if s["paused"] else ""
    return (f'<section class="statusbar" id="statusbar" aria-live="polite">'
            f'<div class="clock"><span class="turn" id="s-turn">{turn}</span>'
            f'<span class="date" id="s-date">{e(s["date"])}</span></div>'
            f'<ul class="teams" id="s-teams">{teams}</ul><div class="flags" id="s-flags">{flags}</div></section>')


def area_switch(path: str, area: str) -> str:
    return ('<nav class="area" aria-label="map area">'
            + "".join(f'<a href="{path}?area={a}"{" class=on" if a == area else ""}>{label}</a>'
                      for a, label in (("front", "The front (north-west)"), ("all", "Whole theatre")))
            + "</nav>")


# ---------------------------------------------------------------------------------------------- anyone

def home_page(who: tuple[str, str] | None, message: str = "", errors: list[str] | None = None,
              status: int = 200) -> HTMLResponse:
    """The join page (and the new-game form); `who`: the game and role of the browser's cookie, if any."""
    from wargame.core.scenario import builtin_names

    resume = ""
    if who:
        where = {"instructor": "/instructor", "projector": "/projector"}.get(who[1], "/team")
        role = {"instructor": "the instructor", "projector": "the projector"}.get(
            who[1], f"team {TEAMS[who[1]].name}" if who[1] in TEAMS else who[1])
        resume = (f'<p class="resume">You are in game <b>{e(who[0])}</b> as {e(role)}. '
                  f'<a class="button" href="{where}">Continue</a></p>')
    scenarios = "".join(f'<option value="{e(n)}"{" selected" if n == CLASSROOM_SCENARIO else ""}>{e(n)}</option>'
                        for n in builtin_names())
    teams = "".join(
        f'<label class="check"><input type="checkbox" name="humans" value="{t}"'
        f'{" checked" if t in DEFAULT_TEAMS else ""}> {e(team.name)}</label>' for t, team in TEAMS.items())
    err = "".join(f"<li>{e(x)}</li>" for x in errors or [])
    body = f"""{topbar("Syria wargame", "Classroom play: join your team with its code", logout=bool(who))}
<main class="home">
{resume}
<section class="card join">
  <h2>Join a game</h2>
  <p>Type the code your instructor gave your team.</p>
  <form method="post" action="/join" id="join-form">
    <label for="code">Join code</label>
    <input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
           maxlength="24" required class="code-input" placeholder="7KQ2RM">
    <button type="submit">Join</button>
  </form>
  {f'<p class="error" role="alert">{e(message)}</p>' if message else ""}
</section>
<section class="card newgame">
  <h2>New game (instructor)</h2>
  <form method="post" action="/games" id="new-game" enctype="multipart/form-data">
    <label for="scenario">Scenario</label>
    <select id="scenario" name="scenario">{scenarios}</select>
    <label for="scenario-file">or a scenario file of your own (TOML, {MAX_SCENARIO // 1000} KB at most; it may
      extend a built-in scenario)</label>
    <input type="file" id="scenario-file" name="scenario_file" accept=".toml">
    <fieldset><legend>Teams played by students (the others are played by the AI)</legend>{teams}</fieldset>
    <div class="row">
      <label>Hours per turn <input type="number" name="turn_hours" min="1" step="1" placeholder="2 model steps"></label>
      <label>Seed <input type="number" name="seed" min="0" step="1" value="1"></label>
    </div>
    <button type="submit">Create the game</button>
    {f'<ul class="errors" role="alert">{err}</ul>' if err else ""}
  </form>
  <p class="hint">You become the instructor of the new game; the next page shows every team's join code.</p>
</section>
</main>"""
    return page("Join", body, kind="home", status=status)


def created_page(game_id: str, scenario: str, codes: dict[str, str], url: str) -> HTMLResponse:
    """A game just created: every join code, to give out."""
    rows = "".join(f'<tr><th scope="row">{e(TEAMS[t].name)}</th><td class="code big">{e(c)}</td></tr>'
                   for t, c in codes.items() if t in TEAMS)
    body = f"""{topbar("Game created", f"Game {e(game_id)} · {e(scenario)}")}
<main class="created"><section class="card">
<h2>Join codes: give each team its own</h2>
<p>Students open <b class="url">{e(url)}</b> and type their team's code.
A code is the team's only key: anyone who has it plays as that team.</p>
<table class="codes big" id="team-codes"><tbody>{rows}</tbody></table>
<h2>Your instructor code</h2>
<p class="code big" id="instructor-code">{e(codes["instructor"])}</p>
<p class="hint">Keep it to yourself: it opens the console, the truth and the debrief. You are logged in with it
on this browser. The codes are also in the console.</p>
<h2>The projector's code</h2>
<p class="code big" id="projector-code">{e(codes.get("projector", ""))}</p>
<p class="hint">For the machine driving the projector: it opens the room's public view and nothing else.</p>
<p><a class="button" href="/instructor" id="to-console">Go to the instructor console</a>
<a class="button quiet" href="/projector" target="_blank">Open the projector view</a></p>
</section></main>"""
    return page("Game created", body, kind="created")


def error_page(status: int, detail: str) -> HTMLResponse:
    """An error (403, 404, ...) as a page, with the way back to the join page."""
    body = (f'{topbar("Syria wargame", logout=False)}<main class="home"><section class="card">'
            f'<h2>{status}</h2><p class="error">{e(detail)}</p><p><a href="/">Back to the join page</a>'
            "</p></section></main>")
    return page(str(status), body, kind="error", status=status)


def projector_page(status: dict, url: str) -> str:
    """The room's public view: the status, how long the turn has been open, the news (public only). Once the
    game is over, the result first and large (read from the back of the room, on one screen: no status bar,
    whose "Game over" the result says), the latest news under it, and the way to the debrief (which every
    code of the game opens then)."""
    items = list(reversed(status["news"]))
    if status["finished"]:
        latest = items[:LATEST_NEWS]
        more = (f'<p class="dim">and {len(items) - LATEST_NEWS} earlier (turn by turn in the debrief)</p>'
                if len(items) > LATEST_NEWS else "")
        news = "".join(f'<li><time>{e(when(x))}</time> {e(describe(x, status))}</li>' for x in latest)
        return f"""<main class="projector over">
<div class="phead"><h1 class="ptitle">{e(status["title"])}</h1>
<p class="pjoin"><a class="button" href="/debrief" id="to-debrief">Open the debrief</a></p></div>
{results_table(status["results"], status["ended"]) if status.get("results") else ""}
<section class="pnews"><h2>The latest news</h2><ol id="news" class="news">{news or '<li class="dim">No city changed hands.</li>'}</ol>{more}</section>
</main>"""
    news = "".join(f'<li><time>{e(when(x))}</time> {e(describe(x, status))}</li>' for x in items)
    return f"""<main class="projector">
<div class="phead"><h1 class="ptitle">{e(status["title"])}</h1><p class="pjoin">Join at <b>{e(url)}</b></p></div>
{status_bar(status)}
<section class="pclock"><div><span class="label">Turn open for</span> <span id="open-for">–</span></div>
<div><span class="label">Time now</span> <span id="wall-clock">–</span></div></section>
<section class="pnews"><h2>News</h2><ol id="news" class="news">{news or '<li class="dim">No city has changed hands yet.</li>'}</ol></section>
</main>"""


LATEST_NEWS = 3          # the end page's news: what fits under the result on a projector's 1280x800


# ---------------------------------------------------------------------------------------------- a team

def sector_rows(game: Game, view: dict, submitted: dict | None) -> str:
    sectors = game.sectors
    counts: dict[str, list] = {s: [] for s in sectors.ids}
    for u in view["own"]:
        if u["cell"] >= 0:
            counts[sectors.ids[int(sectors.of_cell[u["cell"]])]].append(u)
    given = (submitted or {}).get("sectors", {})
    rows = []
    for s in sectors.ids:
        units = counts[s]
        if units:
            morale = sum(u["morale"] for u in units) / len(units)
            shaky = sum(u["state"] in ("shaken", "routing") for u in units)
            here = (f'<b>{len(units)}</b> {"unit" if len(units) == 1 else "units"}<br>'
                    f'<span class="dim small">morale {morale:.2f}'
                    f'{f" · {shaky} shaken" if shaky else ""}</span>')
        else:
            here = '<span class="dim">none</span>'
        order = given.get(s, {})
        stance = order.get("stance", "doctrine")
        axis = order.get("axis") or ""                 # shown as the map writes it
        options = "".join(f'<option value="{x}"{" selected" if x == stance else ""}>{x}</option>' for x in STANCES)
        rows.append(f'<tr data-sector="{e(s)}"><th scope="row">{e(sectors.names[s])}</th><td>{here}</td>'
                    f'<td><select name="stance" aria-label="stance in {e(sectors.names[s])}">{options}</select></td>'
                    f'<td><input name="axis" list="places" value="{e(game.names.place.labels.get(axis, axis))}" '
                    f'placeholder="e.g. Saraqib" aria-label="axis in {e(sectors.names[s])}"></td></tr>')
    return "".join(rows)


def lever_inputs(team: str, game: Game, submitted: dict | None, view: dict | None = None) -> str:
    out = []
    sectors = game.sectors
    for f in lever_fields(team):
        name, kind = f["name"], f["kind"]
        value = (submitted or {}).get(name, None)
        label = f'<span class="lever-name">{e(name.replace("_", " "))}</span><span class="dim">{e(f["help"])}</span>'
        if kind == "bool":
            widget = f'<input type="checkbox" name="{name}" data-kind="bool"{" checked" if value else ""}>'
            out.append(f'<label class="lever check">{widget} {label}</label>')
            continue
        if kind == "choice":
            current = value or f["default"]
            options = "".join(f'<option value="{e(c)}"{" selected" if c == current else ""}>{e(str(c).replace("_", " "))}'
                              '</option>' for c in f["choices"])          # "double down", not "double_down"
            if f["default"] is None:                  # not given: the doctrine AI's way
                options = f'<option value=""{"" if current else " selected"}>as the AI would</option>' + options
            widget = f'<select name="{name}" data-kind="choice">{options}</select>'
        elif kind in ("int", "float"):
            limits = "".join(f' {k}="{f[k]:g}"' for k in ("min", "max") if k in f)
            step = "1" if kind == "int" else "any"
            placeholder = "0" if kind == "int" else "unchanged"
            widget = (f'<input type="number" name="{name}" data-kind="{kind}" step="{step}"{limits} '
                      f'value="{"" if value is None else e(str(value))}" placeholder="{placeholder}">')
        elif kind == "target-list":             # a group of lists (labels cannot hold labels)
            out.append(f'<div class="lever targets" role="group">{label}'
                       f'{air_target_selects(name, game, view or {}, value)}</div>')
            continue
        else:                                   # "sector", the last of web.forms.lever_fields' kinds
            options = '<option value="">(none)</option>' + "".join(
                f'<option value="{s}"{" selected" if s == value else ""}>{e(sectors.names[s])}</option>'
                for s in sectors.ids)
            widget = f'<select name="{name}" data-kind="sector">{options}</select>'
        out.append(f'<label class="lever">{label}{widget}</label>')
    return "".join(out)


def will_table(will: dict | None, *, this_turn: bool) -> str:
    """The will to fight of the given entries (a team's own, or the truth's every one): value on a meter,
    its change (over the last turn, or since the start), and what moved it most since the start."""
    entries = sorted((will or {}).get("entries", []), key=lambda x: not x.get("leadership"))   # the state's first
    if not entries:
        return '<p class="dim">No will to fight in this picture.</p>'
    head = "this turn" if this_turn else "since the start"
    rows = []
    for x in entries:
        change = x["change"] if this_turn else x["value"] - x["start"]
        trend = "down" if change < -0.005 else "up" if change > 0.005 else "flat"
        shown = f"{change:+.2f}" if trend != "flat" else "0.00"        # never "-0.00": a change too small to show
        factors = "; ".join(f["text"] for f in x.get("factors", [])) or x.get("factors_note") or "nothing yet"
        rows.append(f'<tr class="{"lead" if x.get("leadership") else ""}"><th scope="row">{e(x["name"])}</th>'
                    f'<td class="num"><meter min="0" max="1" low="0.25" high="0.5" optimum="1" value="{x["value"]:.3f}">'
                    f'</meter> {x["value"]:.2f}</td><td class="num {trend}" data-head="{head}:">{shown}</td>'
                    f'<td>{e(factors)}</td></tr>')
    return (f'<table class="will"><thead><tr><th>who</th><th>will (0-1)</th><th>{head}</th>'
            f'<th>what moved it most since the start</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def will_card(view: dict) -> str:
    """A team's own will to fight (play.fog.team_will): never an enemy's."""
    will = view.get("will") or {}
    threshold = will.get("collapse_below")
    leads = any(x.get("leadership") for x in will.get("entries", []))
    note = (f"Your regime collapses if its leadership's will falls below {threshold:.2f}. " if leads and threshold
            else "")
    note += ("The enemy's will is not known to you: you see its cities fall, its units break and what it "
             "decides in the open.")
    return (f'<section class="card willcol" id="will"><h2>Your will to fight</h2>{will_table(will, this_turn=True)}'
            f'<p class="dim small">{e(note)}</p></section>')


def unit_names(game: Game, view: dict) -> dict[str, str]:
    """The names of the units the team's reports speak of (its aircraft's targets, a struck unit): a report
    says a unit's name, never its id."""
    keys = {x.get(k) for x in view.get("reports", []) for k in ("unit", "target") if isinstance(x.get(k), str)}
    return {k: unit.name for k in keys if (unit := game.model.unit_by_key(k)) is not None}


def reports_list(view: dict, status: dict, limit: int = 150, names: dict[str, str] | None = None) -> str:
    if not view.get("reports"):
        return '<p class="dim">No reports yet.</p>'
    names = {**(names or {}), **{x["unit"]: x["name"] for x in view.get("reports", []) if "unit" in x and "name" in x}}
    names.update({u["unit"]: u["name"] for key in ("own", "friendly", "enemies") for u in view.get(key, [])})
    # repetitive events in one line (news.grouped), the newest first
    lines = list(reversed(grouped(view.get("reports", []), status, names)))
    lis = "".join(f'<li class="ev-{e(x.get("kind", ""))}"><time>{e(when(x))}</time> {e(text)}'
                  "</li>" for x, text in lines[:limit])
    more = (f'<p class="dim">and {len(lines) - limit} older reports (each turn\'s summary at the top of this page '
            "says what mattered)</p>" if len(lines) > limit else "")
    return f'<ol class="reports">{lis}</ol>{more}'


def units_table(units: list[dict], game: Game) -> str:
    sectors = game.sectors
    rows = sorted(units, key=lambda u: (int(sectors.of_cell[u["cell"]]) if u["cell"] >= 0 else 99, u["morale"]))
    body = "".join(
        f'<tr class="st-{e(u["state"])}"><td class="key">{e(u["unit"])}</td><td>{e(u["name"])}</td><td>{e(u["type"])}</td>'
        f'<td>{e(sectors.names[sectors.ids[int(sectors.of_cell[u["cell"]])]]) if u["cell"] >= 0 else ""}</td>'
        f'<td class="num">{u["personnel"]}</td><td class="num">{u["morale"]:.2f}</td>'
        f'<td class="num">{u["cohesion"]:.2f}</td><td class="num">{u["supply"]:.2f}</td><td>{e(u["state"])}</td></tr>'
        for u in rows)
    return ('<div class="scroll-x"><table class="units"><thead><tr><th>id</th><th>unit</th><th>type</th><th>sector</th>'
            f'<th>men</th><th>morale</th><th>cohesion</th><th>supply</th><th>state</th></tr></thead><tbody>{body}</tbody>'
            '</table></div>')


def place_option(game: Game, pid: str) -> str:
    """A suggestion for an axis of attack: choosing it puts the place's name in the box as the map writes it
    (its full name if another place shares that label, its id only if no name names it alone); the full
    name, if longer, beside it."""
    full = game.model.theatre.geodata.places[pid].name
    resolve = game.names.place
    value = next((x for x in (resolve.labels.get(pid, full), full) if resolve(x) == pid), pid)
    return f'<option value="{e(value)}"' + (f' label="{e(full)}">' if full != value else ">")


def team_page(game: Game, team: str, view: dict, status: dict, area: str, version: str) -> str:
    """A team's page: its picture of the war, its reports, its order form and its forces."""
    submitted = view.get("orders_submitted")
    standing = view.get("orders_standing")            # last turn's orders: they stand unless changed
    shown = submitted if submitted is not None else (standing or {}).get("orders")
    places = sorted(game.places, key=lambda p: game.model.theatre.geodata.places[p].name)
    datalist = "".join(place_option(game, p) for p in places)
    has_sectors = "sectors" in ORDER_TYPES[team].model_fields
    turn = status["turn"] + 1
    state = (f"Orders for turn {turn} received. You can change them until the turn resolves."
             if submitted is not None else f"No orders sent for turn {turn} yet.")
    if submitted is None and standing:
        state = (f"Your orders from turn {standing['turn_number']} stand unless you change them: they are shown "
                 "above and count when the turn resolves, whether you send them again or not.")
    sector_table = f"""<table class="sectors"><thead><tr><th>Sector</th><th>Your units</th><th>Stance</th>
<th>Axis of attack</th></tr></thead><tbody>{sector_rows(game, view, shown)}</tbody></table>""" if has_sectors else ""
    levers = lever_inputs(team, game, shown, view)
    own = view["own"]
    sight = (f'{count(len(view["enemies"]), "enemy unit")} in sight, {len(view["last_seen"])} more last seen '
             f'elsewhere; {count(len(view["friendly"]), "allied unit")}.')
    over = status["finished"]
    # the order form is far down a long page (under the summary, the map, the will): a way to it at once
    jump = ('<a class="button" href="#result">The result</a>' if over
            else f'<a class="button" href="#orders" id="to-orders">Your orders for turn {turn} ↓</a>')
    # the order form, while there are turns to order (at the end the result card stands in its place)
    order_form = f"""<form id="orders" class="card" novalidate>
    <h2>Orders for turn {turn}</h2>
    <p class="hint">For each sector: <b>doctrine</b> lets the AI command as it would; <b>hold</b> digs in;
      <b>attack</b> advances, towards the place you name as its axis (else the AI's target); <b>withdraw</b>
      falls back. You can send again until the turn resolves: the last orders count.</p>
    {sector_table}
    {f'<fieldset class="levers"><legend>Your levers</legend>{levers}</fieldset>' if levers else ""}
    <div class="actions"><button type="submit" id="submit-orders">
      Send orders for turn {turn}</button>
      <p id="order-state" class="{"ok" if submitted is not None else "dim"}">{e(state)}</p></div>
    <ul id="order-errors" class="errors" role="alert" hidden></ul>
  </form>"""
    return f"""{topbar(f"Team: {TEAMS[team].name}", f"Game {e(game.id)} · {e(status['title'])}")}
{status_bar(status, team)}
<nav class="jump" aria-label="on this page">{jump}<a href="#messages">Messages</a><a href="#will">Your will to fight</a>
<a href="#forces">Your forces</a></nav>
{result_card(view["result"], status["ended"]) if status["finished"] and view.get("result") else ""}
{briefing_card(view["briefing"], status["turn"]) if view.get("briefing") else ""}
<main class="team">
{summary_card(view, game.summaries.get(team))}
<section class="mapcol">
  <div class="maphead"><h2>Your picture of the war</h2>{area_switch("/team", area)}</div>
  {map_tools(f"/api/map.png?area={area}&v={version}", tap=has_sectors and not over)}
  <div class="mapbox" id="mapbox" data-area="{area}">
  <img id="map" class="map" src="/api/map.png?area={area}&amp;v={e(version)}" data-base="/api/map.png?area={area}"
       alt="Map: your units, what you know of the ground and the enemies you have seen" width="990" height="990">
  </div>
  {picture_legend_html(game.model.spec, list(game.model.side_ids), view, truth=False)}
  <p class="dim">{e(sight)}</p>
  <section class="card reportscol">
    <h2>Reports <span class="dim">(newest first)</span></h2>
    {reports_list(view, {**status, **reader_names(game.model)}, names=unit_names(game, view))}
  </section>
</section>
<section class="ordercol">
  {will_card(view)}
  {air_card(game, team, view)}
  {"" if status["finished"] else order_form}
  <datalist id="places">{datalist}</datalist>
  {team_messages_card(game, team, view.get("messages", []))}
  <section class="card unitscol" id="forces">
    <h2>Your forces: {count(len(own), "unit")}, {count(sum(u["personnel"] for u in own), "man")}</h2>
    <details><summary>Every unit (weakest first in each sector)</summary>{units_table(own, game)}</details>
  </section>
</section>
</main>"""

