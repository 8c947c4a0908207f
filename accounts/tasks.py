from celery import shared_task
from django.core.management import call_command

from core.tasks import RETRY


@shared_task(**RETRY)
def clear_expired_sessions_task():
    """Beat housekeeping: remove expired login sessions from the database (idempotent)."""
    call_command("clearsessions")
