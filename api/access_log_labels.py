"""The reads of the partner API that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "api:pathway-list": _("API partenaire : liste des parcours"),
    "api:pathway-detail": _("API partenaire : fiche d'un parcours"),
    "api:stage-list": _("API partenaire : liste des étapes"),
    "api:stage-detail": _("API partenaire : fiche d'une étape"),
    "api:stage-declare-rupture": _("API partenaire : signalement d'une rupture"),
    "api:rupture-list": _("API partenaire : liste des ruptures"),
    "api:rupture-detail": _("API partenaire : fiche d'une rupture"),
    "api:alert-list": _("API partenaire : liste des alertes"),
    "api:alert-detail": _("API partenaire : fiche d'une alerte"),
}
