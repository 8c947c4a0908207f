from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Assiduité")

    def ready(self):
        from accounts.access_log import register_view_labels
        from attendance.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from auditlog.registry import auditlog

        from attendance import list_exports, notifications, panels
        from attendance.models import Drift, DriftQuerySet, FollowUpAttempt
        from notifications import kinds
        from pathways import exports, scoping
        from pathways.panels import StagePanel, register_stage_panel

        exports.register(list_exports.WATCH, list_exports.PRESUMED)
        scoping.register(
            Drift,
            scope=DriftQuerySet.visible_to,
            person=lambda drift: drift.stage.pathway.beneficiary,
            person_path="stage__pathway__beneficiary",
        )
        kinds.register(*notifications.KINDS)
        register_stage_panel(
            StagePanel(
                name="attendance",
                load=panels.stage_attendance_panel,
                templates={"body": "attendance/includes/stage_panel.html"},
                order=10,
            )
        )
        from attendance.services import session_calendar_check, session_calendar_regenerate
        from pathways.services.offer import register_session_check, register_session_listener

        register_session_check(session_calendar_check)
        register_session_listener(session_calendar_regenerate)
        auditlog.register(Drift)
        auditlog.register(FollowUpAttempt)

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from attendance import personal_data as declared_personal_data

        declared_personal_data.declare()
