"""The dashboards' periods and their selector (dashboards/periods.py, dashboards/forms.py)."""

import datetime

import pytest
from django.utils import translation

from dashboards import periods
from dashboards.forms import PeriodForm

D = datetime.date
TODAY = D(2026, 12, 5)


def chosen(**data):
    form = PeriodForm({k: str(v) for k, v in data.items()}, today=TODAY)
    return form.chosen, form


def test_the_default_is_the_last_twelve_whole_months():
    period, form = chosen()
    assert (period.kind, period.start, period.end) == ("last12", D(2025, 12, 1), D(2026, 11, 30))
    assert not form.errors


def test_the_default_in_january_still_holds_twelve_months():
    period = PeriodForm({}, today=D(2027, 1, 10)).chosen
    assert (period.start, period.end) == (D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("data", "start", "end"),
    [
        ({"period": "month", "year": 2026, "month": 2}, D(2026, 2, 1), D(2026, 2, 28)),
        ({"period": "month", "year": 2024, "month": 2}, D(2024, 2, 1), D(2024, 2, 29)),
        ({"period": "quarter", "year": 2026, "quarter": 3}, D(2026, 7, 1), D(2026, 9, 30)),
        ({"period": "year", "year": 2026}, D(2026, 1, 1), D(2026, 12, 31)),
        ({"period": "custom", "start": "2026-03-15", "end": "2026-04-14"}, D(2026, 3, 15), D(2026, 4, 14)),
    ],
)
def test_each_kind_of_period_reads_its_dates(data, start, end):
    period, form = chosen(**data)
    assert not form.errors
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("data", "previous"),
    [
        ({"period": "month", "year": 2026, "month": 1}, (D(2025, 12, 1), D(2025, 12, 31))),
        ({"period": "month", "year": 2026, "month": 3}, (D(2026, 2, 1), D(2026, 2, 28))),
        ({"period": "quarter", "year": 2026, "quarter": 1}, (D(2025, 10, 1), D(2025, 12, 31))),
        ({"period": "year", "year": 2026}, (D(2025, 1, 1), D(2025, 12, 31))),
        ({}, (D(2024, 12, 1), D(2025, 11, 30))),
        ({"period": "custom", "start": "2026-03-15", "end": "2026-04-14"}, (D(2026, 2, 12), D(2026, 3, 14))),
    ],
)
def test_the_comparison_is_the_previous_period_of_the_same_length(data, previous):
    period, _form = chosen(**data)
    before = period.previous()
    assert (before.start, before.end) == previous
    if period.kind == "custom":
        assert before.days == period.days


@pytest.mark.parametrize(
    "data",
    [
        {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
        {"period": "custom", "start": "2026-05-01"},
        {"period": "custom", "start": "2010-01-01", "end": "2026-01-01"},
        {"period": "year", "year": 2030},
        {"period": "month", "year": 2026, "month": 13},
        {"period": "week"},
        {"period": "year", "year": "deux-mille"},
    ],
)
def test_an_invalid_choice_shows_an_error_and_the_default_period(data):
    period, form = chosen(**data)
    assert form.errors
    assert period == periods.default(TODAY)


def test_whole_months_and_the_months_a_period_touches():
    assert periods.year(2026).whole_months
    assert not periods.custom(D(2026, 1, 2), D(2026, 1, 31)).whole_months
    assert periods.custom(D(2026, 1, 31), D(2026, 3, 1)).months() == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]


def test_labels_in_french_and_english():
    with translation.override("fr"):
        assert periods.month(2026, 11).label == "novembre 2026"
        assert periods.quarter(2026, 3).label == "T3 2026"
        assert periods.year(2026).label == "2026"
        assert periods.custom(D(2026, 1, 1), D(2026, 12, 31)).label == "du 01/01/2026 au 31/12/2026"
    with translation.override("en"):
        assert periods.month(2026, 11).label == "November 2026"


def test_a_period_gives_back_the_query_that_selects_it():
    for period in [periods.month(2026, 2), periods.quarter(2026, 4), periods.year(2025), periods.default(TODAY)]:
        again, form = chosen(**period.as_query())
        assert not form.errors and again == period
    custom = periods.custom(D(2026, 3, 15), D(2026, 4, 14))
    assert chosen(**custom.as_query())[0] == custom
