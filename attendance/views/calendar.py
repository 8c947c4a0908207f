"""A session's calendar: half-days, cancellations, company periods."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attendance import services
from attendance.forms import CompanyPeriodForm, SlotCancelForm
from attendance.models import CompanyPeriod, Slot
from attendance.views.access import staffed_session
from core.forms import apply_errors
from core.params import parse_month
from pathways import scoping

# --------------------------------------------------------------------------------------------------------------
# Calendar


@require_GET
def calendar(request, pk):
    session = staffed_session(request, pk)
    return _calendar_page(request, session, parse_month(request.GET.get("mois")))


def _calendar_page(request, session, month, *, period_form=None, cancel_form=None, cancelling=None):
    """The month's half-days (`month` None: the current one while the session runs, else its first); a form refused
    is shown again with its errors on its fields and what was typed (`cancelling`: the slot of `cancel_form`)."""
    if month is None:
        today_ = timezone.localdate()
        month = (today_ if session.start_date <= today_ <= session.end_date else session.start_date).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    slots = list(Slot.objects.filter(session=session, date__gte=month, date__lt=following).order_by("date", "period"))
    days = {}
    for slot in slots:
        days.setdefault(slot.date, []).append(slot)
    period_form = period_form or CompanyPeriodForm(session=session, user=request.user)
    company_periods = list(
        scoping.without_objected(
            CompanyPeriod.objects.filter(session=session), request.user, "stage__pathway__beneficiary"
        ).select_related("stage__pathway__beneficiary")
    )
    # The page names the people of the session (the company periods, the form's choice of person): one access log
    # row each.
    named = [period.stage for period in company_periods if period.stage_id] + list(period_form.fields["stage"].queryset)
    scoping.log_people_listed(request, ((stage.pathway.beneficiary, (stage.organisation_id,)) for stage in named))
    return render(
        request,
        "attendance/calendar.html",
        {
            "session": session,
            "month": month,
            "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
            "next_month": following,
            "days": sorted(days.items()),
            "has_slots": Slot.objects.filter(session=session).exists(),
            "company_periods": company_periods,
            "period_form": period_form,
            "cancel_form": cancel_form or SlotCancelForm(),
            "cancelling": cancelling,
        },
    )


@require_POST
def calendar_generate(request, pk):
    session = staffed_session(request, pk)
    created, removed = services.calendar_generate(session=session)
    messages.success(
        request,
        _("Calendrier à jour : %(created)s demi-journée(s) ajoutée(s), %(removed)s retirée(s).")
        % {"created": created, "removed": removed},
    )
    return redirect("attendance:calendar", pk=session.pk)


def _staffed_slot(request, pk):
    slot = get_object_or_404(Slot.objects.select_related("session"), pk=pk)
    staffed_session(request, slot.session_id)
    return slot


@require_POST
def slot_cancel(request, pk):
    slot = _staffed_slot(request, pk)
    form = SlotCancelForm(request.POST)
    if form.is_valid():
        services.slot_cancel(slot=slot, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("La demi-journée du %(slot)s est annulée : aucune absence n'y sera comptée.") % {"slot": slot}
        )
        return redirect(f"{reverse('attendance:calendar', args=[slot.session_id])}?mois={slot.date:%Y-%m}")
    return _calendar_page(request, slot.session, slot.date.replace(day=1), cancel_form=form, cancelling=slot.pk)


@require_POST
def slot_restore(request, pk):
    slot = _staffed_slot(request, pk)
    services.slot_restore(slot=slot, by=request.user)
    messages.success(request, _("La demi-journée du %(slot)s est rétablie.") % {"slot": slot})
    return redirect(f"{reverse('attendance:calendar', args=[slot.session_id])}?mois={slot.date:%Y-%m}")


@require_POST
def company_period_create(request, pk):
    session = staffed_session(request, pk)
    form = CompanyPeriodForm(request.POST, session=session, user=request.user)
    if form.is_valid():
        try:
            services.company_period_add(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("La période en entreprise est enregistrée : les absences n'y sont pas comptées.")
            )
            return redirect("attendance:calendar", pk=session.pk)
    return _calendar_page(request, session, None, period_form=form)


@require_POST
def company_period_delete(request, pk):
    period = get_object_or_404(CompanyPeriod, pk=pk)
    session = staffed_session(request, period.session_id)
    services.company_period_remove(period=period, by=request.user)
    messages.success(request, _("La période en entreprise est supprimée."))
    return redirect("attendance:calendar", pk=session.pk)
