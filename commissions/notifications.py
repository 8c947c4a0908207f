"""The notification kinds of `commissions` (registered in `CommissionsConfig.ready`): a meeting's invitation, its
reminder the day before and its cancellation, to the commission's delegates, in-app and by e-mail with the meeting's
.ics attached (built by the worker when it sends the e-mail, from the meeting as it is then: a cancellation for a
cancelled meeting). Their params hold the commission's name, the meeting's date, time and place, and a
cancellation's reason: never a person followed."""

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind

INVITATION = "commission_invitation"
REMINDER = "commission_reminder"
CANCELLATION = "commission_cancellation"
EMAILS = "commissions/emails/"


def meeting_params(meeting) -> dict:
    return {
        "meeting": meeting.pk,
        "commission": meeting.commission.name,
        "starts_at": meeting.starts_at.isoformat(),
        "place": meeting.place,
        "video_link": meeting.video_link,
    }


def _when(params: dict) -> dict:
    moment = parse_datetime(params.get("starts_at") or "")
    moment = timezone.localtime(moment) if moment else None
    where = params.get("place") or ""
    if params.get("video_link"):
        link = _("en visioconférence : %(link)s") % {"link": params["video_link"]}
        where = f"{where}, {link}" if where else link
    return {
        "commission": params.get("commission", ""),
        "date": formats.date_format(moment, "l j F Y") if moment else "",
        "time": moment.strftime("%H:%M") if moment else "",
        "where": where or _("lieu à préciser"),
    }


def invitation_message(params: dict) -> str:
    return _("Vous êtes invité·e à la %(commission)s le %(date)s à %(time)s, %(where)s.") % _when(params)


def reminder_message(params: dict) -> str:
    return _("Rappel : %(commission)s demain, le %(date)s à %(time)s, %(where)s.") % _when(params)


def cancellation_message(params: dict) -> str:
    message = _("La réunion de la %(commission)s prévue le %(date)s à %(time)s est annulée.") % _when(params)
    if params.get("reason"):
        message += " " + _("Motif : %(reason)s") % {"reason": params["reason"]}
    return message


def meeting_attachment(notification) -> list[tuple[str, str, str]]:
    """The meeting's calendar entry, as it is when the e-mail is sent (same UID on every sending)."""
    from commissions.ics import meeting_ics, method
    from commissions.models import Meeting

    meeting = Meeting.objects.select_related("commission").filter(pk=(notification.params or {}).get("meeting"))
    meeting = meeting.first()
    if meeting is None:
        return []
    return [("reunion.ics", meeting_ics(meeting), f"text/calendar; method={method(meeting)}")]


KINDS = [
    NotificationKind(
        code=INVITATION,
        label=gettext_lazy("Commission de bassin : invitation"),
        message=invitation_message,
        email=EMAILS + "invitation",
        attachments=meeting_attachment,
    ),
    NotificationKind(
        code=REMINDER,
        label=gettext_lazy("Commission de bassin : rappel de la réunion"),
        message=reminder_message,
        email=EMAILS + "reminder",
        attachments=meeting_attachment,
    ),
    NotificationKind(
        code=CANCELLATION,
        label=gettext_lazy("Commission de bassin : réunion annulée"),
        message=cancellation_message,
        email=EMAILS + "cancellation",
        attachments=meeting_attachment,
    ),
]


def _notify(meeting, kind: str, cause_key: str, *, recipients=None, params=None) -> None:
    from commissions.models import active_delegates
    from notifications.models import Notification
    from notifications.services import notify

    if recipients is None:
        recipients = [delegate.user for delegate in active_delegates(meeting.commission)]
    notify(
        recipients=recipients,
        kind=kind,
        cause_key=cause_key,
        url=meeting.get_absolute_url(),
        params={**meeting_params(meeting), **(params or {})},
        channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
    )


def meeting_invite(meeting) -> None:
    """Invite the delegates (in the meeting's transaction); once per version of the meeting (its sequence)."""
    _notify(meeting, INVITATION, f"commission-meeting:{meeting.pk}:invitation:{meeting.sequence}")


def meeting_remind(meeting) -> None:
    """Remind the delegates of tomorrow's meeting (once per meeting and date)."""
    _notify(meeting, REMINDER, f"commission-meeting:{meeting.pk}:reminder:{meeting.starts_at.date().isoformat()}")


def meeting_cancel_notify(meeting) -> None:
    """Tell every invited delegate that the meeting is cancelled (in the cancellation's transaction), with the
    calendar file that removes it: the active delegates, and whoever received an invitation to it since (a delegate
    who left still holds the entry in their calendar). Once per meeting."""
    from django.contrib.auth import get_user_model

    from commissions.models import active_delegates
    from notifications.models import Notification

    User = get_user_model()
    invited = Notification.objects.filter(
        kind=INVITATION, cause_key__startswith=f"commission-meeting:{meeting.pk}:invitation:", recipient__isnull=False
    ).values("recipient")
    recipients = {delegate.user.pk: delegate.user for delegate in active_delegates(meeting.commission)}
    for user in User.objects.filter(pk__in=invited).exclude(pk__in=list(recipients)):
        recipients[user.pk] = user
    _notify(
        meeting,
        CANCELLATION,
        f"commission-meeting:{meeting.pk}:cancellation",
        recipients=list(recipients.values()),
        params={"reason": meeting.cancel_reason},
    )
