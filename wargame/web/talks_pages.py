"""The talks on the pages (play.messages, play.outcomes): a team's messages card (what it was sent and what it
sent, and a form to write), the instructor's (every message, a form to write to a team or to all, and the
forms that adjudicate a negotiated outcome), and the talks of each turn in the debrief. Plain f-strings,
every value escaped; the forms are posted as JSON by play.js (form.api)."""

from __future__ import annotations

import html

from wargame.play.game import Game
from wargame.play.messages import MAX_MESSAGE_CHARS, WHITE_CELL, addressees, label
from wargame.play.outcomes import SURRENDER_KM
from wargame.play.words import count

e = html.escape


def team_names(game: Game) -> dict[str, str]:
    return {t: team.name for t, team in game.teams.items()}


def message_item(m: dict, names: dict[str, str], reader: str | None = None) -> str:
    """One message: when (turn, game date), from whom to whom, its text (line breaks kept by the style)."""
    if reader is None:
        head = f"{label(m['from'], names)} → {label(m['to'], names)}"
    elif m["from"] == reader:
        head = f"you → {label(m['to'], names)}"
    else:
        head = f"{label(m['from'], names)} → {'every team' if m['to'] == 'all' else 'you'}"
    cls = "sent" if m["from"] == reader else "received"
    rewound = ' <span class="dim">(said before a rewind)</span>' if m.get("rewound") else ""
    return (f'<li class="msg {cls}" data-from="{e(m["from"])}" data-to="{e(m["to"])}"><div class="msg-head">'
            f'<time>{e(m.get("when") or f"turn {m['turn'] + 1}")} · {e(m["date"])}</time> <b>{e(head)}</b>{rewound}</div>'
            f'<p class="msg-text">{e(m["text"])}</p></li>')


def message_list(messages: list[dict], names: dict[str, str], reader: str | None, empty: str) -> str:
    if not messages:
        return f'<p class="dim">{e(empty)}</p>'
    return f'<ol class="messages">{"".join(message_item(m, names, reader) for m in reversed(messages))}</ol>'


def write_form(sender: str, game: Game, endpoint: str) -> str:
    names = team_names(game)
    options = "".join(f'<option value="{e(a)}">{e(label(a, names))}</option>'
                      for a in addressees(sender, list(game.config["humans"])))
    hint = ("News, a warning, terms offered by the other side" if sender == WHITE_CELL
            else "An offer, a warning, a question for the white cell")
    return (f'<form class="api message-form" data-endpoint="{endpoint}" id="message-form">'
            f'<label>To <select name="to">{options}</select></label>'
            f'<label>Message <textarea name="text" rows="3" maxlength="{MAX_MESSAGE_CHARS}" required '
            f'placeholder="{hint}"></textarea></label>'
            f'<button type="submit">Send the message</button><p class="result" hidden></p></form>')


def team_messages_card(game: Game, team: str, messages: list[dict]) -> str:
    """A team's talks: a form to write to another team or the white cell, its inbox, and what it sent."""
    names = team_names(game)
    inbox = [m for m in messages if m["from"] != team]
    sent = [m for m in messages if m["from"] == team]
    return f"""<section class="card talks" id="messages">
<h2>Messages <span class="dim">({len(inbox)} received)</span></h2>
<p class="hint">Talk to another team or to the white cell (your instructor). Only the team you write to and
  the white cell read it. An agreement (a town's surrender, a freeze of the north-west) changes the war only
  when the white cell rules on it.</p>
{write_form(team, game, "/api/messages")}
<h3>Received</h3>{message_list(inbox, names, team, "No message yet.")}
<h3>Sent</h3>{message_list(sent, names, team, "You have sent nothing.")}
</section>"""


def instructor_talks_card(game: Game, messages: list[dict]) -> str:
    """The white cell's view of the talks: every message, and a form to write to a team or to all."""
    names = team_names(game)
    to_me = sum(m["to"] == WHITE_CELL for m in messages)
    return f"""<div class="card talks" id="messages"><h2>Talks <span class="dim">({count(len(messages), "message")},
{to_me} to the white cell)</span></h2>
{write_form(WHITE_CELL, game, "/api/instructor/messages")}
{message_list(messages, names, None, "No team has written yet.")}</div>"""


def outcomes_forms(game: Game) -> str:
    """The forms that turn a negotiated agreement into a model event (an intervention of the record)."""
    model = game.model
    def sides(chosen: str) -> str:
        return "".join(f'<option value="{e(s)}"{" selected" if s == chosen else ""}>{e(model.spec.sides[s].name)}'
                       "</option>" for s in model.side_ids)
    places = model.theatre.geodata.places
    towns = "".join(f'<option value="{e(places[p].name.split(" (")[0])}">'
                    for p in sorted(game.places, key=lambda p: places[p].name))
    sectors = '<option value="">(a town instead)</option>' + "".join(
        f'<option value="{e(s)}">{e(game.sectors.names[s])}</option>' for s in game.sectors.ids)
    frozen = bool(model.frozen.any())
    surrender = f"""<form class="api card mini" data-endpoint="/api/instructor/adjudicate" data-kind="surrender"
  data-confirm="Adjudicate this surrender? The units lay down arms and the ground changes hands (rewind to undo).">
<h3>A local surrender</h3>
<p class="dim small">The units of one side in a town (within {SURRENDER_KM:g} km) or a whole sector hand their
  heavy weapons over and leave; its ground there changes hands.</p>
<label>Town <input name="place" list="surrender-towns" placeholder="e.g. Saraqib"></label>
<label>or sector <select name="sector">{sectors}</select></label>
<label>Side laying down arms <select name="side">{sides(model.side_ids[0])}</select></label>
<label>Surrenders to <select name="to">{sides(model.side_ids[1 % len(model.side_ids)])}</select></label>
<button type="submit">Adjudicate</button><p class="result" hidden></p></form>"""
    freeze = f"""<form class="api card mini" data-endpoint="/api/instructor/adjudicate" data-kind="freeze"
  data-confirm="Freeze the north-west? No one attacks into or out of it for the rest of the game (rewind to undo).">
<h3>A Russia-Turkey freeze</h3>
<p class="dim small">{"The north-west is frozen already." if frozen else
                       "Russia and Turkey agree: no one attacks into or out of the north-west."}</p>
<button type="submit"{" disabled" if frozen else ""}>Adjudicate the freeze</button><p class="result" hidden></p></form>"""
    return f"""<h2>Negotiated outcomes</h2><datalist id="surrender-towns">{towns}</datalist>
<div class="forms" id="outcomes">{surrender}{freeze}</div>"""


def debrief_talks(messages: list[dict], names: dict[str, str], title: str = "Talks") -> str:
    """The messages of a turn in the debrief (every one: the debrief is the instructor's)."""
    if not messages:
        return ""
    return f'<h3>{e(title)}</h3>{message_list(messages, names, None, "")}'
