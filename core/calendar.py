"""French calendar arithmetic: public holidays (the `holidays` library), working days, a session's training days."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> dict[datetime.date, str]:
    # Metropolitan France; Alsace-Moselle's two extra days would need a subdivision, out of our regions for now.
    return dict(holidays.country_holidays("FR", years=year, language="fr"))


def holiday_name(day: datetime.date) -> str | None:
    """The public holiday on `day` ("Lundi de Pâques"), or None."""
    return _holidays(day.year).get(day)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start).

    A drift opened on Friday evening has been open 1 working day on Monday.
    """
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count


def training_days(start: datetime.date, end: datetime.date, weekdays_mask: int):
    """The days from `start` to `end` on the given weekdays (bit i = weekday i), public holidays left out."""
    day = start
    while day <= end:
        if weekdays_mask & (1 << day.weekday()) and holiday_name(day) is None:
            yield day
        day += datetime.timedelta(days=1)
