"""Sending one notification on its channel. E-mails and SMS say only that there is something to see, with a link:
no name, no cause, no health information (docs/design.md §6); each kind names its e-mail templates
(`notifications.kinds`). Each carries the row's stable idempotency key, so a resend
after a crash between "sent" and "marked sent" is recognised as the same message by whoever receives it."""

import contextlib
import hashlib
import threading
import time
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from notifications.kinds import notification_kind
from notifications.models import Notification
from notifications.sms import idle_socket_open

Channel = Notification.Channel
# The e-mail connection shared by the sends of one delivery batch (see `email_connection`), if any.
_shared_email_connection: ContextVar = ContextVar("shared_email_connection", default=None)
# The SMTP session each thread keeps between two batches (a worker process delivers in one thread): see
# `email_connection`. `_clock` is there for the tests.
_kept = threading.local()
_clock = time.monotonic


def send(notification: Notification) -> None:
    if notification.channel == Channel.IN_APP:
        return  # delivered = visible in the recipient's inbox
    if notification.channel == Channel.EMAIL:
        send_email(notification)
    elif notification.channel == Channel.SMS:
        send_sms(notification)
    else:
        raise ValueError(f"Unknown channel {notification.channel}")


def message_id(notification: Notification) -> str:
    """The fixed Message-ID of this notification's e-mail: the same on every attempt."""
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "sans-rupture.localhost"
    return f"<{digest}@{domain}>"


def _language(notification: Notification) -> str:
    """The recipient's language; a mailbox or a person followed (who has no preference) get French."""
    user = notification.recipient
    return (user.language if user is not None else "") or settings.LANGUAGE_CODE


def _person(notification: Notification):
    return notification.beneficiary if notification.beneficiary_id else None


def link(notification: Notification) -> str:
    return settings.SITE_URL.rstrip("/") + (notification.url or "/")


@contextlib.contextmanager
def email_connection():
    """E-mails sent within the block share one connection to the mail server (one SMTP session instead of one per
    message), opened at the first e-mail, opened again after a failed one.

    At the end of the block the session stays open for the next batch of this worker (thread) if that one starts
    within NOTIFICATIONS_EMAIL_SESSION_SECONDS: alerts coming one after another reuse it, without a new connection,
    greeting and TLS handshake each. Older, closed by the server meanwhile, or opened with other mail settings, it is
    closed and a new one opened."""
    connection = _kept_connection() or get_connection()
    token = _shared_email_connection.set(connection)
    try:
        yield connection
    finally:
        _shared_email_connection.reset(token)
        if settings.NOTIFICATIONS_EMAIL_SESSION_SECONDS > 0:
            _kept.session = (connection, _mail_settings(), _clock() + settings.NOTIFICATIONS_EMAIL_SESSION_SECONDS)
        else:
            _close(connection)


def close_kept_email_connection() -> None:
    """End the SMTP session kept by this thread, if any (worker shutdown, tests)."""
    kept, _kept.session = getattr(_kept, "session", None), None
    if kept is not None:
        _close(kept[0])


def _kept_connection():
    kept, _kept.session = getattr(_kept, "session", None), None
    if kept is None:
        return None
    connection, mail_settings, until = kept
    if _clock() < until and mail_settings == _mail_settings() and _still_open(connection):
        return connection
    _close(connection)
    return None


def _mail_settings() -> tuple:
    return (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER)


def _still_open(connection) -> bool:
    """False once the server has ended an idle session: its goodbye (421) or the end of the stream is readable."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    if sock is None:
        return True  # not an SMTP backend, or no session open: nothing to lose
    return idle_socket_open(sock)


def _close(connection) -> None:
    with contextlib.suppress(Exception):  # the messages are sent: ending the session is best effort
        connection.close()


def send_email(notification: Notification) -> None:
    person = _person(notification)
    if notification.recipient:
        address = notification.recipient.email
    elif person is not None:
        address = person.email
    else:
        address = notification.organisation.alert_inbox_email
    if not address:
        raise ValueError("No e-mail address to send to")
    language = _language(notification)
    kind = notification_kind(notification.kind)
    templates = kind.email
    context = {"notification": notification, "link": link(notification), "LANGUAGE_CODE": language}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{templates}_subject.txt", context).split())
        text = render_to_string(f"{templates}.txt", context)
        html = render_to_string(f"{templates}.html", context)
    connection = _shared_email_connection.get()
    email = EmailMultiAlternatives(
        subject, text, to=[address], headers={"Message-ID": message_id(notification)}, connection=connection
    )
    email.attach_alternative(html, "text/html")
    if kind.attachments is not None:
        with translation.override(language):
            for filename, content, mimetype in kind.attachments(notification):
                email.attach(filename, content, mimetype)
    if connection is None:
        email.send()
        return
    try:
        connection.open()  # no-op while the session is open: the message goes over it
        email.send()
    except Exception:
        with contextlib.suppress(Exception):
            connection.close()  # the session may be broken: the next e-mail opens a new one
        raise


def sms_text(notification: Notification) -> str:
    """The same few words for every kind: only that something waits, and the link (no name, no cause); a kind with
    its own SMS text (to a person followed) says it from the row's params."""
    own = notification_kind(notification.kind).sms
    with translation.override(_language(notification)):
        if own is not None:
            return own(notification.params or {})
        return _("Sans Rupture : une alerte vous attend. %(link)s") % {"link": link(notification)}


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(notification: Notification) -> None:
    person = _person(notification)
    phone = notification.recipient.phone if notification.recipient else (person.phone if person is not None else "")
    if not phone:
        raise ValueError("No phone number to send to")
    get_sms_backend().send(to=phone, body=sms_text(notification), idempotency_key=notification.idempotency_key)
