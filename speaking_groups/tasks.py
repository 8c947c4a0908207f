"""Beat tasks of `speaking_groups`."""

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.tasks import RETRY


@shared_task(**RETRY)
def remind_dropins_task() -> int:
    """Beat: remind the people of tomorrow's drop-in appointments (still booked), once per appointment: the
    appointment is claimed by a conditional update of `reminded_at`, so a second run (or a second worker) writes
    nothing."""
    from speaking_groups.models import DropInBooking
    from speaking_groups.notifications import dropin_reminder

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    due = DropInBooking.objects.filter(date=tomorrow, status=DropInBooking.Status.BOOKED, reminded_at__isnull=True)
    reminded = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            claimed = DropInBooking.objects.filter(
                pk=pk, status=DropInBooking.Status.BOOKED, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if not claimed:
                continue
            booking = DropInBooking.objects.select_related(
                "slot__group__support_organisation", "stage__pathway__beneficiary"
            ).get(pk=pk)
            dropin_reminder(booking)
            reminded += 1
    return reminded
