"""A meeting as an iCalendar event (RFC 5545), attached to the invitations and reminders, written by hand: one
VEVENT with a stable UID (a re-sent invitation updates the same calendar entry, its SEQUENCE raised at each change),
text values escaped (§3.3.11) and lines folded at 75 octets (§3.1), CRLF line ends. A cancelled meeting's file is a
cancellation (RFC 5546 §3.2.5): `METHOD:CANCEL`, `STATUS:CANCELLED`, the same UID and a raised SEQUENCE, so that
calendars remove the entry they hold."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

CRLF = "\r\n"


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as \\n."""
    text = (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never splitting a UTF-8 character; each continuation
    starts with one space (which counts in its 75)."""
    parts, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    parts.append(current)
    return CRLF.join(parts)


def utc(moment) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(meeting) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "sans-rupture.localhost"
    return f"commission-meeting-{meeting.pk}@{domain}"


def method(meeting) -> str:
    """The iTIP method of the meeting's calendar file: CANCEL once it is cancelled, else PUBLISH."""
    from commissions.models import Meeting

    return "CANCEL" if meeting.status == Meeting.Status.CANCELLED else "PUBLISH"


def meeting_ics(meeting, *, now=None) -> str:
    """The meeting's calendar file (names no person followed: the commission, its basin, where and when)."""
    from commissions.models import Meeting

    now = now or timezone.now()
    cancelled = meeting.status == Meeting.Status.CANCELLED
    link = settings.SITE_URL.rstrip("/") + meeting.get_absolute_url()
    where = meeting.place
    if meeting.video_link:
        where = f"{where} · {meeting.video_link}" if where else meeting.video_link
    description = _("Ordre du jour et relevé de décisions : %(link)s") % {"link": link}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sans Rupture//Commissions//FR",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method(meeting)}",
        "BEGIN:VEVENT",
        f"UID:{uid(meeting)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(meeting.starts_at)}",
        f"DTEND:{utc(meeting.ends_at)}",
        f"SUMMARY:{escape(meeting.commission.name)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{link}",
    ]
    if where:
        lines.append(f"LOCATION:{escape(where)}")
    status = "CANCELLED" if cancelled else "CONFIRMED"
    lines += [f"STATUS:{status}", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)
