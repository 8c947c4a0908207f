from django.urls import path

from ruptures.views import attestations, declare

app_name = "ruptures"

# Mounted under /alertes/ with the alerts' own URLs (`alerts.urls`), as they were before alerts had their app.
urlpatterns = [
    path("etapes/<int:stage_pk>/declarer-une-rupture/", declare.rupture_create, name="rupture_create"),
    path("<int:pk>/attestations/", attestations.attestation_request, name="attestation_request"),
    path("attestations/<int:pk>/telecharger/", attestations.attestation_download, name="attestation_download"),
]
