from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistConfig(AppConfig):
    name = "checklist"
    verbose_name = _("Check-list de sécurisation")

    def ready(self):
        from accounts.access_log import register_view_labels
        from checklist.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from auditlog.registry import auditlog
        from django.utils.translation import gettext_lazy

        from alerts import registry
        from checklist import alerts, notifications, panels
        from checklist.models import Checklist, ChecklistQuerySet
        from checklist.services import CHECKLIST_ALERT_KIND, check_before_start, submitted, submitted_before_start
        from notifications import kinds
        from pathways import scoping
        from pathways.panels import StagePanel, register_stage_fact, register_stage_panel
        from pathways.services.stages import register_start_check
        from ruptures.rates import register_split

        scoping.register(
            Checklist,
            scope=ChecklistQuerySet.visible_to,
            person=lambda c: c.stage.pathway.beneficiary,
            person_path="stage__pathway__beneficiary",
        )
        register_start_check(check_before_start)

        from checklist import list_exports
        from pathways import exports

        exports.register(list_exports.CHECKLISTS)
        # The rupture rate's "with a checklist" split (docs/design.md §4), defined here, where the checklists are.
        register_split("with_checklist", submitted_before_start)
        # "Its checklist is submitted", read by the attendance sheet and the day's sessions to flag who has none.
        register_stage_fact("checklist_submitted", submitted)
        registry.register(
            registry.AlertKind(
                code=CHECKLIST_ALERT_KIND,
                label=gettext_lazy("Risque avant l'entrée"),
                notification_kind=notifications.CHECKLIST_RISK,
                tells_funder=False,
                summary=lambda topic: str(gettext_lazy("Risque avant l'entrée")),
                detail=alerts.checklist_alert_detail,
            )
        )
        kinds.register(*notifications.KINDS)
        register_stage_panel(
            StagePanel(
                name="checklist",
                load=panels.stage_checklist_panel,
                templates={"body": "checklist/includes/stage_panel.html"},
                order=20,
            )
        )
        # Who started it and who recorded the person's agreement (the answers' history is the revisions).
        auditlog.register(Checklist, include_fields=["status", "consent", "consent_scope", "consent_on"])

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from checklist import personal_data as declared_personal_data

        declared_personal_data.declare()
