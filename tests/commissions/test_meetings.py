"""Setting up a commission, planning a meeting (its agenda proposed, its delegates invited with an .ics), the
reminder the day before, decisions that become to-dos, and the next agenda that lists those still open."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from commissions.ics import fold, meeting_ics
from commissions.models import AgendaItem, Meeting, MeetingAttendance
from commissions.notifications import INVITATION, REMINDER
from commissions.services.commissions import commission_setup
from commissions.services.meetings import (
    attendance_record,
    decision_create,
    item_add,
    item_remove,
    meeting_create,
    meeting_update,
    next_date,
)
from commissions.tasks import remind_meetings_task
from notifications.models import Notification, Todo
from notifications.services import deliver_cause
from notifications.todos import todo_done
from pathways.models import Membership
from tests.commissions.conftest import TODAY, a_case, at

DAY = datetime.timedelta(days=1)


def test_a_delegate_must_be_an_active_member_of_a_member_organisation(place):
    with pytest.raises(ValidationError):
        commission_setup(
            basin=place.basin,
            by=place.coordinator,
            organisations=[place.training_body],
            delegates=list(Membership.objects.filter(user=place.adviser)),
            cadence_weeks=6,
        )


def test_setting_up_again_updates_the_members(commission, place):
    commission_setup(
        basin=place.basin,
        by=place.officer,
        organisations=[place.training_body],
        delegates=list(Membership.objects.filter(user=place.trainer)),
        cadence_weeks=8,
    )
    commission.refresh_from_db()
    assert commission.cadence_weeks == 8
    assert [d.user for d in commission.delegates.all()] == [place.trainer]


def test_the_next_date_follows_the_cadence(commission, place):
    assert next_date(commission) == at(TODAY + 7 * DAY)
    meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - 10 * DAY, 9))
    assert next_date(commission) == at(TODAY - 10 * DAY + 42 * DAY, 9)


def test_creating_a_meeting_proposes_its_agenda_once_per_case(commission, place):
    stage = a_case(place)
    place.session.start_date = TODAY - 10 * DAY  # late entries still possible: its open places are proposed
    place.session.save()
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    items = list(meeting.items.all())
    assert [(item.kind, item.stage_id) for item in items if item.stage_id] == [(AgendaItem.Kind.RUPTURE, stage.pk)]
    assert [(item.kind, item.session_id, item.figure) for item in items if item.session_id] == [
        (AgendaItem.Kind.OPEN_PLACES, place.session.pk, 12)
    ]
    assert meeting.place == "Maison de l'emploi; salle 2, Cenon"


def test_the_coordinator_removes_restores_and_adds_items(commission, place):
    a_case(place)
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    item = meeting.items.get(kind=AgendaItem.Kind.RUPTURE)
    item_remove(item=item, by=place.coordinator)
    assert meeting.items.get(pk=item.pk).removed_at is not None
    item_remove(item=item, by=place.coordinator, restore=True)
    assert meeting.items.get(pk=item.pk).removed_at is None
    added = item_add(meeting=meeting, by=place.coordinator, title="Transport vers Libourne")
    assert (added.kind, added.proposed) == (AgendaItem.Kind.OTHER, False)


def test_the_delegates_are_invited_in_app_and_by_email_with_the_meeting_ics(commission, place, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    stage = a_case(place)
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    rows = Notification.objects.filter(kind=INVITATION)
    assert {(row.recipient, row.channel) for row in rows} == {
        (user, channel)
        for user in (place.trainer, place.adviser, place.other_adviser)
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL)
    }
    deliver_cause(rows.first().cause_key)
    assert len(mail.outbox) == 3
    email = mail.outbox[0]
    [(name, content, mimetype)] = email.attachments
    assert name == "reunion.ics" and mimetype.startswith("text/calendar")
    assert f"UID:commission-meeting-{meeting.pk}@" in content
    assert "DTSTART:20260317T130000Z" in content
    assert "LOCATION:Maison de l'emploi\\; salle 2\\, Cenon" in content
    [part] = [part for part in email.message().walk() if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH" and part.get_content_charset() == "utf-8"
    assert part["Content-Type"].count("charset") == 1  # once: calendar clients read a clean header
    person = stage.pathway.beneficiary
    for text in (email.subject, email.body, email.alternatives[0][0], content):
        assert person.last_name not in text and person.first_name not in text


def test_a_resent_calendar_entry_keeps_its_uid_and_raises_its_sequence(commission, place):
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    first = meeting_ics(meeting)
    meeting.sequence += 1
    meeting.starts_at += datetime.timedelta(hours=1)
    second = meeting_ics(meeting)
    uid = [line for line in first.split("\r\n") if line.startswith("UID:")]
    assert uid == [line for line in second.split("\r\n") if line.startswith("UID:")]
    assert "SEQUENCE:0" in first and "SEQUENCE:1" in second


def test_ics_lines_are_folded_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "Commission éducation ✓ " * 10
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(part[1:] for part in parts[1:])]) == line


def test_the_ics_escapes_its_texts(commission, place):
    commission.name = "Commission; Cenon, Lormont\\Nord\nsuite"
    commission.save()
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    content = meeting_ics(meeting)
    assert "SUMMARY:Commission\\; Cenon\\, Lormont\\\\Nord\\nsuite\r\n" in content
    assert content.endswith("END:VCALENDAR\r\n")


def test_the_reminder_goes_the_day_before_once(commission, place):
    tomorrow = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + DAY, 9))
    meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 2 * DAY, 9))
    assert remind_meetings_task() == 1
    assert remind_meetings_task() == 0
    reminders = Notification.objects.filter(kind=REMINDER, channel=Notification.Channel.IN_APP)
    assert {row.cause_key for row in reminders} == {f"commission-meeting:{tomorrow.pk}:reminder:2026-03-11"}
    assert reminders.count() == 3


def test_attendance_is_recorded_per_delegate_and_the_meeting_is_held(commission, place):
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    delegates = {d.user_id: d.pk for d in commission.delegates.all()}
    attendance_record(meeting=meeting, by=place.coordinator, present_ids=[delegates[place.trainer.pk]])
    present = dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("user", "present"))
    assert present == {place.trainer.pk: True, place.adviser.pk: False, place.other_adviser.pk: False}
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_a_decision_becomes_a_todo_named_only_for_an_owner_who_sees_the_person(commission, place):
    stage = a_case(place)
    person = stage.pathway.beneficiary
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    item = meeting.items.get(stage=stage)
    named = decision_create(
        item=item, by=place.coordinator, action="Proposer une autre session", owner=place.adviser, due_on=TODAY
    )
    hidden = decision_create(
        item=item, by=place.coordinator, action="Vérifier les places", owner=place.other_adviser, due_on=TODAY
    )
    todo = Todo.objects.get(source_key=named.source_key)
    assert (todo.owner, todo.stage, todo.title) == (place.adviser, stage, "Proposer une autre session")
    assert person.full_name in todo.context
    todo = Todo.objects.get(source_key=hidden.source_key)
    assert todo.stage is None
    assert person.last_name not in todo.context and "Personne 1" in todo.context
    assert list(Todo.objects.visible_to(place.other_adviser)) == [todo]


def test_a_decision_owner_is_a_delegate(commission, place):
    a_case(place)
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    with pytest.raises(ValidationError):
        decision_create(
            item=meeting.items.first(), by=place.coordinator, action="Rappeler", owner=place.officer, due_on=TODAY
        )


def test_the_next_agenda_lists_the_decisions_still_open(commission, place):
    stage = a_case(place)
    first = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    decision = decision_create(
        item=first.items.get(stage=stage), by=place.coordinator, action="Rappeler", owner=place.adviser, due_on=TODAY
    )
    second = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 30 * DAY))
    assert list(second.items.filter(kind=AgendaItem.Kind.DECISION).values_list("decision", flat=True)) == [decision.pk]
    todo_done(todo=Todo.objects.get(source_key=decision.source_key), by=place.adviser)
    third = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 60 * DAY))
    assert not third.items.filter(kind=AgendaItem.Kind.DECISION).exists()


def test_moving_a_meeting_reinvites_with_the_same_calendar_entry(commission, place, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    moved = meeting_update(
        meeting=meeting, by=place.coordinator, starts_at=at(TODAY + 8 * DAY), duration_minutes=90, place="Lormont"
    )
    assert moved.sequence == 1
    causes = sorted(set(Notification.objects.filter(kind=INVITATION).values_list("cause_key", flat=True)))
    assert causes == [f"commission-meeting:{meeting.pk}:invitation:0", f"commission-meeting:{meeting.pk}:invitation:1"]
    deliver_cause(causes[1])
    content = mail.outbox[0].attachments[0][1]
    assert f"UID:commission-meeting-{meeting.pk}@" in content and "SEQUENCE:1" in content
    assert "DTSTART:20260318T130000Z" in content and "LOCATION:Lormont" in content
    unchanged = meeting_update(
        meeting=moved, by=place.coordinator, starts_at=moved.starts_at, duration_minutes=90, place="Lormont"
    )
    assert unchanged.sequence == 1


def test_an_open_decision_on_the_next_agenda_says_whose_case_it_is_per_reader(commission, place, client):
    """The next meeting lists an earlier decision still open with its case's person — named for a reader who may see
    them, pseudonymised (as on this agenda) for the others and in the wide version — and who carries it."""
    from django.urls import reverse

    from accounts.models import AccessLog
    from commissions.selectors import meeting_agenda

    stage = a_case(place)
    person = stage.pathway.beneficiary
    first = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    decision_create(
        item=first.items.get(stage=stage), by=place.coordinator, action="Rappeler", owner=place.adviser, due_on=TODAY
    )
    second = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 30 * DAY))

    def decision_row(user, **options):
        rows = meeting_agenda(second, user, **options)["items"]
        return next(row for row in rows if row.item.kind == AgendaItem.Kind.DECISION)

    assert decision_row(place.adviser).who == person.full_name
    case_row = next(row for row in meeting_agenda(second, place.coordinator)["items"] if row.item.stage_id)
    assert decision_row(place.coordinator).who == case_row.who == "Personne 1"  # the same person, the same number
    assert decision_row(None, wide=True).who == "Personne 1"

    # the case itself taken off this agenda: the open decision alone names the person, and is logged
    item_remove(item=second.items.get(stage=stage), by=place.coordinator)
    client.force_login(place.adviser)
    page = client.get(reverse("commissions:meeting_detail", args=[second.pk])).content.decode()
    assert "confiée à" in page and person.full_name in page
    logged = AccessLog.objects.filter(beneficiary=person, user=place.adviser, view_name="commissions:meeting_detail")
    assert logged.exists()
