"""The dashboards' periods: a month, a quarter, a year, the last 12 whole months (the default), or a custom range.

A period is two dates, both included (`Period.start`, `Period.end`), as `dashboards.figures` and `ruptures.rates`
take them. Its comparison is the previous period of the same length: the month, quarter or year before; the 12
months before the last 12; for a custom range, as many days ending the day before it starts.

Why the last 12 whole months by default rather than the current year: in January the current year holds a few days
of entrants and every figure would read as a small count; 12 whole months always hold a full cycle of sessions and
end on a month the rollups have complete.

The GET parameters (read by `dashboards.forms.PeriodForm`): `period` in month, quarter, year, last12, custom; with
`year` (month, quarter, year), `month` (1–12), `quarter` (1–4), `start` / `end` (YYYY-MM-DD, custom).
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
LAST_12 = "last12"
CUSTOM = "custom"

KINDS = [
    (LAST_12, gettext_lazy("12 derniers mois")),
    (MONTH, gettext_lazy("Mois")),
    (QUARTER, gettext_lazy("Trimestre")),
    (YEAR, gettext_lazy("Année")),
    (CUSTOM, gettext_lazy("Dates choisies")),
]

# A custom period spans at most this many days (the daily rollups of ten years are still a few thousand rows).
MAX_DAYS = 3660


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError(f"The period starts after it ends ({self.start} > {self.end}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def whole_months(self) -> bool:
        """Whether it starts on a 1st and ends on a month's last day (the monthly rollups answer it)."""
        return self.start.day == 1 and self.end == month_end(self.end)

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        months, month = [], month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def previous(self) -> "Period":
        """The period of the same length just before (the comparison)."""
        if self.kind in (MONTH, QUARTER, YEAR, LAST_12) and self.whole_months:
            count = len(self.months())
            start = add_months(self.start, -count)
            return Period(self.kind, start, month_end(add_months(start, count - 1)))
        end = self.start - datetime.timedelta(days=1)
        return Period(self.kind, end - datetime.timedelta(days=self.days - 1), end)

    @property
    def label(self) -> str:
        """How the page names it: "novembre 2026", "T3 2026", "2026", "du 01/12/2025 au 30/11/2026"."""
        if self.kind == MONTH:
            return formats.date_format(self.start, "F Y")
        if self.kind == QUARTER:
            return _("T%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == YEAR:
            return str(self.start.year)
        return self.range_label

    @property
    def range_label(self) -> str:
        return _("du %(start)s au %(end)s") % {
            "start": formats.date_format(self.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(self.end, "SHORT_DATE_FORMAT"),
        }

    def as_query(self) -> dict[str, str]:
        """The GET parameters that select this period (links keep it)."""
        if self.kind == MONTH:
            return {"period": MONTH, "year": str(self.start.year), "month": str(self.start.month)}
        if self.kind == QUARTER:
            return {"period": QUARTER, "year": str(self.start.year), "quarter": str((self.start.month - 1) // 3 + 1)}
        if self.kind == YEAR:
            return {"period": YEAR, "year": str(self.start.year)}
        if self.kind == LAST_12:
            return {"period": LAST_12}
        return {"period": CUSTOM, "start": self.start.isoformat(), "end": self.end.isoformat()}


def last_12_months(today: datetime.date) -> Period:
    """The 12 whole months before `today`'s month."""
    start = add_months(today, -12)
    return Period(LAST_12, start, month_end(add_months(today, -1)))


def month(year: int, number: int) -> Period:
    start = datetime.date(year, number, 1)
    return Period(MONTH, start, month_end(start))


def quarter(year: int, number: int) -> Period:
    start = datetime.date(year, 3 * (number - 1) + 1, 1)
    return Period(QUARTER, start, month_end(add_months(start, 2)))


def year(number: int) -> Period:
    return Period(YEAR, datetime.date(number, 1, 1), datetime.date(number, 12, 31))


def custom(start: datetime.date, end: datetime.date) -> Period:
    return Period(CUSTOM, start, end)


def default(today: datetime.date) -> Period:
    return last_12_months(today)
