"""Counts in words for the classroom's pages, reports and hot-seat: "1 unit", "3 units", "1 enemy unit"."""

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


def change(x: float, digits: int = 2) -> str:
    """A signed change as printed: "+0.05", "-0.12"; one that rounds to nothing is "no change", never
    "-0.00" (a fall of 0.001 printed with its sign reads as a loss that is not there)."""
    text = f"{x:+.{digits}f}"
    return "no change" if float(text) == 0 else text
