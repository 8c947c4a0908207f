from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charte des bonnes pratiques")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models import Q

        from alerts.registry import register_hold
        from charter import gate, notifications
        from charter.models import CharterVersion, Signature, SignatureEvent
        from charter.services import is_platform_admin, regions_followed
        from charter.status import attach_statuses
        from notifications import kinds
        from pathways import scoping
        from pathways.panels import OrganisationBadge, register_organisation_badge

        def signatures_for_user(queryset, user):
            """An organisation's signatures are read by its members and by the regional staff (regional officers,
            basin coordinators of a funder) of its region; a platform administrator reads them all, as in the
            admin, to decide where no organisation may (`charter.services.can_decide`)."""
            if is_platform_admin(user):
                return queryset
            return queryset.filter(
                Q(organisation__in=scoping.org_ids(user)) | Q(organisation__region__in=regions_followed(user))
            )

        scoping.register(Signature, scope=signatures_for_user)
        kinds.register(*notifications.KINDS)
        # The charter gate: named alerts to an organisation without a valid signature wait for it (charter.gate).
        register_hold(gate.held_organisations)
        register_organisation_badge(
            OrganisationBadge(
                name="charter", template="charter/includes/organisation_badge.html", attach=attach_statuses
            )
        )
        # The audit trail of the charter: who signed, decided, withdrew, published (who, when, what).
        auditlog.register(Signature)
        auditlog.register(SignatureEvent)
        auditlog.register(CharterVersion)
