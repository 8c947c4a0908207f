from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RupturesConfig(AppConfig):
    name = "ruptures"
    verbose_name = _("Ruptures et alertes")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models import CharField, Exists, OuterRef, Q, Value
        from django.db.models.functions import Cast, Concat

        from notifications.models import Notification
        from pathways import scoping
        from pathways.models import Pathway
        from ruptures.models import Alert, AlertAction, Rupture

        def ruptures_for_user(queryset, user):
            visible = scoping.pathways_for_user(Pathway.objects.all(), user).values("pk")
            return queryset.filter(stage__pathway__in=visible)

        def alerts_for_user(queryset, user):
            """Alerts on pathways the user sees, alerts of their organisation's inbox, and alerts they were sent
            (a funder's regional officer sees the alerts addressed to them, not the pathways), except those the
            charter gate holds for their organisation."""
            visible = scoping.pathways_for_user(Pathway.objects.all(), user).values("pk")
            addressed = Notification.objects.filter(
                recipient=user, cause_key=Concat(Value("alert:"), Cast(OuterRef("pk"), CharField()))
            )
            # Held by the charter gate (charter.gate): until its organisation signs, an alert held for it is not
            # shown to its members (but to the one who declared it).
            held = Notification.objects.filter(
                status=Notification.Status.HELD,
                held_for__in=scoping.org_ids(user),
                cause_key=Concat(Value("alert:"), Cast(OuterRef("pk"), CharField())),
            )
            return queryset.filter(
                Q(stage__pathway__in=visible)
                | Q(inbox__in=scoping.org_ids(user, roles=scoping.PERSON_ROLES))
                | Exists(addressed)
            ).exclude(Q(Exists(held)) & ~Q(rupture__declared_by=user) & ~Q(checklist_revision__submitted_by=user))

        scoping.register(Rupture, scope=ruptures_for_user, person=lambda r: r.stage.pathway.beneficiary)
        scoping.register(Alert, scope=alerts_for_user, person=lambda a: a.stage.pathway.beneficiary)
        # The rupture's own fields; what refers to it (its alert, causes, attestations) is logged on its own.
        auditlog.register(Rupture, exclude_fields=["alert", "causes", "attestations"])
        auditlog.register(AlertAction)
