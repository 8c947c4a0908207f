"""The commission report's requests (`commissions.report` builds them): asking for one, retrying a failed one.

Two requests for the same report while one is built share it: the same meeting, version and language (and, for the
members' version, the same requester, whose scope names the cases). A unique partial constraint on the pending rows
holds it; a request that loses the race reads the row of the one that won."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commissions.models import CommissionReport, Meeting
from core.documents import document_enqueue

BUILD_TASK = "commissions.tasks.build_report_task"


def _pending_same(*, meeting_id, version, language, by):
    pending = CommissionReport.objects.filter(
        meeting=meeting_id, version=version, language=language, status=CommissionReport.Status.PENDING
    )
    if version == CommissionReport.Version.MEMBERS:
        pending = pending.filter(requested_by=by)
    return pending.first()


@transaction.atomic
def report_request(*, meeting: Meeting, version: str, language: str, by) -> tuple[CommissionReport, bool]:
    """Ask the worker for `meeting`'s report; returns (the report, whether this request created it). The caller has
    checked that `by` sees the meeting."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Cette réunion est annulée : elle n'a pas de rapport."))
    if version not in CommissionReport.Version.values or language not in CommissionReport.Language.values:
        raise ValidationError(_("Choisissez une version et une langue."))
    key = {"meeting_id": meeting.pk, "version": version, "language": language, "by": by}
    existing = _pending_same(**key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = CommissionReport.objects.create(
                meeting=meeting, version=version, language=language, requested_by=by
            )
    except IntegrityError:  # the same request, at the same moment: share its job
        return _pending_same(**key), False
    document_enqueue(BUILD_TASK, report.pk)
    return report, True


@transaction.atomic
def report_retry(*, report: CommissionReport, by) -> CommissionReport:
    """Queue a failed report again (the same row, its attempts counted afresh). If the same report is being built
    meanwhile, that one is returned instead."""
    if report.status != CommissionReport.Status.FAILED:
        raise ValidationError(_("Seul un rapport dont la préparation a échoué peut être relancé."))
    try:
        with transaction.atomic():
            retried = CommissionReport.objects.filter(pk=report.pk, status=CommissionReport.Status.FAILED).update(
                status=CommissionReport.Status.PENDING,
                stage=CommissionReport.Progress.QUEUED,
                attempts=0,
                error="",
                finished_at=None,
                claimed_until=None,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        return _pending_same(
            meeting_id=report.meeting_id, version=report.version, language=report.language, by=report.requested_by
        )
    if retried:
        document_enqueue(BUILD_TASK, report.pk)
    report.refresh_from_db()
    return report
