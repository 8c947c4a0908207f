"""An organisation's dashboard: a training body's (and per session of theirs) for its managers, a prescriber's (the
people it prescribed) for its manager and advisers; the figures of a basin it serves beside."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from core.params import parse_id
from dashboards import access, selectors
from dashboards.views.common import period_form
from pathways.models import Organisation, Session


@require_GET
def organisation_dashboard(request, pk):
    organisation = access.organisation_or_404(request.user, pk)
    session = None
    if organisation.kind == Organisation.Kind.TRAINING_BODY and request.GET.get("session"):
        session = (
            Session.objects.filter(training_action__training_body=organisation, pk=parse_id(request.GET["session"]))
            .select_related("training_action")
            .first()
        )
        if session is None:
            raise Http404
    basins = selectors.organisation_basins(organisation)
    basin = basins[0] if basins else None
    if request.GET.get("bassin"):
        basin = next((b for b in basins if b.pk == parse_id(request.GET["bassin"])), None)
        if basin is None:
            raise Http404
    form = period_form(request)
    page = selectors.organisation_page(organisation=organisation, session=session, basin=basin, period=form.chosen)
    return render(
        request,
        "dashboards/dashboard.html",
        {"page": page, "form": form, "basins": basins, "sessions": selectors.organisation_sessions(organisation, form.chosen)},
    )


urlpatterns = [path("structures/<int:pk>/", organisation_dashboard, name="organisation")]
