from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alertes")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models import CharField, Exists, OuterRef, Q, Value
        from django.db.models.functions import Cast, Concat

        from alerts import notifications, registry
        from alerts.models import Alert, AlertAction
        from notifications import kinds
        from notifications.models import Notification
        from pathways import scoping
        from pathways.models import Pathway

        def alerts_for_user(queryset, user):
            """Alerts on pathways the user sees now, and, for a funder's regional officer, the alerts of the kinds
            that tell the funder on the stages their organisation funds; except those a hold keeps from the user's
            organisation (the charter gate), but for their author. Having been sent an alert grants nothing: the
            access ends with the membership."""
            if not scoping.active_memberships(user):
                return queryset.none()
            visible = scoping.pathways_for_user(Pathway.objects.all(), user).values("pk")
            condition = Q(stage__pathway__in=visible)
            if scoping.funding_organisations(user):
                condition |= Q(kind__in=registry.funder_kinds()) & scoping.funded(user, stage="stage__")
            held = Notification.objects.filter(
                status=Notification.Status.HELD,
                held_for__in=scoping.org_ids(user),
                cause_key=Concat(Value("alert:"), Cast(OuterRef("pk"), CharField())),
            )
            return queryset.filter(condition).exclude(Exists(held) & ~Q(raised_by=user))

        scoping.register(Alert, scope=alerts_for_user, person=lambda alert: alert.stage.pathway.beneficiary)
        kinds.register(*notifications.KINDS)
        auditlog.register(AlertAction)
