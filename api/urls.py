from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import pages, views

app_name = "api"

router = SimpleRouter()
router.register("pathways", views.PathwayViewSet, basename="pathway")
router.register("stages", views.StageViewSet, basename="stage")
router.register("ruptures", views.RuptureViewSet, basename="rupture")
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = [
    path("v1/", include(router.urls)),
    # The OpenAPI schema and its documentation page: public (they describe the API, not its data). The schema's
    # view takes no session, so it cannot tell a logged-in reader: not stored, as every answer to one.
    path("schema/", never_cache(login_not_required(SpectacularAPIView.as_view())), name="schema"),
    path("docs/", pages.api_docs, name="docs"),
    # The organisation managers' pages: their organisation's tokens.
    path("structures/<int:pk>/jetons/", pages.token_list, name="token_list"),
    path("structures/<int:pk>/jetons/nouveau/", pages.token_create, name="token_create"),
    path("jetons/<int:pk>/revoquer/", pages.token_revoke, name="token_revoke"),
]
