"""The notification kinds of `attendance` (registered in `AttendanceConfig.ready`): a presumed rupture to confirm,
and one left unanswered."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.models import Drift
from notifications.kinds import NotificationKind, date_of, label_of

DRIFT_PRESUMED = "drift_presumed"
PRESUMED_ESCALATED = "presumed_escalated"


def drift_presumed_message(params: dict) -> str:
    return _("%(person)s · %(session)s : rupture présumée (%(reason)s). À confirmer ou écarter.") % {
        "person": params.get("person", ""),
        "session": params.get("session", ""),
        "reason": label_of(Drift.Reason, params.get("reason")).lower(),
    }


def presumed_escalated_message(params: dict) -> str:
    return _("%(person)s · %(session)s : rupture présumée depuis le %(date)s, toujours ni confirmée ni écartée.") % {
        "person": params.get("person", ""),
        "session": params.get("session", ""),
        "date": date_of(params.get("since")),
    }


KINDS = [
    NotificationKind(
        code=DRIFT_PRESUMED,
        label=gettext_lazy("Rupture présumée à confirmer"),
        message=drift_presumed_message,
        email="notifications/emails/notification",
    ),
    NotificationKind(
        code=PRESUMED_ESCALATED,
        label=gettext_lazy("Rupture présumée sans réponse"),
        message=presumed_escalated_message,
        email="notifications/emails/notification",
    ),
]
