"""What the alerts hold about a person, declared to `accounts.personal_data`."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import FREE_TEXT, KEEP, Category, PersonalData, register


def declare() -> None:
    register(
        PersonalData(
            model="alerts.Alert",
            person="stage__pathway__beneficiary",
            category=Category.PATHWAY,
            label=_("Alertes"),
            fields={"kind": KEEP, "topic": KEEP, "created_at": KEEP, "acknowledged_at": KEEP},
        )
    )
    register(
        PersonalData(
            model="alerts.AlertAction",
            person="alert__stage__pathway__beneficiary",
            category=Category.PATHWAY,
            label=_("Actions sur les alertes"),
            fields={"at": KEEP, "note": FREE_TEXT},
        )
    )
