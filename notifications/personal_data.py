"""What the notifications and to-dos hold about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import retention
from accounts.personal_data import FREE_TEXT, KEEP, Category, JsonText, PersonalData, register
from notifications.kinds import NotificationKind, date_of

# The notification parameters that may carry a name or free text (the others are dates, codes and counts).
PERSONAL_PARAMS = ("person", "reason", "title", "context", "decision", "action", "outcome", "items", "actor")


RETENTION_NOTICE = "retention_notice"


def retention_notice_message(params: dict) -> str:
    return gettext(
        "Les données nominatives d'une personne que vous avez suivie seront anonymisées le %(date)s (durée de "
        "conservation écoulée) : voyez sa fiche ; un effacement plus tôt se demande au DPO."
    ) % {"date": date_of(params.get("due"))}


KINDS = [
    NotificationKind(
        code=RETENTION_NOTICE,
        label=_("Données bientôt anonymisées"),
        message=retention_notice_message,
        email="notifications/emails/notification",
    )
]


def retention_notice(person, due_on) -> None:
    """Thirty days before a person's named data is anonymised, the referent of each of their pathways is told: a
    notification (in the app and by e-mail) and a to-do due that day, with no name in either (the link leads to the
    person's page, for those who still see them)."""
    from notifications.models import Notification
    from notifications.services import notify
    from notifications.todos import todo_set

    referents = {p.referent for p in person.pathways.select_related("referent") if p.referent and p.referent.is_active}
    for referent in sorted(referents, key=lambda user: user.pk):
        key = f"retention:{person.pk}:{referent.pk}:{due_on.isoformat()}"
        todo_set(
            source_key=key,
            owner=referent,
            title=gettext("Des données d'une personne que vous avez suivie seront anonymisées à cette date"),
            context=gettext("Durée de conservation écoulée ; un effacement plus tôt se demande au DPO."),
            due_on=due_on,
            by=None,
            url=person.get_absolute_url(),
        )
        notify(
            recipients=[referent],
            kind=RETENTION_NOTICE,
            cause_key=key,
            url=person.get_absolute_url(),
            params={"due": due_on.isoformat()},
            channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
        )


def declare() -> None:
    from notifications import kinds

    kinds.register(*KINDS)
    retention.register_notice(retention_notice)
    register(
        PersonalData(
            model="notifications.Notification",
            person=("stage__pathway__beneficiary", "beneficiary"),
            category=Category.PATHWAY,
            label=_("Notifications"),
            fields={"kind": KEEP, "created_at": KEEP, "params": JsonText(PERSONAL_PARAMS)},
            # A message about no person (a meeting's cancellation and its reason): its words go after the default
            # duration of named data.
            orphan_clock="created_at",
        )
    )
    register(
        PersonalData(
            model="notifications.Todo",
            person="stage__pathway__beneficiary",
            category=Category.PATHWAY,
            label=_("Choses à faire"),
            fields={"due_on": KEEP, "title": FREE_TEXT, "context": FREE_TEXT},
            # A to-do about no stage (a commission's decision whose owner does not see the person): its words go
            # with its decision's person, or after the default duration of named data.
            orphan_clock="created_at",
        )
    )
