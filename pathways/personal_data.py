"""The person and pathway data this app holds, declared to the retention and right-of-access registry
(`accounts.personal_data`)."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import CONTACT, DATE, FREE_TEXT, KEEP, NAME, Category, PersonalData, register

PERSON = "pathway__beneficiary"
OF_STAGE = "stage__pathway__beneficiary"


def declare() -> None:
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
