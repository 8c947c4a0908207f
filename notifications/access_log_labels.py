"""The pages of `notifications` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "notifications:inbox": _("Notifications"),
    "notifications:open": _("Ouverture d'une notification"),
    "notifications:todo_list": _("Liste des choses à faire"),
    "notifications:todo_done": _("Chose à faire terminée"),
}
