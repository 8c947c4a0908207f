"""The kinds of notifications, each registered by the app that causes it (docs/design.md §8): `notifications` delivers
them and imports none of the apps that send them.

An app registers its kinds in its `AppConfig.ready()` with `register(NotificationKind(...))`: a label, the in-app
message (a function of the row's parameters, called in the reader's language: it may name the person, as the inbox
is read inside the app) and one template set for the e-mail (`<email>_subject.txt`, `<email>.txt`, `<email>.html`),
which must name no one and give no cause (docs/design.md §6): only that there is something to see, and a link; a kind
may attach files to it (`attachments`, built when the e-mail is sent). SMS say the same for every kind
(`notifications/sms.txt`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.dateparse import parse_date


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str
    # The in-app text from the row's params (codes and names); called with the reader's language active.
    message: Callable[[dict], str]
    # The e-mail's template set: "<email>_subject.txt", "<email>.txt", "<email>.html".
    email: str
    # The SMS text from the row's params, for a kind with its own (sent to a person followed, who has no inbox to
    # point to); None: the common "something waits" text with the link.
    sms: Callable[[dict], str] | None = None
    # Files attached to the e-mail, built by the worker when it sends it, from the row: [(file name, content,
    # MIME type)] (a meeting's .ics). They name no one, like the e-mail; None: no attachment.
    attachments: Callable[[object], list[tuple[str, str | bytes, str]]] | None = None


_kinds: dict[str, NotificationKind] = {}


def register(*kinds: NotificationKind) -> None:
    for kind in kinds:
        _kinds[kind.code] = kind


def notification_kind(code: str) -> NotificationKind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"No notification kind {code!r} is registered (notifications.kinds.register)") from None


def is_registered(code: str) -> bool:
    return code in _kinds


def registered() -> list[NotificationKind]:
    return list(_kinds.values())


# Helpers for the message functions: parameters hold codes and ISO dates, shown in the reader's language.


def label_of(choices, value) -> str:
    """The label of `value` in a TextChoices class, or the value itself (a code no longer known)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def date_of(value) -> str:
    day = parse_date(value or "")
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""
