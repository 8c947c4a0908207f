"""The notification kinds of `commissions` (registered in `CommissionsConfig.ready`): a meeting's invitation and its
reminder the day before, to the commission's delegates, in-app and by e-mail with the meeting's .ics attached (built
by the worker when it sends the e-mail, from the meeting as it is then). Their params hold the commission's name and
the meeting's date, time and place: never a person followed."""

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind

INVITATION = "commission_invitation"
REMINDER = "commission_reminder"
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


def meeting_attachment(notification) -> list[tuple[str, str, str]]:
    """The meeting's calendar entry, as it is when the e-mail is sent (same UID on every sending)."""
    from commissions.ics import meeting_ics
    from commissions.models import Meeting

    meeting = Meeting.objects.select_related("commission").filter(pk=(notification.params or {}).get("meeting"))
    meeting = meeting.first()
    if meeting is None:
        return []
    return [("reunion.ics", meeting_ics(meeting), "text/calendar; charset=utf-8; method=PUBLISH")]


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
]


def _notify(meeting, kind: str, cause_key: str) -> None:
    from commissions.models import active_delegates
    from notifications.models import Notification
    from notifications.services import notify

    notify(
        recipients=[delegate.user for delegate in active_delegates(meeting.commission)],
        kind=kind,
        cause_key=cause_key,
        url=meeting.get_absolute_url(),
        params=meeting_params(meeting),
        channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
    )


def meeting_invite(meeting) -> None:
    """Invite the delegates (in the meeting's transaction); once per version of the meeting (its sequence)."""
    _notify(meeting, INVITATION, f"commission-meeting:{meeting.pk}:invitation:{meeting.sequence}")


def meeting_remind(meeting) -> None:
    """Remind the delegates of tomorrow's meeting (once per meeting and date)."""
    _notify(meeting, REMINDER, f"commission-meeting:{meeting.pk}:reminder:{meeting.starts_at.date().isoformat()}")
