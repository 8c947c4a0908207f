"""French calendar arithmetic: public holidays and working days (the `holidays` library's), a session's training
days.

Public holidays depend on the place: Alsace-Moselle has Good Friday and St Stephen's Day, each overseas department
its own days (abolition of slavery…). Every function takes the `holidays` subdivision of the place it is about
(`subdivision(department)`, e.g. a session's `holiday_subdivision`); None is metropolitan France.
"""

import datetime
from functools import lru_cache

import holidays

# Departments whose public holidays differ from metropolitan France's, and their `holidays` subdivision.
SUBDIVISIONS = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin (Alsace)
    "68": "6AE",  # Haut-Rhin (Alsace)
    "971": "971",  # Guadeloupe
    "972": "972",  # Martinique
    "973": "973",  # Guyane
    "974": "974",  # La Réunion
    "976": "976",  # Mayotte
}


def subdivision(department: str | None) -> str | None:
    """The `holidays` subdivision of a department code ("67" → "6AE"), None where metropolitan rules apply."""
    return SUBDIVISIONS.get((department or "").strip())


@lru_cache(maxsize=64)
def _calendar(year: int, subdiv: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", subdiv=subdiv, years=year, language="fr")


@lru_cache(maxsize=32)
def _holidays(year: int, subdiv: str | None = None) -> dict[datetime.date, str]:
    """The public holidays of `year` (metropolitan France by default), as a plain dict."""
    return dict(_calendar(year, subdiv))


def holiday_name(day: datetime.date, subdiv: str | None = None) -> str | None:
    """The public holiday on `day` at the place ("Lundi de Pâques"), or None."""
    return _holidays(day.year, subdiv).get(day)


def is_working_day(day: datetime.date, subdiv: str | None = None) -> bool:
    return _calendar(day.year, subdiv).is_working_day(day)


def working_days_between(start: datetime.date, end: datetime.date, subdiv: str | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start).

    A drift opened on Friday evening has been open 1 working day on Monday.
    """
    if end <= start:
        return 0
    first = start + datetime.timedelta(days=1)
    return sum(
        _calendar(year, subdiv).get_working_days_count(
            max(first, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        )
        for year in range(first.year, end.year + 1)
    )


def training_days(start: datetime.date, end: datetime.date, weekdays_mask: int, subdiv: str | None = None):
    """The days from `start` to `end` on the given weekdays (bit i = weekday i), the place's public holidays left
    out."""
    day = start
    while day <= end:
        if weekdays_mask & (1 << day.weekday()) and holiday_name(day, subdiv) is None:
            yield day
        day += datetime.timedelta(days=1)
