from dashboards.views import basin, drilldown, organisation, region

app_name = "dashboards"

urlpatterns = [
    *region.urlpatterns,
    *basin.urlpatterns,
    *organisation.urlpatterns,
    *drilldown.urlpatterns,
]
