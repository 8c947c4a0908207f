"""The pages of `ruptures` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "ruptures:rupture_create": _("Signalement d'une rupture"),
    "ruptures:attestation_request": _("Demande d'une attestation de rupture"),
    "ruptures:attestation_download": _("Téléchargement d'une attestation de rupture"),
}
