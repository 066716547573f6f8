"""Negotiated outcomes the white cell adjudicates: what teams agree in their talks (play.messages) becomes a
model event only through the instructor, as an intervention of the game's record (so a replay or a rewind
gives the same game).

- A local surrender: the units of one side in a town (within SURRENDER_KM of it) or in a whole sector lay
  down arms on the terms of the model's own local deals (rules.will.settle, the south's towns in 2018): they
  hand their heavy weapons to the strongest unit of the side they surrender to beside them (rules.capture:
  its `capture_share`; none beside them: the weapons are lost) and leave with safe passage (counted as
  withdrawn, neither killed nor captured); the ground the surrendering side held there passes to the other,
  so a town changes hands (and the room hears of it as of any city taken).
- A Russia-Turkey freeze: the deal the model already knows (actors.TurkeyActor on `deal_day`, and Russia's
  "talks with Turkey" lever): no one attacks into or out of the north-west; the polygon is the scenario's
  (actors.turkey.freeze_polygon), else the 2018 Idlib zone the game's levers use.

Each is announced as a decision of diplomacy: every team hears it in its reports, and the debrief lists it
with the turn's decisions.
"""

from __future__ import annotations

import numpy as np

from wargame.core.agents.unit import on_map
from wargame.core.errors import WargameError
from wargame.core.rules.capture import hand_over, strongest_enemy_near
from wargame.core.rules.will import withdraw

OUTCOMES = ("surrender", "freeze")
# A town's surrender covers the town and its approaches: the villages and positions within a couple of
# hexes (2-3.5 km in the built-in scenarios) of its centre, as the south's 2018 deals covered a town and
# the villages around it (docs/history/facts-2015-2020.md D4-D12). A whole sector is the other choice.
SURRENDER_KM = 8.0


def find(wanted, names: dict[str, str], what: str, example: str) -> str:
    """The id among `names` (id -> name as the map labels it) that `wanted` gives, by id or by name in any
    case; WargameError naming the field otherwise."""
    text = " ".join(str(wanted or "").split()).lower()
    # an id first, then a full name, then a name without its bracket ("Palmyra" for "Palmyra (Tadmur)")
    for spelling in (lambda key, name: key.lower(), lambda key, name: name.lower(),
                     lambda key, name: name.split(" (")[0].lower()):
        found = next((key for key, name in names.items() if spelling(key, name) == text), None)
        if found is not None:
            return found
    raise WargameError(f"surrender: {str(wanted)[:40]!r} is not a {what} of this map; give its id or its name "
                       f"as the map shows it (e.g. {example})")


def local_surrender(model, sectors, params: dict) -> str:
    """The units of `side` at a place (or in a sector) surrender to `to`, and its ground there passes to
    `to`. Returns the announcement; WargameError (nothing changed) if the request cannot be honoured."""
    side, to = params.get("side"), params.get("to")
    sides = ", ".join(model.side_ids)
    if side not in model.side_index or to not in model.side_index:
        raise WargameError(f"surrender: give the side that lays down arms (side) and the side it surrenders to "
                           f"(to), each one of {sides}")
    s, r = model.side_index[side], model.side_index[to]
    if not model.hostile[s, r]:
        raise WargameError(f"surrender: {side} is not at war with {to}: a side surrenders to an enemy")
    th = model.theatre
    if params.get("place") and params.get("sector"):
        raise WargameError("surrender: give a town (place) or a whole sector (sector), not both")
    if params.get("place"):
        places = {p: th.geodata.places[p].name for p in th.place_cell}
        pid = find(params["place"], places, "place", "saraqib")
        area = th.km_between(th.place_cell[pid], np.arange(th.n)) <= SURRENDER_KM
        if pid in th.cities:
            area[list(th.cities[pid].cells)] = True
        where = f"at {places[pid].split(' (')[0]}"
    elif params.get("sector"):
        sid = find(params["sector"], sectors.names, "sector", sectors.ids[0])
        area = sectors.of_cell == sectors.index(sid)
        where = f"in the {sectors.names[sid]} sector"
    else:
        raise WargameError("surrender: give the town (place) or the sector (sector) where the units lay down arms")
    area &= th.inside
    t = model.table
    rows = np.flatnonzero(on_map(t) & (t.side == s))
    rows = rows[area[t.idx[rows]]]
    ground = np.flatnonzero(area & (model.control == s))
    side_name, to_name = model.spec.sides[side].name, model.spec.sides[to].name
    if rows.size == 0 and ground.size == 0:
        raise WargameError(f"surrender: {side_name} has no units and holds no ground {where}: nothing to hand over")
    men = int(round(float(t.personnel[rows].sum())))
    for row in rows.tolist():
        captor = strongest_enemy_near(model, row)
        hand_over(model, row, captor if captor is not None and t.side[captor] == r else None, "surrender")
    withdraw(model, rows)
    if ground.size:
        model.set_control(ground, to)
    text = (f"a surrender negotiated {where}, adjudicated by the white cell: {rows.size} units of {side_name} "
            f"({men:,} men) hand their heavy weapons to {to_name} and leave"
            + (f"; the ground {side_name} held there passes to {to_name}" if ground.size else ""))
    model.record_decision("diplomacy", text)
    return text


def freeze_north_west(model, default_zone) -> str:
    """A Russia-Turkey deal freezes the north-west now. Returns the announcement; WargameError if it is
    frozen already."""
    if model.frozen.any():
        raise WargameError("freeze: a Russia-Turkey deal has frozen the north-west already")
    turkey = model.spec.actors.turkey
    model.freeze(turkey.freeze_polygon if turkey is not None and turkey.freeze_polygon else default_zone)
    text = ("Russia and Turkey agree to freeze the north-west (negotiated by the teams, adjudicated by the white "
            "cell): no one attacks into or out of it")
    model.record_decision("diplomacy", text)
    return text
