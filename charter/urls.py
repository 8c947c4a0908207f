from django.urls import path

from charter.views import public, regional, signing

app_name = "charter"

urlpatterns = [
    path("", signing.charter_current, name="current"),
    path("versions/<slug:region>/<int:number>/", signing.version_detail, name="version_detail"),
    # Before the charter became regional: the version of that number in the reader's region.
    path("versions/<int:number>/", signing.version_detail_of_my_region, name="version_detail_of_my_region"),
    path("structures/<int:organisation_pk>/signer/", signing.sign, name="sign"),
    path("signatures/<int:pk>/", signing.signature_detail, name="signature_detail"),
    path("signatures/<int:pk>/copie/", signing.signature_download, name="signature_download"),
    path("signatures/<int:pk>/retrait/", signing.signature_withdraw, name="signature_withdraw"),
    path("signatures/<int:pk>/validation/", regional.signature_validate, name="signature_validate"),
    path("signatures/<int:pk>/refus/", regional.signature_refuse, name="signature_refuse"),
    path("suivi/", regional.overview, name="overview"),
    path("suivi/relance/", regional.remind, name="remind"),
    path("projets/nouveau/", regional.draft_create, name="draft_create"),
    path("projets/<int:pk>/", regional.draft_edit, name="draft_edit"),
    path("projets/<int:pk>/publication/", regional.draft_publish, name="draft_publish"),
    # Public (no login). Region and basin codes are INSEE codes: letters and digits (a slug), nothing else reaches
    # the database.
    path("verifier/", public.verify_lookup, name="verify_lookup"),
    path("verifier/<str:code>", public.verify, name="verify"),
    path("signataires/", public.signatories, name="signatories"),
    path("signataires/<slug:region>/", public.region_signatories, name="region_signatories"),
    path("signataires/<slug:region>/<slug:code>/", public.basin_signatories, name="basin_signatories"),
]
