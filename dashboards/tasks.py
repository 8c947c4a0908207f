from celery import shared_task
from django.conf import settings

from core.tasks import RETRY
from dashboards import queue, rollups


@shared_task(**RETRY)
def rollups_refresh_task() -> int:
    """Refresh the facts and rollups of the queued stages (every pending row, in batches)."""
    return queue.refresh_queue()


@shared_task(**RETRY)
def sweep_rollup_queue_task() -> int:
    """Beat: the marks changed since the last sweep are queued (their sheet writes them in bulk); rows left pending
    (a broker that was down, a worker that died) are refreshed here."""
    queue.sweep_mark_changes()
    if not queue.pending(older_than_seconds=settings.ROLLUPS_SWEEP_AFTER_SECONDS):
        return 0
    return queue.refresh_queue()


@shared_task(**RETRY)
def rollups_rebuild_task(region_id: int | None = None) -> int:
    """Beat, nightly: every fact and rollup from scratch."""
    return rollups.rebuild(region_id)
