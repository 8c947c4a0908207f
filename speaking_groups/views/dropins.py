"""Drop-in hours: the group's slots and their next dates (everyone who sees the group), the appointments (the
facilitators of the group's support structure only: NEUTRALITÉ)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessLog
from core.forms import apply_errors
from pathways import scoping
from pathways.scoping import get_for_user_or_404, require
from speaking_groups.forms.dropins import BookingForm, NotesForm, SlotForm, StatusForm
from speaking_groups.models import DropInBooking, DropInSlot, SpeakingGroup
from speaking_groups.selectors import people_entries
from speaking_groups.services import dropins as services
from speaking_groups.services.groups import is_facilitator

NEXT_OCCURRENCES = 4


def _group(request, pk):
    return get_for_user_or_404(
        SpeakingGroup.objects.select_related("support_organisation", "training_body"), request, pk=pk
    )


@require_GET
def dropin_slots(request, pk):
    """The group's drop-in slots and their next dates; the places left only for the facilitators (a count of
    bookings per day is theirs)."""
    group = _group(request, pk)
    facilitator = is_facilitator(request.user, group)
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=services.HORIZON_DAYS)
    slots = list(DropInSlot.objects.filter(group=group).order_by("weekday", "start_time", "pk"))
    taken = services.taken_by_occurrence(slots, today, horizon) if facilitator else {}
    for slot in slots:
        slot.next_dates = [
            {"date": day, "left": slot.capacity - taken.get((slot.pk, day), 0)}
            for day in list(services.occurrences(slot, today, horizon))[:NEXT_OCCURRENCES]
        ]
    return render(
        request,
        "speaking_groups/dropins/slot_list.html",
        {"group": group, "slots": slots, "is_facilitator": facilitator},
    )


@require_http_methods(["GET", "POST"])
def dropin_slot_create(request, pk):
    group = _group(request, pk)
    require(is_facilitator(request.user, group))
    form = SlotForm(request.POST if request.method == "POST" else None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_create(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La permanence est créée."))
            return redirect("speaking_groups:dropin_slots", pk=group.pk)
    return render(request, "speaking_groups/dropins/slot_form.html", {"group": group, "form": form})


def _slot(request, pk):
    slot = get_for_user_or_404(
        DropInSlot.objects.select_related("group__support_organisation", "group__training_body"), request, pk=pk
    )
    require(is_facilitator(request.user, slot.group))
    return slot


@require_GET
def dropin_slot_detail(request, pk):
    """A slot's appointments, by date: the coming ones and those of the last four weeks (facilitators)."""
    slot = _slot(request, pk)
    today = timezone.localdate()
    bookings = list(
        DropInBooking.objects.filter(slot=slot, date__gte=today - datetime.timedelta(days=28))
        .select_related("stage__pathway__beneficiary")
        .order_by("date", "pk")
    )
    scoping.log_people_listed(
        request, people_entries((booking.stage for booking in bookings), (slot.group.support_organisation_id,))
    )
    return render(
        request,
        "speaking_groups/dropins/slot_detail.html",
        {"slot": slot, "group": slot.group, "bookings": bookings, "today": today},
    )


@require_http_methods(["GET", "POST"])
def dropin_booking_create(request, pk):
    slot = _slot(request, pk)
    stages = services.bookable_stages(slot.group)
    initial = {}
    if request.method == "GET":
        initial["date"] = request.GET.get("date") or next(
            services.occurrences(slot, timezone.localdate(), timezone.localdate() + datetime.timedelta(days=366)),
            None,
        )
    form = BookingForm(request.POST if request.method == "POST" else None, stages=stages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the booking and its access log row together
                services.booking_create(slot=slot, by=request.user, **form.cleaned_data)
                scoping.log_people_listed(
                    request,
                    people_entries([form.cleaned_data["stage"]], (slot.group.support_organisation_id,)),
                    action=AccessLog.Action.CHANGE,
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le rendez-vous est pris."))
            return redirect("speaking_groups:dropin_slot_detail", pk=slot.pk)
    # The form's list of people names them all.
    scoping.log_people_listed(request, people_entries(stages, (slot.group.support_organisation_id,)))
    return render(
        request, "speaking_groups/dropins/booking_form.html", {"slot": slot, "group": slot.group, "form": form}
    )


def _booking(request, pk):
    booking = get_for_user_or_404(
        DropInBooking.objects.select_related(
            "slot__group__support_organisation", "slot__group__training_body", "stage__pathway__beneficiary"
        ),
        request,
        pk=pk,
    )
    require(is_facilitator(request.user, booking.slot.group))
    return booking


def _booking_page(request, booking, *, status_form=None, notes_form=None, status=200):
    return render(
        request,
        "speaking_groups/dropins/booking_detail.html",
        {
            "booking": booking,
            "slot": booking.slot,
            "group": booking.slot.group,
            "status_form": status_form or StatusForm(),
            "notes_form": notes_form or NotesForm(initial={"notes": booking.notes}),
        },
        status=status,
    )


@require_GET
def dropin_booking_detail(request, pk):
    return _booking_page(request, _booking(request, pk))


@require_POST
def dropin_booking_status(request, pk):
    booking = _booking(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.booking_set_status(booking=booking, by=request.user, status=form.cleaned_data["status"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le rendez-vous est mis à jour."))
            return redirect("speaking_groups:dropin_booking_detail", pk=booking.pk)
    return _booking_page(request, booking, status_form=form, status=400)


@require_POST
def dropin_booking_notes(request, pk):
    booking = _booking(request, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            services.booking_notes_save(booking=booking, by=request.user, notes=form.cleaned_data["notes"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Notes enregistrées."))
            return redirect("speaking_groups:dropin_booking_detail", pk=booking.pk)
    return _booking_page(request, booking, notes_form=form, status=400)


urlpatterns = [
    path("<int:pk>/permanences/", dropin_slots, name="dropin_slots"),
    path("<int:pk>/permanences/nouvelle/", dropin_slot_create, name="dropin_slot_create"),
    path("permanences/<int:pk>/", dropin_slot_detail, name="dropin_slot_detail"),
    path("permanences/<int:pk>/rendez-vous/nouveau/", dropin_booking_create, name="dropin_booking_create"),
    path("rendez-vous/<int:pk>/", dropin_booking_detail, name="dropin_booking_detail"),
    path("rendez-vous/<int:pk>/statut/", dropin_booking_status, name="dropin_booking_status"),
    path("rendez-vous/<int:pk>/notes/", dropin_booking_notes, name="dropin_booking_notes"),
]
