"""The notification kinds of `ruptures` (registered in `RupturesConfig.ready`): the alert announcing a rupture, and
the day a suspended stage is due to resume."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.notifications import ALERT_EMAIL
from notifications.kinds import NotificationKind, date_of, label_of
from pathways.models import Stage
from ruptures.models import Rupture

RUPTURE_ALERT = "rupture_alert"
RESUME_DUE = "resume_due"


def rupture_alert_message(params: dict) -> str:
    return _("%(person)s : %(kind)s, le %(date)s. Prenez l'alerte en compte et notez votre action.") % {
        "person": params.get("person", ""),
        "kind": label_of(Rupture.Kind, params.get("rupture_kind")).lower(),
        "date": date_of(params.get("date")),
    }


def resume_due_message(params: dict) -> str:
    return _("%(person)s · %(stage)s : la reprise est prévue aujourd'hui (%(date)s).") % {
        "person": params.get("person", ""),
        "stage": label_of(Stage.Kind, params.get("stage_kind")),
        "date": date_of(params.get("date")),
    }


KINDS = [
    NotificationKind(
        code=RUPTURE_ALERT,
        label=gettext_lazy("Alerte de rupture"),
        message=rupture_alert_message,
        email=ALERT_EMAIL,
    ),
    NotificationKind(
        code=RESUME_DUE,
        label=gettext_lazy("Reprise prévue aujourd'hui"),
        message=resume_due_message,
        email="notifications/emails/notification",
    ),
]
