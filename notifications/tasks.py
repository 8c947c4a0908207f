import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.tasks import RETRY
from notifications.models import Notification
from notifications.services import deliver_cause, deliver_one
from notifications.sms import SmsPermanentError

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(Exception,),
    dont_autoretry_for=(SmsPermanentError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,  # nobody waits for it: the outbox rows say what was delivered
)
def deliver_cause_task(cause_key: str) -> int:
    """Deliver the pending notifications of one cause (enqueued on commit of the cause). Idempotent."""
    return deliver_cause(cause_key)


@shared_task
def sweep_notifications_task() -> int:
    """Beat: deliver what is still pending after a while (broker down at commit time, worker lost mid-delivery)."""
    older_than = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS)
    ids = list(
        Notification.objects.deliverable(timezone.now())
        .filter(created_at__lt=older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[: settings.NOTIFICATIONS_SWEEP_BATCH]
    )
    delivered = 0
    for pk in ids:
        try:
            delivered += deliver_one(pk)
        except Exception:  # one failing row must not block the others; it stays pending for the next sweep
            logger.exception("Sweeper could not deliver notification %s; it stays pending for the next sweep", pk)
    return delivered


@shared_task(**RETRY)
def remind_overdue_todos_task() -> int:
    """Beat: remind the owners of overdue to-dos (once per to-do and due date)."""
    from notifications.todos import todos_remind_overdue

    return todos_remind_overdue()
