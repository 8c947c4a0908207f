from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from accounts import services
from core.tasks import RETRY


@shared_task(**RETRY)
def clear_expired_sessions_task():
    """Beat housekeeping: remove expired login sessions from the database (idempotent)."""
    call_command("clearsessions")


@shared_task(**RETRY)
def password_reset_send_task(reset_id: int):
    """Send one password-reset request's e-mail (idempotent: a request already handled is left alone)."""
    services.password_reset_send(reset_id=reset_id)


@shared_task
def sweep_password_resets_task():
    """Beat: send the reset requests whose task was lost (broker outage), delete the old requests and the failed
    logins past their cool-off."""
    for reset_id in services.password_resets_pending(older_than_seconds=settings.PASSWORD_RESET_SWEEP_AFTER_SECONDS):
        password_reset_send_task.delay(reset_id)
    services.password_resets_purge(older_than_days=settings.PASSWORD_RESET_KEEP_DAYS)
    services.login_attempts_purge()
