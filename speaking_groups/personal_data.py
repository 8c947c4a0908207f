"""What the speaking groups hold about a person, declared to `accounts.personal_data`. The facilitators' notes are
confidential (their structure releases them) and kept one year after the case closes (their own clock)."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, PersonalData, register

PERSON = "stage__pathway__beneficiary"
# "The case closes": the outcome of a post-rupture case; for the other notes, the end of the person's pathway.
PATHWAY_CLOSED = "stage__pathway__closed_at"


def declare() -> None:
    for model, label, when, author in (
        ("speaking_groups.DropInBooking", _("Rendez-vous de permanence"), "date", "slot__group__support_organisation"),
        ("speaking_groups.HotlineCall", _("Appels à la ligne d'écoute"), "called_at", "support_organisation"),
        ("speaking_groups.NetworkContact", _("Orientations vers le réseau"), "contacted_on", "support_organisation"),
    ):
        # An anonymous hotline call (linked to no person) is a case of its own: its notes go a year after the call.
        anonymous = (
            {"orphan_clock": when, "orphan_region": f"{author}__region"}
            if model == "speaking_groups.HotlineCall"
            else {}
        )
        register(
            PersonalData(
                model=model,
                person=PERSON,
                category=Category.FACILITATOR_NOTES,
                label=label,
                fields={when: KEEP, "notes": FREE_TEXT},
                clock=PATHWAY_CLOSED,
                confidential=True,
                author=author,
                **anonymous,
            )
        )
    # A workshop's notes speak of the group, maybe of some of its participants: kept a year after the group closes.
    register(
        PersonalData(
            model="speaking_groups.Workshop",
            person=None,
            region="group__support_organisation__region",
            category=Category.FACILITATOR_NOTES,
            label=_("Notes d'atelier"),
            fields={"date": KEEP, "notes": FREE_TEXT},
            clock="group__closed_on",
            confidential=True,
            author="group__support_organisation",
        )
    )
    register(
        PersonalData(
            model="speaking_groups.WorkshopAttendance",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Participation aux ateliers"),
            fields={"workshop": KEEP},
        )
    )
    register(
        PersonalData(
            model="speaking_groups.PostRuptureCase",
            person="rupture__" + PERSON,
            category=Category.FACILITATOR_NOTES,
            label=_("Suivis après rupture"),
            fields={"opened_at": KEEP, "outcome": KEEP, "outcome_on": KEEP, "notes": FREE_TEXT},
            clock="outcome_on",
            confidential=True,
            author="support_organisation",
        )
    )
    register(
        PersonalData(
            model="speaking_groups.CaseEntry",
            person="case__rupture__" + PERSON,
            category=Category.FACILITATOR_NOTES,
            label=_("Notes de suivi après rupture"),
            fields={"on": KEEP, "text": FREE_TEXT},
            clock="case__outcome_on",
            confidential=True,
            author="case__support_organisation",
        )
    )
    register(
        PersonalData(
            model="speaking_groups.ReferentShare",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Informations transmises au référent"),
            fields={"shared_at": KEEP, "summary": FREE_TEXT},
        )
    )
