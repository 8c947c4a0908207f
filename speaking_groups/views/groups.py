"""The groups and their collective workshops: the facilitator's workspace, what the training body sees of it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessLog
from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.models import Organisation
from pathways.scoping import get_for_user_or_404, require
from speaking_groups import selectors
from speaking_groups.forms.groups import AttendanceForm, GroupForm, NotesForm, WorkshopForm
from speaking_groups.models import SpeakingGroup, Workshop, support_organisations
from speaking_groups.services import groups as services


@require_GET
def group_list(request):
    """The groups the user sees: those their support structure runs (facilitators), those their training body hosts
    (its staff)."""
    groups = (
        SpeakingGroup.objects.for_user(request.user)
        .select_related("support_organisation", "training_body")
        .prefetch_related(Prefetch("sessions", to_attr="session_list"))
        .annotate(
            upcoming=Count(
                "workshops",
                filter=Q(workshops__date__gte=timezone.localdate(), workshops__cancelled_at__isnull=True),
            )
        )
        .order_by("closed_on", "name", "pk")
    )
    supports = Organisation.objects.filter(pk__in=support_organisations(request.user)).order_by("name")
    return render(
        request,
        "speaking_groups/group_list.html",
        {"page": paginate(request, groups), "supports": list(supports)},
    )


@require_http_methods(["GET", "POST"])
def group_create(request):
    """A facilitator creates a group: first the training body (GET `organisme`), then the rest."""
    supports = list(Organisation.objects.filter(pk__in=support_organisations(request.user)).order_by("name"))
    require(bool(supports))
    support = _choice(supports, request.GET.get("structure")) or supports[0]
    bodies = list(
        Organisation.objects.filter(kind=Organisation.Kind.TRAINING_BODY, region=support.region_id).order_by("name")
    )
    body = _choice(bodies, request.GET.get("organisme"))
    form = None
    if body is not None:
        form = GroupForm(request.POST if request.method == "POST" else None, support=support, training_body=body)
        if request.method == "POST" and form.is_valid():
            try:
                group = services.group_create(
                    by=request.user, support_organisation=support, training_body=body, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Le groupe de parole est créé."))
                return redirect(group)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "speaking_groups/group_form.html",
        {"supports": supports, "support": support, "bodies": bodies, "body": body, "form": form},
    )


def _choice(objects, raw):
    return next((obj for obj in objects if str(obj.pk) == (raw or "")), None)


@require_GET
def group_detail(request, pk):
    group = get_for_user_or_404(
        SpeakingGroup.objects.select_related("support_organisation", "training_body", "co_facilitator"), request, pk=pk
    )
    return render(request, "speaking_groups/group_detail.html", selectors.group_page(request.user, group))


@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    group = get_for_user_or_404(
        SpeakingGroup.objects.select_related("support_organisation", "training_body"), request, pk=pk
    )
    require(services.is_facilitator(request.user, group))
    initial = {
        "name": group.name,
        "sessions": list(group.sessions.values_list("pk", flat=True)),
        "facilitators": list(group.facilitators.values_list("pk", flat=True)),
        "co_facilitator": group.co_facilitator_id,
    }
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        support=group.support_organisation,
        training_body=group.training_body,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le groupe est mis à jour."))
            return redirect(group)
    return render(request, "speaking_groups/group_edit.html", {"group": group, "form": form})


@require_http_methods(["GET", "POST"])
def workshop_create(request, pk):
    group = get_for_user_or_404(SpeakingGroup.objects.select_related("training_body"), request, pk=pk)
    require(services.is_facilitator(request.user, group))
    form = WorkshopForm(request.POST if request.method == "POST" else None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'atelier est programmé."))
            return redirect("speaking_groups:workshop_detail", pk=workshop.pk)
    return render(request, "speaking_groups/workshops/workshop_form.html", {"group": group, "form": form})


def _workshop(request, pk):
    return get_for_user_or_404(
        Workshop.objects.select_related(
            "group__support_organisation", "group__training_body", "session__training_action", "co_facilitator"
        ),
        request,
        pk=pk,
    )


@require_GET
def workshop_detail(request, pk):
    workshop = _workshop(request, pk)
    context = selectors.workshop_page(request.user, workshop)
    scoping.log_people_listed(request, selectors.workshop_people(context))
    return render(request, "speaking_groups/workshops/workshop_detail.html", context)


@require_POST
def workshop_attendance(request, pk):
    workshop = _workshop(request, pk)
    require(services.is_facilitator(request.user, workshop.group))
    form = AttendanceForm(request.POST, stages=services.enrolled_stages(workshop.session))
    if form.is_valid():
        before = set(workshop.attendances.values_list("stage_id", flat=True))
        try:
            count = services.workshop_attendance_set(
                workshop=workshop, by=request.user, stages=form.cleaned_data["stages"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            # Who was marked present or no longer present: a change of their record, in the access log.
            changed = before.symmetric_difference(stage.pk for stage in form.cleaned_data["stages"])
            scoping.log_people_listed(
                request,
                selectors.people_entries(
                    services.enrolled_stages(workshop.session).filter(pk__in=changed),
                    (workshop.group.support_organisation_id, workshop.group.training_body_id),
                ),
                action=AccessLog.Action.CHANGE,
            )
            messages.success(request, _("Présences enregistrées : %(n)s.") % {"n": count})
    else:
        messages.error(request, _("Seules les personnes inscrites à la session peuvent être notées présentes."))
    return redirect("speaking_groups:workshop_detail", pk=workshop.pk)


@require_POST
def workshop_notes(request, pk):
    workshop = _workshop(request, pk)
    require(services.is_facilitator(request.user, workshop.group))
    form = NotesForm(request.POST)
    if form.is_valid():
        services.workshop_notes_save(workshop=workshop, by=request.user, notes=form.cleaned_data["notes"])
        messages.success(request, _("Notes enregistrées."))
        return redirect("speaking_groups:workshop_detail", pk=workshop.pk)
    context = selectors.workshop_page(request.user, workshop)
    context["notes_form"] = form
    scoping.log_people_listed(request, selectors.workshop_people(context))
    return render(request, "speaking_groups/workshops/workshop_detail.html", context, status=400)


@require_POST
def workshop_cancel(request, pk):
    workshop = _workshop(request, pk)
    require(services.is_facilitator(request.user, workshop.group))
    try:
        services.workshop_cancel(workshop=workshop, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'atelier est annulé."))
    return redirect(workshop.group)


urlpatterns = [
    path("", group_list, name="group_list"),
    path("nouveau/", group_create, name="group_create"),
    path("<int:pk>/", group_detail, name="group_detail"),
    path("<int:pk>/modifier/", group_edit, name="group_edit"),
    path("<int:pk>/ateliers/nouveau/", workshop_create, name="workshop_create"),
    path("ateliers/<int:pk>/", workshop_detail, name="workshop_detail"),
    path("ateliers/<int:pk>/presences/", workshop_attendance, name="workshop_attendance"),
    path("ateliers/<int:pk>/notes/", workshop_notes, name="workshop_notes"),
    path("ateliers/<int:pk>/annuler/", workshop_cancel, name="workshop_cancel"),
]
