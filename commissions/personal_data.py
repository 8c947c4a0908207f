"""What the basin commissions hold about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, PersonalData, register

PERSON = "stage__pathway__beneficiary"


def declare() -> None:
    register(
        PersonalData(
            model="commissions.AgendaItem",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Points à l'ordre du jour des commissions"),
            fields={"on": KEEP, "title": FREE_TEXT},
        )
    )
    register(
        PersonalData(
            model="commissions.Decision",
            person="item__" + PERSON,
            category=Category.PATHWAY,
            label=_("Décisions des commissions"),
            fields={"due_on": KEEP, "action": FREE_TEXT},
        )
    )
    # A meeting's report names the people on its agenda: deleted some months after it was built, and at once with
    # any person it names.
    register(
        PersonalData(
            model="commissions.CommissionReport",
            person="meeting__items__" + PERSON,
            category=Category.DOCUMENTS,
            label=_("Comptes rendus de commission"),
            fields={"finished_at": KEEP},
            files=("file",),
            clock="finished_at",
        )
    )
