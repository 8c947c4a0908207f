from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charte des bonnes pratiques")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models import Q

        from charter.models import CharterVersion, Signature, SignatureEvent
        from charter.services import regions_followed
        from pathways import scoping

        def signatures_for_user(queryset, user):
            """An organisation's signatures are read by its members and by the regional staff (regional officers,
            basin coordinators) of its region."""
            return queryset.filter(
                Q(organisation__in=scoping.org_ids(user)) | Q(organisation__region__in=regions_followed(user))
            )

        scoping.register(Signature, scope=signatures_for_user)
        # The audit trail of the charter: who signed, decided, withdrew, published (who, when, what).
        auditlog.register(Signature)
        auditlog.register(SignatureEvent)
        auditlog.register(CharterVersion)
