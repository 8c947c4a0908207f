"""The commission report (PDF built by a worker): its content in both versions, its progress, the shared job, the
stale job retried by the sweeper, the failure retried by its reader, the English version, the fixed query count."""

import datetime
import io
import re

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from commissions import report as report_module
from commissions.models import AgendaItem, CommissionReport, Decision, Meeting, MeetingAttendance
from commissions.report import report_build, report_context, report_sweep
from commissions.services.meetings import meeting_create
from commissions.services.reports import report_request, report_retry
from core.pdf import weasyprint_available
from dashboards.rollups import rebuild
from notifications.todos import todo_set
from ruptures.models import Rupture
from speaking_groups.models import CaseEntry, PostRuptureCase
from tests.accounts.factories import UserFactory
from tests.commissions.conftest import DAY, TODAY, a_case, at
from tests.conftest import require_service
from tests.pathways.factories import OrganisationFactory

Version, Status, Progress = CommissionReport.Version, CommissionReport.Status, CommissionReport.Progress
FACILITATOR_NOTE = "NOTE-ANIMATRICE-CONFIDENTIELLE"


@pytest.fixture
def held(commission, place):
    """A meeting held yesterday, its case (a named person) reviewed with a decision still open, the attendance
    noted; a facilitator's confidential notes on the same person's rupture."""
    place.case = a_case(place)
    person = place.case.pathway.beneficiary
    person.first_name, person.last_name = "Prénom-Marqueur", "NOM-MARQUEUR"
    person.save()
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - 20 * DAY))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(TODAY - DAY), status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    item = meeting.items.get(stage=place.case)
    decision = Decision.objects.create(
        meeting=meeting, item=item, action="Proposer une immersion", owner=place.adviser, due_on=TODAY + 14 * DAY
    )
    todo_set(
        source_key=decision.source_key,
        owner=place.adviser,
        title=decision.action,
        context="",
        due_on=decision.due_on,
        url="/",
        by=place.coordinator,
    )
    for delegate in commission.delegates.all():
        MeetingAttendance.objects.create(
            meeting=meeting, organisation=delegate.organisation, user=delegate.user, present=True
        )
    support = OrganisationFactory(region=place.region, support=True)
    case = PostRuptureCase.objects.create(
        rupture=Rupture.objects.get(stage=place.case), support_organisation=support, notes=FACILITATOR_NOTE
    )
    CaseEntry.objects.create(case=case, kind=CaseEntry.Kind.CONTACT, on=TODAY - DAY, text=FACILITATOR_NOTE)
    for _ in range(6):
        place.stage()
    rebuild()
    return meeting


def _text(report) -> str:
    report.refresh_from_db()
    assert report.status == Status.READY, report.error
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _built(meeting, user, version, language="fr"):
    report, _created = report_request(meeting=meeting, version=version, language=language, by=user)
    assert report_build(report.pk) is True
    return report


def test_the_members_version_names_the_cases_the_requester_sees(place, held):
    require_service(*weasyprint_available())
    text = _text(_built(held, place.adviser, Version.MEMBERS))
    assert "Rapport de commission" in text and held.commission.name in text and "Bordeaux" in text
    assert "Prénom-Marqueur NOM-MARQUEUR" in text  # the adviser's organisation prescribed the person
    assert "Proposer une immersion" in text and "Actions ouvertes" in text
    # the basin's key figures and charts, the scorecard
    assert "Chiffres clés du bassin Bordeaux" in text and "Taux de rupture" in text
    assert "Tableau des engagements" in text
    assert "Présences" in text and "INSUP Cenon" in text
    assert FACILITATOR_NOTE not in text


def test_the_members_version_pseudonymises_what_the_requester_may_not_see(place, held):
    require_service(*weasyprint_available())
    text = _text(_built(held, place.coordinator, Version.MEMBERS))
    assert "NOM-MARQUEUR" not in text and "Personne 1" in text
    assert FACILITATOR_NOTE not in text


def test_the_wide_version_names_no_one(place, held):
    require_service(*weasyprint_available())
    text = _text(_built(held, place.adviser, Version.WIDE))
    assert "Personne 1" in text and "Proposer une immersion" in text
    people = [place.case.pathway.beneficiary, place.adviser, place.trainer, place.other_adviser, place.coordinator]
    for person in people:
        for name in (person.first_name, person.last_name):
            assert name and name not in text, name
    assert FACILITATOR_NOTE not in text
    assert "Version pour diffusion large" in text


def test_checklist_risks_are_never_in_the_wide_version(place, held):
    require_service(*weasyprint_available())
    AgendaItem.objects.create(meeting=held, kind=AgendaItem.Kind.CHECKLIST, stage=place.stage(), on=TODAY)
    label = str(AgendaItem.Kind.CHECKLIST.label)
    assert label in _text(_built(held, place.trainer, Version.MEMBERS))
    assert label not in _text(_built(held, place.trainer, Version.WIDE))


def test_the_english_version(place, held):
    require_service(*weasyprint_available())
    text = _text(_built(held, place.adviser, Version.WIDE, language="en"))
    assert "9 Mar 2026" in text and "9 mars 2026" not in text  # the English formats, day first (config/formats/en)
    with translation.override("en"):
        compiled = gettext("Taux de rupture") != "Taux de rupture"
    if compiled:  # the project's catalogue, once compiled (`make install`)
        assert "Person 1" in text and "Personne 1" not in text
        assert "Rupture rate" in text and "Taux de rupture" not in text


def test_progress_goes_through_each_stage(place, held, monkeypatch):
    report, _created = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    assert report.stage == Progress.QUEUED and report.progress_step == 0
    seen = []
    real = report_module._progress

    def spy(report_id, stage, **extra):
        real(report_id, stage, **extra)
        seen.append(CommissionReport.objects.values_list("stage", flat=True).get(pk=report_id))

    monkeypatch.setattr(report_module, "_progress", spy)
    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    assert report_build(report.pk) is True
    assert seen == [Progress.FIGURES, Progress.CHARTS, Progress.CASES, Progress.RENDERING]
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 1


def test_two_requests_share_the_job_and_building_twice_builds_once(place, held, monkeypatch):
    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    first, created = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    again, created_again = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.trainer)
    assert created and not created_again and again.pk == first.pk
    # the members' version is the requester's own: another member gets their own job
    mine, _ = report_request(meeting=held, version=Version.MEMBERS, language="fr", by=place.adviser)
    theirs, _ = report_request(meeting=held, version=Version.MEMBERS, language="fr", by=place.trainer)
    same, _ = report_request(meeting=held, version=Version.MEMBERS, language="fr", by=place.trainer)
    assert mine.pk != theirs.pk and same.pk == theirs.pk
    assert CommissionReport.objects.count() == 3
    assert report_build(first.pk) is True
    assert report_build(first.pk) is False  # the task run twice: built once
    # once built, a new request is a new report
    _newer, created = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.trainer)
    assert created


def test_a_report_left_by_a_lost_worker_is_built_by_the_sweeper(place, held, monkeypatch):
    import time_machine

    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    # a worker claimed it, got as far as the charts and died: its lease ends
    CommissionReport.objects.filter(pk=report.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=10), stage=Progress.CHARTS, attempts=1
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        assert report_sweep() == 0  # still held
        assert report_build(report.pk) is False
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11), tick=False):
        assert report_sweep() == 1
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 2


def test_a_report_stuck_too_long_is_marked_failed_and_retried_by_its_reader(client, place, held, monkeypatch):
    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    CommissionReport.objects.filter(pk=report.pk).update(attempts=F("attempts") + 3)
    stuck, _ = report_request(meeting=held, version=Version.MEMBERS, language="fr", by=place.adviser)
    assert report_sweep(now=timezone.now() + datetime.timedelta(hours=2)) == 0
    for row in (report, stuck):
        row.refresh_from_db()
        assert row.status == Status.FAILED
    client.force_login(place.trainer)
    page = client.get(reverse("commissions:meeting_detail", args=[held.pk])).content.decode()
    assert "Réessayer" in page and "La préparation du rapport a échoué." in page
    response = client.post(reverse("commissions:report_retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.PENDING and report.attempts == 0 and report.error == ""
    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    assert report_build(report.pk) is True


def test_a_failing_build_is_shown_failed_and_can_be_retried(place, held, monkeypatch):
    def broken(template, context):
        raise ValueError("no fonts")

    monkeypatch.setattr(report_module, "render_pdf", broken)
    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    assert report_build(report.pk) is False
    report.refresh_from_db()
    assert report.status == Status.FAILED and "no fonts" in report.error
    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    report_retry(report=report, by=place.trainer)
    assert report_build(report.pk) is True


def test_a_cancelled_meeting_has_no_report(place, held):
    from django.core.exceptions import ValidationError

    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.CANCELLED)
    held.refresh_from_db()
    with pytest.raises(ValidationError):
        report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)


def test_the_period_is_since_the_previous_meeting_or_the_year_up_to_the_first_meeting(place, held):
    day = TODAY - DAY
    first = report_module.report_period(held, None)
    assert (first.start, first.end) == (day - 364 * DAY, day)  # the meeting's day included
    previous = Meeting(starts_at=at(day - 42 * DAY))
    period = report_module.report_period(held, previous)
    assert (period.start, period.end) == (day - 41 * DAY, day)


def _grow(place, meeting, n):
    for _ in range(n):
        stage = place.stage()
        item = AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.ENDING, stage=stage, on=TODAY)
        Decision.objects.create(meeting=meeting, item=item, action="Rappeler", owner=place.adviser, due_on=TODAY)
        user = UserFactory()
        MeetingAttendance.objects.create(meeting=meeting, organisation=place.prescriber, user=user, present=False)
    meeting_create(commission=meeting.commission, by=place.coordinator, starts_at=at(TODAY - 60 * DAY - n * DAY))
    rebuild()


@pytest.mark.parametrize("version", [Version.MEMBERS, Version.WIDE])
@pytest.mark.parametrize("size", [1, 10])
def test_the_context_is_built_in_a_fixed_number_of_queries(place, held, size, version, django_assert_num_queries):
    _grow(place, held, size)
    report, _ = report_request(meeting=held, version=version, language="fr", by=place.adviser)
    report = CommissionReport.objects.select_related("meeting__commission__basin__region", "requested_by").get(
        pk=report.pk
    )
    expected = {Version.MEMBERS: MEMBERS_QUERIES, Version.WIDE: WIDE_QUERIES}[version]
    with django_assert_num_queries(expected):
        context = report_context(report)
    assert len(context["cases"]) >= size


# previous meeting, the basin dashboard, the member organisations, the scorecard (4 of them for PROXIMITÉ), the agenda
# (items, stages the reader sees, to-dos, previous meeting), the delegates, the attendance; the members' version reads
# the requester's memberships for their scope.
MEMBERS_QUERIES = 29
WIDE_QUERIES = 27


def test_a_request_that_loses_the_race_shares_the_winners_job(place, held, monkeypatch):
    from commissions.services import reports

    winner, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    real, calls = reports._pending_same, []

    def blind_once(**key):  # the loser looked before the winner's row was committed
        calls.append(key)
        return None if len(calls) == 1 else real(**key)

    monkeypatch.setattr(reports, "_pending_same", blind_once)
    report, created = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.trainer)
    assert not created and report.pk == winner.pk
    assert CommissionReport.objects.count() == 1


def test_the_task_builds_once_however_often_it_runs(place, held, monkeypatch):
    from commissions.tasks import build_report_task, sweep_reports_task

    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    assert build_report_task.apply(args=[report.pk]).get() is True
    assert build_report_task.apply(args=[report.pk]).get() is False
    assert sweep_reports_task.apply().get() == 0
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 1


def test_a_worker_crash_mid_report_is_marked_failed_then_retried_by_the_beat(client, place, held, monkeypatch):
    """The issue's "a beat job marks stale jobs failed and retries them": the sweeper records the interruption (the
    report failed), then builds it again by itself; the page says so while it does."""
    import time_machine

    seen = []

    def render(template, context):
        seen.append(CommissionReport.objects.values_list("status", "error").get(pk=report.pk))
        return b"%PDF-1.4 built"

    monkeypatch.setattr(report_module, "render_pdf", render)
    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    CommissionReport.objects.filter(pk=report.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=10), stage=Progress.CASES, attempts=1
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11), tick=False):
        assert report_sweep() == 1
    interrupted = gettext("Interrompu : la préparation s'est arrêtée avant la fin.")
    assert seen == [(Status.PENDING, interrupted)]
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 2 and report.error == ""

    # while the beat's retry is queued, the page says it is a new attempt
    CommissionReport.objects.filter(pk=report.pk).update(
        status=Status.PENDING, stage=Progress.QUEUED, error=interrupted
    )
    client.force_login(place.trainer)
    page = client.get(reverse("commissions:report_list", args=[held.pk])).content.decode()
    assert "Nouvelle tentative après une interruption." in page


def test_a_report_that_keeps_crashing_its_worker_stays_failed_for_its_reader(client, place, held, monkeypatch):
    import time_machine

    monkeypatch.setattr(report_module, "render_pdf", lambda template, context: pytest.fail("not built again"))
    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    CommissionReport.objects.filter(pk=report.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=10), stage=Progress.RENDERING, attempts=3
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11), tick=False):
        assert report_sweep() == 0
    report.refresh_from_db()
    assert report.status == Status.FAILED and report.error.startswith("Interrompu")
    client.force_login(place.trainer)
    page = client.get(reverse("commissions:meeting_detail", args=[held.pk])).content.decode()
    assert "La préparation du rapport a échoué." in page and "Réessayer" in page


def test_the_report_s_scorecard_counts_the_meeting_it_reports(place, held):
    """PROXIMITÉ in the report of a commission's first meeting: that meeting held and attended (the period ends on
    its day), against the meetings expected since the commission began — not "0 held out of 8"."""
    from commissions import scorecard as proximity

    report, _ = report_request(meeting=held, version=Version.WIDE, language="fr", by=place.adviser)
    context = report_context(report)
    slugs = [indicator.slug for indicator in context["scorecard"].indicators]
    total = dict(zip(slugs, context["scorecard"].total.cells, strict=True))
    meetings, attendance = total[proximity.MEETINGS], total[proximity.ATTENDANCE]
    assert (meetings.numerator, meetings.denominator) == (1, 1)
    assert attendance.denominator > 0 and attendance.numerator == attendance.denominator  # everyone came
