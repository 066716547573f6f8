"""The outputs a study measures, each a number per run computed from its outcome row (experiments.outcomes).

Named outputs:
  aleppo_days        days Aleppo held (a city that never fell counts as held to the end of the run)
  aleppo_fell        1 if Aleppo fell, else 0
  regime_territory   the regime's share of the theatre at the end
  regime_cities      cities and towns the regime holds at the end
  saa_collapsed      share of the SAA's units that broke (routed, surrendered, deserted or defected)
  east_aleppo_days   (aleppo_2016) days until the regime holds 90% of east Aleppo, or the run's end
Any numeric outcome column works too: `fell_hama` (days, never = the run's end), `retaken_hama` (the day
its first owner took it back, never = the run's end), `territory_opposition`, `killed_saa`, ... The
`taken_by_` and `held_` columns name sides, not numbers: they cannot be outputs.
"""

from __future__ import annotations

import pandas as pd

from wargame.core.errors import WargameError

NAMED = {
    "aleppo_days": "days Aleppo held",
    "aleppo_fell": "Aleppo fell (0/1)",
    "regime_territory": "regime's share of the theatre at the end",
    "regime_cities": "cities and towns the regime holds at the end",
    "saa_collapsed": "share of SAA units that broke",
    "east_aleppo_days": "days to 90% of east Aleppo",
}
DEFAULT_OUTPUTS = ("aleppo_days", "regime_territory", "saa_collapsed")
SIDE_COLUMNS = ("taken_by_", "held_", "first_owner_")     # outcome columns that hold a side id (a string), not a number


def _days(frame: pd.DataFrame, column: str) -> pd.Series:
    """Days until an event, counting a run in which it never happened as lasting to the run's end."""
    return frame[column].fillna(frame["end_day"]).clip(upper=frame["end_day"])


def output_values(frame: pd.DataFrame, name: str) -> pd.Series:
    """One value per run (row) of the named output; a named output whose outcome column this scenario's
    runs do not have (Aleppo in a scenario without it) is a clear error, not a KeyError."""
    try:
        return _values(frame, name)
    except KeyError as exc:
        places = ", ".join(sorted(c for c in frame.columns if c.startswith("fell_"))[:6]) or "none"
        raise WargameError(f"output {name!r} needs the outcome column {exc.args[0]!r}, which this scenario's runs "
                           f"do not have; choose others with --outputs (outcome columns such as {places})") from None


def _values(frame: pd.DataFrame, name: str) -> pd.Series:
    if name == "aleppo_days":
        return _days(frame, "fell_aleppo")
    if name == "aleppo_fell":
        return frame["fell_aleppo"].notna().astype(float)
    if name == "regime_territory":
        return frame["territory_regime"].astype(float)
    if name == "regime_cities":
        return frame["cities_regime"].astype(float)
    if name == "saa_collapsed":
        return frame["broke_saa"] / frame["units_saa"].where(frame["units_saa"] > 0)
    if name == "east_aleppo_days":
        return _days(frame, "achieved_east_aleppo")
    if name in frame:
        if name.startswith(("fell_", "achieved_", "retaken_")):
            return _days(frame, name)
        for prefix in SIDE_COLUMNS:
            if name.startswith(prefix):
                raise WargameError(f"output {name!r} names a side, not a number: a study needs a numeric output "
                                   f"(such as fell_{name[len(prefix):]} or retaken_{name[len(prefix):]})")
        return frame[name].astype(float)
    raise WargameError(f"unknown output {name!r}: use one of {', '.join(NAMED)} or an outcome column "
                       f"({', '.join(sorted(c for c in frame.columns if c.startswith(('fell_', 'territory_')))[:8])}, ...)")


def parameter_label(path: str) -> str:
    """A parameter as charts and consoles name it: its dotted path without the section ("factions.saa.pay"
    is "saa.pay"), which every path of a study has and which would only crowd the axis."""
    return path.split(".", 1)[-1]


def label(name: str) -> str:
    if name in NAMED:
        return NAMED[name]
    if name.startswith("fell_"):
        return f"days {name[5:].replace('_', ' ').title()} held"
    if name.startswith("retaken_"):
        return f"day {name[8:].replace('_', ' ').title()} retaken"
    return name.replace("_", " ")


# What an output measures decides its axis: a share runs from 0 to 1, a count takes whole numbers, and both
# (with days) have a meaningful zero that an axis should start at.
SHARES = ("regime_territory", "saa_collapsed", "aleppo_fell")
COUNTS = ("regime_cities",)
SHARE_PREFIXES = ("territory_",)
COUNT_PREFIXES = ("cities_", "killed_", "captured_", "deserted_", "broke_", "units_", "personnel_", "deals_",
                  "changes_")


def is_share(name: str) -> bool:
    return name in SHARES or name.startswith(SHARE_PREFIXES)


def is_count(name: str) -> bool:
    return name in COUNTS or name.startswith(COUNT_PREFIXES)
