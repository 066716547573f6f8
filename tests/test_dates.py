"""One date formatter for the whole project (wargame.core.dates): every style, and the day of the month
written without strftime's unportable %-d."""

import datetime as dt

import pytest

from wargame.core.dates import STYLES, date_of, format_date

T = dt.datetime(2024, 11, 30, 11, 0)
EARLY = dt.datetime(2024, 12, 1, 5, 30)


@pytest.mark.parametrize(("style", "text", "early"), [
    ("day", "30 Nov 2024", "1 Dec 2024"),
    ("minute", "30 Nov 2024 11:00", "1 Dec 2024 05:30"),
    ("short", "30 Nov 11:00", "1 Dec 05:30"),
    ("axis", "30 Nov", "1 Dec"),
    ("long", "30 November 2024 11:00", "1 December 2024 05:30"),
    ("time", "11:00", "05:30"),
])
def test_each_style(style, text, early):
    assert format_date(T, style) == text
    assert format_date(EARLY, style) == early


def test_every_style_is_tested_and_the_default_is_the_day():
    assert set(STYLES) == {"day", "minute", "short", "axis", "long", "time"}
    assert format_date(T) == "30 Nov 2024"
    assert format_date(dt.date(2016, 11, 15)) == "15 Nov 2016"


def test_a_padded_day_and_an_unknown_style():
    assert format_date(EARLY, "minute", pad_day=True) == "01 Dec 2024 05:30"
    assert format_date(T, "minute", pad_day=True) == "30 Nov 2024 11:00"
    with pytest.raises(ValueError, match="unknown date style 'iso'"):
        format_date(T, "iso")


def test_date_of_adds_fractional_days():
    start = dt.datetime(2024, 11, 27, 5, 0)
    assert date_of(start, 0) == start
    assert date_of(start, 3.25) == dt.datetime(2024, 11, 30, 11, 0)
    assert format_date(date_of(start, 4), "short") == "1 Dec 05:00"
