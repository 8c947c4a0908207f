from django.urls import path

from ruptures.views import alerts, attestations

app_name = "ruptures"

urlpatterns = [
    path("", alerts.alert_list, name="alert_list"),
    path("compteur/", alerts.alert_badge, name="alert_badge"),
    path("<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("<int:pk>/prise-en-compte/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("<int:pk>/action/", alerts.alert_act, name="alert_act"),
    path("etapes/<int:stage_pk>/declarer-une-rupture/", alerts.rupture_create, name="rupture_create"),
    path("structures/<int:pk>/acheminement/", alerts.routing_update, name="routing_update"),
    path("<int:pk>/attestations/", attestations.attestation_request, name="attestation_request"),
    path("attestations/<int:pk>/telecharger/", attestations.attestation_download, name="attestation_download"),
]
