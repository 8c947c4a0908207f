"""What the notifications and to-dos hold about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, JsonText, PersonalData, register

# The notification parameters that may carry a name or free text (the others are dates, codes and counts).
PERSONAL_PARAMS = ("person", "reason", "title", "context", "decision", "action", "outcome", "items", "actor")


def declare() -> None:
    register(
        PersonalData(
            model="notifications.Notification",
            person=("stage__pathway__beneficiary", "beneficiary"),
            category=Category.PATHWAY,
            label=_("Notifications"),
            fields={"kind": KEEP, "created_at": KEEP, "params": JsonText(PERSONAL_PARAMS)},
        )
    )
    register(
        PersonalData(
            model="notifications.Todo",
            person="stage__pathway__beneficiary",
            category=Category.PATHWAY,
            label=_("Choses à faire"),
            fields={"due_on": KEEP, "title": FREE_TEXT, "context": FREE_TEXT},
        )
    )
