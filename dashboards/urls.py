from dashboards.views import basin, drilldown, organisation, region, scorecard

app_name = "dashboards"

urlpatterns = [
    *region.urlpatterns,
    *basin.urlpatterns,
    *organisation.urlpatterns,
    *drilldown.urlpatterns,
    *scorecard.urlpatterns,
]
