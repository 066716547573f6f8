"""Why armies collapsed: the morale ledgers of the units that broke, read back from a run's event log.

Every `unit_broke` event carries the shares of the morale the unit lost, by factor, in the days before it
broke (rules.breaks). Here they are gathered three ways:
  break_table       one row per break: when, where (the nearest city or town, and how far), what became of it,
                    and its factor shares
  collapses         breaks grouped into collapses: units of one faction that broke within `link_km` and
                    `gap_days` of another break of the group (single linkage in space and time, so a front
                    that gives way over several villages is one collapse); named after the place where
                    most of its men broke; each ranked by factor, weighted by the personnel that broke (a
                    division's collapse weighs more than a platoon's)
  faction_drivers   for each faction, the factors behind all its breaks, weighted the same way
Only the run directory is read (events, units, scenario), never the model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from wargame.core.rules.morale import FACTORS
from wargame.report.style import short_name

FACTOR_LABELS = {
    "casualties": "casualties", "force_ratio": "force ratio (odds faced)", "contagion": "contagion (neighbours broke)",
    "command": "command (own formation broke)", "encirclement": "encirclement", "supply": "supply",
    "air_enemy": "enemy air attack", "air_own": "own air support", "stiffening": "advisers' stiffening",
    "shock": "shock (fast enemy advance)", "will": "the will to fight (its faction's will fell)",
    "momentum": "momentum", "rest": "rest", "breakpoint": "casualty breakpoint (losses, not morale)",
}
# The morale factors, and the casualty breakpoint: a unit whose losses passed its breakpoint broke on them,
# whatever its morale ledger says, so such a break counts wholly to "breakpoint".
WHY_FACTORS = (*FACTORS, "breakpoint")
assert set(FACTOR_LABELS) == set(WHY_FACTORS), "FACTOR_LABELS must name every morale factor and no other"


def factor_label(name: str) -> str:
    return FACTOR_LABELS.get(name, name.replace("_", " "))


def _locator(run):
    """A function from cells to (name of the nearest city or town, km to it)."""
    from wargame.core.theatre import TheatreSpec, build_theatre

    t = run.scenario.theatre
    theatre = build_theatre(TheatreSpec.of(t))
    places = [c for c in theatre.cities.values()]
    if not places:
        return lambda cells: (["unknown"] * len(cells), np.full(len(cells), np.nan), np.full((len(cells), 2), np.nan))
    tree = cKDTree(np.column_stack([theatre.x[[c.cell for c in places]], theatre.y[[c.cell for c in places]]]))

    def near(cells: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        cells = np.asarray(cells, dtype=int)
        xy = np.column_stack([theatre.x[cells], theatre.y[cells]])
        km, which = tree.query(xy)
        return [short_name(places[w].name) for w in which], km, xy

    return near


def _shares(event: dict) -> dict[str, float]:
    if event.get("trigger") == "breakpoint":
        return {f: 0.0 for f in FACTORS} | {"breakpoint": 1.0}
    return {f: event["factors"].get(f, 0.0) for f in FACTORS} | {"breakpoint": 0.0}


def break_table(run) -> pd.DataFrame:
    """One row per unit that broke, with its place and factor shares (columns named after FACTORS)."""
    breaks = [e for e in run.events if e["kind"] == "unit_broke"]
    columns = ["step", "day", "time", "unit", "name", "faction", "outcome", "personnel", "loss_share", "near",
               "near_km", "x_km", "y_km", *WHY_FACTORS]
    if not breaks:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame([{k: e.get(k) for k in columns[:9]} | _shares(e) for e in breaks])
    frame["near"], frame["near_km"], frame["x_km"], frame["y_km"] = "unknown", np.nan, np.nan, np.nan
    if not run.units.empty:
        # where the unit stood when it broke: its cell at the end of that step, or, for a unit that left the
        # map as it broke (surrendered, deserted), at the end of the step before
        where = run.units.set_index(["step", "unit"])["cell"]
        cells = where.reindex(pd.MultiIndex.from_arrays([frame["step"], frame["unit"]])).to_numpy(dtype=float)
        before = where.reindex(pd.MultiIndex.from_arrays([frame["step"] - 1, frame["unit"]])).to_numpy(dtype=float)
        cells = np.where(np.isnan(cells) | (cells < 0), before, cells)
        known = ~np.isnan(cells) & (cells >= 0)
        if known.any():
            names, km, xy = _locator(run)(cells[known].astype(int))
            frame.loc[known, "near"], frame.loc[known, "near_km"] = names, km.round(1)
            frame.loc[known, "x_km"], frame.loc[known, "y_km"] = xy[:, 0], xy[:, 1]
    return frame[columns]


def _ranked(rows: pd.DataFrame) -> list[tuple[str, float]]:
    """Factor shares averaged over the rows, weighted by personnel, largest first (shares sum to 1)."""
    weights = rows["personnel"].to_numpy(dtype=float).clip(min=1.0)
    shares = rows[list(WHY_FACTORS)].to_numpy(dtype=float)
    total = (shares * weights[:, None]).sum(axis=0)
    total = total / total.sum() if total.sum() > 0 else total
    return sorted(((f, float(v)) for f, v in zip(WHY_FACTORS, total) if v > 0.0), key=lambda kv: -kv[1])


@dataclass
class Collapse:
    faction: str
    near: str
    first_day: float
    last_day: float
    units: int
    personnel: int
    outcomes: dict[str, int]
    factors: list[tuple[str, float]]           # ranked, shares summing to 1
    unit_names: list[str]

    def factors_text(self, top: int = 4) -> str:
        return ", ".join(f"{factor_label(f)} {s:.0%}" for f, s in self.factors[:top] if s >= 0.005)


def _episodes(rows: pd.DataFrame, link_km: float, gap_days: float) -> np.ndarray:
    """Component labels of the breaks: linked when within link_km and gap_days of each other (breaks with no
    known place are linked by their place name instead)."""
    n = len(rows)
    day = rows["day"].to_numpy(dtype=float)
    xy = rows[["x_km", "y_km"]].to_numpy(dtype=float)
    located = ~np.isnan(xy).any(axis=1)
    pairs = []
    if located.sum() > 1:
        index = np.flatnonzero(located)
        for a, b in cKDTree(xy[located]).query_pairs(link_km, output_type="ndarray"):
            pairs.append((index[a], index[b]))
    names = rows["near"].to_numpy()
    unplaced = np.flatnonzero(~located)
    for a, b in itertools.combinations(unplaced, 2):
        if names[a] == names[b]:
            pairs.append((a, b))
    pairs = [(a, b) for a, b in pairs if abs(day[a] - day[b]) <= gap_days]
    if not pairs:
        return np.arange(n)
    a, b = np.array(pairs).T
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def collapses(breaks: pd.DataFrame, gap_days: float = 1.0, min_units: int = 3, link_km: float = 15.0) -> list[Collapse]:
    """Breaks grouped by faction into collapses in space and time; those of at least `min_units` units, by size."""
    out = []
    if "x_km" not in breaks:
        breaks = breaks.assign(x_km=np.nan, y_km=np.nan)
    for faction, rows in breaks.groupby("faction", sort=False):
        rows = rows.sort_values("day").reset_index(drop=True)
        for _, part in rows.groupby(_episodes(rows, link_km, gap_days)):
            if len(part) < min_units:
                continue
            near = part.groupby("near")["personnel"].sum().idxmax()
            out.append(Collapse(faction, near, float(part["day"].min()), float(part["day"].max()), len(part),
                                int(part["personnel"].sum()), part["outcome"].value_counts().to_dict(),
                                _ranked(part), part["name"].tolist()))
    return sorted(out, key=lambda c: (-c.personnel, c.first_day))


def break_factors(events: list[dict]) -> list[tuple[str, float]]:
    """The factors behind some `unit_broke` events, weighted by the personnel that broke as for a collapse,
    largest first (shares sum to 1): the classroom's turn summary reads a team's breaks with this."""
    if not events:
        return []
    return _ranked(pd.DataFrame([{"personnel": e.get("personnel", 0)} | _shares(e) for e in events]))


def faction_drivers(breaks: pd.DataFrame) -> pd.DataFrame:
    """Rows: factions that had breaks; columns: units, personnel, then each factor's share (0-1)."""
    rows = []
    for faction, part in breaks.groupby("faction", sort=False):
        shares = dict(_ranked(part))
        rows.append({"faction": faction, "units": len(part), "personnel": int(part["personnel"].sum()),
                     **{f: shares.get(f, 0.0) for f in WHY_FACTORS}})
    frame = pd.DataFrame(rows, columns=["faction", "units", "personnel", *WHY_FACTORS])
    return frame.sort_values("personnel", ascending=False).reset_index(drop=True)
