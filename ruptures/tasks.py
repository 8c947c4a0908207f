from celery import shared_task

from ruptures.services import alerts_escalate, resumptions_remind

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(**RETRY)
def escalate_alerts_task() -> int:
    """Beat: alerts left unacknowledged reach the prescribing organisation's managers and the funder, once."""
    return alerts_escalate()


@shared_task(**RETRY)
def remind_resumptions_task() -> int:
    """Beat: the referent hears on the day a suspended stage is due to resume (once per stage and day)."""
    return resumptions_remind()
