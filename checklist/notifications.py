"""The notification kind of `checklist` (registered in `ChecklistConfig.ready`): the alert for points that became
at risk before a person's entry."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.notifications import ALERT_EMAIL
from notifications.kinds import NotificationKind

CHECKLIST_RISK = "checklist_risk"


def checklist_risk_message(params: dict) -> str:
    if params.get("items"):
        return _("%(person)s : avant l'entrée, à risque : %(items)s. Prenez l'alerte en compte.") % {
            "person": params.get("person", ""),
            "items": ", ".join(params["items"]),
        }
    return _("%(person)s : un risque avant l'entrée nécessite un contact avec la personne.") % {
        "person": params.get("person", "")
    }


KINDS = [
    NotificationKind(
        code=CHECKLIST_RISK,
        label=gettext_lazy("Check-list : un risque avant l'entrée"),
        message=checklist_risk_message,
        email=ALERT_EMAIL,
    ),
]
