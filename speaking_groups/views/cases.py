"""Post-rupture cases: the support structure's facilitators only (everyone else: 404); a declarer may ask for one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.scoping import get_for_user_or_404, require
from ruptures.models import Rupture
from speaking_groups.forms.cases import CaseEntryForm, CaseOutcomeForm
from speaking_groups.models import PostRuptureCase, support_organisations
from speaking_groups.services import cases as services


def _facilitator_or_404(user):
    if not support_organisations(user):
        raise Http404


@require_GET
def case_list(request):
    """The structure's cases, open or closed (`?etat=closes`), and the ruptures of its people without a case."""
    _facilitator_or_404(request.user)
    closed = request.GET.get("etat") == "closes"
    cases = (
        PostRuptureCase.objects.for_user(request.user)
        .select_related("rupture__stage__pathway__beneficiary", "support_organisation")
        .defer("notes")
    )
    cases = cases.exclude(outcome="") if closed else cases.filter(outcome="")
    without_case = (
        Rupture.objects.for_user(request.user)
        .filter(
            stage__enrolment__session__speaking_groups__support_organisation__in=support_organisations(request.user)
        )
        .exclude(kind=Rupture.Kind.POSITIVE_EXIT)
        .filter(~Exists(PostRuptureCase.objects.filter(rupture=OuterRef("pk"))))
        .select_related("stage__pathway__beneficiary")
        .distinct()
        .order_by("-occurred_on", "-pk")[:50]
    )
    page, without_case = paginate(request, cases), list(without_case)
    supports = tuple(sorted(support_organisations(request.user)))
    scoping.log_people_listed(
        request,
        [
            *((case.rupture.stage.pathway.beneficiary, (case.support_organisation_id,)) for case in page.object_list),
            *((rupture.stage.pathway.beneficiary, supports) for rupture in without_case),
        ],
    )
    return render(
        request,
        "speaking_groups/cases/case_list.html",
        {"page": page, "closed": closed, "without_case": without_case},
    )


@require_POST
def case_open(request, rupture_pk):
    """Open (a facilitator) or ask for (any declarer) the post-rupture case of a rupture."""
    rupture = get_for_user_or_404(
        Rupture.objects.select_related("stage__pathway__beneficiary", "stage__pathway"), request, pk=rupture_pk
    )
    require(services.may_ask_for_case(request.user, rupture))
    try:
        case = services.case_open(rupture=rupture, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'intervention post-rupture est ouverte."))
        if case.support_organisation_id in support_organisations(request.user):
            return redirect(case)
    return redirect(rupture.stage)


def _case(request, pk):
    return get_for_user_or_404(
        PostRuptureCase.objects.select_related("rupture__stage__pathway__beneficiary", "support_organisation"),
        request,
        pk=pk,
    )


def _render_detail(request, case, entry_form=None, outcome_form=None, status=200):
    return render(
        request,
        "speaking_groups/cases/case_detail.html",
        {
            "case": case,
            "entries": case.entries.select_related("by"),
            "entry_form": entry_form or CaseEntryForm(),
            "outcome_form": outcome_form
            or CaseOutcomeForm(initial={"outcome": case.outcome, "outcome_on": case.outcome_on}),
            "news": services.news_due_dates(case.rupture),
        },
        status=status,
    )


@require_GET
def case_detail(request, pk):
    return _render_detail(request, _case(request, pk))


@require_POST
def case_entry_create(request, pk):
    case = _case(request, pk)
    form = CaseEntryForm(request.POST)
    if form.is_valid():
        try:
            services.case_entry_add(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'étape est enregistrée."))
            return redirect(case)
    return _render_detail(request, case, entry_form=form, status=400)


@require_POST
def case_outcome(request, pk):
    case = _case(request, pk)
    form = CaseOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.case_outcome_record(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'issue est enregistrée : le ou la référent·e du parcours en est informé·e."))
            return redirect(case)
    return _render_detail(request, case, outcome_form=form, status=400)


urlpatterns = [
    path("interventions/", case_list, name="case_list"),
    path("interventions/<int:pk>/", case_detail, name="case_detail"),
    path("interventions/<int:pk>/etapes/", case_entry_create, name="case_entry_create"),
    path("interventions/<int:pk>/issue/", case_outcome, name="case_outcome"),
    path("ruptures/<int:rupture_pk>/intervention/", case_open, name="case_open"),
]
