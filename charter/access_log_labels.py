"""The pages of `charter` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "charter:overview": _("Suivi des signatures de la charte"),
    "charter:signature_detail": _("Fiche d'une signature de la charte"),
    "charter:signature_download": _("Téléchargement d'une charte signée"),
}
