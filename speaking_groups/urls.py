from speaking_groups.views import groups

app_name = "speaking_groups"

urlpatterns = [
    *groups.urlpatterns,
]
