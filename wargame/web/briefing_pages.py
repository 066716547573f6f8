"""The briefing and the result as HTML: a team's briefing at the top of its page (open on the first turn,
folded once the game has moved on: it is read then, and the page belongs to the turn), its result once the
game is over, and every team's result for the projector and the console."""

from __future__ import annotations

import html

from wargame.web.forms import LEVER_HELP

e = html.escape

VERDICT_WORDS = {"won": "Won", "held": "Held", "partial": "Partial", "lost": "Lost", "unscored": "Not scored"}


def briefing_card(briefing: dict, turn: int) -> str:
    """The team's briefing (play.briefing.briefing_of): open on the first turn, folded after."""
    objectives = "".join(f'<li data-objective="{e(o["id"])}">{e(o["text"][0].upper() + o["text"][1:])}</li>'
                         for o in briefing["objectives"]) or '<li class="dim">None in this scenario.</li>'
    levers = "".join(
        f'<dt>{e(x["name"].replace("_", " "))}</dt><dd>{e(x["text"] or LEVER_HELP.get(x["name"], ""))}</dd>'
        for x in briefing["levers"] if x["text"] or x["name"] in LEVER_HELP or x["name"] == "sectors")
    parts = "".join(f"<h3>{label}</h3><p>{e(briefing[key])}</p>" for key, label in (
        ("situation", "Situation"), ("forces", "Your forces"), ("patrons", "Patrons")) if briefing[key])
    sources = (f'<p class="dim small">Sources: {e("; ".join(briefing["sources"]))}</p>' if briefing["sources"]
               else "")
    generated = ('<p class="dim small">This scenario brings no briefing of its own: this one is drawn from its '
                 "forces and objectives.</p>" if briefing["generated"] else "")
    return f"""<details class="card briefing" id="briefing"{" open" if turn == 0 else ""}>
<summary><h2>Your briefing</h2> <span class="dim">situation, objectives, what counts as winning, your levers</span>
</summary>
<div class="briefing-body">
{parts}
<h3>Your objectives</h3><ol class="objectives">{objectives}</ol>
<h3>What counts as winning</h3><p>{e(briefing["winning"])}</p><p class="dim small">{e(briefing["scoring"])}</p>
<h3>Your levers</h3><dl class="levers-help">{levers or '<dt>none</dt><dd>No orders in this scenario.</dd>'}</dl>
{sources}{generated}
</div></details>"""


def objective_items(result: dict) -> str:
    return "".join(f'<li class="{"met" if o["met"] else "unmet"}" data-objective="{e(o["id"])}">'
                   f'<b>{"✓ met" if o["met"] else "✗ not met"}</b> {e(o["text"])}: {e(o["how"])}</li>'
                   for o in result["objectives"])


def ended_line(ended: str) -> str:
    """Why the game ended, as a sentence's start (escaped)."""
    return e(ended[0].upper() + ended[1:]) if ended else "The game is over"


def result_card(result: dict, ended: str) -> str:
    """A team's result at the end of the game, at the top of its page (the order form is gone)."""
    items = objective_items(result)
    return f"""<section class="card result verdict-{e(result["verdict"])}" id="result">
<h2>The game is over: {e(VERDICT_WORDS[result["verdict"]])}</h2>
<p class="ended">{ended_line(ended)}.</p>
<p class="reason"><b>{e(VERDICT_WORDS[result["verdict"]])}</b>: {e(result["reason"])}.</p>
{f'<ol class="objectives">{items}</ol>' if items else ""}
<p>No more orders. <a class="button" href="/debrief" id="to-debrief">Open the debrief</a>: turn by turn, what
each team ordered and said, what followed, and the truth beside what your team believed.</p>
</section>"""


def results_table(results: dict, ended: str, debrief_link: bool = False) -> str:
    """Every team's verdict and reason: the projector's and the console's final word."""
    rows = "".join(f'<tr class="verdict-{e(r["verdict"])}"><th scope="row">{e(r["name"])}</th>'
                   f'<td class="verdict">{e(VERDICT_WORDS[r["verdict"]])}</td><td>{e(r["reason"])}</td></tr>'
                   for r in results.values())
    link = ('<p><a class="button" href="/debrief" id="to-debrief">Open the debrief</a></p>' if debrief_link
            else "")
    return f"""<section class="card results" id="results"><h2>The result</h2>
<p class="ended">{ended_line(ended)}.</p>
<table class="results"><thead><tr><th>Team</th><th>Result</th><th>Why</th></tr></thead><tbody>{rows}</tbody></table>
{link}</section>"""
