from celery import shared_task
from django.core.management import call_command

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
