"""A kind may attach files to its e-mail (`NotificationKind.attachments`), built by the worker when it sends the
e-mail, from the row and in the recipient's language; a kind without attachments sends none."""

import pytest
from django.core import mail
from django.utils.translation import get_language

from notifications import kinds
from notifications.models import Notification
from notifications.services import deliver_cause, notify
from tests.accounts.factories import UserFactory

WITH_FILE = "test_with_attachment"
WITHOUT_FILE = "test_without_attachment"


@pytest.fixture
def registered():
    def attachments(notification):
        return [("note.txt", f"{notification.params['n']} {get_language()}", "text/plain")]

    kinds.register(
        kinds.NotificationKind(
            code=WITH_FILE,
            label="Avec pièce jointe",
            message=lambda params: "Avec",
            email="notifications/emails/notification",
            attachments=attachments,
        ),
        kinds.NotificationKind(
            code=WITHOUT_FILE, label="Sans", message=lambda params: "Sans", email="notifications/emails/notification"
        ),
    )
    yield
    kinds._kinds.pop(WITH_FILE)
    kinds._kinds.pop(WITHOUT_FILE)


def test_the_worker_attaches_the_kinds_files_in_the_recipients_language(db, registered, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(language="en")
    notify(
        recipients=[user],
        kind=WITH_FILE,
        cause_key="attached:1",
        params={"n": 7},
        channels=[Notification.Channel.EMAIL],
    )
    notify(recipients=[user], kind=WITHOUT_FILE, cause_key="attached:2", channels=[Notification.Channel.EMAIL])
    deliver_cause("attached:1")
    deliver_cause("attached:2")
    with_file, without_file = mail.outbox
    assert with_file.attachments == [("note.txt", "7 en", "text/plain")]
    assert without_file.attachments == []
