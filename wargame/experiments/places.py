"""Who took what: the captures in outcome rows (experiments.outcomes) told apart by who made them.

`fell_<place>` is the day a place's first owner first lost it, whoever took it. In an offensive that is not
always the offensive's doing: the regime taking Ariha from the opposition in hts_2024 is a counter-attack,
not a step of the HTS advance. So every capture is classified against the campaign's attacker (the side
with the most capture and area objectives, experiments.places.attacker_sides):

  fall       the attacker takes a place from its first owner (the first fall, taken by the attacker)
  retaking   a side that is not the attacker takes a place the attacker held: its first owner taking back
             what the attacker took (`retaken_<place>`), or a counter-attack on the attacker's own ground
  other      a first fall between two sides neither of which is the attacker (the SDF taking a regime town)

A scenario without capture objectives has no attacker: every first fall is then a fall.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from wargame.experiments.bands import band

FALL, RETAKING, OTHER = "fall", "retaking", "other"


def attacker_sides(scenario) -> set[str]:
    """The sides with the most capture and area objectives (ties: all of them); empty when none has any.
    idlib_2020's rebels have one capture objective (retake Saraqib) against the regime's eight: the regime
    is the attacker."""
    counts = Counter(o.side for o in scenario.objectives.values() if o.kind != "hold")
    if not counts:
        return set()
    most = max(counts.values())
    return {side for side, n in counts.items() if n == most}


def classify_capture(first_owner: str, taker: str, attackers: set[str]) -> str:
    """What a first fall (its first owner losing the place to `taker`) was: FALL, RETAKING or OTHER."""
    if not attackers or taker in attackers:
        return FALL
    if first_owner in attackers:
        return RETAKING
    return OTHER


def place_captures(outcomes: pd.DataFrame, place: str, attackers: set[str]) -> pd.DataFrame:
    """One row per run for one place: `fall` and `fall_by` (the day the attacker took it and its side),
    `retaking` and `retaken_by` (the day a side other than the attacker took it from the attacker), `other`
    and `other_by` (a first fall between two other sides), and `held` (the side holding it at the end).
    NaN and "" for what did not happen. A run whose outcomes do not record the first owner (written before
    they did) counts a first fall by a side that is not the attacker as a retaking."""
    o = outcomes
    n = len(o)
    fell = o[f"fell_{place}"].to_numpy(float) if f"fell_{place}" in o else np.full(n, np.nan)
    taker = _strings(o, f"taken_by_{place}", n)
    first = _strings(o, f"first_owner_{place}", n)
    retaken = o[f"retaken_{place}"].to_numpy(float) if f"retaken_{place}" in o else np.full(n, np.nan)
    rows = []
    for k in range(n):
        row = {"fall": math.nan, "fall_by": "", "retaking": math.nan, "retaken_by": "", "other": math.nan,
               "other_by": "", "held": ""}
        if not math.isnan(fell[k]):
            owner = first[k] if first[k] else (next(iter(attackers)) if attackers else "")
            kind = classify_capture(owner, taker[k], attackers) if taker[k] or not attackers else FALL
            if kind == FALL:
                row["fall"], row["fall_by"] = fell[k], taker[k]
                if not math.isnan(retaken[k]):            # its first owner took it back from the attacker
                    row["retaking"], row["retaken_by"] = retaken[k], first[k]
            elif kind == RETAKING:
                row["retaking"], row["retaken_by"] = fell[k], taker[k]
            else:
                row["other"], row["other_by"] = fell[k], taker[k]
        rows.append(row)
    frame = pd.DataFrame(rows, index=o.index)
    frame["held"] = _strings(o, f"held_{place}", n)
    return frame


def _strings(o: pd.DataFrame, column: str, n: int) -> list[str]:
    return [str(v) for v in o[column].fillna("")] if column in o else [""] * n


def _modal(values) -> str:
    named = [v for v in values if v]
    return Counter(named).most_common(1)[0][0] if named else ""


def capture_table(outcomes: pd.DataFrame, places: dict[str, tuple[str, str]], attackers: set[str],
                  min_share: float = 0.0) -> pd.DataFrame:
    """One row per place and kind of capture (FALL, RETAKING, OTHER) that happened in at least `min_share`
    of runs (by default every one that happened; the reports leave out the rarest, report.ensemble's
    MIN_SHARE_SHOWN): `place`, `name`, `kind` (city, town, airbase), `capture`, `by` (the side that made it in most
    runs), `share` of runs, the `median`, `p10` and `p90` day over the runs in which it happened, `held_share`
    (the share of all runs in which the side that made it holds the place at the end), `runs` and `days` (the
    sorted days themselves; `p10` and `p90` are NaN under MIN_RUNS_FOR_BAND of them). `places`:
    place id -> (name, kind). Sorted by capture (falls first), then median day."""
    rows = []
    for pid, (name, kind) in places.items():
        if f"fell_{pid}" not in outcomes:
            continue
        captures = place_captures(outcomes, pid, attackers)
        for capture, by in ((FALL, "fall_by"), (RETAKING, "retaken_by"), (OTHER, "other_by")):
            days = captures[capture].dropna()
            share = len(days) / max(len(captures), 1)
            if not len(days) or share < min_share:
                continue
            who = _modal(captures.loc[days.index, by])
            rows.append({"place": pid, "name": name, "kind": kind, "capture": capture, "by": who, "share": share,
                         "median": float(days.median()), "p10": band(days)[0], "p90": band(days)[1],
                         "held_share": float((captures["held"] == who).mean()) if who else math.nan,
                         "runs": len(captures), "days": tuple(sorted(days))})
    frame = pd.DataFrame(rows, columns=["place", "name", "kind", "capture", "by", "share", "median", "p10", "p90",
                                        "held_share", "runs", "days"])
    order = {FALL: 0, RETAKING: 1, OTHER: 2}
    return (frame.assign(_order=frame["capture"].map(order)).sort_values(["_order", "median", "name"])
            .drop(columns="_order").reset_index(drop=True))
