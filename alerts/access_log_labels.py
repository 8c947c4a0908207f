"""The pages of `alerts` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "alerts:alert_list": _("Liste des alertes"),
    "alerts:alert_detail": _("Fiche d'une alerte"),
    "alerts:alert_acknowledge": _("Prise en compte d'une alerte"),
    "alerts:alert_act": _("Action sur une alerte"),
}
