from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Tableaux de bord")

    def ready(self):
        from accounts.access_log import register_view_labels
        from dashboards.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from dashboards import queue, receivers
        from pathways.changes import register_stages_listener

        # The changes that move a figure queue a refresh of the rollups (dashboards.queue).
        receivers.connect()
        register_stages_listener(queue.enqueue)

        # The rollups hold counts and codes per stage, never a name or a free text (accounts.personal_data).
        from accounts.personal_data import declare_no_personal_data

        for model in ("dashboards.StageFact", "dashboards.AlertFact"):
            declare_no_personal_data(model, "codes et dates des statistiques, sans nom ni texte libre")
