"""Dates as the classroom pages print them ("27 Nov 05:00", the day padded): core.dates's "short" style."""

from __future__ import annotations

import datetime as dt

from wargame.core.dates import date_of, format_date


def day_to_date(start: dt.datetime, day: float) -> str:
    """The date `day` days (a fraction) after the scenario's start."""
    return format_date(date_of(start, float(day)), "short", pad_day=True)


def when(event: dict) -> str:
    """When an event happened: its timestamp if it has one, else its model day."""
    t = event.get("time")
    if t:
        try:
            return format_date(dt.datetime.fromisoformat(t), "short", pad_day=True)
        except ValueError:
            pass
    return f"day {event.get('day', 0):.2f}"
