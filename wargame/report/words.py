"""Counts in words, for every page, report and study: "1 unit", "3 units", "16 points x 1 replicate"."""

from __future__ import annotations

IRREGULAR = {"man": "men", "enemy": "enemies", "sortie": "sorties", "city": "cities", "battery": "batteries"}


def count(n, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in the number it takes: count(1, "unit") is "1 unit", count(3, "enemy unit") is
    "3 enemy units" (the last word is made plural), count(2, "man") is "2 men". Thousands get commas."""
    number = f"{n:,}" if isinstance(n, int) else f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    if n == 1:
        return f"{number} {noun}"
    if plural is None:
        head, _, last = noun.rpartition(" ")
        last = IRREGULAR.get(last, last + "s")
        plural = f"{head} {last}" if head else last
    return f"{number} {plural}"
