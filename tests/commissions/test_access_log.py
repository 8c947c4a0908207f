"""The access log of the agenda: a person shown by name on a meeting's page is in their record of who saw their
data (one insert per page); a pseudonymised case writes nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLog
from commissions.models import AgendaItem
from commissions.services.meetings import meeting_create
from tests.commissions.conftest import TODAY, a_case, at

DAY = datetime.timedelta(days=1)


@pytest.fixture
def meeting(commission, place):
    place.case = a_case(place)
    return meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))


def test_a_delegate_who_sees_the_person_by_name_is_logged_once_per_person(client, place, meeting):
    # The same person a second time on the agenda (another of their stages): still one row.
    second = place.stage(pathway=place.case.pathway, start=TODAY - 20 * DAY)
    AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.ENDING, stage=second, on=TODAY)
    person = place.case.pathway.beneficiary
    client.force_login(place.adviser)
    response = client.get(reverse("commissions:meeting_detail", args=[meeting.pk]))
    assert person.full_name in response.content.decode()
    logs = AccessLog.objects.filter(beneficiary=person)
    assert [(log.user, log.view_name, log.acting_organisation, log.action) for log in logs] == [
        (place.adviser, "commissions:meeting_detail", place.prescriber, AccessLog.Action.READ)
    ]


def test_a_reader_who_sees_pseudonyms_only_is_not_logged(client, place, meeting):
    for reader in (place.coordinator, place.officer):
        client.force_login(reader)
        body = client.get(reverse("commissions:meeting_detail", args=[meeting.pk])).content.decode()
        assert place.case.pathway.beneficiary.full_name not in body
    assert not AccessLog.objects.filter(beneficiary=place.case.pathway.beneficiary).exists()


def test_the_page_logs_every_named_person_in_one_insert(client, place, meeting):
    for _ in range(4):
        AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.ENDING, stage=place.stage(), on=TODAY)
    client.force_login(place.trainer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("commissions:meeting_detail", args=[meeting.pk])).status_code == 200
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "accounts_accesslog"')]
    assert len(inserts) == 1
    assert AccessLog.objects.filter(user=place.trainer, view_name="commissions:meeting_detail").count() == 5
    assert set(AccessLog.objects.values_list("acting_organisation", flat=True)) == {place.training_body.pk}


def test_a_decision_on_a_case_is_a_change_of_the_person_s_record(client, place, meeting):
    item = AgendaItem.objects.filter(meeting=meeting, stage=place.case).get()
    client.force_login(place.coordinator)
    response = client.post(
        reverse("commissions:decision_create", args=[item.pk]),
        {"action": "Rappeler la personne", "owner": place.trainer.pk, "due_on": (TODAY + 7 * DAY).isoformat()},
    )
    assert response.status_code == 302
    assert item.decisions.exists()
    logs = AccessLog.objects.filter(beneficiary=place.case.pathway.beneficiary)
    assert [(log.user, log.view_name, log.action) for log in logs] == [
        (place.coordinator, "commissions:decision_create", AccessLog.Action.CHANGE)
    ]


def _ready_report(meeting, user, version):
    from django.core.files.base import ContentFile

    from commissions.models import CommissionReport

    report = CommissionReport(meeting=meeting, version=version, requested_by=user, status=CommissionReport.Status.READY)
    report.file.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=False)
    report.save()
    return report


def test_downloading_a_members_report_logs_the_people_it_names(client, place, meeting):
    from commissions.models import CommissionReport

    person = place.case.pathway.beneficiary
    client.force_login(place.adviser)
    response = client.get(
        reverse(
            "commissions:report_download",
            args=[_ready_report(meeting, place.adviser, CommissionReport.Version.MEMBERS).pk],
        )
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    logs = AccessLog.objects.filter(beneficiary=person)
    assert [(log.user, log.view_name, log.acting_organisation, log.action) for log in logs] == [
        (place.adviser, "commissions:report_download", place.prescriber, AccessLog.Action.READ)
    ]
    # The wide-distribution version names nobody: no row.
    wide = _ready_report(meeting, place.adviser, CommissionReport.Version.WIDE)
    b"".join(client.get(reverse("commissions:report_download", args=[wide.pk])).streaming_content)
    assert AccessLog.objects.filter(beneficiary=person).count() == 1
