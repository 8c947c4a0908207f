from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alertes")

    def ready(self):
        from accounts.access_log import register_view_labels
        from alerts.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from auditlog.registry import auditlog

        from alerts import notifications
        from alerts.models import Alert, AlertAction, AlertQuerySet
        from notifications import kinds
        from pathways import scoping

        scoping.register(
            Alert,
            scope=AlertQuerySet.visible_to,
            person=lambda alert: alert.stage.pathway.beneficiary,
            person_path="stage__pathway__beneficiary",
        )
        kinds.register(*notifications.KINDS)

        from alerts import list_exports
        from pathways import exports

        exports.register(list_exports.ALERTS)
        auditlog.register(AlertAction)

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from alerts import personal_data as declared_personal_data

        declared_personal_data.declare()
