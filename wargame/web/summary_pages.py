"""The turn summary as HTML: at the top of a team's page after a turn, and in the debrief beside each
turn (each team's summary, and the white cell's injects with the teams they reached). The summary itself
is built by play.turn_summary; here it is only laid out, every value escaped."""

from __future__ import annotations

import html

e = html.escape


def summary_sections(summary: dict) -> str:
    """The summary's sections: a heading each, its lines as a list."""
    return "".join(
        f'<div class="sum-{e(s["topic"])}"><h3>{e(s["title"])}</h3><ul>'
        + "".join(f"<li>{e(line)}</li>" for line in s["lines"]) + "</ul></div>"
        for s in summary.get("sections", []))


def summary_card(view: dict, earlier: list[dict] | None = None) -> str:
    """The team's summary of the last turn resolved, open at the top of its page, and its summaries of the
    turns before (`earlier`, folded, the latest first); nothing before turn 1."""
    summary = view.get("summary")
    if not summary:
        return ""
    before = "".join(f'<details class="team-summary"><summary>Turn {x["turn"] + 1}</summary>{summary_sections(x)}'
                     "</details>" for x in reversed(earlier or []) if x["turn"] < summary["turn"])
    return (f'<section class="card turnsummary" id="turn-summary"><details open><summary>'
            f'<h2>What happened in turn {summary["turn"] + 1}</h2></summary>'
            f'<div class="sum-body">{summary_sections(summary)}</div></details>'
            + (f'<details class="earlier"><summary>Earlier turns</summary>{before}</details>' if before else "")
            + "</section>")


def debrief_summaries(entry: dict, teams: dict, seats: list[str]) -> str:
    """A turn of the debrief: the white cell's injects (who they reached) and each team's summary, folded."""
    injects = entry.get("injects") or []
    out = ""
    if injects:
        items = "".join(f'<li>{e(x["text"])} <span class="dim">(reached: '
                        f'{e(", ".join(teams[t].name for t in x["teams"] if t in teams) or "no team: the record only")})'
                        "</span></li>" for x in injects)
        out += f'<h3>The white cell</h3><ul class="injects">{items}</ul>'
    folded = "".join(
        f'<details class="team-summary"><summary>What {e(teams[t].name)} was told</summary>'
        f'{summary_sections(entry["views"][t]["summary"])}</details>'
        for t in seats if (entry.get("views", {}).get(t) or {}).get("summary"))
    if folded:
        out += f"<h3>Each team's summary of the turn</h3>{folded}"
    return out
