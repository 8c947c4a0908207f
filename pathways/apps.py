from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from accounts.access_log import register_view_labels
        from pathways.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from auditlog.registry import auditlog

        from accounts import twofactor
        from pathways import list_exports, scoping
        from pathways.models import (
            Beneficiary,
            ListExportDocument,
            MembershipInvitation,
            MembershipInvitationQuerySet,
            Pathway,
            Stage,
        )
        from pathways.twofactor import requires_two_factor

        list_exports.register_all()
        # A long list's export is its requester's alone, while they have an active membership (or run the platform).
        scoping.register(
            ListExportDocument,
            scope=lambda queryset, user: (
                queryset.filter(requested_by=user)
                if user.is_superuser or scoping.active_memberships(user)
                else queryset.none()
            ),
        )

        # Every create/change of a person, a pathway or a stage is recorded (who, when, what changed).
        auditlog.register(Beneficiary, exclude_fields=["id", "name_key", "created_at", "created_by"])
        auditlog.register(Pathway, exclude_fields=["id", "created_by"])
        auditlog.register(Stage, exclude_fields=["id", "created_at", "created_by"])

        # The rights of the person (accounts' models): read and changed with the person's record. A right-of-access
        # export is its requester's alone (it may hold their structure's facilitator notes); a notice's PDF is for
        # whoever sees the person; a DPO reads the documents they asked for about a person of their remit
        # (`pathways.scoping.dpo_people`). `pathways.rights` renders both (built by a worker, `accounts.rights`).
        from django.db.models import Q

        from accounts import rights as rights_documents
        from accounts.models import NoticeHandover, RightsDocument, SharingObjection
        from pathways import rights

        def with_person(queryset, user):
            return queryset.filter(beneficiary__in=scoping.beneficiaries_for_user(Beneficiary.objects.all(), user))

        def rights_documents_scope(queryset, user):
            seen = Q(beneficiary__in=scoping.beneficiaries_for_user(Beneficiary.objects.all(), user))
            # A data-protection officer's own documents about a person of their remit (their data-protection page).
            answered = Q(requested_by=user, beneficiary__in=scoping.dpo_people(user))
            return queryset.filter((seen & (Q(kind=RightsDocument.Kind.NOTICE) | Q(requested_by=user))) | answered)

        for model in (NoticeHandover, SharingObjection):
            scoping.register(model, scope=with_person, person=lambda row: row.beneficiary, person_path="beneficiary")
        scoping.register(
            RightsDocument, scope=rights_documents_scope, person=lambda row: row.beneficiary, person_path="beneficiary"
        )
        rights_documents.register_renderer("notice", "pdf", rights.render_notice_pdf)
        rights_documents.register_renderer("access", "json", rights.render_access_json)
        rights_documents.register_renderer("access", "pdf", rights.render_access_pdf)

        # An invitation is read by the account it is addressed to and by the managers who may answer for it.
        scoping.register(MembershipInvitation, scope=MembershipInvitationQuerySet.visible_to)

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from pathways import personal_data as declared_personal_data

        declared_personal_data.declare()

        # The second factor is mandatory for regional staff, facilitators and the members of an organisation that
        # asks for it (accounts.twofactor).
        twofactor.register_requirement(requires_two_factor)
