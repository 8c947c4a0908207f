"""Beat tasks of `commissions`."""

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.tasks import RETRY


@shared_task(**RETRY)
def remind_meetings_task() -> int:
    """Beat: remind the delegates of tomorrow's meetings, once per meeting (claimed by a conditional update of
    `reminded_at`, so a second run or a second worker writes nothing)."""
    from commissions.models import Meeting
    from commissions.notifications import meeting_remind

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    due = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
        reminded_at__isnull=True,
    )
    reminded = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not Meeting.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            meeting_remind(Meeting.objects.select_related("commission").get(pk=pk))
            reminded += 1
    return reminded
