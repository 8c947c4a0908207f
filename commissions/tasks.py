"""Beat tasks of `commissions`."""

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP, RETRY


@shared_task(**RETRY)
def remind_meetings_task() -> int:
    """Beat: remind the delegates of tomorrow's meetings, once per meeting (claimed by a conditional update of
    `reminded_at`, so a second run or a second worker writes nothing)."""
    from commissions.models import Meeting
    from commissions.notifications import meeting_remind

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    due = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
        reminded_at__isnull=True,
    )
    reminded = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not Meeting.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            meeting_remind(Meeting.objects.select_related("commission").get(pk=pk))
            reminded += 1
    return reminded


@shared_task(**DOCUMENT_BUILD)
def build_report_task(report_id: int) -> bool:
    """Build one commission report (enqueued on commit of its request). Idempotent: a report built, failed or held
    by another worker is left alone."""
    from commissions.report import report_build

    return report_build(report_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_reports_task() -> int:
    """Beat: mark failed the stale reports (a worker lost mid-build) and retry them while under the attempts and age
    limits (past those they stay failed, retryable from the meeting page); build those never claimed."""
    from commissions.report import report_sweep

    return report_sweep()
