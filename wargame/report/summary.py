"""The short, readable summary printed at the end of a run (and saved as summary.txt).

It reads only run data (metrics, events, run info) and the scenario's names, never the model.
"""

from __future__ import annotations

import math

import pandas as pd

from wargame.core.campaign import regime_name
from wargame.core.scenario.schema import Scenario
from wargame.experiments.places import attacker_sides
from wargame.report.objectives import run_objective_lines
from wargame.report.style import short_name
from wargame.report.why import factor_label

STATES = ("active", "shaken", "routing", "surrendered", "dissolved", "defected", "destroyed", "withdrawn")
BROKEN = ("routing", "surrendered", "dissolved", "defected", "destroyed")   # withdrawn: left by order, not broken
# a run written before its end (a classroom game part-played) has no end reason yet
NOT_ENDED = "not yet: this is the run so far"


def name_column(name: str, width: int) -> str:
    """A faction's or side's name in a column `width` characters wide: its short name (style.short_name), cut
    with "..." if still too long, so that no name is cut mid-word without a sign (ASCII, as the rest)."""
    name = short_name(name)
    return f"{name if len(name) <= width else name[:width - 3].rstrip() + '...':<{width}}"


def summarise(scenario: Scenario, info: dict, metrics: pd.DataFrame, events: list[dict]) -> str:
    first, last = metrics.iloc[0], metrics.iloc[-1]
    lines = [
        f"{scenario.meta.title}",
        (f"  scenario {info['scenario']}, seed {info['seed']}: {info['steps']} steps of "
        f"{info['hours_per_step']} h = {info['days']:.2f} days; ended: {info['end_reason'] or NOT_ENDED}"),
        *objective_summary(scenario, metrics, events),
        "",
        "Cities and towns that changed hands:",
    ]
    captures = [e for e in events if e["kind"] == "city_captured"]
    if not captures:
        lines.append("  none")
    attackers = attacker_sides(scenario)
    for e in captures:
        side = short_name(scenario.sides[e["side"]].name)
        # a place taken from the campaign's attacker is a retaking, not a step of its offensive (experiments.places)
        verb = "retaken by" if e.get("from_side") in attackers and e["side"] not in attackers else "taken by"
        lines.append(f"  day {e['day']:5.2f}  {e['time'][:16].replace('T', ' ')}  {e['name']:<22} {verb} {side}")

    lines += ["", "Forces:", (f"  {'faction':<40} {'start':>8}    {'end':>8}  {'killed':>6} {'captured':>8} "
                            f"{'deserted':>8}  {'morale':>6}  units broken at the end/units")]
    for fid, faction in scenario.factions.items():
        start, end = first[f"personnel_{fid}"], last[f"personnel_{fid}"]
        if start <= 0 and end <= 0:          # a faction with no men in this run (one that never arrived)
            continue
        total_units = sum(last.get(f"units_{s}_{fid}", 0) for s in STATES)
        broken = sum(last.get(f"units_{s}_{fid}", 0) for s in BROKEN)
        lines.append(f"  {name_column(faction.name, 40)} {start:>8,.0f} -> {end:>8,.0f}  "
                     f"{last[f'killed_{fid}']:>6,.0f} {last[f'captured_{fid}']:>8,.0f} "
                     f"{last[f'deserted_{fid}']:>8,.0f}  {last[f'morale_{fid}']:>6.2f}  {broken}/{total_units}")

    lines += ["", "Territory held (share of the theatre, start -> end) and cities held at the end:"]
    for sid, side in scenario.sides.items():
        lines.append(f"  {name_column(side.name, 44)} "
                     f"{first[f'territory_{sid}']:6.1%} -> {last[f'territory_{sid}']:6.1%}"
                     f"   cities {int(last[f'cities_{sid}'])}")

    lines += will_lines(scenario, metrics, events)

    breaks = [e for e in events if e["kind"] == "unit_broke"]
    if breaks:
        totals: dict[str, float] = {}
        for e in breaks:                     # weighted by the men who broke, as in the report
            weight = max(e.get("personnel", 1), 1)
            if e.get("trigger") == "breakpoint":   # broke on its losses, not its morale
                totals["breakpoint"] = totals.get("breakpoint", 0.0) + weight
                continue
            for factor, share in e["factors"].items():
                totals[factor] = totals.get(factor, 0.0) + share * weight
        ranked = sorted(totals.items(), key=lambda kv: -kv[1])
        total = sum(totals.values()) or 1.0
        units = len({e.get("unit") for e in breaks})
        lines += ["", (f"Why units broke ({len(breaks)} breaks by {units} units: a unit can break more than once; "
                       "morale lost in the days before each, by factor, weighted by the men who broke):"),
                  "  " + ", ".join(f"{factor_label(k)} {v / total:.0%}" for k, v in ranked if v / total >= 0.005)]
    return "\n".join(lines) + "\n"


def objective_summary(scenario: Scenario, metrics: pd.DataFrame, events: list[dict]) -> list[str]:
    """The campaign's objectives, first: the console's "Objectives:" block (run_objectives), or nothing."""
    lines = run_objectives(scenario, metrics, events)
    return ["", "Objectives:", *(f"  {line}" for line in lines)] if lines else []


def run_objectives(scenario: Scenario, metrics: pd.DataFrame, events: list[dict]) -> list[str]:
    """One run's objectives, a sentence each: each [objectives.*] of the scenario taken (on which day) or not,
    held or not, and whether each regime collapsed, from the run's metrics (objective_<id>: progress) and
    events; [] when the scenario has neither objectives nor a leadership."""
    if not scenario.objectives and not any(c.startswith("will_") and c.endswith("_leadership") for c in metrics):
        return []
    last = metrics.iloc[-1]
    outcome: dict[str, float] = {}
    for oid in scenario.objectives:
        outcome[f"progress_{oid}"] = float(last.get(f"objective_{oid}", math.nan))
        outcome[f"achieved_{oid}"] = next((e["day"] for e in events
                                           if e["kind"] == "objective_achieved" and e["objective"] == oid), math.nan)
    for column in (c for c in metrics.columns if c.startswith("will_") and c.endswith("_leadership")):
        side = column.removeprefix("will_").removesuffix("_leadership")
        outcome[f"collapsed_{side}"] = next((e["day"] for e in events
                                             if e["kind"] == "regime_collapsed" and e["side"] == side), math.nan)
    return run_objective_lines(scenario, outcome, scenario.meta.start)


def will_lines(scenario: Scenario, metrics: pd.DataFrame, events: list[dict]) -> list[str]:
    """Whether and when each regime collapsed (or how far above collapse it held), and every will at the end."""
    columns = [c for c in metrics.columns if c.startswith("will_")]
    if not columns:
        return []                    # a run written before the will to fight
    first, last = metrics.iloc[0], metrics.iloc[-1]
    threshold = scenario.rules.will.collapse
    lines = ["", "The will to fight (0-1, start -> end):"]
    for column in (c for c in columns if c.endswith("_leadership")):
        side = column.removeprefix("will_").removesuffix("_leadership")
        regime = regime_name(side)
        fell = next((e for e in events if e["kind"] == "regime_collapsed" and e["side"] == side), None)
        if fell is not None:
            when = f" ({fell['time'][:16].replace('T', ' ')})" if fell.get("time") else ""
            lines.append(f"  {regime.capitalize()} collapsed on day {fell['day']:.2f}{when}:"
                         f" its leadership's will {first[column]:.2f} -> {fell['will']:.2f} ({fell['why']}); "
                         f"{fell['deserted']} units went home, {fell['surrendered']} surrendered, "
                         f"{fell['withdrew']} left the theatre")
        else:
            lines.append(f"  {regime.capitalize()} held: its leadership's will {first[column]:.2f} -> {last[column]:.2f} "
                         f"(it collapses below {threshold:.2f})")
    for column in columns:
        entry = column.removeprefix("will_")
        faction = scenario.factions.get(entry)
        name = (faction.name if faction
                else f"{regime_name(entry.removesuffix('_leadership')).capitalize()}'s leadership")
        lines.append(f"  {name_column(name, 44)} {first[column]:.2f} -> {last[column]:.2f}")
    return lines
