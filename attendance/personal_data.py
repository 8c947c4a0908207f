"""What attendance holds about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, PersonalData, register

PERSON = "stage__pathway__beneficiary"


def declare() -> None:
    register(
        PersonalData(
            model="attendance.Drift",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Décrochages"),
            fields={"opened_at": KEEP, "closed_at": KEEP, "closing_note": FREE_TEXT},
        )
    )
    register(
        PersonalData(
            model="attendance.FollowUpAttempt",
            person="drift__" + PERSON,
            category=Category.PATHWAY,
            label=_("Relances"),
            fields={"at": KEEP, "comment": FREE_TEXT},
        )
    )
    # A monthly statement names every person of its session: its file is deleted a few months after it was built
    # (its own clock), and at once with any person it is about.
    register(
        PersonalData(
            model="attendance.StatementExport",
            person=PERSON,
            category=Category.TRANSMISSION_FILES,
            label=_("États de présence mensuels"),
            fields={"month": KEEP, "finished_at": KEEP},
            files=("file",),
            clock="finished_at",
        )
    )
