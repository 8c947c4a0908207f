"""Drill-down: from a figure to the list behind it. Named rows only for the people the reader's scope reaches
(`Stage.objects.for_user`); a reader who reaches none (a regional officer) gets the aggregate and why, never names.
Each named row shown is written to the access log."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from alerts.registry import alert_kinds
from core.pagination import paginate
from core.params import parse_id
from dashboards import access, selectors, services
from dashboards.figures import Scope
from dashboards.views import scorecard
from dashboards.views.common import period_form
from pathways.models import Organisation, Session
from ruptures.models import CAUSE_FAMILIES, Cause


@require_GET
def drilldown(request, figure):
    """`?bassin=<id>` (regional staff) or `?structure=<id>` (its dashboard's readers), optionally `session`,
    `action` and `cause`, and the period's parameters: the same scope and period as the figure's dashboard."""
    if figure not in selectors.FIGURES:
        raise Http404
    scope, label, owner, back = _scope(request)
    cause = request.GET.get("cause", "")
    if cause and (selectors.FIGURES[figure].alerts or (cause not in CAUSE_FAMILIES and cause not in Cause.values)):
        raise Http404
    form = period_form(request)
    result = selectors.drilldown(
        user=request.user, name=figure, scope=scope, scope_label=label, period=form.chosen, owner=owner, cause=cause
    )
    page = paginate(request, result.rows)
    services.drilldown_access_record(user=request.user, facts=page.object_list, view_name="dashboards:drilldown")
    query = dict(form.chosen.as_query())
    if request.GET.get("session"):
        query["session"] = request.GET["session"]
    if result.figure.alerts:
        labels = {kind.code: kind.label for kind in alert_kinds()}
        for fact in page.object_list:
            fact.kind_label = labels.get(fact.kind, fact.kind)
    context = {
        "result": result,
        "page": page,
        "back": back,
        "query": urlencode(query),
        "cause_label": CAUSE_FAMILIES.get(cause) or dict(Cause.choices).get(cause, ""),
    }
    return render(request, "dashboards/drilldown.html", context)


def _scope(request):
    """The figure's scope, if the reader may see its dashboard: (Scope, label, owner, back link parameters)."""
    basin_id, organisation_id = parse_id(request.GET.get("bassin")), parse_id(request.GET.get("structure"))
    action_id = parse_id(request.GET.get("action")) if request.GET.get("action") else None
    if request.GET.get("action") and action_id is None:
        raise Http404
    if "engagements" in request.GET:
        # A cell of a region's commitment scorecard: that organisation's row, read as the scorecard reads it.
        if basin_id or action_id or request.GET.get("session"):
            raise Http404
        region, organisation, exact = scorecard.row_or_404(request.user, request.GET["engagements"], organisation_id)
        if organisation.kind == Organisation.Kind.PRESCRIBER:
            scope = Scope(region_id=region.pk, prescriber_id=organisation.pk)
        else:
            scope = Scope(region_id=region.pk, organisation_id=organisation.pk)
        return scope, organisation.name, exact, ("dashboards:scorecard", region.code)
    if basin_id and not organisation_id:
        basin = get_object_or_404(access.dashboard_basins(request.user), pk=basin_id)
        scope = Scope(basin_id=basin.pk, training_action_id=action_id)
        return scope, basin.name, False, ("dashboards:basin", basin.pk)
    if organisation_id and not basin_id:
        organisation = access.organisation_or_404(request.user, organisation_id)
        if organisation.kind == Organisation.Kind.PRESCRIBER:
            scope = Scope(prescriber_id=organisation.pk, training_action_id=action_id)
        else:
            scope = Scope(organisation_id=organisation.pk, training_action_id=action_id)
        if request.GET.get("session"):
            session = get_object_or_404(
                Session.objects.filter(training_action__training_body=organisation),
                pk=parse_id(request.GET["session"]),
            )
            scope = Scope(organisation_id=organisation.pk, session_ids=(session.pk,), training_action_id=action_id)
        return scope, organisation.name, True, ("dashboards:organisation", organisation.pk)
    raise Http404


urlpatterns = [path("detail/<slug:figure>/", drilldown, name="drilldown")]
