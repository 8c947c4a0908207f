"""The commissions' pages: who may see and do what (404 outside, 403 inside but not allowed, login, 405), foreign
POSTs that write nothing, names only for readers who see the person, and query counts that do not grow."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from commissions.models import AgendaItem, Commission, Decision, Meeting, MeetingAttendance
from commissions.services.meetings import meeting_create
from notifications.models import Todo
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.commissions.conftest import TODAY, a_case, at
from tests.pathways.factories import BasinFactory, OrganisationFactory, RegionFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def meeting(commission, place):
    place.case = a_case(place)
    return meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))


@pytest.fixture
def outsiders(place):
    """Regional staff of another region, a regional officer of a funder that does not run the scheme, a member of
    the region who is no delegate, a coordinator of another basin."""
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    BasinFactory(region=region)
    funder = OrganisationFactory(region=region, funder=True)
    region.scheme_organisation = funder
    region.save()

    def member(org, role, **extra):
        return Membership.objects.create(user=UserFactory(), organisation=org, role=role, **extra).user

    return {
        "other_region_officer": member(funder, Membership.Role.REGIONAL_OFFICER),
        "other_funder_officer": member(
            OrganisationFactory(region=place.region, funder=True), Membership.Role.REGIONAL_OFFICER
        ),
        "non_delegate": member(place.training_body, Membership.Role.PEDAGOGICAL_MANAGER),
        "other_coordinator": member(place.funder, Membership.Role.BASIN_COORDINATOR, basin=place.other_basin),
    }


def test_managers_see_every_page(client, place, meeting):
    for manager in (place.coordinator, place.officer):
        client.force_login(manager)
        for url in (
            reverse("commissions:commission_list"),
            reverse("commissions:commission_setup", args=[place.basin.pk]),
            reverse("commissions:commission_detail", args=[meeting.commission_id]),
            reverse("commissions:meeting_create", args=[meeting.commission_id]),
            reverse("commissions:meeting_detail", args=[meeting.pk]),
            reverse("commissions:meeting_ics", args=[meeting.pk]),
        ):
            assert client.get(url).status_code == 200, url


def test_a_delegate_reads_the_commission_but_does_not_run_it(client, place, meeting):
    client.force_login(place.trainer)
    assert client.get(reverse("commissions:commission_detail", args=[meeting.commission_id])).status_code == 200
    assert client.get(reverse("commissions:meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("commissions:meeting_create", args=[meeting.commission_id])).status_code == 403
    assert client.get(reverse("commissions:commission_setup", args=[place.basin.pk])).status_code == 404


@pytest.mark.parametrize("who", ["other_region_officer", "other_funder_officer", "non_delegate", "other_coordinator"])
def test_outsiders_get_404(client, place, meeting, outsiders, who):
    client.force_login(outsiders[who])
    for url in (
        reverse("commissions:commission_setup", args=[place.basin.pk]),
        reverse("commissions:commission_detail", args=[meeting.commission_id]),
        reverse("commissions:meeting_create", args=[meeting.commission_id]),
        reverse("commissions:meeting_detail", args=[meeting.pk]),
        reverse("commissions:meeting_ics", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_other_basins_coordinator_sets_up_theirs_only(client, place, outsiders):
    client.force_login(outsiders["other_coordinator"])
    assert client.get(reverse("commissions:commission_setup", args=[place.other_basin.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, meeting):
    response = client.get(reverse("commissions:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 302 and "next=" in response.url


def test_wrong_methods_get_405(client, place, meeting):
    client.force_login(place.coordinator)
    item = meeting.items.first()
    assert client.post(reverse("commissions:commission_detail", args=[meeting.commission_id])).status_code == 405
    assert client.post(reverse("commissions:meeting_detail", args=[meeting.pk])).status_code == 405
    assert client.get(reverse("commissions:item_add", args=[meeting.pk])).status_code == 405
    assert client.get(reverse("commissions:item_remove", args=[item.pk])).status_code == 405
    assert client.get(reverse("commissions:attendance_record", args=[meeting.pk])).status_code == 405
    assert client.get(reverse("commissions:decision_create", args=[item.pk])).status_code == 405


def _snapshot():
    return (
        list(Commission.objects.values_list("pk", "cadence_weeks", "usual_place")),
        list(Meeting.objects.values_list("pk", "status", "starts_at", "sequence")),
        list(AgendaItem.objects.values_list("pk", "removed_at")),
        MeetingAttendance.objects.count(),
        Decision.objects.count(),
        Todo.objects.count(),
    )


def test_foreign_posts_write_nothing(client, place, meeting, outsiders):
    item = meeting.items.first()
    delegate = meeting.commission.delegates.first()
    posts = [
        (
            reverse("commissions:commission_setup", args=[place.basin.pk]),
            {"cadence_weeks": 2, "waiting_threshold_days": 10, "organisations": [place.training_body.pk]},
        ),
        (reverse("commissions:meeting_create", args=[meeting.commission_id]), {"starts_at": "2026-04-01T10:00"}),
        (
            reverse("commissions:meeting_edit", args=[meeting.pk]),
            {"starts_at": "2026-04-01T10:00", "duration_minutes": 60},
        ),
        (reverse("commissions:meeting_cancel", args=[meeting.pk]), {"reason": "Annulée par un intrus"}),
        (reverse("commissions:item_add", args=[meeting.pk]), {"title": "Point ajouté"}),
        (reverse("commissions:item_remove", args=[item.pk]), {}),
        (reverse("commissions:attendance_record", args=[meeting.pk]), {"present": [delegate.pk]}),
        (
            reverse("commissions:decision_create", args=[item.pk]),
            {"action": "Rappeler", "owner": place.trainer.pk, "due_on": "2026-04-01"},
        ),
    ]
    before = _snapshot()
    for user in [*outsiders.values(), place.trainer, place.adviser, None]:
        client.logout()
        if user is not None:
            client.force_login(user)
        for url, data in posts:
            assert client.post(url, data).status_code in (302, 403, 404), (user, url)
    assert _snapshot() == before


def test_the_coordinator_runs_the_meeting_through_the_pages(client, place, meeting):
    client.force_login(place.coordinator)
    item = meeting.items.get(stage=place.case)
    response = client.post(
        reverse("commissions:decision_create", args=[item.pk]),
        {"action": "Proposer une autre session", "owner": place.adviser.pk, "due_on": "2026-04-01"},
    )
    assert response.status_code == 302
    assert Todo.objects.filter(owner=place.adviser, title="Proposer une autre session").exists()
    delegate = meeting.commission.delegates.get(user=place.trainer)
    client.post(reverse("commissions:attendance_record", args=[meeting.pk]), {"present": [delegate.pk]})
    assert MeetingAttendance.objects.get(meeting=meeting, user=place.trainer).present
    client.post(reverse("commissions:item_add", args=[meeting.pk]), {"title": "Transport"})
    assert meeting.items.filter(title="Transport").exists()


def test_the_coordinator_sets_up_a_commission_through_the_page(client, place):
    client.force_login(place.coordinator)
    membership = Membership.objects.get(user=place.trainer)
    response = client.post(
        reverse("commissions:commission_setup", args=[place.basin.pk]),
        {
            "cadence_weeks": 8,
            "waiting_threshold_days": 30,
            "usual_place": "Cenon",
            "organisations": [place.training_body.pk],
            "delegates": [membership.pk],
        },
    )
    commission = Commission.objects.get(basin=place.basin)
    assert response.status_code == 302 and response.url == commission.get_absolute_url()
    assert (commission.cadence_weeks, [d.user for d in commission.delegates.all()]) == (8, [place.trainer])


def test_the_setup_page_lists_the_possible_delegates_under_their_organisation(client, place):
    import re

    client.force_login(place.coordinator)
    page = client.get(reverse("commissions:commission_setup", args=[place.basin.pk])).content.decode()
    delegates = page[page.index('name="delegates"') - 2000 :]
    groups = re.findall(r"<strong>([^<]+)</strong>", delegates)
    assert place.training_body.name in groups and place.prescriber.name in groups
    trainer = place.trainer.get_full_name()
    assert f"{trainer} (Formateur·rice)" in delegates or f"{trainer} (" in delegates
    assert f"{trainer} · {place.training_body.name}" not in delegates  # said once, by its group


def test_names_only_for_readers_who_see_the_person(client, place, meeting, outsiders):
    person = place.case.pathway.beneficiary
    person.first_name, person.last_name = "Prénom-Marqueur", "NOM-MARQUEUR"
    person.save()
    url = reverse("commissions:meeting_detail", args=[meeting.pk])
    client.force_login(place.adviser)
    assert person.full_name in client.get(url).content.decode()
    for reader in (place.coordinator, place.officer, place.other_adviser):
        client.force_login(reader)
        body = client.get(url).content.decode()
        assert person.first_name not in body and person.last_name not in body, reader
        assert "Personne 1" in body


def test_checklist_risks_are_never_shown_to_funders(client, place, meeting):
    stage = place.stage()
    AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.CHECKLIST, stage=stage, on=TODAY)
    label = escape(str(AgendaItem.Kind.CHECKLIST.label))
    url = reverse("commissions:meeting_detail", args=[meeting.pk])
    client.force_login(place.trainer)
    assert label in client.get(url).content.decode()
    for funder_staff in (place.coordinator, place.officer):
        client.force_login(funder_staff)
        assert label not in client.get(url).content.decode()


def _grow(place, meeting, n):
    for _ in range(n):
        stage = place.stage()
        AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.ENDING, stage=stage, on=TODAY)
        Decision.objects.create(
            meeting=meeting, item=meeting.items.last(), action="Rappeler", owner=place.adviser, due_on=TODAY
        )
        meeting_create(commission=meeting.commission, by=place.coordinator, starts_at=at(TODAY - 60 * DAY))


@pytest.mark.parametrize("size", [1, 8])
def test_query_counts_do_not_grow_with_the_data(client, place, meeting, size, django_assert_max_num_queries):
    _grow(place, meeting, size)
    for user in (place.coordinator, place.adviser):
        client.force_login(user)
        for url, most in (
            (reverse("commissions:commission_list"), 8),
            (reverse("commissions:commission_detail", args=[meeting.commission_id]), 9),
            (reverse("commissions:meeting_detail", args=[meeting.pk]), 15),  # + the access log's insert, its reports
        ):
            with django_assert_max_num_queries(most):
                assert client.get(url).status_code == 200


def test_the_menu_shows_commissions_to_managers_and_delegates_only(client, place, meeting, outsiders):
    for user, shown in (
        (place.coordinator, True),
        (place.officer, True),
        (place.trainer, True),
        (outsiders["non_delegate"], False),
    ):
        client.force_login(user)
        body = client.get(reverse("notifications:todo_list")).content.decode()
        assert (reverse("commissions:commission_list") in body) is shown, user


def test_a_delegate_may_not_move_a_meeting(client, place, meeting):
    client.force_login(place.trainer)
    url = reverse("commissions:meeting_edit", args=[meeting.pk])
    assert client.post(url, {"starts_at": "2026-04-01T10:00", "duration_minutes": 60}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    client.force_login(place.coordinator)
    assert client.post(url, {"starts_at": "2026-04-01T10:00", "duration_minutes": 60}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
