"""The commitment scorecard of a region (`dashboards.scorecard`) and the indicators' definitions.

Who sees the scorecard of a region: its regional staff (regional officers and basin coordinators of a funder of the
region: every signatory's row, with the small-count rule), and an organisation manager of the region (their own
organisation's row, exact, beside the region's total). Other members of the region: 403; anyone else: 404.
Each organisation row's cells link to the lists behind them (`dashboards:drilldown` with `?engagements=<region>`,
`row_or_404`).
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from charter.models import CharterVersion
from charter.services import regions_followed
from core.exports import export_request
from dashboards import scorecard as figures
from dashboards.views.common import period_form
from pathways import scoping
from pathways.models import Membership, Region


def _managed(user, region: Region):
    return [
        m.organisation
        for m in scoping.active_memberships(user)
        if m.role == Membership.Role.ORG_MANAGER and m.organisation.region_id == region.pk
    ]


@require_GET
def scorecard(request, region):
    region = Region.objects.filter(code=region).first()
    if region is None:
        raise Http404
    own = None
    if region.pk not in regions_followed(request.user):
        own = list({org.pk: org for org in _managed(request.user, region)}.values())
        if not own:
            if region.pk in scoping.region_ids(request.user):
                scoping.require(False)
            raise Http404
    form = period_form(request)
    period = form.chosen
    card = figures.build_scorecard(region=region, start=period.start, end=period.end, own=own)
    figures.link_cells(card, period.as_query())
    download = export_request(
        request, {"engagements": lambda: figures.scorecard_table(card)}, filename=f"engagements-{region.code}"
    )
    if download is not None:
        return download
    return render(request, "dashboards/scorecard.html", {"card": card, "form": form, "period": period, "keep": []})


def row_or_404(user, region_code: str, organisation_id: int | None):
    """An organisation row of a region's scorecard, as `user` reads it: (region, organisation, exact). Regional staff
    read any validated signatory's row, with the small-count rule; an organisation manager only their own
    organisation's, exact. Anything else: 404."""
    region = Region.objects.filter(code=region_code).first()
    if region is None or organisation_id is None:
        raise Http404
    if region.pk in regions_followed(user):
        version = CharterVersion.objects.of_region(region).published().order_by("-number").first()
        organisation = next((org for org in figures.signatories(version) if org.pk == organisation_id), None)
        exact = False
    else:
        organisation = next((org for org in _managed(user, region) if org.pk == organisation_id), None)
        exact = True
    if organisation is None:
        raise Http404
    return region, organisation, exact


@require_GET
def indicators(request):
    return render(request, "dashboards/indicators.html", {"sections": figures.definitions()})


urlpatterns = [
    path("engagements/<slug:region>/", scorecard, name="scorecard"),
    path("indicateurs/", indicators, name="indicators"),
]
