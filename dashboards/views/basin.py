"""A basin's dashboard (regional staff of its region; 404 for anyone else)."""

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from dashboards import access, selectors
from dashboards.views.common import export_or_none, period_form


@require_GET
def basin_dashboard(request, pk):
    basin = get_object_or_404(access.dashboard_basins(request.user).select_related("region"), pk=pk)
    form = period_form(request)
    page = selectors.basin_page(basin=basin, period=form.chosen)
    tables = {table.name: table for section in page.sections for table in section.tables}
    export = export_or_none(request, tables, f"bassin-{basin.code}-{form.chosen.start:%Y%m%d}")
    if export is not None:
        return export
    return render(request, "dashboards/dashboard.html", {"page": page, "form": form, "keep": []})


urlpatterns = [path("bassins/<int:pk>/", basin_dashboard, name="basin")]
