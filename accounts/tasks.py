from celery import shared_task
from django.core.management import call_command


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def clear_expired_sessions_task():
    """Beat housekeeping: remove expired login sessions from the database (idempotent)."""
    call_command("clearsessions")
