"""A team's air power on its page: its wings and sorties, the coordination delay, the turn's strikes in
plain words and its patron's course (play.airpower, play.patrons); and the air targets its order form
offers as choices. Plain f-strings, every value escaped."""

from __future__ import annotations

import html

from wargame.play.airpower import AIR_TARGET_SLOTS, air_summary_lines, air_target_choices
from wargame.play.patrons import course_now

e = html.escape
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth")


def _wing_row(w: dict) -> str:
    if w["withdrawn"]:
        status = "withdrawn by Moscow"
    elif not w["flying"]:
        status = "grounded: its base is lost, or it has no aircraft"
    else:
        status = "flying"
    per_day = f'{w["per_day"]:g}' if w["per_day"] is not None else "salvos"
    lost = f'<br><span class="dim small">{w["lost"]:g} lost</span>' if w["lost"] else ""
    return (f'<tr data-wing="{e(w["key"])}"><th scope="row">{e(w["name"])}<br><span class="dim small">'
            f'{e(w["base"])} · {e(status)}</span></th><td class="num">{w["aircraft"]:g}{lost}</td>'
            f'<td class="num">{per_day}</td><td class="num">{w["sorties_turn"]:g}</td>'
            f'<td class="num">{w["sorties_total"]:g}</td></tr>')


def _rates(wings: list[dict]) -> str:
    """How the sorties a day come about, once for all the tactical groups."""
    return "; ".join(f'{w["name"]}: {w["aircraft"]:g} aircraft x {w["availability"]:.0%} serviceable x '
                     f'{w["sortie_rate"]:g} sorties each' for w in wings if w["sortie_rate"] is not None)


def course_line(game, team: str) -> str:
    """The team's patron's present course and who decides it (empty: the team steers no patron)."""
    course = course_now(game.model, team)
    if course is None:
        return ""
    who = ("the rules decide it until you give an order" if course["decided_by"] == "the rules"
           else "your team decides it")
    return (f'<p class="course" id="patron-course">Your patron\'s course: <b>{e(course["course"])}</b> '
            f"({e(who)}).</p>")


def air_card(game, team: str, view: dict) -> str:
    """The team's air war this turn and its patron's course (empty for a team with neither)."""
    air = view.get("air")
    if not air:
        course = course_line(game, team)
        return f'<section class="card" id="patron"><h2>Your patron</h2>{course}</section>' if course else ""
    c = air["coordination"]
    turn_delay = (f" This turn your strikes landed {c['turn_mean_hours']:g} h after the call on average "
                  f"(at most {c['turn_max_hours']:g} h)." if c["turn_mean_hours"] is not None else "")
    delay = (f"A strike lands about {c['hours']:g} h after a spotter on the ground calls it in (rounded to the "
             f"model's {c['step_hours']:g}-hour steps), longer where the friendly units within "
             f"{c['collapse_km']:g} km of the target (mostly the Syrian army's) have broken: up to "
             f"{c['worst_hours']:g} h when all of them have. A target that has moved more than a hex by then is "
             f"missed.{turn_delay}")
    course_line_html = course_line(game, team)
    lines = "".join(f"<li>{e(x)}</li>" for x in air_summary_lines(air))
    weather = '<p class="error">Bad weather: most sorties are grounded.</p>' if air["bad_weather"] else ""
    total = air["total"]
    return f"""<section class="card aircol" id="air">
<h2>Your air power</h2>
{weather}
<div class="scroll"><table class="air"><thead><tr><th>air group</th><th>aircraft</th><th>sorties a day</th>
<th>sorties this turn</th><th>in all</th></tr></thead>
<tbody>{"".join(_wing_row(w) for w in air["wings"])}</tbody></table></div>
<p class="dim small">Sorties a day: {e(_rates(air["wings"]))}.
In all: {total["sorties"]:g} sorties, {total["strikes"]} strikes that landed,
{total["killed"]} killed. Aircraft strike only enemies your side's ground units have spotted, at most
{air["max_sorties_per_target"]} sorties on one target; a sortie kills about {air["kills_per_sortie"]:g} and
suppresses the target's fire for some hours: air power frightens and pins more than it kills.</p>
<h3>The turn's strikes</h3>
<ul class="airstrikes" id="air-strikes">{lines}</ul>
<h3>Coordination with the ground</h3>
<p class="small">{e(delay)}</p>
{course_line_html}
</section>"""


def _options(group: list[tuple[str, str]], current: str) -> str:
    return "".join(f'<option value="{e(i)}"{" selected" if i == current else ""}>{e(label)}</option>'
                   for i, label in group)


def air_target_selects(name: str, game, view: dict, value: list | None) -> str:
    """AIR_TARGET_SLOTS lists to choose the aircraft's priorities from: the places near which the team
    sees enemies, then the sectors (a choice made earlier that is no longer offered stays chosen)."""
    choices = air_target_choices(view, game.sectors, game.place_areas)
    chosen = list(value or [])
    offered = {i for group in choices.values() for i, _ in group}
    # named as the order means it: an id both a sector's and a place's is the sector (airpower.target_rank)
    earlier = [(x, f"{game.sectors.names[x]} sector" if x in game.sectors.names
                else f"near {game.place_areas.names.get(x, x)}") for x in chosen if x not in offered]
    groups = [("Enemies you see", choices["places"]), ("Sectors", choices["sectors"]), ("Chosen earlier", earlier)]
    out = []
    for slot in range(AIR_TARGET_SLOTS):
        current = chosen[slot] if slot < len(chosen) else ""
        body = "".join(f'<optgroup label="{e(label)}">{_options(group, current)}</optgroup>'
                       for label, group in groups if group)
        label = ORDINALS[slot] if slot < len(ORDINALS) else f"#{slot + 1}"
        out.append(f'<label class="target-slot">{label} <select name="{e(name)}" data-kind="target-list" '
                   f'aria-label="air priority {slot + 1}"><option value="">(none: as the AI ranks them)</option>'
                   f"{body}</select></label>")
    return f'<span class="target-slots">{"".join(out)}</span>'
