from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Tableaux de bord")

    def ready(self):
        from dashboards import queue, receivers
        from pathways.changes import register_stages_listener

        # The changes that move a figure queue a refresh of the rollups (dashboards.queue).
        receivers.connect()
        register_stages_listener(queue.enqueue)
