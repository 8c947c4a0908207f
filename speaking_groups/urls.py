from speaking_groups.views import cases, dropins, feedback, groups, signals, support

app_name = "speaking_groups"

urlpatterns = [
    *groups.urlpatterns,
    *signals.urlpatterns,
    *feedback.urlpatterns,
    *support.urlpatterns,
    *dropins.urlpatterns,
    *cases.urlpatterns,
]
