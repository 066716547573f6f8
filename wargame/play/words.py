"""Counts in words for the classroom's pages, reports and hot-seat: "1 unit", "3 units", "1 enemy unit"."""

from __future__ import annotations

from wargame.report.words import IRREGULAR, count  # noqa: F401  (the classroom's names for them)


def change(x: float, digits: int = 2) -> str:
    """A signed change as printed: "+0.05", "-0.12"; one that rounds to nothing is "no change", never
    "-0.00" (a fall of 0.001 printed with its sign reads as a loss that is not there)."""
    text = f"{x:+.{digits}f}"
    return "no change" if float(text) == 0 else text
