"""Writing notifications (the outbox) and delivering them.

`notify` is called inside the transaction of the cause: the rows commit or roll back with it, then delivery is
enqueued on commit. If the broker is down the rows stay pending and the beat sweeper delivers them later.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(*, recipients, kind: str, cause_key: str, url: str = "", params: dict | None = None, channels=None) -> None:
    """Record one notification per (recipient, channel) for `cause_key`; a second call for the same cause adds none."""
    channels = channels or [Notification.Channel.IN_APP]
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = [
        Notification(
            recipient_id=user_id, channel=channel, kind=kind, cause_key=cause_key, url=url, params=params or {}
        )
        for user_id in unique
        for channel in channels
    ]
    if not rows:
        return
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: _enqueue(cause_key))


def _enqueue(cause_key: str) -> None:
    from notifications.tasks import deliver_cause_task

    try:
        deliver_cause_task.delay(cause_key)
    except Exception:  # the broker may be down: the sweeper will deliver the pending rows
        logger.exception("Could not enqueue the delivery of %s; the sweeper will retry", cause_key)


def claim(notification_id: int) -> bool:
    """Take a pending row for delivery, for one lease. Two workers never both get it."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    taken = (
        Notification.objects.deliverable(now)
        .filter(pk=notification_id)
        .update(claimed_until=now + lease, attempts=F("attempts") + 1)
    )
    return taken == 1


def deliver(notification: Notification) -> None:
    """Hand a claimed row to its channel. In-app: delivered means visible in the recipient's inbox."""
    if notification.channel == Notification.Channel.IN_APP:
        return
    raise ValueError(f"Unknown channel {notification.channel}")


def deliver_one(notification_id: int) -> bool:
    """Claim, deliver and mark one row; False when another worker holds it or it is already delivered."""
    if not claim(notification_id):
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        deliver(notification)
    except Exception as error:
        Notification.objects.filter(pk=notification_id).update(last_error=str(error)[:2000], claimed_until=None)
        raise
    Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING).update(
        status=Notification.Status.DELIVERED, delivered_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def mark_read(*, user, notification_ids=None) -> int:
    """Mark some (or all) of `user`'s unread notifications as read; returns how many changed."""
    unread = Notification.objects.inbox(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
