"""Talks: the messages teams send one another and the white cell (the instructor), and the white cell's to a
team or to every team.

Who may write to whom: a team with a human seat writes to another such team or to the white cell (a team
the AI plays has nobody to read it); the white cell writes to any such team or to all of them. Who reads
what: a team reads what it sent and what was sent to it or to all, never another team's talks; the white
cell reads everything. The message's sender is the role of the code that sent it, never a field of the
request, so a team cannot write as another.

Messages are stored with the game (play.store) with the turn and the game's date they were sent at; they
change nothing in the model, so a replay does not need them, and a rewind keeps them (marked as said before
it): what was said in the room was said. An outcome the teams agree on reaches the model only when the
white cell adjudicates it (play.outcomes).
"""

from __future__ import annotations

import re

from wargame.core.errors import WargameError

WHITE_CELL = "white_cell"
EVERYONE = "all"
# A message is read on a team page beside the map and the orders: a long paragraph at most. The instructor
# reads every message of every team, so a team sends a few a turn at most; beyond, it is flooding.
MAX_MESSAGE_CHARS = 1_000
MAX_MESSAGES_PER_TURN = 30            # one sender's messages in one turn
# control characters other than newline and tab are dropped: they show as nothing, or as garbage
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ALIASES = {"white cell": WHITE_CELL, "white_cell": WHITE_CELL, "instructor": WHITE_CELL, "everyone": EVERYONE,
           "all teams": EVERYONE, "all": EVERYONE}


def label(role: str, names: dict[str, str]) -> str:
    """A role as a reader reads it: a team's name, "the white cell", "every team"."""
    return {WHITE_CELL: "the white cell", EVERYONE: "every team"}.get(role, names.get(role, role))


def addressees(sender: str, humans: list[str]) -> list[str]:
    """Whom `sender` (a team, or the white cell) may write to, in the order the form offers them."""
    if sender == WHITE_CELL:
        return [*humans, EVERYONE]
    return [WHITE_CELL, *(t for t in humans if t != sender)]


def check_message(sender: str, to, text, humans: list[str], names: dict[str, str]) -> tuple[str, str]:
    """(addressee, text) of a message `sender` asks to send, cleaned; WargameError naming the field and what
    is allowed if it cannot be sent. `to` is a role id or a name as the page shows it, in any case."""
    allowed = addressees(sender, humans)
    offered = ", ".join(f"{label(a, names)} ({a})" for a in allowed)
    if not isinstance(to, str) or not to.strip():
        raise WargameError(f"to: say whom the message is for: {offered}")
    wanted = " ".join(to.split()).lower()
    # by id, by name, or as the form labels it ("the white cell", "every team"), with or without "the"
    by_name = {**ALIASES, **{n: a for a in (*allowed, sender) for n in (a, names.get(a, a).lower(),
                                                                    label(a, names).lower())}}
    by_name.update({n.removeprefix("the "): a for n, a in list(by_name.items())})
    addressee = by_name.get(wanted, by_name.get(wanted.removeprefix("the ").replace(" ", "_")))
    if addressee not in allowed:
        why = ("you cannot write to yourself" if addressee == sender
               else f"{to.strip()[:40]!r} is not someone you can write to in this game")
        raise WargameError(f"to: {why}; write to {offered}")
    if not isinstance(text, str):
        raise WargameError("text: the message must be text")
    text = CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    if not text:
        raise WargameError("text: the message is empty: write something")
    if len(text) > MAX_MESSAGE_CHARS:
        raise WargameError(f"text: {len(text):,} characters; a message has {MAX_MESSAGE_CHARS:,} at most")
    return addressee, text
