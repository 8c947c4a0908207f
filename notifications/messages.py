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
    if notification.kind == Kind.RUPTURE_ALERT:
        return _("%(person)s : %(kind)s, le %(date)s. Prenez l'alerte en compte et notez votre action.") % {
            "person": p.get("person", ""),
            "kind": _rupture_kind(p.get("rupture_kind")),
            "date": _date(p.get("date")),
        }
    if notification.kind == Kind.ALERT_ESCALATED:
        return _("%(person)s : l'alerte du %(since)s (%(kind)s) n'a toujours pas été prise en compte.") % {
            "person": p.get("person", ""),
            "since": _date(p.get("since")),
            "kind": _rupture_kind(p.get("rupture_kind")) if p.get("rupture_kind") else _("risque avant l'entrée"),
        }
    if notification.kind == Kind.CHECKLIST_RISK:
        if p.get("items"):
            return _("%(person)s : avant l'entrée, à risque : %(items)s. Prenez l'alerte en compte.") % {
                "person": p.get("person", ""),
                "items": ", ".join(p["items"]),
            }
        return _("%(person)s : un risque avant l'entrée nécessite un contact avec la personne.") % {
            "person": p.get("person", "")
        }
    if notification.kind == Kind.TODO_OVERDUE:
        return _("Action de suivi en retard (prévue le %(date)s) : %(title)s.") % {
            "date": _date(p.get("due")),
            "title": p.get("title", ""),
        }
    if notification.kind == Kind.RESUME_DUE:
        return _("%(person)s · %(stage)s : la reprise est prévue aujourd'hui (%(date)s).") % {
            "person": p.get("person", ""),
            "stage": _label(Stage.Kind, p.get("stage_kind")),
            "date": _date(p.get("date")),
        }
    if notification.kind == Kind.CHARTER_PUBLISHED:
        return _(
            "La version %(version)s de la charte des bonnes pratiques est publiée : signez-la au nom de votre "
            "structure avant le %(date)s (votre signature précédente reste valable jusque-là)."
        ) % {"version": p.get("version", ""), "date": _date(p.get("valid_until"))}
    if notification.kind == Kind.CHARTER_REMINDER:
        return _("%(organisation)s n'a pas encore signé la version %(version)s de la charte des bonnes pratiques.") % {
            "organisation": p.get("organisation", ""),
            "version": p.get("version", ""),
        }
    if notification.kind == Kind.CHARTER_DECISION:
        if p.get("decision") == "refused":
            return _("La Région a refusé la signature de la charte (version %(version)s) de %(organisation)s.") % {
                "organisation": p.get("organisation", ""),
                "version": p.get("version", ""),
            }
        return _("La Région a validé la signature de la charte (version %(version)s) de %(organisation)s.") % {
            "organisation": p.get("organisation", ""),
            "version": p.get("version", ""),
        }
    return notification.get_kind_display()


def _rupture_kind(value) -> str:
    from ruptures.models import Rupture

    return _label(Rupture.Kind, value).lower()
