from speaking_groups.views import groups, signals

app_name = "speaking_groups"

urlpatterns = [
    *groups.urlpatterns,
    *signals.urlpatterns,
]
