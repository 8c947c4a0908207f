from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from accounts import services
from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP, RETRY


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


@shared_task(**DOCUMENT_BUILD)
def build_rights_document_task(document_id: int) -> bool:
    """Build one document of the rights of the person (enqueued on commit of its request). Idempotent: a document
    built, failed or held by another worker is left alone."""
    from accounts.rights import rights_document_build

    return rights_document_build(document_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_rights_documents_task() -> int:
    """Beat: build the documents of the rights of the person still pending (broker down, worker lost)."""
    from accounts.rights import rights_document_sweep

    return rights_document_sweep()


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
