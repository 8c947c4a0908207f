"""Values typed in a query string or a URL: read by one function each, an absurd value reads as absent (the page
then shows its default), never as a server error. A view that must refuse instead raises its 404 on `None`."""

import datetime
import re

# The largest value of an integer primary key (a bigint): beyond it, a database refuses the number itself.
MAX_ID = 2**63 - 1
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_id(value) -> int | None:
    """A primary key: ASCII digits naming a positive bigint; None for anything else (empty, negative, '²', 25
    digits…)."""
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _within_calendar(day: datetime.date) -> bool:
    """Whether the month before and the month after exist too (a page links to both)."""
    return datetime.MINYEAR < day.year < datetime.MAXYEAR


def parse_month(value) -> datetime.date | None:
    """The first day of a month written YYYY-MM; None for anything else, or a month without neighbours (year 1 or
    9999)."""
    value = str(value or "").strip()
    if not _MONTH.fullmatch(value):
        return None
    try:
        month = datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        return None
    return month if _within_calendar(month) else None


def parse_day(value) -> datetime.date | None:
    """A day written YYYY-MM-DD; None for anything else, or a day without neighbours (year 1 or 9999)."""
    value = str(value or "").strip()
    if not _DAY.fullmatch(value):
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if _within_calendar(day) else None
