"""The region's map of basins: each basin's key figures, linking to its dashboard (regional staff)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from core.params import parse_id
from dashboards import access, selectors
from dashboards.views.common import export_or_none, period_form
from pathways.scoping import require


@require_GET
def region_map(request):
    """The basins of the user's region; a user with several regions picks one (`?region=`)."""
    regions = access.dashboard_regions(request.user)
    require(bool(regions))
    region = regions[0]
    if "region" in request.GET:
        region = next((r for r in regions if r.pk == parse_id(request.GET["region"])), None)
        if region is None:
            raise Http404
    form = period_form(request)
    basins = list(access.dashboard_basins(request.user).filter(region=region).order_by("name"))
    page = selectors.region_page(region=region, period=form.chosen, basins=basins)
    export = export_or_none(request, {"bassins": page.table}, f"bassins-{region.code}-{form.chosen.start:%Y%m%d}")
    if export is not None:
        return export
    keep = [("region", region.pk)] if len(regions) > 1 else []
    return render(request, "dashboards/region.html", {"page": page, "form": form, "regions": regions, "keep": keep})


urlpatterns = [path("", region_map, name="region")]
