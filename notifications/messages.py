"""The text of each kind of notification, rendered in the reader's language from the row's parameters.

Parameters hold codes (a stage kind, an action, a drift reason) and names; labels are translated at display time,
so a notification reads in the language of whoever opens it.
"""

from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from notifications.models import Notification

Kind = Notification.Kind


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _date(value):
    day = parse_date(value or "")
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def render(notification: Notification) -> str:
    from attendance.models import Drift
    from pathways.models import Stage, StageTransition

    p = notification.params or {}
    if notification.kind == Kind.STAGE_TRANSITION:
        return _("%(person)s · %(stage)s : %(action)s le %(date)s (par %(actor)s).") % {
            "person": p.get("person", ""),
            "stage": _label(Stage.Kind, p.get("stage_kind")),
            "action": _label(StageTransition.Action, p.get("action")).lower(),
            "date": _date(p.get("date")),
            "actor": p.get("actor") or _("système"),
        }
    if notification.kind == Kind.DRIFT_PRESUMED:
        return _("%(person)s · %(session)s : rupture présumée (%(reason)s). À confirmer ou écarter.") % {
            "person": p.get("person", ""),
            "session": p.get("session", ""),
            "reason": _label(Drift.Reason, p.get("reason")).lower(),
        }
    if notification.kind == Kind.PRESUMED_ESCALATED:
        return _(
            "%(person)s · %(session)s : rupture présumée depuis le %(date)s, toujours ni confirmée ni écartée."
        ) % {"person": p.get("person", ""), "session": p.get("session", ""), "date": _date(p.get("since"))}
    return notification.get_kind_display()
