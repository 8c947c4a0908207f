from commissions.views import agenda, meetings, reports, setup

app_name = "commissions"

urlpatterns = [
    *setup.urlpatterns,
    *meetings.urlpatterns,
    *agenda.urlpatterns,
    *reports.urlpatterns,
]
