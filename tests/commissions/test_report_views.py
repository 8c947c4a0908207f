"""The commission report's pages: asking for it on the meeting's page, its progress polled, downloading it (a
members' version by its requester alone), retrying a failure; outsiders get 404 and write nothing."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from commissions import report as report_module
from commissions.models import CommissionReport, Meeting
from commissions.report import report_build
from commissions.services.meetings import meeting_create
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.commissions.conftest import DAY, TODAY, a_case, at
from tests.pathways.factories import BasinFactory, OrganisationFactory, RegionFactory

Version, Status = CommissionReport.Version, CommissionReport.Status


@pytest.fixture
def meeting(commission, place):
    place.case = a_case(place)
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(TODAY - DAY), status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def outsiders(place):
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    BasinFactory(region=region)
    funder = OrganisationFactory(region=region, funder=True)
    region.scheme_organisation = funder
    region.save()

    def member(org, role, **extra):
        return Membership.objects.create(user=UserFactory(), organisation=org, role=role, **extra).user

    deactivated = Membership.objects.get(user=place.trainer)
    return {
        "other_region_officer": member(funder, Membership.Role.REGIONAL_OFFICER),
        "other_funder_officer": member(
            OrganisationFactory(region=place.region, funder=True), Membership.Role.REGIONAL_OFFICER
        ),
        "non_member_organisation": member(
            OrganisationFactory(region=place.region, prescriber=True), Membership.Role.PRESCRIBER_ADVISER
        ),
        "non_delegate": member(place.training_body, Membership.Role.PEDAGOGICAL_MANAGER),
        "deactivated_delegate": _deactivate(deactivated),
    }


def _deactivate(membership):
    """The trainer (a delegate) leaves the training body: their membership ends."""
    from django.utils import timezone

    Membership.objects.filter(pk=membership.pk).update(is_active=False, deactivated_at=timezone.now())
    return membership.user


def _ready(meeting, user, version):
    report = CommissionReport(meeting=meeting, version=version, requested_by=user, status=Status.READY)
    report.file.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=False)
    report.save()
    return report


def test_a_member_asks_for_the_report_and_follows_its_progress(
    client, place, meeting, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(place.adviser)
    page = reverse("commissions:meeting_detail", args=[meeting.pk])
    assert "Demander le rapport" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("commissions:report_request", args=[meeting.pk]), {"version": "members", "language": "en"}
        )
    assert response.status_code == 302 and response.url.endswith("#rapport")
    report = CommissionReport.objects.get()
    assert (report.version, report.language, report.requested_by, report.status) == (
        Version.MEMBERS,
        "en",
        place.adviser,
        Status.PENDING,
    )
    assert len(callbacks) == 1  # the build task, sent once committed
    polled = reverse("commissions:report_list", args=[meeting.pk])
    fragment = client.get(polled, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 3s"' in fragment and "En attente" in fragment and "<progress" in fragment
    CommissionReport.objects.filter(pk=report.pk).update(stage=CommissionReport.Progress.CASES)
    assert "Cas examinés" in client.get(polled).content.decode()
    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    assert report_build(report.pk) is True
    fragment = client.get(polled).content.decode()
    assert "hx-trigger" not in fragment
    download = reverse("commissions:report_download", args=[report.pk])
    assert download in fragment
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 built"
    assert "rapport-bordeaux-2026-03-09-membres-en.pdf" in response["Content-Disposition"]


def test_asking_twice_while_it_is_built_shares_the_job(client, place, meeting):
    url = reverse("commissions:report_request", args=[meeting.pk])
    for user in (place.adviser, place.coordinator):
        client.force_login(user)
        client.post(url, {"version": "wide", "language": "fr"})
    assert CommissionReport.objects.count() == 1


def test_a_members_version_is_downloaded_by_its_requester_alone(client, place, meeting):
    mine = _ready(meeting, place.adviser, Version.MEMBERS)
    wide = _ready(meeting, place.adviser, Version.WIDE)
    client.force_login(place.coordinator)
    assert client.get(reverse("commissions:report_download", args=[mine.pk])).status_code == 404
    response = client.get(reverse("commissions:report_download", args=[wide.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    listed = client.get(reverse("commissions:report_list", args=[meeting.pk])).content.decode()
    assert reverse("commissions:report_download", args=[wide.pk]) in listed
    assert reverse("commissions:report_download", args=[mine.pk]) not in listed


def test_the_history_lists_the_newest_first_with_who_asked(client, place, meeting):
    older = _ready(meeting, place.coordinator, Version.WIDE)
    newer = _ready(meeting, place.adviser, Version.WIDE)
    client.force_login(place.officer)
    body = client.get(reverse("commissions:meeting_detail", args=[meeting.pk])).content.decode()
    first = body.index(reverse("commissions:report_download", args=[newer.pk]))
    assert first < body.index(reverse("commissions:report_download", args=[older.pk]))
    assert place.adviser.get_full_name() in body


def test_only_the_newest_ready_report_of_each_version_and_language_is_shown_the_older_folded(client, place, meeting):
    """Each report says when it was asked for and when it was built; the earlier ready versions of the same version
    and language wait under "Versions précédentes", as does a failure older than the newest ready one."""
    failed = CommissionReport.objects.create(
        meeting=meeting, version=Version.WIDE, requested_by=place.adviser, status=Status.FAILED
    )
    older = _ready(meeting, place.coordinator, Version.WIDE)
    newer = _ready(meeting, place.adviser, Version.WIDE)
    english = _ready(meeting, place.coordinator, Version.WIDE)
    CommissionReport.objects.filter(pk=english.pk).update(language=CommissionReport.Language.EN)
    built = datetime.datetime(2026, 3, 10, 9, 45, tzinfo=datetime.UTC)
    CommissionReport.objects.filter(pk=newer.pk).update(finished_at=built)
    CommissionReport.objects.create(meeting=meeting, version=Version.WIDE, requested_by=place.coordinator)  # pending
    client.force_login(place.officer)
    for url in (
        reverse("commissions:meeting_detail", args=[meeting.pk]),
        reverse("commissions:report_list", args=[meeting.pk]),
    ):
        body = client.get(url).content.decode()
        shown, folded = body.split("Versions précédentes (2)")
        assert reverse("commissions:report_download", args=[newer.pk]) in shown
        assert reverse("commissions:report_download", args=[english.pk]) in shown
        assert "préparé le 10/03/2026 10:45" in shown
        assert reverse("commissions:report_download", args=[older.pk]) in folded
        assert reverse("commissions:report_retry", args=[failed.pk]) in folded
        assert "<details>" in shown[-400:]
        assert "En préparation" in shown  # asked for since the newest ready one: shown
        assert "En préparation" not in folded


def test_a_failure_is_shown_and_retried_from_the_page(client, place, meeting, django_capture_on_commit_callbacks):
    report = CommissionReport.objects.create(
        meeting=meeting, version=Version.WIDE, requested_by=place.adviser, status=Status.FAILED, error="boom"
    )
    client.force_login(place.trainer)
    body = client.get(reverse("commissions:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Réessayer" in body and "boom" not in body
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("commissions:report_retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == Status.PENDING and len(callbacks) == 1


@pytest.mark.parametrize(
    "who",
    ["other_region_officer", "other_funder_officer", "non_member_organisation", "non_delegate", "deactivated_delegate"],
)
def test_outsiders_get_404_and_write_nothing(client, place, meeting, outsiders, who):
    report = _ready(meeting, place.adviser, Version.WIDE)
    failed = CommissionReport.objects.create(
        meeting=meeting, version=Version.WIDE, language="en", requested_by=place.adviser, status=Status.FAILED
    )
    before = list(CommissionReport.objects.order_by("pk").values_list())
    client.force_login(outsiders[who])
    assert client.get(reverse("commissions:report_list", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("commissions:report_download", args=[report.pk])).status_code == 404
    response = client.post(reverse("commissions:report_request", args=[meeting.pk]), {"version": "wide"})
    assert response.status_code == 404
    assert client.post(reverse("commissions:report_retry", args=[failed.pk])).status_code == 404
    assert list(CommissionReport.objects.order_by("pk").values_list()) == before


def test_anonymous_is_sent_to_login_and_wrong_methods_get_405(client, place, meeting):
    report = _ready(meeting, place.adviser, Version.WIDE)
    for url in (
        reverse("commissions:report_list", args=[meeting.pk]),
        reverse("commissions:report_download", args=[report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response.url
    client.force_login(place.adviser)
    assert client.get(reverse("commissions:report_request", args=[meeting.pk])).status_code == 405
    assert client.get(reverse("commissions:report_retry", args=[report.pk])).status_code == 405
    assert client.post(reverse("commissions:report_list", args=[meeting.pk])).status_code == 405
    assert client.post(reverse("commissions:report_download", args=[report.pk])).status_code == 405


def test_a_cancelled_meeting_offers_no_report(client, place, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    client.force_login(place.adviser)
    assert "Demander le rapport" not in client.get(meeting.get_absolute_url()).content.decode()
    client.post(reverse("commissions:report_request", args=[meeting.pk]), {"version": "wide", "language": "fr"})
    assert not CommissionReport.objects.exists()


@pytest.mark.parametrize("size", [1, 8])
def test_the_polled_list_costs_the_same_whatever_the_history(client, place, meeting, size, django_assert_num_queries):
    for _ in range(size):
        _ready(meeting, place.adviser, Version.WIDE)
        _ready(meeting, place.adviser, Version.MEMBERS)
    client.force_login(place.adviser)
    url = reverse("commissions:report_list", args=[meeting.pk])
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200


LIST_QUERIES = 5  # session, user, memberships, the meeting in scope, its reports
