"""A team's picture of the front as a small map of characters, for the hot-seat's terminal (`textmap`), where
a PNG may not be easy to open: who holds the ground as the team last saw it, its units, the enemies it sees,
and the sectors' towns, over the same area as the picture's front (play.maptap.picture_limits).

    #  ground your side holds      a letter: ground another side holds (its initial; see the key)
    .  ground not seen             @  your units      x  enemies in sight      ALE, IDL...: sector towns
    *SAR...: the team's objectives (Saraqib), each by its first letters
"""

from __future__ import annotations

import numpy as np

from wargame.play.briefing import place_name, scored_objectives
from wargame.play.maptap import picture_limits

COLUMNS = 72                 # characters across: fits an 80-column terminal with the frame
ASPECT = 0.5                 # a terminal character is about twice as tall as it is wide


def text_map(game, team: str, view: dict, columns: int = COLUMNS) -> list[str]:
    """The map's lines, framed, with a key below."""
    model, theatre = game.model, game.model.theatre
    x0, x1, y0, y1 = picture_limits(theatre, "front")
    rows = max(8, round(columns * ASPECT * (y1 - y0) / (x1 - x0)))
    xs = x0 + (np.arange(columns) + 0.5) * (x1 - x0) / columns
    ys = y1 - (np.arange(rows) + 0.5) * (y1 - y0) / rows           # the top row is the north
    gx, gy = np.meshgrid(xs, ys)
    lat, lon = theatre.projection.inverse(gx.ravel(), gy.ravel())
    cells = np.asarray(theatre.cell_at(lat, lon)).reshape(rows, columns)
    near = np.hypot(theatre.x[cells] - gx, theatre.y[cells] - gy) <= theatre.layout.cell_km
    control = np.asarray(view.get("control", []), dtype=np.int64)
    if control.size != theatre.n:
        control = np.full(theatre.n, -1)
    side = game.teams[team].side
    mine = model.side_ids.index(side) if side in model.side_ids else -2
    letters = {k: s[0].upper() for k, s in enumerate(model.side_ids)}
    grid = np.full((rows, columns), " ", dtype="<U1")
    inside = near & theatre.inside[cells]
    held = control[cells]
    grid[inside & (held == -1)] = "."
    for k, letter in letters.items():
        grid[inside & (held == k)] = "#" if k == mine else letter
    where = {int(c): (r, q) for r in range(rows) for q, c in enumerate(cells[r]) if inside[r, q]}

    def mark(cell: int, text: str) -> None:
        spot = where.get(int(cell))
        if spot is not None:
            r, q = spot
            for k, ch in enumerate(text[: columns - q]):
                grid[r, q + k] = ch
    for u in view.get("own", []):
        if u.get("cell", -1) >= 0:
            mark(u["cell"], "@")
    for u in view.get("enemies", []):
        if u.get("cell", -1) >= 0:
            mark(u["cell"], "x")
    for s in game.sectors.ids:
        mark(game.sectors.centre[s], game.sectors.names[s][:3].upper())
    # the team's objectives too (Saraqib is no sector's town): "*" and the place's first letters, written
    # after the sectors' so an objective that is also a sector's town (Idlib) shows as one
    objectives = objective_places(game, team)
    tags = objective_tags(objectives)
    for place in objectives:
        if place in theatre.place_cell:
            mark(theatre.place_cell[place], "*" + tags[place])
    frame = "+" + "-" * columns + "+"
    others = ", ".join(f"{letter} {model.spec.sides[s].name}" for k, (s, letter) in
                       enumerate(zip(model.side_ids, letters.values())) if k != mine)
    return ([frame] + ["|" + "".join(row) + "|" for row in grid] + [frame,
            "# your side's ground   . not seen   @ your units   x enemies in sight",
            f"other sides' ground: {others}",
            "ALE, IDL, ...: the sectors' towns (north is up; the area of the map's front)"]
            + wrap_key("your objectives: ", [f"*{tags[p]} {place_name(p)}" for p in objectives], columns + 2))


def objective_tags(places: list[str]) -> dict[str, str]:
    """Each objective's tag on the map: its name's first three letters, or where two would share them
    (Aleppo and Aleppo International Airport) the initials of its words ("AIA")."""
    tags: dict[str, str] = {}
    for place in places:
        name = place_name(place)
        initials = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())[:3]
        tags[place] = next((t for t in (name[:3].upper(), initials.upper(), place[:3].upper())
                            if t and t not in tags.values()), name[:3].upper())
    return tags


def wrap_key(head: str, items: list[str], width: int) -> list[str]:
    """A key's items after its heading, wrapped to the map's width."""
    lines, line = [], head
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > width and line != head:
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece + " "
    return lines + [line.rstrip()] if items else []


def objective_places(game, team: str) -> list[str]:
    """The places of the objectives the team is scored on (play.briefing.scored_objectives), each once."""
    spec = game.model.spec
    return list(dict.fromkeys(p for oid in scored_objectives(spec, game.teams[team])
                              for p in getattr(spec.objectives[oid], "places", None) or []))
