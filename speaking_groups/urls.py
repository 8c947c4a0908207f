from speaking_groups.views import dropins, groups, signals

app_name = "speaking_groups"

urlpatterns = [
    *groups.urlpatterns,
    *signals.urlpatterns,
    *dropins.urlpatterns,
]
