"""The confirmation step of the instructor's irreversible actions (resolve the turn now, rewind): with
JavaScript the console asks in a dialog (play.js, the form's data-confirm) and posts to the API; without it
the same form opens a page that says what will happen, whose button posts here with confirm=yes, and
nothing is done on a post without it.

    GET  /instructor/confirm?action=resolve&at=3         the question, and a button
    POST /instructor/confirm  action=resolve&at=3&confirm=yes     done; back to the console
"""

from __future__ import annotations

import html

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from wargame.core.errors import WargameError
from wargame.play.game import StaleTurn
from wargame.web.forms import MAX_TURN, whole
from wargame.web.pages import error_page, page, topbar
from wargame.web.security import read_body

e = html.escape

# what each action does, as the question puts it ({n}: the turn shown, {to}: the turn rewound to)
CONFIRMED = {
    "resolve": ("Resolve turn {n} now?", "Teams without new orders keep their last ones; those that never gave "
                "any are played by the AI. The turn cannot be taken back except by a rewind.",
                "Yes, resolve turn {n}"),
    "rewind": ("Rewind to the start of turn {to}?", "Later turns, orders and interventions are set aside (they "
               "stay in the log); the teams see the picture of that turn again.", "Yes, rewind to turn {to}"),
}


def question(action: str, at: int, to: int | None) -> str:
    """The confirmation page's body for an action asked at turn index `at` (rewind: to turn index `to`)."""
    title, what, yes = (text.format(n=at + 1, to=(to or 0) + 1) for text in CONFIRMED[action])
    keep = f'<input type="hidden" name="turn" value="{to}">' if to is not None else ""
    return f"""{topbar("Instructor console", "Confirm an action that cannot be undone")}
<main class="home"><section class="card confirm" id="confirm">
<h2>{e(title)}</h2><p>{e(what)}</p>
<form method="post" action="/instructor/confirm">
  <input type="hidden" name="action" value="{e(action)}"><input type="hidden" name="at" value="{at}">{keep}
  <input type="hidden" name="confirm" value="yes">
  <button type="submit" id="confirm-yes">{e(yes)}</button> <a class="button quiet" href="/instructor">Cancel</a>
</form></section></main>"""


def asked(body) -> tuple[str, int, int | None]:
    """The action, the turn index the console showed, and the rewind's target, from a query or a form."""
    action = str(body.get("action", ""))
    if action not in CONFIRMED:
        raise HTTPException(404, f"no instructor action to confirm {action[:40]!r}; actions: {', '.join(CONFIRMED)}")
    try:
        at = whole(body.get("at"), "at", 0, MAX_TURN)
        to = whole(body.get("turn"), "turn", 0, MAX_TURN) if action == "rewind" else None
    except WargameError as exc:
        raise HTTPException(400, str(exc)) from None
    return action, at, to


async def confirm_page(request: Request):
    gid, _ = request.app.state.gate.instructor(request)
    action, at, to = asked(request.query_params)
    return page("Confirm", question(action, at, to), kind="confirm")


async def confirmed(request: Request):
    hub = request.app.state.hub
    gid, _ = request.app.state.gate.instructor(request)
    body = await read_body(request)
    action, at, to = asked(body)
    if body.get("confirm") != "yes":
        return error_page(400, f"{action}: not confirmed (the confirmation page sends confirm=yes); nothing was done")

    def act(game):
        game.check_turn(at)                        # the console showed this turn: a later one is not meant
        return game.resolve(by="instructor") if action == "resolve" else game.rewind(to)

    try:
        await hub.call(gid, act, change=True, views=action == "rewind")
    except StaleTurn as exc:
        return error_page(409, str(exc))
    except WargameError as exc:
        return error_page(400, str(exc))
    return RedirectResponse("/instructor", status_code=303)
