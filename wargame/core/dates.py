"""Dates as every part of the project writes them: one formatter, a few named styles.

    date_of(start, day)            the moment `day` (fractional) days after `start`
    format_date(t, style="day")    t written in one of STYLES:
        day      30 Nov 2024
        minute   30 Nov 2024 11:00
        short    30 Nov 11:00
        axis     30 Nov
        long     30 November 2024 11:00
        time     11:00

The day of the month is written without a leading zero ("1 Dec") on every platform: strftime's `%-d` is
not portable (Windows has no such flag). `pad_day=True` writes it with one ("01 Dec"), as the classroom's
status line and the scenario list always have.
"""

from __future__ import annotations

import datetime as dt

# strftime formats, with DAY where the day of the month goes (written by hand: see above)
DAY = "{day}"
STYLES = {
    "day": DAY + " %b %Y",
    "minute": DAY + " %b %Y %H:%M",
    "short": DAY + " %b %H:%M",
    "axis": DAY + " %b",
    "long": DAY + " %B %Y %H:%M",
    "time": "%H:%M",
}


def date_of(start: dt.datetime, day: float) -> dt.datetime:
    """The moment `day` days (fractional: 0.25 is six hours) after `start`."""
    return start + dt.timedelta(days=float(day))


def format_date(t: dt.date, style: str = "day", *, pad_day: bool = False) -> str:
    """`t` written in the named style (see STYLES)."""
    try:
        form = STYLES[style]
    except KeyError:
        raise ValueError(f"unknown date style {style!r}; one of {', '.join(STYLES)}") from None
    return t.strftime(form.replace(DAY, f"{t.day:02d}" if pad_day else str(t.day)))
