from commissions.views import agenda, meetings, setup

app_name = "commissions"

urlpatterns = [
    *setup.urlpatterns,
    *meetings.urlpatterns,
    *agenda.urlpatterns,
]
