"""What a finished run came to, as one flat row: when places fell, when objectives were achieved, who holds
what at the end, what each faction lost, the will to fight at the end and whether a regime collapsed
(`will_<entry>`, `collapsed_<side>`, `lost_<side>_<city>`), and the loss rates behind Dupuy's attrition regularities.
Ensembles, validation, sweeps and calibration all read these rows.

Every tracked place (each city and town, each airbase) has these columns:
  fell_<place>      day its first owner first lost it (NaN if never): what the historical targets measure
  taken_by_<place>  the side that took it then ("" if it never fell)
  retaken_<place>   day its first owner first took it back after that (NaN if never)
  held_<place>      the side holding it at the end ("" if none)
  first_owner_<place>  the side holding it at the start ("" if none): experiments.places tells by it a fall
                    to the campaign's attacker from a counter-attack on the attacker's ground
  changes_<place>   how many times it changed hands (Saraqib in 2020 changed three times)
Each faction has, besides its losses: settled_<faction> (men who left by a local deal), deals_<faction> (how
many deals) and first_deal_<faction> (the day of the first; NaN if none), for the negotiated surrenders of
the south in 2018.
All are numbers except taken_by_, held_ and first_owner_, which are always strings (side ids, "" for none), so that the
rows of many runs make columns of one type (outcome frames are written to Parquet).
"""

from __future__ import annotations

import math

import numpy as np

from wargame.core.agents.unit import GONE_FROM
from wargame.core.events import BaseCaptured, CityCaptured, LocalDeal
from wargame.core.theatre import TERRAIN_CLASSES

NAN = math.nan


def campaign_outcome(model) -> dict[str, float | str]:
    """The outcome row of a finished (or stopped) run."""
    out: dict[str, float | str] = {"end_day": round(model.day, 4)}
    sides = model.side_ids
    places = {}        # place -> (first owner, its capture events in order, holder at the end); ids or None
    captures = by_place(model.events.of_kind(CityCaptured), "city")
    for cid in model.theatre.cities:
        first, last = model.initial_city_owner.get(cid), model.city_owner.get(cid)
        places[cid] = (None if first is None else sides[first], captures.get(cid, []),
                       None if last is None else sides[last])
    bases = by_place(model.events.of_kind(BaseCaptured), "base")
    for pid, cell in model.theatre.place_cell.items():
        if model.theatre.place(pid).kind == "airbase":
            first, last = model.initial_place_owner[pid], int(model.control[cell])
            places[pid] = (sides[first] if first >= 0 else None, bases.get(pid, []),
                           sides[last] if last >= 0 else None)
    history = {pid: place_history(first, events) for pid, (first, events, _) in places.items()}
    for pid, (fell, _, _) in history.items():
        out[f"fell_{pid}"] = fell
    for pid, (_, taker, _) in history.items():
        out[f"taken_by_{pid}"] = taker
    for pid, (_, _, retaken) in history.items():
        out[f"retaken_{pid}"] = retaken
    for pid, (_, _, holder) in places.items():
        out[f"held_{pid}"] = holder or ""
    for pid, (first, _, _) in places.items():
        out[f"first_owner_{pid}"] = first or ""
    for pid, (_, events, _) in places.items():
        out[f"changes_{pid}"] = len(events)
    for oid in model.spec.objectives:
        out[f"achieved_{oid}"] = model.objectives_achieved.get(oid, NAN)
        out[f"progress_{oid}"] = round(model.objective_progress.get(oid, 0.0), 4)
    for sid in model.side_ids:
        out[f"territory_{sid}"] = model.metrics[f"territory_{sid}"]
        out[f"cities_{sid}"] = model.metrics[f"cities_{sid}"]
    t = model.table
    for f, fid in enumerate(model.faction_ids):
        mine = t.faction == f
        out[f"personnel_{fid}"] = round(float(t.personnel[mine & (t.state < GONE_FROM)].sum()), 1)
        for tally in ("killed", "captured", "deserted"):
            out[f"{tally}_{fid}"] = round(float(model.tally[tally][f]), 1)
        out[f"broke_{fid}"] = int(((t.broke_turn >= 0) & mine).sum())
        out[f"units_{fid}"] = int(mine.sum())
    out.update(deal_outcomes(model))
    out.update(will_outcomes(model))
    out.update(side_loss_rates(model))
    out.update(terrain_loss_rates(model))
    return out


def by_place(events: list, key: str) -> dict[str, list]:
    """Events grouped by one attribute (`key`: the place a capture took, the faction a deal settled), each
    group in the order the events happened."""
    grouped: dict[str, list] = {}
    for event in events:
        grouped.setdefault(getattr(event, key), []).append(event)
    return grouped


def deal_outcomes(model) -> dict[str, float]:
    """Local deals by the faction that settled: men, deals, and the day of the first (NaN if none)."""
    out: dict[str, float] = {}
    deals = by_place(model.events.of_kind(LocalDeal), "faction")
    for fid in model.faction_ids:
        mine = deals.get(fid, [])
        out[f"settled_{fid}"] = float(sum(d.personnel for d in mine))
        out[f"deals_{fid}"] = len(mine)
        out[f"first_deal_{fid}"] = mine[0].day if mine else NAN
    return out


def will_outcomes(model) -> dict[str, float]:
    """The will to fight: each entry's will at the end; the day each side's regime collapsed (NaN: it held);
    and, for a side that collapsed, `lost_<place>`: the day each place it held was lost, by a fall or by
    the collapse, whichever came first (what "the regime lost Damascus" means when no one took it)."""
    w = model.will
    out: dict[str, float] = {f"will_{name}": round(float(v), 4) for name, v in zip(w.names, w.value)}
    captures = by_place(model.events.of_kind(CityCaptured), "city")
    for s in w.leadership:
        sid = model.side_ids[s]
        collapsed = w.collapsed.get(s, NAN)
        out[f"collapsed_{sid}"] = collapsed
        for cid in model.theatre.cities:
            if model.initial_city_owner.get(cid) != s:
                continue
            fell = next((e.day for e in captures.get(cid, ()) if e.from_side == sid), NAN)   # the first
            out[f"lost_{sid}_{cid}"] = float(np.fmin(fell, collapsed))     # whichever came first; NaN if neither
    return out


def place_history(first_owner: str | None, captures: list) -> tuple[float, str, float]:
    """(day the first owner first lost the place, the side that took it then, day the first owner first took
    it back after that) from its capture events in order; NaN and "" for what never happened."""
    fell, taker, retaken = NAN, "", NAN
    for event in captures:
        if first_owner is None:
            break
        if math.isnan(fell):
            if event.from_side == first_owner:
                fell, taker = event.day, event.side
        elif event.side == first_owner:
            retaken = event.day
            break
    return fell, taker, retaken


def side_loss_rates(model) -> dict[str, float]:
    """Each side's losses (killed, captured, deserted) per day as a share of its starting strength, over
    the whole run and over the surprise window."""
    out = {}
    start = model.side_start_personnel
    days = model.spec.rules.observation.surprise_window_days
    window = model.losses_at_day.get(days)
    for s, sid in enumerate(model.side_ids):
        lost = float(model.side_losses[s])
        out[f"loss_rate_{sid}"] = lost / start[s] / max(model.day, 1e-9) if start[s] > 0 else NAN
        if window is not None and start[s] > 0:
            out[f"loss_rate_window_{sid}"] = window[s] / start[s] / days
    return out


def terrain_loss_rates(model) -> dict[str, float]:
    """Units in contact that stood on the defensive, by terrain: the mean share they lost per step, and the
    share lost per unit of the odds they faced (fire received over their own power), which compares
    terrain at equal odds."""
    out = {}
    for k, name in enumerate(TERRAIN_CLASSES):
        exposure = model.defence_exposure[k]
        out[f"defender_loss_{name}"] = model.defence_losses[k] / exposure if exposure > 0 else NAN
        pressure = model.defence_pressure[k]
        out[f"defender_loss_per_odds_{name}"] = model.defence_losses[k] / pressure if pressure > 0 else NAN
        out[f"defender_steps_{name}"] = int(exposure)
    return out

