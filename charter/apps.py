from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charte des bonnes pratiques")

    def ready(self):
        from accounts.access_log import register_view_labels
        from charter.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from auditlog.registry import auditlog

        from alerts.registry import register_hold
        from charter import gate, notifications
        from charter.models import CharterVersion, Signature, SignatureEvent, SignatureQuerySet
        from charter.status import attach_statuses
        from notifications import kinds
        from pathways import scoping
        from pathways.panels import OrganisationBadge, register_organisation_badge

        scoping.register(Signature, scope=SignatureQuerySet.visible_to)
        kinds.register(*notifications.KINDS)

        from charter import list_exports
        from pathways import exports

        exports.register(list_exports.OVERVIEW)
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
