from celery import shared_task

from alerts.services import alerts_escalate
from core.tasks import RETRY


@shared_task(**RETRY)
def escalate_alerts_task() -> int:
    """Beat: alerts left unacknowledged reach the inbox organisation's managers and the funder, once."""
    return alerts_escalate()
