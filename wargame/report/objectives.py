"""The campaign's own objectives, said first: did each side get what it set out to take or hold, and did a
regime collapse. One row per [objectives.*] of the scenario and per side with a leadership, read from outcome
rows (an ensemble's, or one run's as a frame of one row), and the same as sentences for consoles and reports:
"The regime took east Aleppo: 6 of 6 runs, median day 28.90 (10th-90th percentile 27.10-30.20, 20 Dec 2016)."

  capture  achieved when all its places are held at once (achieved_<objective>: the first day)
  area     achieved when the side holds the objective's `share` of the area
  hold     kept when every place is still held at the end (progress_<objective> = 1)
  regime   collapsed_<side>: the day its leadership's will gave out (NaN: it held)
"""

from __future__ import annotations

import math

import pandas as pd

from wargame.core.campaign import regime_name
from wargame.core.dates import date_of, format_date
from wargame.experiments.bands import MIN_RUNS_FOR_BAND, band
from wargame.report.style import short_name

# a hold objective is kept when its progress (the share of its places held) is 1; progress is a float sum,
# so "1" is anything within rounding of it
HELD_ALL = 1.0 - 1e-9
COLUMNS = ["objective", "side", "kind", "text", "achieved", "runs", "share", "median", "p10", "p90", "days"]


def place_names(scenario) -> dict[str, tuple[str, str]]:
    """place id -> (short name, kind) of every place on the scenario's map: its cities and towns, airbases and
    the villages and hills (kind from places.toml) that objectives name too ("umm_jalal": "Umm Jalal")."""
    from wargame.core.theatre import TheatreSpec, build_theatre

    theatre = build_theatre(TheatreSpec.of(scenario.theatre))
    out = {cid: (short_name(city.name), city.kind) for cid, city in theatre.cities.items()}
    for pid in theatre.place_cell:
        if pid not in out:
            place = theatre.place(pid)
            out[pid] = (short_name(place.name), place.kind)
    return out


def objective_places(scenario) -> set[str]:
    """Every place an objective of the scenario names: the rows a short list of captures must not leave out."""
    return {place for objective in scenario.objectives.values() for place in objective.places}


def side_label(scenario, side: str) -> str:
    """How a side is named at the start of a sentence: "The regime", else the side's short name."""
    if "regime" in side.split("_"):
        return regime_name(side).capitalize()
    return short_name(scenario.sides[side].name) if side in scenario.sides else side


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def objective_label(scenario, oid: str, names: dict[str, tuple[str, str]]) -> str:
    """What an objective is about, in words: its places ("Aleppo and Aleppo International Airport"), or for an
    area its id with the places it names spelled out ("east_aleppo": "east Aleppo")."""
    objective = scenario.objectives[oid]
    if objective.kind == "area" or not objective.places:
        return " ".join(names[token][0] if token in names else token for token in oid.split("_"))
    return _joined([names.get(p, (p, ""))[0] for p in objective.places])


def objective_table(scenario, outcomes: pd.DataFrame, names: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """One row per objective of the scenario (in the scenario's order), then one per side whose regime can
    collapse: how many of the runs achieved (held, collapsed) it and, for those, the median and 10th-90th
    percentile day. `text` says it: "The regime took east Aleppo"."""
    names = place_names(scenario) if names is None else names
    runs = len(outcomes)
    rows = []
    for oid, objective in scenario.objectives.items():
        who = side_label(scenario, objective.side)
        label = objective_label(scenario, oid, names)
        if objective.kind == "hold":
            progress = outcomes.get(f"progress_{oid}", pd.Series(math.nan, index=outcomes.index))
            achieved, days = int((progress >= HELD_ALL).sum()), pd.Series(dtype=float)
            text = f"{who} held {label} to the end"
        else:
            days = outcomes.get(f"achieved_{oid}", pd.Series(math.nan, index=outcomes.index)).dropna()
            achieved = len(days)
            text = f"{who} took {label}"
        rows.append(_row(oid, objective.side, objective.kind, text, achieved, runs, days))
    for column in (c for c in outcomes.columns if c.startswith("collapsed_")):
        side = column.removeprefix("collapsed_")
        days = outcomes[column].dropna()
        rows.append(_row(f"collapse_{side}", side, "regime", f"{regime_name(side).capitalize()} collapsed",
                         len(days), runs, days))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(oid, side, kind, text, achieved, runs, days: pd.Series) -> dict:
    return {"objective": oid, "side": side, "kind": kind, "text": text, "achieved": achieved, "runs": runs,
            "share": achieved / runs if runs else math.nan,
            "median": float(days.median()) if len(days) else math.nan,
            "p10": band(days)[0], "p90": band(days)[1], "days": tuple(sorted(days))}


def spread_text(row) -> str:
    """The spread of a row's days: "10th-90th percentile 27.10-30.20", or under MIN_RUNS_FOR_BAND runs (p10
    NaN) the days themselves, "days 9.10 and 9.90"."""
    if not math.isnan(row["p10"]):
        return f"10th-90th percentile {row['p10']:.2f}-{row['p90']:.2f}"
    days = [f"{d:.2f}" for d in row["days"]]
    return ("day " if len(days) == 1 else "days ") + _joined(days) if days else "no day"


def when_text(row, start) -> str:
    """", median day 28.90 (10th-90th percentile 27.10-30.20, 20 Dec 2016)"; under MIN_RUNS_FOR_BAND runs
    ", median day 9.50 (days 9.10 and 9.90, 6 Dec 2024)"; with one run ", on day 9.10 (6 Dec 2024)"; or ""."""
    if math.isnan(row["median"]):
        return ""
    date = format_date(date_of(start, row["median"]))
    if len(row["days"]) == 1:
        return f", on day {row['median']:.2f} ({date})"
    return f", median day {row['median']:.2f} ({spread_text(row)}, {date})"


def objective_sentences(table: pd.DataFrame, start) -> list[str]:
    """Each row as a sentence: "The regime took east Aleppo: 6 of 6 runs, median day 28.90 (...)."."""
    return [f"{r['text']}: {r['achieved']} of {r['runs']} runs{when_text(r, start)}." for _, r in table.iterrows()]


def run_objective_lines(scenario, outcome: dict, start) -> list[str]:
    """One run's objectives, a line each: "The regime took east Aleppo on day 28.90 (20 Dec 2016)" or "did not
    take ... (held 62% of it at the end)"."""
    names = place_names(scenario)
    lines = []
    for oid, objective in scenario.objectives.items():
        who = side_label(scenario, objective.side)
        label = objective_label(scenario, oid, names)
        progress = outcome.get(f"progress_{oid}", math.nan)
        if objective.kind == "hold":
            lines.append(f"{who} held {label} to the end" if progress >= HELD_ALL
                         else f"{who} did not hold {'' if len(objective.places) == 1 else 'all of '}{label}"
                              + held_text(objective, progress))
            continue
        day = outcome.get(f"achieved_{oid}", math.nan)
        lines.append(f"{who} took {label} on day {day:.2f} ({format_date(date_of(start, day))})"
                     if not math.isnan(day) else f"{who} did not take {label}" + held_text(objective, progress))
    for key in (k for k in outcome if k.startswith("collapsed_")):
        regime, day = regime_name(key.removeprefix("collapsed_")).capitalize(), outcome[key]
        lines.append(f"{regime} collapsed on day {day:.2f} ({format_date(date_of(start, day))})"
                     if not math.isnan(day) else f"{regime} did not collapse")
    return lines


def held_text(objective, progress: float) -> str:
    """What a side held at the end of an objective it did not complete: an area's share ("held 62% of it"), a
    set of places counted in places ("held 2 of its 3 places": a share of three places reads as a share of
    ground), nothing for a single place (not taken, or lost, is all there is to say)."""
    if math.isnan(progress):
        return ""
    if objective.kind == "area":
        return f" (held {progress:.0%} of it at the end)"
    places = len(objective.places)
    if places <= 1:
        return ""
    return f" (held {round(progress * places)} of its {places} places at the end)"


def objectives_html(table: pd.DataFrame, start) -> str:
    """The objectives table of an ensemble or comparison report (the first table of each)."""
    from wargame.report.html import esc

    if table.empty:
        return "<p>This scenario declares no objectives and no side's regime can collapse.</p>"
    rows = "".join(
        f"<tr><td>{esc(r['text'])}</td><td class='num count'>{r['achieved']} of {r['runs']}</td>"
        f"<td class='num'>{r['share']:.0%}</td>"
        + ("<td class='num'>–</td><td class='num'>–</td><td>–</td>" if math.isnan(r["median"]) else
           f"<td class='num'>{r['median']:.2f}</td><td class='num'>{band_cell(r)}</td>"
           f"<td>{format_date(date_of(start, r['median']))}</td>") + "</tr>"
        for _, r in table.iterrows())
    return ("<p>The campaign's own objectives (the scenario's [objectives.*], then whether each regime collapsed): "
            "in how many runs each was achieved and, over those runs, on which day. A hold objective counts the "
            "runs in which every one of its places was still held at the end.</p>"
            "<table class='objectives'><tr><th>objective</th><th>runs</th><th>share of runs</th><th>median day</th>"
            f"<th>{BAND_HEADER}</th><th>median date</th></tr>{rows}</table>")


BAND_HEADER = f"10th-90th percentile (under {MIN_RUNS_FOR_BAND} runs: the days)"


def band_cell(row) -> str:
    """A table's spread cell: "27.10 to 30.20", or under MIN_RUNS_FOR_BAND runs the days, "9.10, 9.90"."""
    if not math.isnan(row["p10"]):
        return f"{row['p10']:.2f} to {row['p90']:.2f}"
    return ", ".join(f"{d:.2f}" for d in row["days"])
