from dashboards.views import scorecard

app_name = "dashboards"

urlpatterns = [
    *scorecard.urlpatterns,
]
