"""The pages of `dashboards` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "dashboards:drilldown": _("Détail d'un indicateur (personnes concernées)"),
}
