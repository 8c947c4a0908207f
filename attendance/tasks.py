import datetime

from celery import shared_task
from django.utils import timezone

from attendance.services import calendar_generate, escalate, evaluate_session
from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP, RETRY
from pathways.models import Session


@shared_task(**RETRY)
def evaluate_session_task(session_id: int) -> dict:
    """Run the absence rules of one session (enqueued on commit after each sheet save). Idempotent."""
    if not Session.objects.filter(pk=session_id).exists():
        return {}
    return evaluate_session(session_id=session_id)


@shared_task(**RETRY)
def evaluate_running_sessions_task() -> int:
    """Beat: the time-based rules (attendance over a window) move with the calendar, not only with saves. One task
    per running session, so that one failing session is retried alone and the workers share the region's sessions."""
    today = timezone.localdate()
    ids = list(
        Session.objects.filter(start_date__lte=today, end_date__gte=today - datetime.timedelta(days=14)).values_list(
            "pk", flat=True
        )
    )
    for session_id in ids:
        evaluate_session_task.delay(session_id)
    return len(ids)


@shared_task(**RETRY)
def escalate_drifts_task() -> dict:
    """Beat: drifts become presumed ruptures, and presumed ruptures reach the organisation manager, on time."""
    return escalate()


@shared_task(**RETRY)
def calendar_generate_task(session_id: int) -> tuple[int, int]:
    session = Session.objects.filter(pk=session_id).first()
    return calendar_generate(session=session) if session else (0, 0)


@shared_task(**RETRY)
def calendars_for_new_sessions_task() -> int:
    """Beat: give a calendar to sessions that have none yet (created in the admin), one task per session."""
    ids = list(
        Session.objects.filter(end_date__gte=timezone.localdate(), slots__isnull=True).values_list("pk", flat=True)
    )
    for session_id in ids:
        calendar_generate_task.delay(session_id)
    return len(ids)


@shared_task(**DOCUMENT_BUILD)
def build_statement_task(export_id: int) -> bool:
    """Build one attendance statement export (enqueued on commit of its request). Idempotent."""
    from attendance.statements import statement_build

    return statement_build(export_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_statement_exports_task() -> int:
    """Beat: build the statement exports still pending a while after their request (broker down, worker lost)."""
    from attendance.statements import statement_sweep

    return statement_sweep()
