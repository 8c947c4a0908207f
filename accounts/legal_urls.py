from django.urls import path

from accounts import legal

app_name = "legal"

urlpatterns = [
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal_data"),
    path("aide/", legal.help_page, name="help"),
]
