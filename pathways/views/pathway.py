"""Pathways and their stages: list, timeline page, changes, and the stage transitions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_errors
from core.pagination import paginate
from pathways import exports, scoping
from pathways.filters import PathwayFilter
from pathways.forms import (
    PathwayCloseForm,
    PathwayForm,
    StageExitForm,
    StagePlanForm,
    StageResumeForm,
    StageStartForm,
    StageSuspendForm,
)
from pathways.models import JoinRequest, Pathway, Stage
from pathways.panels import attach_badges, stage_panels
from pathways.scoping import get_for_user_or_404, require
from pathways.services import employers as employer_services
from pathways.services import people as people_services
from pathways.services import stages as stage_services
from pathways.timeline import build_timeline, pathway_history


@require_GET
def pathway_list(request):
    filterset = pathway_filter(request.user, request.GET)
    if response := exports.respond(request, "parcours", filterset.qs):
        return response
    page = paginate(request, filterset.qs)
    attach_badges([pathway.prescribing_organisation for pathway in page.object_list])
    scoping.log_people_listed(request, (entry for pathway in page.object_list for entry in pathway_entries(pathway)))
    return render(
        request,
        "pathways/pathway_list.html",
        {"filter": filterset, "page": page, "can_enrol": scoping.can_enrol(request.user)},
    )


def pathway_filter(user, params) -> PathwayFilter:
    """The pathway list's rows for `user` with the filters of `params`: the page and its export."""
    queryset = Pathway.objects.for_user(user).with_list_data().order_by("-opened_at", "-pk")
    return PathwayFilter(params, queryset=queryset, user=user, region_ids=scoping.region_ids(user))


def pathway_entries(pathway):
    """(person, organisations through which the list shows them) for the access log."""
    return [(pathway.beneficiary, (pathway.prescribing_organisation_id, pathway.opened_by_id))]


@require_GET
def pathway_detail(request, pk):
    pathway = get_for_user_or_404(
        Pathway.objects.select_related(
            "beneficiary__commune", "referent", "prescribing_organisation", "prescribing_adviser", "opened_by"
        ),
        request,
        pk=pk,
    )
    user = request.user
    can_manage = scoping.can_manage_pathway(user, pathway)
    items, programme_uses = build_timeline(pathway)
    staff_orgs = scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES)
    panels = stage_panels(user, pathway, [item.stage for item in items])
    for item in items:
        item.panels = panels.get(item.stage.pk, {})
        item.stage.pathway = pathway  # already loaded; spares a query per stage in the permission check
        item.can_transition = item.stage.is_active and (can_manage or item.stage.organisation_id in staff_orgs)
    context = {
        "pathway": pathway,
        "beneficiary": pathway.beneficiary,
        "items": items,
        "programme_uses": programme_uses,
        "can_manage": can_manage and pathway.status == Pathway.Status.OPEN,
        "organisations": people_services.pathway_organisations(pathway),
        "long_gap_days": 30,
    }
    if can_manage:
        # Field-level history is for those who run the pathway; everyone in scope sees the transitions.
        context["history"] = pathway_history(pathway, [item.stage.pk for item in items])
    if pathway.referent_id == user.pk:
        context["join_requests"] = pathway.join_requests.filter(status=JoinRequest.Status.PENDING).select_related(
            "organisation", "requested_by"
        )
    return render(request, "pathways/pathway_detail.html", context)


def _managed_pathway(request, pk):
    pathway = get_for_user_or_404(Pathway.objects.select_related("beneficiary__region"), request, pk=pk)
    require(scoping.can_manage_pathway(request.user, pathway))
    return pathway


@require_http_methods(["GET", "POST"])
def pathway_update(request, pk):
    pathway = _managed_pathway(request, pk)
    form = PathwayForm(
        request.POST if request.method == "POST" else None,
        pathway=pathway,
        organisations=people_services.pathway_organisations(pathway),
        adviser_options_url=reverse("pathways:adviser_options"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            people_services.pathway_update(pathway=pathway, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le parcours est mis à jour."))
            return redirect(pathway)
    return render(request, "pathways/pathway_form.html", {"form": form, "pathway": pathway})


@require_http_methods(["GET", "POST"])
def pathway_close(request, pk):
    pathway = _managed_pathway(request, pk)
    form = PathwayCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            people_services.pathway_close(pathway=pathway, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le parcours est clôturé."))
            return redirect(pathway)
    return render(request, "pathways/pathway_close.html", {"form": form, "pathway": pathway})


# --------------------------------------------------------------------------------------------------------------
# Stages


@require_http_methods(["GET", "POST"])
def stage_create(request, pk):
    pathway = _managed_pathway(request, pk)
    form = StagePlanForm(request.POST if request.method == "POST" else None, region=pathway.beneficiary.region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                stage = stage_services.stage_plan(
                    pathway=pathway,
                    by=request.user,
                    kind=data["kind"],
                    organisation=data["organisation"],
                    planned_start=data["planned_start"],
                    planned_end=data["planned_end"],
                    programme=data["programme"],
                    employer=_stage_employer(form, region=pathway.beneficiary.region),
                    session=data["session"],
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'étape « %(kind)s » est prévue.") % {"kind": stage.get_kind_display()})
            return redirect(stage)
    return render(request, "pathways/stage_form.html", {"form": form, "pathway": pathway})


def _stage_employer(form, *, region):
    """The company chosen or typed in the stage form (call inside the transaction that plans the stage)."""
    data = form.cleaned_data
    return employer_services.employer_for_stage(
        region=region,
        employer=data["employer"],
        new_employer_name=data.get("new_employer_name", ""),
        new_employer_siret=data.get("new_employer_siret", ""),
    )


def _stage(request, pk, *, transition=True):
    stage = get_for_user_or_404(
        Stage.objects.select_related("pathway__beneficiary__region", "organisation", "programme"),
        request,
        pk=pk,
    )
    allowed = (
        scoping.can_transition_stage(request.user, stage)
        if transition
        else scoping.can_manage_pathway(request.user, stage.pathway)
    )
    require(allowed)
    return stage


@require_http_methods(["GET", "POST"])
def stage_update(request, pk):
    stage = _stage(request, pk, transition=False)
    form = StagePlanForm(
        request.POST if request.method == "POST" else None, region=stage.pathway.beneficiary.region, stage=stage
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                stage_services.stage_replan(
                    stage=stage,
                    by=request.user,
                    planned_start=data["planned_start"],
                    planned_end=data["planned_end"],
                    programme=data["programme"],
                    employer=_stage_employer(form, region=stage.pathway.beneficiary.region),
                    session=data["session"],
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le plan de l'étape est mis à jour."))
            return redirect(stage)
    return render(request, "pathways/stage_form.html", {"form": form, "pathway": stage.pathway, "stage": stage})


TRANSITIONS = {
    "start": {
        "form": StageStartForm,
        "service": lambda stage, by, d: stage_services.stage_start(
            stage=stage, by=by, date=d["date"], comment=d["comment"]
        ),
        "title": gettext_lazy("Démarrer l'étape"),
        "done": gettext_lazy("L'étape a démarré."),
    },
    "suspend": {
        "form": StageSuspendForm,
        "service": lambda stage, by, d: stage_services.stage_suspend(
            stage=stage, by=by, date=d["date"], planned_resume=d["planned_resume"], reason=d["reason"]
        ),
        "title": gettext_lazy("Suspendre l'étape"),
        "done": gettext_lazy("L'étape est suspendue."),
    },
    "resume": {
        "form": StageResumeForm,
        "service": lambda stage, by, d: stage_services.stage_resume(
            stage=stage, by=by, date=d["date"], comment=d["comment"]
        ),
        "title": gettext_lazy("Reprendre l'étape"),
        "done": gettext_lazy("L'étape a repris."),
    },
    "exit": {
        "form": StageExitForm,
        "service": lambda stage, by, d: stage_services.stage_exit(
            stage=stage,
            by=by,
            status=d["status"],
            date=d["date"],
            destination=d["destination"],
            reason=d["reason"],
        ),
        "title": gettext_lazy("Enregistrer une sortie"),
        "done": gettext_lazy("La sortie est enregistrée."),
    },
}


def _transition_view(action):
    spec = TRANSITIONS[action]

    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        stage = _stage(request, pk)
        form_kwargs = {"stage": stage} if action == "exit" else {}
        form = spec["form"](request.POST if request.method == "POST" else None, **form_kwargs)
        if request.method == "POST" and form.is_valid():
            try:
                spec["service"](stage, request.user, form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, spec["done"])
                return redirect(stage)
        return render(
            request,
            "pathways/stage_transition.html",
            {
                "form": form,
                "stage": stage,
                "pathway": stage.pathway,
                "title": spec["title"],
                "action": action,
            },
        )

    view.__name__ = f"stage_{action}"
    return view


stage_start = _transition_view("start")
stage_suspend = _transition_view("suspend")
stage_resume = _transition_view("resume")
stage_exit = _transition_view("exit")
