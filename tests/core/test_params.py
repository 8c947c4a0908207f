import datetime

import pytest

from core.params import MAX_ID, parse_day, parse_id, parse_month


@pytest.mark.parametrize("value", [None, "", " ", "0", "-1", "abc", "²", "١٢", "1.5", "1e3", str(MAX_ID + 1), "9" * 25])
def test_a_value_that_names_no_id_reads_as_none(value):
    assert parse_id(value) is None


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID)])
def test_an_id_is_read(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize("value", [None, "", "2026-13", "2026-1", "9999-12", "0001-01", "10000-01", "2026-02-01", "x"])
def test_a_month_without_neighbours_or_not_a_month_reads_as_none(value):
    assert parse_month(value) is None


def test_a_month_is_its_first_day():
    assert parse_month("2026-11") == datetime.date(2026, 11, 1)
    assert parse_month("9998-12") == datetime.date(9998, 12, 1)


@pytest.mark.parametrize("value", [None, "", "2026-02-30", "20261105", "9999-12-31", "0001-01-01", "2026-11-05x"])
def test_a_day_without_neighbours_or_not_a_day_reads_as_none(value):
    assert parse_day(value) is None


def test_a_day_is_read():
    assert parse_day("2026-11-05") == datetime.date(2026, 11, 5)
