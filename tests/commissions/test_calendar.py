"""The month calendar of the commissions' meetings (issue 19, "planned in a calendar"): each meeting on its local day
for whoever sees its commission (the list's scope), nothing of another region's or of a commission one does not sit
on; cancelled meetings struck through and labelled; the dates the cadence proposes, to plan, only for who runs the
commission, linking to the planning form filled with that day; month navigation; a bounded number of queries."""

import datetime
import re

import pytest
from django.urls import reverse

from commissions.models import Commission, Meeting
from commissions.services.meetings import meeting_create
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.commissions.conftest import PARIS, TODAY, at
from tests.pathways.factories import BasinFactory, OrganisationFactory, RegionFactory

DAY = datetime.timedelta(days=1)
URL = reverse("commissions:meeting_calendar")


def member(org, role, **extra):
    return Membership.objects.create(user=UserFactory(), organisation=org, role=role, **extra).user


@pytest.fixture
def cal(place, commission):
    """Bordeaux's commission (every six weeks): a meeting held a week ago, one planned in a week, one cancelled, one
    late on the last evening of March; Libourne's (same region, its own coordinator) with a meeting; another region's
    with its own."""
    held = Meeting.objects.create(commission=commission, starts_at=at(TODAY - 7 * DAY), status=Meeting.Status.HELD)
    planned = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    cancelled = Meeting.objects.create(
        commission=commission, starts_at=at(TODAY + 10 * DAY, 9), status=Meeting.Status.CANCELLED
    )
    evening = Meeting.objects.create(
        commission=commission,
        starts_at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=PARIS),  # 21:30 UTC: still 31 March in Paris
        status=Meeting.Status.CANCELLED,
    )
    libourne = Commission.objects.create(basin=place.other_basin, name="Commission de Libourne", cadence_weeks=4)
    libourne_meeting = Meeting.objects.create(commission=libourne, starts_at=at(TODAY + 2 * DAY, 10))
    libourne_coordinator = member(place.funder, Membership.Role.BASIN_COORDINATOR, basin=place.other_basin)
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    far_basin = BasinFactory(region=region, code="8401", name="Vienne-Isère")
    funder = OrganisationFactory(region=region, funder=True)
    region.scheme_organisation = funder
    region.save()
    far = Commission.objects.create(basin=far_basin, name="Commission de Vienne-Isère", cadence_weeks=6)
    far_meeting = Meeting.objects.create(commission=far, starts_at=at(TODAY + 3 * DAY))
    return {
        "held": held,
        "planned": planned,
        "cancelled": cancelled,
        "evening": evening,
        "libourne": libourne,
        "libourne_meeting": libourne_meeting,
        "libourne_coordinator": libourne_coordinator,
        "far_meeting": far_meeting,
        "far_officer": member(funder, Membership.Role.REGIONAL_OFFICER),
        "non_delegate": member(place.training_body, Membership.Role.PEDAGOGICAL_MANAGER),
    }


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def day_cell(body, heading):
    """What the phone list shows under a day's row heading ("Mardi 17"), up to the next day."""
    listed = body[body.index("jour par jour") :]
    start = listed.index(f'<th scope="row">{heading}</th>')
    end = min(i for i in (listed.find('<th scope="row">', start + 1), listed.index("</tbody>", start)) if i > 0)
    return listed[start:end]


def test_a_delegate_sees_the_meetings_of_their_commission_on_their_days(client, place, cal):
    body = page(client, place.trainer)
    assert "mars 2026" in body
    assert cal["planned"].get_absolute_url() in day_cell(body, "Mardi 17")
    assert cal["held"].get_absolute_url() in day_cell(body, "Mardi 3") and "Tenue" in day_cell(body, "Mardi 3")
    assert "14:00" in day_cell(body, "Mardi 17") and "Bordeaux" in day_cell(body, "Mardi 17")
    assert cal["evening"].get_absolute_url() in day_cell(body, "Mardi 31")
    # Libourne's and the other region's commissions are not the trainer's: not a word of them
    assert cal["libourne_meeting"].get_absolute_url() not in body and "Libourne" not in body
    assert cal["far_meeting"].get_absolute_url() not in body and "Vienne-Isère" not in body
    # a delegate plans nothing: no date proposed
    assert (
        "calendar-proposed" not in body
        and reverse("commissions:meeting_create", args=[cal["planned"].commission_id]) not in body
    )
    # no person's name on the page (the delegates of the commission included)
    for user in (place.adviser, place.other_adviser, place.coordinator):
        assert user.last_name not in body


def test_a_cancelled_meeting_is_labelled_and_struck_through_not_only_coloured(client, place, cal):
    cell = day_cell(page(client, place.coordinator), "Vendredi 20")
    assert cal["cancelled"].get_absolute_url() in cell
    assert "Annulée" in cell
    assert re.search(r"<s>\s*09:00", cell)


def test_the_officer_sees_every_commission_of_the_region_and_filters_one(client, place, cal):
    body = page(client, place.officer)
    assert cal["libourne_meeting"].get_absolute_url() in day_cell(body, "Jeudi 12")
    assert cal["planned"].get_absolute_url() in body
    assert "Vienne-Isère" not in body and cal["far_meeting"].get_absolute_url() not in body
    assert 'name="commission"' in body  # they see several commissions: the filter
    only = page(client, place.officer, commission=cal["libourne"].pk)
    assert cal["libourne_meeting"].get_absolute_url() in only
    assert cal["planned"].get_absolute_url() not in only
    assert f"commission={cal['libourne'].pk}" in only  # the month links keep the filter


def test_a_foreign_or_absurd_commission_filter_reads_as_absent(client, place, cal):
    far = Commission.objects.get(name="Commission de Vienne-Isère")
    for value in (far.pk, cal["libourne"].pk, "abc", "-1", "9" * 30):
        body = page(client, place.trainer, commission=value)
        assert cal["planned"].get_absolute_url() in body
        assert "Vienne-Isère" not in body and "Libourne" not in body


def test_other_regions_and_non_delegates_see_none_of_these_meetings(client, place, cal):
    body = page(client, cal["far_officer"])
    assert cal["far_meeting"].get_absolute_url() in day_cell(body, "Vendredi 13")
    assert "Bordeaux" not in body and "Libourne" not in body
    body = page(client, cal["non_delegate"])
    assert "Bordeaux" not in body and "Vienne-Isère" not in body and "Libourne" not in body
    assert "/commissions/reunions/" not in body
    body = page(client, cal["libourne_coordinator"])
    assert cal["libourne_meeting"].get_absolute_url() in body and "Bordeaux" not in body


def test_the_cadence_proposes_dates_to_plan_to_who_runs_the_commission_only(client, place, cal):
    # Bordeaux: every six weeks after its last meeting not cancelled (17 March, 14:00): 28 April
    create = reverse("commissions:meeting_create", args=[cal["planned"].commission_id])
    march = page(client, place.coordinator)
    assert "calendar-proposed" not in march
    april = page(client, place.coordinator, mois="2026-04")
    cell = day_cell(april, "Mardi 28")
    assert "À planifier" in cell and f"{create}?jour=2026-04-28" in cell and "14:00" in cell
    assert april.count(f"{create}?jour=") == 2  # the grid and the phone list, one date each
    june = page(client, place.coordinator, mois="2026-06")
    assert f"{create}?jour=2026-06-09" in june
    # the coordinator of Libourne runs only Libourne: its cadence, not Bordeaux's
    libourne = page(client, cal["libourne_coordinator"], mois="2026-04")
    assert f"{create}?jour=" not in libourne
    assert reverse("commissions:meeting_create", args=[cal["libourne"].pk]) + "?jour=2026-04-09" in libourne
    # a delegate sees the month, nothing to plan
    assert "calendar-proposed" not in page(client, place.trainer, mois="2026-04")


def test_a_planned_date_is_no_longer_proposed(client, place, cal):
    meeting_create(commission=cal["planned"].commission, by=place.coordinator, starts_at=at(datetime.date(2026, 4, 28)))
    body = page(client, place.coordinator, mois="2026-04")
    assert "?jour=2026-04-28" not in body
    assert "calendar-proposed" not in body


def test_the_planning_form_takes_the_proposed_day(client, place, cal):
    client.force_login(place.coordinator)
    create = reverse("commissions:meeting_create", args=[cal["planned"].commission_id])
    body = client.get(create, {"jour": "2026-04-21"}).content.decode()
    assert 'value="2026-04-21T14:00"' in body
    # an absurd day, or one the form would refuse (beyond two years), reads as absent: the cadence's date
    for value in ("2026-13-40", "demain", "2031-01-01", "0001-01-01", ""):
        body = client.get(create, {"jour": value}).content.decode()
        assert 'value="2026-04-28T14:00"' in body, value
    # a delegate still may not plan, whatever the day
    client.force_login(place.trainer)
    assert client.get(create, {"jour": "2026-04-21"}).status_code == 403


def test_month_navigation_and_today(client, place, cal):
    body = page(client, place.trainer, mois="2026-04")
    assert "avril 2026" in body.lower()
    assert "?mois=2026-03" in body and "?mois=2026-05" in body
    assert cal["planned"].get_absolute_url() not in body
    assert cal["evening"].get_absolute_url() not in body  # 31 March 23:30 in Paris, 1 April in UTC: March's
    january = page(client, place.trainer, mois="2027-01")
    assert "?mois=2026-12" in january and "?mois=2027-02" in january
    assert re.search(r'href="\?mois=2026-03"[^>]*>\s*Aujourd', january)


@pytest.mark.parametrize("value", ["2026-13", "mars", "2026-3", "0001-01", "9999-12", "2026-03-01", "²"])
def test_an_absurd_month_shows_the_current_one(client, place, cal, value):
    body = page(client, place.trainer, mois=value)
    assert "mars 2026" in body
    assert cal["planned"].get_absolute_url() in body


def test_the_page_is_accessible_markup(client, place, cal):
    body = page(client, place.officer)
    assert body.count("<caption") == 2 and '<th scope="col">' in body
    assert '<span class="visually-hidden">lundi</span>' in body  # the columns' full day names
    assert '<span class="visually-hidden">mardi 17 mars</span>' in body
    assert 'aria-current="date"' in body
    assert '<label class="form-label" for="calendar-commission">' in body


def test_the_list_and_the_commission_page_link_to_the_calendar(client, place, cal):
    client.force_login(place.trainer)
    assert URL in client.get(reverse("commissions:commission_list")).content.decode()
    detail = client.get(cal["planned"].commission.get_absolute_url()).content.decode()
    assert f"{URL}?commission={cal['planned'].commission_id}" in detail


def test_the_query_count_does_not_grow_with_the_meetings(client, place, cal, django_assert_max_num_queries):
    client.force_login(place.officer)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for day in range(1, 29):
        Meeting.objects.create(commission=cal["libourne"], starts_at=at(datetime.date(2026, 3, day), 8))
        Meeting.objects.create(commission=cal["planned"].commission, starts_at=at(datetime.date(2026, 3, day), 16))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(URL).content.decode()
    assert body.count("16:00") >= 56
