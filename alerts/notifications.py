"""The notification kinds of `alerts` (registered in `AlertsConfig.ready`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.registry import alert_kind
from alerts.services import ALERT_ESCALATED
from notifications.kinds import NotificationKind, date_of

# The e-mail template set of every alert message, whatever its kind (no name, no cause).
ALERT_EMAIL = "alerts/emails/alert"


def alert_escalated_message(params: dict) -> str:
    try:
        summary = alert_kind(params.get("alert_kind", "")).summary(params.get("topic", "")).lower()
    except LookupError:
        summary = ""
    return _("%(person)s : l'alerte du %(since)s (%(kind)s) n'a toujours pas été prise en compte.") % {
        "person": params.get("person", ""),
        "since": date_of(params.get("since")),
        "kind": summary,
    }


KINDS = [
    NotificationKind(
        code=ALERT_ESCALATED,
        label=gettext_lazy("Alerte non prise en compte"),
        message=alert_escalated_message,
        email=ALERT_EMAIL,
    ),
]
