"""Cancelling a meeting: who may (404 outside, 403 for delegates, login, 405), the cancellation e-mail with its
.ics (METHOD:CANCEL, same UID, SEQUENCE raised) to every invited delegate, no reminder afterwards, an agenda that
can no longer be edited, the to-dos that stay, and the meetings that may not be cancelled (frozen clock)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissions.models import Meeting
from commissions.notifications import CANCELLATION, REMINDER
from commissions.services.meetings import (
    attendance_record,
    decision_create,
    item_add,
    meeting_cancel,
    meeting_create,
)
from commissions.tasks import remind_meetings_task
from notifications.models import Notification, Todo
from notifications.services import deliver_cause
from tests.commissions.conftest import PARIS, TODAY, a_case, at

DAY = datetime.timedelta(days=1)


@pytest.fixture
def meeting(commission, place):
    place.case = a_case(place)
    return meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))


def test_cancelling_tells_every_invited_delegate_with_a_calendar_cancellation(meeting, place, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A delegate who left the commission after the invitation still holds the entry: they are told too.
    meeting.commission.delegates.filter(user=place.other_adviser).delete()
    cancelled = meeting_cancel(meeting=meeting, by=place.coordinator, reason="Salle indisponible")
    assert (cancelled.status, cancelled.sequence) == (Meeting.Status.CANCELLED, 1)
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (place.coordinator, "Salle indisponible")
    rows = Notification.objects.filter(kind=CANCELLATION)
    assert {(row.recipient, row.channel) for row in rows} == {
        (user, channel)
        for user in (place.trainer, place.adviser, place.other_adviser)
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL)
    }
    deliver_cause(rows.first().cause_key)
    assert len(mail.outbox) == 3
    email = mail.outbox[0]
    assert "annulée" in email.subject
    assert "Motif : Salle indisponible" in email.body
    [(name, content, mimetype)] = email.attachments
    assert name == "reunion.ics" and mimetype.endswith("method=CANCEL")
    lines = content.split("\r\n")
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines and "SEQUENCE:1" in lines
    assert any(line.startswith(f"UID:commission-meeting-{meeting.pk}@") for line in lines)
    person = place.case.pathway.beneficiary
    for text in (email.subject, email.body, content):
        assert person.last_name not in text


def test_a_cancelled_meeting_is_not_reminded(meeting, place):
    meeting_cancel(meeting=meeting, by=place.coordinator)
    with time_machine.travel(datetime.datetime.combine(TODAY + 6 * DAY, datetime.time(9), tzinfo=PARIS)):
        assert remind_meetings_task() == 0
    assert not Notification.objects.filter(kind=REMINDER).exists()


def test_its_agenda_can_no_longer_be_edited_but_its_decisions_to_dos_stay(meeting, place):
    item = meeting.items.get(stage=place.case)
    decision = decision_create(item=item, by=place.coordinator, action="Rappeler", owner=place.adviser, due_on=TODAY)
    meeting_cancel(meeting=meeting, by=place.coordinator)
    with pytest.raises(ValidationError, match="annulée"):
        item_add(meeting=meeting, by=place.coordinator, title="Transport")
    with pytest.raises(ValidationError, match="annulée"):
        attendance_record(meeting=meeting, by=place.coordinator, present_ids=[])
    assert Todo.objects.open().filter(source_key=decision.source_key, owner=place.adviser).exists()


@pytest.mark.parametrize(
    "setup, message",
    [
        ("held", "Une réunion tenue (présences enregistrées) ne peut pas être annulée."),
        ("past", "Une réunion passée ou commencée ne peut pas être annulée."),
        ("cancelled", "Cette réunion est déjà annulée."),
    ],
)
def test_a_held_past_or_cancelled_meeting_cannot_be_cancelled(commission, place, setup, message):
    day = TODAY - DAY if setup == "past" else TODAY + 7 * DAY
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(day))
    if setup == "held":
        attendance_record(meeting=meeting, by=place.coordinator, present_ids=[])
    if setup == "cancelled":
        meeting_cancel(meeting=meeting, by=place.coordinator)
    before = Meeting.objects.values_list("status", "sequence").get(pk=meeting.pk)
    with pytest.raises(ValidationError) as error:
        meeting_cancel(meeting=meeting, by=place.coordinator)
    assert error.value.messages == [message]
    assert Meeting.objects.values_list("status", "sequence").get(pk=meeting.pk) == before
    assert Notification.objects.filter(kind=CANCELLATION).count() == (6 if setup == "cancelled" else 0)


# --------------------------------------------------------------------------------------------------------------
# The page


def cancel_url(meeting):
    return reverse("commissions:meeting_cancel", args=[meeting.pk])


def test_the_coordinator_confirms_then_cancels(client, place, meeting):
    client.force_login(place.coordinator)
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert cancel_url(meeting) in detail
    page = client.get(cancel_url(meeting))
    assert page.status_code == 200 and "Confirmer l" in page.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED  # a GET changes nothing
    response = client.post(cancel_url(meeting), {"reason": "Grève des transports"}, follow=True)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.CANCELLED, "Grève des transports")
    body = response.content.decode()
    assert "Cette réunion est annulée" in body and "Grève des transports" in body
    assert cancel_url(meeting) not in body
    calendar = client.get(reverse("commissions:commission_detail", args=[meeting.commission_id])).content.decode()
    assert "Annulée" in calendar


def test_the_regional_officer_may_cancel_too(client, place, meeting):
    client.force_login(place.officer)
    assert client.post(cancel_url(meeting), {}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.cancel_reason == ""


def test_cancelling_a_past_meeting_through_the_page_says_why(client, commission, place):
    past = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    client.force_login(place.coordinator)
    assert "Seule une réunion prévue et pas encore commencée" in client.get(cancel_url(past)).content.decode()
    response = client.post(cancel_url(past), {}, follow=True)
    assert "Une réunion passée ou commencée ne peut pas être annulée." in response.content.decode()
    past.refresh_from_db()
    assert past.status == Meeting.Status.PLANNED


def test_a_delegate_gets_403_and_writes_nothing(client, place, meeting):
    client.force_login(place.trainer)
    assert client.get(cancel_url(meeting)).status_code == 403
    assert client.post(cancel_url(meeting), {"reason": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.PLANNED, 0)
    assert not Notification.objects.filter(kind=CANCELLATION).exists()


def test_outsiders_get_404_and_anonymous_goes_to_login(client, place, meeting):
    from pathways.models import Membership
    from tests.accounts.factories import UserFactory

    other_coordinator = Membership.objects.create(
        user=UserFactory(), organisation=place.funder, role=Membership.Role.BASIN_COORDINATOR, basin=place.other_basin
    ).user
    client.force_login(other_coordinator)
    assert client.get(cancel_url(meeting)).status_code == 404
    assert client.post(cancel_url(meeting), {}).status_code == 404
    client.logout()
    response = client.post(cancel_url(meeting), {})
    assert response.status_code == 302 and "next=" in response.url
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_wrong_method_gets_405(client, place, meeting):
    client.force_login(place.coordinator)
    assert client.put(cancel_url(meeting)).status_code == 405
    assert client.delete(cancel_url(meeting)).status_code == 405
