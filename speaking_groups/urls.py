from speaking_groups.views import cases, feedback, groups, signals

app_name = "speaking_groups"

urlpatterns = [
    *groups.urlpatterns,
    *signals.urlpatterns,
    *feedback.urlpatterns,
    *cases.urlpatterns,
]
