"""The session calendar: half-days from the session's dates and weekdays, without French public holidays; working
days for escalations; cancelled half-days and company periods."""

import datetime

import pytest

from attendance.models import Slot
from attendance.services import calendar_generate, slot_cancel
from core.calendar import holiday_name, is_working_day, subdivision, working_days_between
from tests.attendance.conftest import END, START
from tests.pathways.factories import CommuneFactory, SessionFactory

D = datetime.date


def test_public_holidays_are_french_and_named_in_french():
    assert holiday_name(D(2026, 5, 14)) == "Ascension"
    assert holiday_name(D(2026, 5, 25)) == "Lundi de Pentecôte"
    assert holiday_name(D(2026, 7, 14)) == "Fête nationale"
    assert holiday_name(D(2026, 5, 13)) is None


def test_working_days_skip_weekends_and_holidays():
    assert is_working_day(D(2026, 5, 13)) and not is_working_day(D(2026, 5, 14)) and not is_working_day(D(2026, 5, 16))
    # Friday 8 May is a holiday: from Thursday 7 to Monday 11 is one working day.
    assert working_days_between(D(2026, 5, 7), D(2026, 5, 11)) == 1
    assert working_days_between(D(2026, 5, 11), D(2026, 5, 15)) == 3  # 12, 13, 15 (14 is Ascension)
    assert working_days_between(D(2026, 5, 11), D(2026, 5, 11)) == 0
    assert working_days_between(D(2026, 5, 11), D(2026, 5, 4)) == 0


def test_the_public_holidays_are_those_of_the_place():
    """Alsace-Moselle and the overseas departments have public holidays of their own (issue 21)."""
    good_friday = D(2026, 4, 3)
    assert holiday_name(good_friday) is None and is_working_day(good_friday)
    for department in ("67", "68", "57"):
        assert holiday_name(good_friday, subdivision(department)) == "Vendredi saint"
        assert not is_working_day(good_friday, subdivision(department))
    assert holiday_name(D(2026, 5, 27), subdivision("971")) == "Abolition de l'esclavage"  # Guadeloupe
    assert holiday_name(D(2026, 5, 27)) is None
    assert subdivision("33") is None and subdivision("") is None and subdivision(None) is None
    # Thursday 2 to Monday 6 April 2026: Friday and Monday (Easter Monday, everywhere) in metropolitan France,
    # Monday only in Alsace.
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 6)) == 1
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 6), subdivision("67")) == 0


def test_working_days_are_counted_across_new_year():
    # Wednesday 30 December 2026 → Monday 4 January 2027: the 31st and the 4th (1 January is a holiday).
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2
    # Alsace: Friday 26 December 2025 (St Stephen's Day) is off as well.
    assert working_days_between(D(2025, 12, 24), D(2025, 12, 29)) == 2
    assert working_days_between(D(2025, 12, 24), D(2025, 12, 29), subdivision("67")) == 1


@pytest.mark.django_db
def test_a_session_in_alsace_has_no_half_day_on_good_friday():
    strasbourg = CommuneFactory(code="67482", name="Strasbourg", department="67")
    session = SessionFactory(start_date=D(2026, 3, 30), end_date=D(2026, 4, 10), commune=strasbourg)
    calendar_generate(session=session)
    days = set(Slot.objects.filter(session=session).values_list("date", flat=True))
    assert D(2026, 4, 3) not in days and D(2026, 4, 6) not in days and D(2026, 4, 2) in days
    metropolitan = SessionFactory(start_date=D(2026, 3, 30), end_date=D(2026, 4, 10))
    calendar_generate(session=metropolitan)
    assert D(2026, 4, 3) in set(Slot.objects.filter(session=metropolitan).values_list("date", flat=True))


@pytest.mark.django_db
def test_the_calendar_has_two_half_days_per_training_day_without_holidays(klass):
    days = sorted(set(Slot.objects.filter(session=klass.session).values_list("date", flat=True)))
    assert D(2026, 5, 8) not in days and D(2026, 5, 14) not in days and D(2026, 5, 25) not in days
    assert all(day.weekday() < 5 for day in days)
    assert days[0] == START and days[-1] == END
    # 8 weeks of 5 days, minus 3 holidays
    assert len(days) == 37
    assert Slot.objects.filter(session=klass.session).count() == 74


@pytest.mark.django_db
def test_half_days_carry_the_session_hours(klass):
    morning = klass.slot(START, "am")
    afternoon = klass.slot(START, "pm")
    assert (morning.starts_at, morning.ends_at) == (datetime.time(9), datetime.time(12, 30))
    assert (afternoon.starts_at, afternoon.ends_at) == (datetime.time(13, 30), datetime.time(17))
    assert morning.hours == 3.5


@pytest.mark.django_db
def test_only_the_session_weekdays_are_used():
    session = SessionFactory(start_date=D(2026, 6, 1), end_date=D(2026, 6, 14), weekdays=1 | 4)  # Mon and Wed
    calendar_generate(session=session)
    days = sorted(set(Slot.objects.filter(session=session).values_list("date", flat=True)))
    assert days == [D(2026, 6, 1), D(2026, 6, 3), D(2026, 6, 8), D(2026, 6, 10)]


@pytest.mark.django_db
def test_generating_twice_changes_nothing_and_a_date_change_keeps_marked_days(klass):
    assert calendar_generate(session=klass.session) == (0, 0)
    klass.mark(klass.stages[0], END, "present", periods=("am",))
    klass.session.end_date = D(2026, 6, 19)
    klass.session.save()
    created, removed = calendar_generate(session=klass.session)
    assert created == 0
    assert removed == 9  # 22–25 June (4 days × 2) and 26 June afternoon; the marked morning stays
    assert Slot.objects.filter(session=klass.session, date=END).count() == 1


@pytest.mark.django_db
def test_a_cancelled_half_day_needs_a_reason(klass):
    slot = klass.slot(D(2026, 5, 12))
    with pytest.raises(Exception, match="annulée"):
        slot_cancel(slot=slot, by=klass.trainer, reason="  ")
    slot_cancel(slot=slot, by=klass.trainer, reason="Fermeture pour formation des formateurs")
    slot.refresh_from_db()
    assert slot.cancelled and slot.cancel_reason.startswith("Fermeture")


@pytest.mark.django_db
def test_company_periods_are_added_and_removed_by_the_body_staff_only(klass, client_for):
    from django.urls import reverse

    from attendance.models import CompanyPeriod
    from pathways.models import Membership
    from tests.accounts.factories import UserFactory
    from tests.pathways.factories import OrganisationFactory

    client = client_for(klass.trainer)
    response = client.post(
        reverse("attendance:company_period_create", args=[klass.session.pk]),
        {"kind": "alternance", "start_date": "2026-06-01", "end_date": "2026-06-05"},
    )
    assert response.status_code == 302
    period = CompanyPeriod.objects.get()
    assert (period.stage, period.created_by) == (None, klass.trainer)
    outsider = Membership.objects.create(user=UserFactory(), organisation=OrganisationFactory(), role="trainer").user
    delete = reverse("attendance:company_period_delete", args=[period.pk])
    assert client_for(outsider).post(delete).status_code == 404
    assert client_for(klass.trainer).post(delete).status_code == 302
    assert not CompanyPeriod.objects.exists()


@pytest.mark.django_db
def test_a_company_period_ending_before_it_starts_is_refused(klass, client_for):
    from django.urls import reverse

    from attendance.models import CompanyPeriod

    client_for(klass.trainer).post(
        reverse("attendance:company_period_create", args=[klass.session.pk]),
        {"kind": "immersion", "start_date": "2026-06-05", "end_date": "2026-06-01"},
    )
    assert not CompanyPeriod.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "abc", ""])
def test_a_month_without_neighbours_or_no_month_shows_the_session_s_month(klass, client_for, month):
    from django.urls import reverse

    response = client_for(klass.trainer).get(reverse("attendance:calendar", args=[klass.session.pk]), {"mois": month})
    assert response.status_code == 200
    assert response.context["month"].year not in (1, 9999)
