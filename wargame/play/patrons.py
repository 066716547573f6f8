"""The patrons' decisions as a team's lever: Russia's and Iran's course (the state-level issue's double
down, evacuate, withdraw; wargame.core.actors).

An AI patron reviews its course every rules.will `patron_review_days` as the regime's prospects change.
A team's `course` order takes the decision out of the rules' hands from that turn on (its reviews stop,
so nothing decides for the team behind its back): "keep" holds the present course, the others set out on
that course at the start of the turn. Courses only move on (double down, then evacuate, then withdraw);
naming the present course again (an order carried over) changes nothing. The deal with Turkey is
Russia's other lever, `talks_with_turkey`.
"""

from __future__ import annotations

from wargame.core.errors import Problem

PATRON_OF_TEAM = {"russia": "russia_hq", "iran": "iran"}
# the order's values (ids a form or a script can send) and the model's names of the courses
COURSE_OF_ORDER = {"keep": None, "double_down": "double down", "evacuate": "evacuate", "withdraw": "withdraw"}


def course_problems(model, team: str, orders) -> list[Problem]:
    """Why the team's course order cannot be carried out now (none: it can)."""
    wanted = getattr(orders, "course", None)
    if wanted is None:
        return []
    source = f"orders of {team}"
    patron = model.actors.get(PATRON_OF_TEAM.get(team, ""))
    if patron is None:
        return [Problem(source, "course", "this scenario has no patron for your team to steer: leave it out")]
    refused = patron.refuses(COURSE_OF_ORDER[wanted])
    return [Problem(source, "course", refused)] if refused else []


def apply_course(model, team: str, orders, by: str) -> None:
    """The team's course at the start of the turn (validated when the orders were accepted); `by`: who
    decided, as the news and the debrief say it ("Russia's team": "decided by Russia's team")."""
    wanted = getattr(orders, "course", None)
    if wanted is not None and PATRON_OF_TEAM.get(team) in model.actors:
        model.steer_patron(PATRON_OF_TEAM[team], COURSE_OF_ORDER[wanted], source=by)


def course_now(model, team: str) -> dict | None:
    """The patron's present course and who decides it, for the team's page (None: no patron)."""
    patron = model.actors.get(PATRON_OF_TEAM.get(team, ""))
    if patron is None:
        return None
    return {"course": patron.course, "decided_by": "the rules" if patron.reviews else "your team"}
