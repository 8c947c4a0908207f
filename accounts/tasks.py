from celery import shared_task
from django.core.management import call_command

from core.tasks import RETRY


@shared_task(**RETRY)
def clear_expired_sessions_task():
    """Beat housekeeping: remove expired login sessions from the database (idempotent)."""
    call_command("clearsessions")


@shared_task(**RETRY)
def retention_task():
    """Daily: notices before a person's data expires, then the anonymisation of what expired (accounts.retention;
    idempotent, so a retry or a second run does nothing more)."""
    from accounts import retention

    report = retention.run()
    return {
        "notices": report.notices,
        "people": report.people,
        "rows": report.rows,
        "access_log": report.access_log_rows,
    }
