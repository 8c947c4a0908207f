"""Meetings: planning one, its page (agenda, attendance, decisions), its calendar file."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from commissions import selectors
from commissions.forms.meetings import CancelForm, DecisionForm, ItemForm, MeetingForm
from commissions.ics import meeting_ics
from commissions.models import Commission, Meeting, active_delegates, can_manage
from commissions.services import meetings as services
from core.forms import apply_errors
from core.params import parse_day
from pathways.scoping import get_for_user_or_404, require


@require_http_methods(["GET", "POST"])
def meeting_create(request, commission_pk):
    commission = get_for_user_or_404(Commission.objects.select_related("basin"), request, pk=commission_pk)
    require(can_manage(request.user, commission.basin_id))
    starts_at = timezone.localtime(services.next_date(commission))
    # `?jour=YYYY-MM-DD` (the calendar's "À planifier"): that day, at the cadence's hour; a day the form would refuse
    # (absurd, or beyond its reach) reads as absent.
    day = parse_day(request.GET.get("jour"))
    if day is not None and abs(day - timezone.localdate()) <= MeetingForm.REACH:
        starts_at = starts_at.replace(year=day.year, month=day.month, day=day.day)
    initial = {
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "place": commission.usual_place,
        "video_link": commission.video_link,
    }
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(commission=commission, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("La réunion est planifiée, son ordre du jour proposé et les invitations parties.")
            )
            return redirect(meeting)
    return render(request, "commissions/meeting_form.html", {"commission": commission, "form": form})


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_for_user_or_404(Meeting.objects.select_related("commission__basin"), request, pk=pk)
    require(can_manage(request.user, meeting.commission.basin_id))
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_update(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La réunion est modifiée ; les délégué·es ont reçu l'invitation mise à jour."))
            return redirect(meeting)
    return render(
        request, "commissions/meeting_form.html", {"commission": meeting.commission, "meeting": meeting, "form": form}
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    """Who runs the commission cancels a planned meeting, after a confirmation page, with an optional reason."""
    meeting = get_for_user_or_404(Meeting.objects.select_related("commission__basin"), request, pk=pk)
    require(can_manage(request.user, meeting.commission.basin_id))
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("La réunion est annulée ; les délégué·es invité·es en sont informé·es."))
        return redirect(meeting)
    cancellable = meeting.status == Meeting.Status.PLANNED and meeting.starts_at > timezone.now()
    context = {"commission": meeting.commission, "meeting": meeting, "form": form, "cancellable": cancellable}
    return render(request, "commissions/meeting_cancel.html", context)


@require_GET
def meeting_detail(request, pk):
    meeting = get_for_user_or_404(Meeting.objects.select_related("commission__basin"), request, pk=pk)
    manages = can_manage(request.user, meeting.commission.basin_id)
    context = selectors.meeting_agenda(meeting, request.user)
    editable = manages and meeting.status != Meeting.Status.CANCELLED
    # The named cases the page shows (the removed ones only to who may edit the agenda) go to the access log.
    shown = context["items"] + (context["removed"] if editable else [])
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    services.agenda_access_record(user=request.user, rows=shown, view_name=view_name)
    attendance = {(a.organisation_id, a.user_id): a.present for a in meeting.attendances.all()}
    delegates = list(active_delegates(meeting.commission))
    context.update(
        meeting=meeting,
        commission=meeting.commission,
        manages=manages,
        editable=editable,
        meeting_started=meeting.starts_at <= timezone.now(),
        delegates=[(d, attendance.get((d.organisation_id, d.user_id))) for d in delegates],
        item_form=ItemForm(),
        decision_form=DecisionForm(owners=services.owner_choices(meeting.commission)) if manages else None,
    )
    context.update(selectors.meeting_reports(meeting, request.user))
    return render(request, "commissions/meeting_detail.html", context)


@require_GET
def meeting_ics_download(request, pk):
    meeting = get_for_user_or_404(Meeting.objects.select_related("commission"), request, pk=pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reunion.ics"'
    return response


urlpatterns = [
    path("<int:commission_pk>/reunions/nouvelle/", meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("reunions/<int:pk>/modifier/", meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/annuler/", meeting_cancel, name="meeting_cancel"),
    path("reunions/<int:pk>/agenda.ics", meeting_ics_download, name="meeting_ics"),
]
