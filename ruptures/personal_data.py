"""What the ruptures hold about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, PersonalData, register

PERSON = "stage__pathway__beneficiary"


def declare() -> None:
    register(
        PersonalData(
            model="ruptures.Rupture",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Ruptures"),
            fields={"occurred_on": KEEP, "comment": FREE_TEXT, "no_reminder_reason": FREE_TEXT},
        )
    )
    register(
        PersonalData(
            model="ruptures.RuptureCause",
            person="rupture__" + PERSON,
            category=Category.PATHWAY,
            label=_("Causes de rupture"),
            fields={"family": KEEP, "cause": KEEP},
        )
    )
    register(
        PersonalData(
            model="ruptures.SkillsAttestation",
            person="rupture__" + PERSON,
            category=Category.PATHWAY,
            label=_("Attestations de compétences"),
            fields={"requested_at": KEEP, "skills": FREE_TEXT},
            files=("file",),
        )
    )
