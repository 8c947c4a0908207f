"""An organisation's dashboard: a training body's (and per session of theirs) for its managers, a prescriber's (the
people it prescribed) for its manager and advisers; the figures of a basin it serves beside."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from core.params import parse_id
from dashboards import access, selectors
from dashboards.views.common import export_or_none, period_form
from pathways.models import Organisation, Session


@require_GET
def organisation_dashboard(request, pk):
    """`?session=` narrows a training body's figures to one of its sessions; `?bassin=` picks the basin beside."""
    organisation = access.organisation_or_404(request.user, pk)
    keep = []
    session = None
    if organisation.kind == Organisation.Kind.TRAINING_BODY and request.GET.get("session"):
        session = (
            Session.objects.filter(training_action__training_body=organisation, pk=parse_id(request.GET["session"]))
            .select_related("training_action")
            .first()
        )
        if session is None:
            raise Http404
        keep.append(("session", session.pk))
    basins = selectors.organisation_basins(organisation)
    basin = basins[0] if basins else None
    if request.GET.get("bassin"):
        basin = next((b for b in basins if b.pk == parse_id(request.GET["bassin"])), None)
        if basin is None:
            raise Http404
        keep.append(("bassin", basin.pk))
    form = period_form(request)
    page = selectors.organisation_page(organisation=organisation, session=session, basin=basin, period=form.chosen)
    tables = {table.name: table for section in page.sections for table in section.tables}
    export = export_or_none(request, tables, f"structure-{organisation.pk}-{form.chosen.start:%Y%m%d}")
    if export is not None:
        return export
    context = {
        "page": page,
        "form": form,
        "keep": keep,
        "basins": basins,
        "sessions": selectors.organisation_sessions(organisation, form.chosen),
        "others": [o for o in access.dashboard_organisations(request.user) if o.pk != organisation.pk],
    }
    return render(request, "dashboards/dashboard.html", context)


urlpatterns = [path("structures/<int:pk>/", organisation_dashboard, name="organisation")]
