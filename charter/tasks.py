from celery import shared_task

from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP, RETRY


@shared_task(**DOCUMENT_BUILD)
def build_copy_task(copy_id: int) -> bool:
    """Build one signed copy of the charter (enqueued on commit of the signature or its validation). Idempotent;
    a failure is retried with backoff, then by the sweeper."""
    from charter.copies import copy_build

    return copy_build(copy_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_copies_task() -> int:
    """Beat: build the signed copies still pending a while after their request."""
    from charter.copies import copy_sweep

    return copy_sweep()


@shared_task(**RETRY)
def release_held_alerts_task() -> int:
    """Beat: deliver the alerts held for organisations that are no longer held (their region stopped requiring
    the charter; a signature releases its organisation's alerts at once)."""
    from charter.gate import release_due

    return release_due()
