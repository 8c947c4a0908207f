"""Keeping the rollups fresh: the outbox of stages to refresh, and the events that fill it.

**Events.** Every change that moves a figure writes a `RollupQueue` row for its stage in the same transaction; the
beat sweep (`sweep_rollup_queue_task`, every `ROLLUPS_SWEEP_SECONDS`, 10 s by default) refreshes the queued rows, so
figures follow within seconds and a request never waits on the broker, even when it is down (`rollups_refresh_task`
refreshes the queue on demand):

- `post_save` / `post_delete` receivers, connected in `DashboardsConfig.ready()` (lower apps never import
  `dashboards`): a stage, an enrolment, a pathway (prescriber, referent), a person or an employer (their commune
  moves the basin), an attendance mark, a follow-up attempt, a rupture, an alert and its actions, a checklist
  revision, a workshop (cancelled) and its attendance, a drop-in booking, a post-rupture case;
- writes that fire no signal (`bulk_create`, conditional `update()`):
  - an alert acknowledged, acted on or escalated: their services call `pathways.changes.stages_changed`, a registry
    of the lower app this module listens to (`enqueue`);
  - the attendance sheet's marks (written in bulk, in a save whose query count is pinned at 10): every change of a
    mark also writes an append-only `MarkChange` row, which the beat sweep reads by id from a watermark
    (`sweep_mark_changes`, every `ROLLUPS_SWEEP_SECONDS`; `RollupCursor` keeps its position), queueing their stages;
- bulk jobs that build data in masse (`seed_demo`, `generate_scale`) end with `dashboards.rollups.rebuild()`;
  a nightly beat job rebuilds everything anyway (`rollups_rebuild_task`), which also mends what no event can
  report (a deleted stage's old bucket).

**Claims.** `refresh_queue` claims rows (`select_for_update(skip_locked=True)`, then a lease `claimed_until` that is
also the claim's token), refreshes their pathways in one batch, and deletes the rows still carrying its token. A
change made meanwhile re-queues its row (`queued_at` bumped, the lease cleared), so it is refreshed again, never
lost. A burst of saves coalesces: each task takes every pending row, and the tasks that follow find nothing to do.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attendance.models import MarkChange
from dashboards.models import RollupCursor, RollupQueue
from dashboards.rollups import refresh_pathways
from pathways.models import Stage

REFRESH_TASK = "dashboards.tasks.rollups_refresh_task"


def enqueue(stage_ids) -> None:
    """Queue these stages for a refresh (in the caller's transaction) and ask for the task once it commits."""
    ids = {stage_id for stage_id in stage_ids if stage_id is not None}
    if not ids:
        return
    RollupQueue.objects.bulk_create(
        [RollupQueue(stage_id=stage_id) for stage_id in sorted(ids)],
        update_conflicts=True,
        unique_fields=["stage_id"],
        update_fields=["queued_at", "claimed_until"],
    )
    # No task is sent from here: the beat sweep (every ROLLUPS_SWEEP_SECONDS) refreshes the queued rows, so a request
    # that changes figures never waits on the broker, even when it is down.


def _claim(limit: int) -> tuple[list[int], datetime.datetime | None]:
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.ROLLUPS_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            RollupQueue.objects.select_for_update(skip_locked=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("queued_at")
            .values_list("stage_id", flat=True)[:limit]
        )
        if ids:
            RollupQueue.objects.filter(stage_id__in=ids).update(claimed_until=lease)
    return ids, lease


def refresh_queue(*, limit: int | None = None, rounds: int = 20) -> int:
    """Claim the pending stages, refresh their pathways in batches, delete the rows. Returns how many stages were
    refreshed. Idempotent: a row claimed by a worker that died is taken again once its lease has passed."""
    limit = limit or settings.ROLLUPS_BATCH
    done = 0
    for _round in range(rounds):
        ids, lease = _claim(limit)
        if not ids:
            break
        pathway_ids = set(Stage.objects.filter(pk__in=ids).values_list("pathway_id", flat=True))
        with transaction.atomic():
            refresh_pathways(pathway_ids)
            RollupQueue.objects.filter(stage_id__in=ids, claimed_until=lease).delete()
        done += len(ids)
    return done


def pending(*, older_than_seconds: int = 0) -> int:
    """Rows waiting (not claimed, or claimed by a worker whose lease has passed) for at least that long."""
    now = timezone.now()
    return (
        RollupQueue.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(queued_at__lte=now - datetime.timedelta(seconds=older_than_seconds))
        .count()
    )


MARKS_CURSOR = "attendance.MarkChange"


def sweep_mark_changes(*, limit: int = 50_000) -> int:
    """Queue the stages of the marks changed since the last sweep (the `MarkChange` rows after the watermark), and
    move the watermark, in one transaction. The first sweep starts from the latest change (the rebuild covers what
    came before). Returns the number of changes read."""
    with transaction.atomic():
        cursor = RollupCursor.objects.select_for_update().filter(name=MARKS_CURSOR).first()
        if cursor is None:
            latest = MarkChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            RollupCursor.objects.create(name=MARKS_CURSOR, position=latest)
            return 0
        rows = list(
            MarkChange.objects.filter(pk__gt=cursor.position).order_by("pk").values_list("pk", "mark__stage_id")[:limit]
        )
        if not rows:
            return 0
        enqueue(stage_id for _pk, stage_id in rows)
        RollupCursor.objects.filter(name=MARKS_CURSOR).update(position=rows[-1][0])
    return len(rows)
