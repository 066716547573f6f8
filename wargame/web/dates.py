"""Dates as the classroom pages print them ("27 Nov 05:00"): the web layer's one place for them."""

from __future__ import annotations

import datetime as dt


def day_to_date(start: dt.datetime, day: float) -> str:
    """The date `day` days (a fraction) after the scenario's start."""
    return f"{start + dt.timedelta(days=float(day)):%d %b %H:%M}"


def when(event: dict) -> str:
    """When an event happened: its timestamp if it has one, else its model day."""
    t = event.get("time")
    if t:
        try:
            return f"{dt.datetime.fromisoformat(t):%d %b %H:%M}"
        except ValueError:
            pass
    return f"day {event.get('day', 0):.2f}"
