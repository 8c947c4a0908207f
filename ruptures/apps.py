from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RupturesConfig(AppConfig):
    name = "ruptures"
    verbose_name = _("Ruptures")

    def ready(self):
        from accounts.access_log import register_view_labels
        from ruptures.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from auditlog.registry import auditlog
        from django.utils.translation import gettext_lazy

        from alerts import registry
        from notifications import kinds
        from pathways import scoping
        from pathways.panels import StagePanel, register_stage_panel
        from ruptures import alerts, notifications, panels
        from ruptures.models import Rupture, RuptureQuerySet
        from ruptures.services import RUPTURE_ALERT_KIND

        scoping.register(
            Rupture,
            scope=RuptureQuerySet.visible_to,
            person=lambda r: r.stage.pathway.beneficiary,
            person_path="stage__pathway__beneficiary",
        )
        registry.register(
            registry.AlertKind(
                code=RUPTURE_ALERT_KIND,
                label=gettext_lazy("Rupture"),
                notification_kind=notifications.RUPTURE_ALERT,
                tells_funder=True,
                summary=alerts.rupture_summary,
                detail=alerts.rupture_alert_detail,
            )
        )
        kinds.register(*notifications.KINDS)
        register_stage_panel(
            StagePanel(
                name="rupture",
                load=panels.stage_rupture_panel,
                templates={
                    "body": "ruptures/includes/stage_panel.html",
                    "actions": "ruptures/includes/stage_actions.html",
                },
                order=30,
            )
        )
        # The rupture's own fields; what refers to it (its causes, attestations) is logged on its own.
        auditlog.register(Rupture, exclude_fields=["causes", "attestations"])

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from ruptures import personal_data as declared_personal_data

        declared_personal_data.declare()
