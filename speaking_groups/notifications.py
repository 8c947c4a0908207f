"""The notification kinds of `speaking_groups` (registered in `SpeakingGroupsConfig.ready`). No kind carries a note,
a cause or how something was heard (NEUTRALITÉ): the e-mails and SMS say only that there is something to read."""

from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind, date_of, label_of

KINDS: list[NotificationKind] = []


# --------------------------------------------------------------------------------------------------------------
# Feedback on the training (RÉVERSIBILITÉ, slice "figures"): a new item for the training body's pedagogical
# managers, an answer for the facilitator who wrote the item. Params: the group's name only.

FEEDBACK_ITEM = "speaking_group_feedback"
FEEDBACK_REPLY = "speaking_group_feedback_reply"


def feedback_item_message(params: dict) -> str:
    return _("Un nouveau retour sur la formation vous attend (groupe de parole « %(group)s »).") % {
        "group": params.get("group", "")
    }


def feedback_reply_message(params: dict) -> str:
    return _("L'organisme de formation a répondu à votre retour (groupe de parole « %(group)s »).") % {
        "group": params.get("group", "")
    }


KINDS += [
    NotificationKind(
        code=FEEDBACK_ITEM,
        label=gettext_lazy("Groupes de parole : un retour sur la formation"),
        message=feedback_item_message,
        email="notifications/emails/notification",
    ),
    NotificationKind(
        code=FEEDBACK_REPLY,
        label=gettext_lazy("Groupes de parole : une réponse à un retour"),
        message=feedback_reply_message,
        email="notifications/emails/notification",
    ),
]


# --------------------------------------------------------------------------------------------------------------
# Shares: a summary shared with the pathway's referent, with the person's consent (slice "support"). Params: the
# person's name only (the in-app inbox is read inside the app); never the summary.

SUPPORT_SHARE = "support_share"


def support_share_message(params: dict) -> str:
    return _("Une synthèse vous a été partagée au sujet de %(person)s, avec son accord.") % {
        "person": params.get("person", "")
    }


KINDS += [
    NotificationKind(
        code=SUPPORT_SHARE,
        label=gettext_lazy("Groupes de parole : une synthèse partagée avec vous"),
        message=support_share_message,
        email="notifications/emails/notification",
    ),
]


# --------------------------------------------------------------------------------------------------------------
# Drop-in hours: the confirmation of an appointment and its reminder the day before, sent to the person by e-mail
# and SMS (`notifications.services.notify(beneficiaries=...)`). They say the date, the time, the place or the link
# and the support structure: never a cause, never the training body, no name.

DROPIN_CONFIRMATION = "dropin_confirmation"
DROPIN_REMINDER = "dropin_reminder"
DROPIN_EMAILS = "speaking_groups/dropins/emails/"


def dropin_params(booking) -> dict:
    slot = booking.slot
    return {
        "date": booking.date.isoformat(),
        "time": slot.start_time.strftime("%H:%M"),
        "place": slot.place,
        "video_link": slot.video_link,
        "structure": slot.group.support_organisation.name,
    }


def _appointment(params: dict) -> dict:
    day = parse_date(params.get("date") or "")
    where = params.get("place") or ""
    if params.get("video_link"):
        link = _("en visioconférence : %(link)s") % {"link": params["video_link"]}
        where = f"{where}, {link}" if where else link
    return {
        "date": formats.date_format(day, "l j F Y") if day else "",
        "time": params.get("time", ""),
        "where": where,
        "structure": params.get("structure", ""),
    }


def dropin_confirmation_message(params: dict) -> str:
    return _("Votre rendez-vous avec %(structure)s est confirmé : le %(date)s à %(time)s, %(where)s.") % _appointment(
        params
    )


def dropin_reminder_message(params: dict) -> str:
    return _("Rappel : rendez-vous demain avec %(structure)s, le %(date)s à %(time)s, %(where)s.") % _appointment(
        params
    )


def dropin_confirmation(booking) -> None:
    """Tell the person their appointment is booked (in the booking's transaction; one per booking)."""
    _notify(booking, DROPIN_CONFIRMATION, f"dropin_booking:{booking.pk}:confirmation")


def dropin_reminder(booking) -> None:
    """Remind the person of tomorrow's appointment (one per booking and date)."""
    _notify(booking, DROPIN_REMINDER, f"dropin_booking:{booking.pk}:reminder:{booking.date.isoformat()}")


def _notify(booking, kind: str, cause_key: str) -> None:
    from notifications.models import Notification
    from notifications.services import notify

    notify(
        recipients=[],
        kind=kind,
        cause_key=cause_key,
        params=dropin_params(booking),
        channels=[Notification.Channel.EMAIL, Notification.Channel.SMS],
        beneficiaries=[booking.stage.pathway.beneficiary],
    )


DROPIN_KINDS = [
    NotificationKind(
        code=DROPIN_CONFIRMATION,
        label=gettext_lazy("Permanence : confirmation du rendez-vous"),
        message=dropin_confirmation_message,
        email=DROPIN_EMAILS + "confirmation",
        sms=dropin_confirmation_message,
    ),
    NotificationKind(
        code=DROPIN_REMINDER,
        label=gettext_lazy("Permanence : rappel du rendez-vous"),
        message=dropin_reminder_message,
        email=DROPIN_EMAILS + "reminder",
        sms=dropin_reminder_message,
    ),
]

KINDS += DROPIN_KINDS


# --------------------------------------------------------------------------------------------------------------
# cases: the outcome of a post-rupture case, told to the pathway's referent. The in-app message names the person
# and the outcome (the inbox is read inside the app, by those who still see them); never a note, never a cause.

CASE_OUTCOME = "post_rupture_case_outcome"


def case_outcome_message(params: dict) -> str:
    from speaking_groups.models import PostRuptureCase

    return _("Intervention post-rupture de %(person)s : %(outcome)s (le %(date)s).") % {
        "person": params.get("person", ""),
        "outcome": label_of(PostRuptureCase.Outcome, params.get("outcome")).lower(),
        "date": date_of(params.get("date")),
    }


KINDS += [
    NotificationKind(
        code=CASE_OUTCOME,
        label=gettext_lazy("Issue d'une intervention post-rupture"),
        message=case_outcome_message,
        email="notifications/emails/notification",
    ),
]
