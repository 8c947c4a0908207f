from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import views

admin.site.site_header = _("Sans Rupture · administration")
admin.site.site_title = _("Sans Rupture")
admin.site.index_title = _("Données de référence")

urlpatterns = [
    path("", include("pathways.urls")),
    path("compte/", include("accounts.urls")),
    path("informations/", include("accounts.legal_urls")),
    path("notifications/", include("notifications.urls")),
    path("assiduite/", include("attendance.urls")),
    path("alertes/", include("alerts.urls")),
    path("alertes/", include("ruptures.urls")),
    path("charte/", include("charter.urls")),
    path("check-lists/", include("checklist.urls")),
    path("groupes-de-parole/", include("speaking_groups.urls")),
    path("tableaux-de-bord/", include("dashboards.urls")),
    path("commissions/", include("commissions.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
