from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from auditlog.registry import auditlog

        from pathways import scoping
        from pathways.models import Beneficiary, MembershipInvitation, MembershipInvitationQuerySet, Pathway, Stage

        # Every create/change of a person, a pathway or a stage is recorded (who, when, what changed).
        auditlog.register(Beneficiary, exclude_fields=["id", "name_key", "created_at", "created_by"])
        auditlog.register(Pathway, exclude_fields=["id", "created_by"])
        auditlog.register(Stage, exclude_fields=["id", "created_at", "created_by"])

        # The rights of the person (accounts' models): read and changed with the person's record.
        from accounts.models import NoticeHandover, SharingObjection

        def with_person(queryset, user):
            return queryset.filter(beneficiary__in=scoping.beneficiaries_for_user(Beneficiary.objects.all(), user))

        for model in (NoticeHandover, SharingObjection):
            scoping.register(model, scope=with_person, person=lambda row: row.beneficiary, person_path="beneficiary")

        # An invitation is read by the account it is addressed to and by the managers who may answer for it.
        scoping.register(MembershipInvitation, scope=MembershipInvitationQuerySet.visible_to)
