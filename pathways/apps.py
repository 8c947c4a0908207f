from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from auditlog.registry import auditlog

        from accounts import twofactor
        from pathways import scoping
        from pathways.models import Beneficiary, MembershipInvitation, MembershipInvitationQuerySet, Pathway, Stage
        from pathways.twofactor import requires_two_factor

        # Every create/change of a person, a pathway or a stage is recorded (who, when, what changed).
        auditlog.register(Beneficiary, exclude_fields=["id", "name_key", "created_at", "created_by"])
        auditlog.register(Pathway, exclude_fields=["id", "created_by"])
        auditlog.register(Stage, exclude_fields=["id", "created_at", "created_by"])

        # An invitation is read by the account it is addressed to and by the managers who may answer for it.
        scoping.register(MembershipInvitation, scope=MembershipInvitationQuerySet.visible_to)

        # The second factor is mandatory for regional staff, facilitators and the members of an organisation that
        # asks for it (accounts.twofactor).
        twofactor.register_requirement(requires_two_factor)
