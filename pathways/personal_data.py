"""The person and pathway data this app holds, declared to the retention and right-of-access registry
(`accounts.personal_data`)."""

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import CONTACT, DATE, FREE_TEXT, KEEP, NAME, Category, PersonalData, register
from accounts.retention import People, register_people

PERSON = "pathway__beneficiary"
OF_STAGE = "stage__pathway__beneficiary"


def declare() -> None:
    declare_people()
    # A long list's export (pathways.export_documents) names many people: its file is deleted with the "exports"
    # category's short duration after its request, whoever it names, and its filters with it (the page's query
    # string: a search by name, "q=Durand").
    register(
        PersonalData(
            model="pathways.ListExportDocument",
            person=None,
            region="region",
            category=Category.EXPORTS,
            label=_("Exports de listes"),
            fields={"requested_at": KEEP, "params": FREE_TEXT, "error": FREE_TEXT},
            files=("file",),
            clock="requested_at",
        )
    )
    register(
        PersonalData(
            model="pathways.Beneficiary",
            person="",
            category=Category.PATHWAY,
            label=_("Identité et coordonnées"),
            fields={
                "first_name": NAME,
                "last_name": NAME,
                "name_key": NAME,
                "birth_date": DATE,
                "email": CONTACT,
                "phone": CONTACT,
                "commune": KEEP,
                "created_at": KEEP,
            },
        )
    )
    register(
        PersonalData(
            model="pathways.Pathway",
            person="beneficiary",
            category=Category.PATHWAY,
            label=_("Parcours"),
            fields={
                "opened_at": KEEP,
                "opened_by": KEEP,
                "referent": KEEP,
                "closed_at": KEEP,
                "closure_reason": FREE_TEXT,
            },
        )
    )
    register(
        PersonalData(
            model="pathways.Stage",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Étapes"),
            fields={
                "organisation": KEEP,
                "planned_start": KEEP,
                "planned_end": KEEP,
                "actual_start": KEEP,
                "actual_end": KEEP,
            },
        )
    )
    register(
        PersonalData(
            model="pathways.StageTransition",
            person=OF_STAGE,
            category=Category.PATHWAY,
            label=_("Changements d'étape"),
            fields={"effective_date": KEEP, "reason": FREE_TEXT},
        )
    )
    register(
        PersonalData(
            model="pathways.JoinRequest",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Demandes de rejoindre le parcours"),
            fields={
                "organisation": KEEP,
                "created_at": KEEP,
                "typed_name": NAME,
                "message": FREE_TEXT,
                "decision_comment": FREE_TEXT,
            },
        )
    )


def with_retention_clock(queryset):
    """The retention job's clock of each person (accounts.retention): their open pathways, and their last activity,
    the latest closure of a pathway (their creation when they never had one)."""
    return queryset.annotate(
        retention_open=Count("pathways", filter=Q(pathways__closed_at__isnull=True)),
        retention_last_activity=Coalesce(Max("pathways__closed_at"), F("created_at")),
    )


def declare_people() -> None:
    register_people(People(model="pathways.Beneficiary", region="region", with_clock=with_retention_clock))
