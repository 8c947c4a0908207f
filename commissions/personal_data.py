"""What the basin commissions hold about a person, declared to `accounts.personal_data`."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import (
    FREE_TEXT,
    KEEP,
    Category,
    PersonalData,
    anonymise,
    anonymise_fields,
    register,
    source,
)
from commissions.models import decision_source_key

PERSON = "stage__pathway__beneficiary"


REGION = "commission__basin__region"


def _anonymise_decisions(queryset) -> int:
    """A decision's text and the copies of it: its owner's to-do (which names no stage when its owner does not see
    the person, so nobody's anonymisation reaches it) and the to-do's reminders."""
    from notifications.models import Notification, Todo

    decisions = list(queryset.values_list("pk", flat=True))
    changed = anonymise_fields(source("commissions.Decision"), queryset)
    todos = Todo.objects.filter(source_key__in=[decision_source_key(pk) for pk in decisions])
    reminders = Q()
    for pk in todos.values_list("pk", flat=True):
        reminders |= Q(cause_key__startswith=f"todo:{pk}:")
    anonymise(source("notifications.Todo"), todos)
    if reminders:
        anonymise(source("notifications.Notification"), Notification.objects.filter(reminders))
    return changed


def declare() -> None:
    # A point about a person goes with the person; a commission's own point (no stage) may name someone too: its
    # text goes with the meeting's reports, some months after the meeting.
    register(
        PersonalData(
            model="commissions.AgendaItem",
            person=PERSON,
            category=Category.PATHWAY,
            label=_("Points à l'ordre du jour des commissions"),
            fields={"on": KEEP, "title": FREE_TEXT},
            orphan_clock="meeting__starts_at",
            orphan_category=Category.DOCUMENTS,
            orphan_region="meeting__" + REGION,
        )
    )
    register(
        PersonalData(
            model="commissions.Decision",
            person="item__" + PERSON,
            category=Category.PATHWAY,
            label=_("Décisions des commissions"),
            fields={"due_on": KEEP, "action": FREE_TEXT},
            anonymise_rows=_anonymise_decisions,
            orphan_clock="meeting__starts_at",
            orphan_category=Category.DOCUMENTS,
            orphan_region="meeting__" + REGION,
        )
    )
    # Why a meeting was cancelled (it may name someone): replaced with the meeting's reports.
    register(
        PersonalData(
            model="commissions.Meeting",
            person=None,
            region=REGION,
            category=Category.DOCUMENTS,
            label=_("Réunions de commission annulées"),
            fields={"starts_at": KEEP, "cancel_reason": FREE_TEXT},
            clock="starts_at",
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
