from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("compteur/", views.alert_badge, name="alert_badge"),
    path("<int:pk>/", views.alert_detail, name="alert_detail"),
    path("<int:pk>/prise-en-compte/", views.alert_acknowledge, name="alert_acknowledge"),
    path("<int:pk>/action/", views.alert_act, name="alert_act"),
    path("structures/<int:pk>/acheminement/", views.routing_update, name="routing_update"),
]
