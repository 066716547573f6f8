"""What each classroom team is told before the game: its situation, forces and patrons, the objectives it
is scored on, what counts as winning, and what each of its levers does. Written in the scenario file under
[briefings.<team>], so a new scenario brings its own; a scenario without briefings gets one generated from
its factions and objectives (wargame.play.briefing). The objectives named must be the scenario's own
(references.py checks them); the lever names must be the team's orders (checked where the teams are known,
wargame.play.briefing, since the core knows no teams)."""

from __future__ import annotations

from pydantic import Field

from wargame.core.scenario.common import Strict

TEXT_MAX = 4_000          # characters of one briefing field: a page a team reads in a minute or two


class Briefing(Strict):
    situation: str = Field(min_length=1, max_length=TEXT_MAX, description="the war as the team finds it")
    forces: str = Field("", max_length=TEXT_MAX, description="its side's forces, its own first")
    patrons: str = Field("", max_length=TEXT_MAX, description="who backs it, and how far they can be relied on")
    objectives: list[str] | None = Field(None, description="ids of the scenario's objectives the team is scored "
                                         "on (default: its side's objectives its factions pursue)")
    winning: str = Field("", max_length=TEXT_MAX, description="what counts as winning, in the team's terms")
    levers: dict[str, str] = Field({}, description="an order of the team (sectors, tempo, redeploy, ...) and "
                                   "what it does")
    sources: list[str] = Field([], description="where the facts come from (the project's files, e.g. "
                               "docs/history/facts.md A1)")


class Briefings(Strict):
    """One briefing a team; a team not named here gets a generated one. The fields are the classroom's teams
    (wargame.play.teams.TEAMS, which a test keeps in step with this list)."""

    russia: Briefing | None = None
    iran: Briefing | None = None
    regime: Briefing | None = None
    rebels: Briefing | None = None
    turkey: Briefing | None = None
    israel: Briefing | None = None
