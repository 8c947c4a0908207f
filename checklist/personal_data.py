"""What the checklists hold about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, JsonText, PersonalData, register

PERSON = "stage__pathway__beneficiary"


def declare() -> None:
    register(
        PersonalData(
            model="checklist.Checklist",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Check-lists"),
            fields={"created_at": KEEP, "consent_on": KEEP},
        )
    )
    register(
        PersonalData(
            model="checklist.ChecklistAnswer",
            person="checklist__" + PERSON,
            category=Category.PATHWAY,
            label=_("Réponses de check-list"),
            fields={"item": KEEP, "comment": FREE_TEXT, "action": FREE_TEXT, "action_due": KEEP},
        )
    )
    # A revision's frozen answers keep their codes and answers (the figures' "at risk" items); their comments,
    # actions and action owners' names go.
    register(
        PersonalData(
            model="checklist.ChecklistRevision",
            person="checklist__" + PERSON,
            category=Category.PATHWAY,
            label=_("Versions envoyées des check-lists"),
            fields={"submitted_at": KEEP, "answers": JsonText(("comment", "action", "owner"))},
        )
    )
    register(
        PersonalData(
            model="checklist.ChecklistPdf",
            person="revision__checklist__" + PERSON,
            category=Category.PATHWAY,
            label=_("PDF des check-lists"),
            fields={"requested_at": KEEP},
            files=("file",),
        )
    )
