"""During the meeting: the agenda's items kept, removed or added, attendance, decisions (POST only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AccessLog
from commissions.forms.meetings import DecisionForm, ItemForm
from commissions.models import AgendaItem, Meeting, can_manage
from commissions.services import meetings as services
from pathways import scoping
from pathways.scoping import get_for_user_or_404, require


def _managed_meeting(request, pk) -> Meeting:
    meeting = get_for_user_or_404(Meeting.objects.select_related("commission"), request, pk=pk)
    require(can_manage(request.user, meeting.commission.basin_id))
    return meeting


def _managed_item(request, pk) -> AgendaItem:
    item = get_object_or_404(
        AgendaItem.objects.filter(meeting__in=Meeting.objects.for_user(request.user).values("pk")).select_related(
            "meeting__commission", "stage__pathway__beneficiary"
        ),
        pk=pk,
    )
    require(can_manage(request.user, item.meeting.commission.basin_id))
    return item


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
def item_add(request, pk):
    meeting = _managed_meeting(request, pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.item_add(meeting=meeting, by=request.user, title=form.cleaned_data["title"])
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Le point est ajouté à l'ordre du jour."))
    else:
        messages.error(request, _("Dites l'objet du point (200 caractères au plus)."))
    return redirect(meeting)


@require_POST
def item_remove(request, pk):
    item = _managed_item(request, pk)
    restore = request.POST.get("restore") == "1"
    try:
        services.item_remove(item=item, by=request.user, restore=restore)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Le point est remis à l'ordre du jour.") if restore else _("Le point est retiré."))
    return redirect(item.meeting)


@require_POST
def attendance_record(request, pk):
    meeting = _managed_meeting(request, pk)
    try:
        services.attendance_record(meeting=meeting, by=request.user, present_ids=request.POST.getlist("present"))
    except (ValidationError, ValueError):
        messages.error(request, _("La présence n'a pas pu être enregistrée."))
    else:
        messages.success(request, _("Les présences sont enregistrées."))
    return redirect(meeting)


@require_POST
def decision_create(request, pk):
    item = _managed_item(request, pk)
    form = DecisionForm(request.POST, owners=services.owner_choices(item.meeting.commission))
    if form.is_valid():
        try:
            with transaction.atomic():  # the decision and its access log row together
                services.decision_create(item=item, by=request.user, **form.cleaned_data)
                if item.stage_id is not None:  # a decision about a person's case changes their record
                    stage, pathway = item.stage, item.stage.pathway
                    holders = (stage.organisation_id, pathway.prescribing_organisation_id, pathway.opened_by_id)
                    scoping.log_people_listed(request, [(pathway.beneficiary, holders)], action=AccessLog.Action.CHANGE)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request, _("La décision est enregistrée et ajoutée aux actions de suivi de qui s'en charge.")
            )
    else:
        messages.error(request, _("Une décision dit quoi faire, qui s'en charge et pour quand."))
    return redirect(item.meeting)


urlpatterns = [
    path("reunions/<int:pk>/points/", item_add, name="item_add"),
    path("points/<int:pk>/retirer/", item_remove, name="item_remove"),
    path("reunions/<int:pk>/presences/", attendance_record, name="attendance_record"),
    path("points/<int:pk>/decisions/", decision_create, name="decision_create"),
]
