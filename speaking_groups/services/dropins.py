"""Drop-in hours (permanences): weekly slots of a group, individual appointments booked for the people of its
sessions, what happened at them and the facilitator's confidential notes (NEUTRALITÉ: only the facilitators of the
group's support structure know who booked)."""

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import holiday_name
from pathways.models import Stage
from speaking_groups.models import DropInBooking, DropInSlot, SpeakingGroup
from speaking_groups.notifications import dropin_confirmation
from speaking_groups.services.groups import is_facilitator

Status = DropInBooking.Status
# How far ahead the pages look for a slot's next occurrences.
HORIZON_DAYS = 8 * 7


def occurrences(slot: DropInSlot, start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    """The dates of `slot` from `start` to `end` (both included): its weekday, within its bounds, public holidays
    left out."""
    start = max(start, slot.starts_on)
    if slot.ends_on is not None:
        end = min(end, slot.ends_on)
    day = start + datetime.timedelta(days=(slot.weekday - start.weekday()) % 7)
    while day <= end:
        if holiday_name(day) is None:
            yield day
        day += datetime.timedelta(days=7)


def occurrence_error(slot: DropInSlot, date: datetime.date) -> str | None:
    """Why `date` is no occurrence of `slot` (a French sentence), or None when it is one."""
    if date.weekday() != slot.weekday:
        return _("Cette permanence a lieu le %(weekday)s : le %(date)s n'en est pas un.") % {
            "weekday": slot.get_weekday_display(),
            "date": date.strftime("%d/%m/%Y"),
        }
    holiday = holiday_name(date)
    if holiday is not None:
        return _("Le %(date)s est un jour férié (%(holiday)s) : pas de permanence.") % {
            "date": date.strftime("%d/%m/%Y"),
            "holiday": holiday,
        }
    if date < slot.starts_on or (slot.ends_on is not None and date > slot.ends_on):
        if slot.ends_on is None:
            return _("Cette permanence commence le %(start)s.") % {"start": slot.starts_on.strftime("%d/%m/%Y")}
        return _("Cette permanence a lieu du %(start)s au %(end)s.") % {
            "start": slot.starts_on.strftime("%d/%m/%Y"),
            "end": slot.ends_on.strftime("%d/%m/%Y"),
        }
    return None


def taken(slot: DropInSlot, date: datetime.date) -> int:
    return DropInBooking.objects.filter(slot=slot, date=date).exclude(status=Status.CANCELLED).count()


def taken_by_occurrence(slots, start: datetime.date, end: datetime.date) -> dict[tuple[int, datetime.date], int]:
    """{(slot id, date): places taken} for `slots` between `start` and `end` (one query)."""
    rows = (
        DropInBooking.objects.filter(slot__in=[slot.pk for slot in slots], date__gte=start, date__lte=end)
        .exclude(status=Status.CANCELLED)
        .values("slot_id", "date")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["slot_id"], row["date"]): row["n"] for row in rows}


def bookable_stages(group: SpeakingGroup):
    """The people who may book: enrolled in one of the group's sessions (their stages), not cancelled, by name."""
    return (
        Stage.objects.filter(enrolment__session__speaking_groups=group)
        .exclude(status=Stage.Status.CANCELLED)
        .select_related("pathway__beneficiary")
        .distinct()
        .order_by("pathway__beneficiary__last_name", "pathway__beneficiary__first_name", "pk")
    )


def _require_facilitator(by, group: SpeakingGroup) -> None:
    if not is_facilitator(by, group):
        raise ValidationError(_("Seul·es les intervenant·es de la structure qui anime le groupe peuvent le faire."))


@transaction.atomic
def slot_create(
    *,
    group: SpeakingGroup,
    by,
    weekday: int,
    start_time: datetime.time,
    duration_minutes: int,
    capacity: int,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    place: str = "",
    video_link: str = "",
) -> DropInSlot:
    """A facilitator defines a weekly drop-in hour of `group`."""
    _require_facilitator(by, group)
    if group.closed_on is not None:
        raise ValidationError(_("Ce groupe est clos."))
    slot = DropInSlot(
        group=group,
        weekday=weekday,
        start_time=start_time,
        duration_minutes=duration_minutes,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
        place=(place or "").strip(),
        video_link=(video_link or "").strip(),
        created_by=by,
    )
    slot.full_clean()
    if (
        next(occurrences(slot, slot.starts_on, slot.ends_on or slot.starts_on + datetime.timedelta(days=366)), None)
        is None
    ):
        raise ValidationError({"ends_on": _("Aucune date de permanence entre ces bornes (jours fériés exclus).")})
    slot.save()
    return slot


@transaction.atomic
def booking_create(
    *,
    slot: DropInSlot,
    by,
    date: datetime.date,
    stage: Stage,
    requested_via: str,
    agreement_recorded: bool,
) -> DropInBooking:
    """Book an individual appointment for a person of the group's sessions. The slot's row is locked before the
    places are counted, so two simultaneous requests cannot both take the last place."""
    group = slot.group
    _require_facilitator(by, group)
    errors = {}
    if not agreement_recorded:
        errors["agreement_recorded"] = _("Un rendez-vous se prend avec l'accord de la personne.")
    if requested_via not in DropInBooking.RequestedVia.values:
        errors["requested_via"] = _("Indiquez comment la demande est arrivée.")
    if not bookable_stages(group).filter(pk=stage.pk).exists():
        errors["stage"] = _("Choisissez une personne inscrite à une session du groupe.")
    wrong_date = occurrence_error(slot, date)
    if wrong_date:
        errors["date"] = wrong_date
    elif date < timezone.localdate():
        errors["date"] = _("Cette date est passée.")
    if errors:
        raise ValidationError(errors)
    # The lock: whoever comes second waits here, then counts the first one's booking.
    slot = DropInSlot.objects.select_for_update(of=("self",)).select_related("group").get(pk=slot.pk)
    # And the person's row (after the slot's, always in that order): two bookings of the same person on two slots
    # the same day wait for each other too.
    Stage.objects.select_for_update().filter(pk=stage.pk).values_list("pk").first()
    if (
        DropInBooking.objects.filter(
            stage=stage, date=date, slot__group__support_organisation=group.support_organisation
        )
        .exclude(status=Status.CANCELLED)
        .exists()
    ):
        raise ValidationError({"stage": _("Cette personne a déjà un rendez-vous de permanence ce jour-là.")})
    if taken(slot, date) >= slot.capacity:
        raise ValidationError(
            {
                "date": _("Cette permanence est complète le %(date)s (%(capacity)s places).")
                % {"date": date.strftime("%d/%m/%Y"), "capacity": slot.capacity}
            }
        )
    booking = DropInBooking(
        slot=slot,
        date=date,
        stage=stage,
        requested_via=requested_via,
        agreement_recorded=True,
        booked_by=by,
    )
    booking.full_clean()
    booking.save()
    booking.slot = slot
    dropin_confirmation(booking)
    return booking


@transaction.atomic
def booking_set_status(*, booking: DropInBooking, by, status: str) -> DropInBooking:
    """Record what happened: attended or no-show (on the day or after), or cancelled (before; frees the place)."""
    _require_facilitator(by, booking.slot.group)
    booking = DropInBooking.objects.select_for_update().select_related("slot__group").get(pk=booking.pk)
    if status not in Status.values or status == Status.BOOKED:
        raise ValidationError({"status": _("Choisissez un statut.")})
    if booking.status == Status.CANCELLED:
        raise ValidationError(_("Ce rendez-vous est annulé."))
    if status in (Status.ATTENDED, Status.NO_SHOW) and booking.date > timezone.localdate():
        raise ValidationError({"status": _("La venue se note le jour du rendez-vous ou après.")})
    if status == Status.CANCELLED and booking.status != Status.BOOKED:
        raise ValidationError({"status": _("Un rendez-vous déjà noté ne s'annule plus.")})
    booking.status = status
    booking.save(update_fields=["status"])
    return booking


@transaction.atomic
def booking_notes_save(*, booking: DropInBooking, by, notes: str) -> DropInBooking:
    _require_facilitator(by, booking.slot.group)
    booking.notes = (notes or "").strip()
    booking.full_clean(exclude=["slot", "stage", "booked_by"], validate_constraints=False)
    booking.save(update_fields=["notes"])
    return booking
