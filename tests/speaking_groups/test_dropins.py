"""Drop-in hours (issue 17): weekly slots without public holidays, appointments booked for the people of the group's
sessions (refusals, the last place under concurrency), what happened and the notes, and who may see any of it."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from pathways.models import Membership
from speaking_groups.models import DropInBooking, DropInSlot, SpeakingGroup
from speaking_groups.services import dropins as services
from tests.accounts.factories import UserFactory
from tests.conftest import require_service
from tests.pathways.factories import (
    BeneficiaryFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    SessionFactory,
    StageFactory,
)

Role = Membership.Role
Status = DropInBooking.Status
BOOKING_NOTE = "MARQUEUR-NOTE-PERMANENCE"
# A Wednesday; the Mondays after it: 10/04, 17/04 (Easter Monday), 24/04, 01/05 and 08/05 (public holidays), 15/05.
NOW = datetime.datetime(2028, 4, 5, 9, 0, tzinfo=datetime.UTC)
MONDAY = datetime.date(2028, 4, 10)
EASTER_MONDAY = datetime.date(2028, 4, 17)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _slot(group, **fields):
    values = {
        "group": group,
        "weekday": DropInSlot.Weekday.MONDAY,
        "start_time": datetime.time(14, 0),
        "duration_minutes": 30,
        "capacity": 2,
        "place": "Salle 2, 12 rue des Lilas",
        "starts_on": datetime.date(2028, 4, 3),
        "ends_on": datetime.date(2028, 6, 30),
    }
    values.update(fields)
    return DropInSlot.objects.create(**values)


def _person(session, first_name="Yanis"):
    beneficiary = BeneficiaryFactory(first_name=first_name, last_name="Durand")
    stage = StageFactory(
        pathway=PathwayFactory(beneficiary=beneficiary),
        organisation=session.training_action.training_body,
        in_progress=True,
    )
    EnrolmentFactory(stage=stage, session=session)
    return stage


@pytest.fixture
def dropin(world, speaking_group, frozen):
    """The world's group with a Monday slot (2 places), and one booking of the world's person (Zoé) on the first
    Monday, with a confidential note."""
    slot = _slot(speaking_group.group)
    booking = DropInBooking.objects.create(
        slot=slot,
        date=MONDAY,
        stage=world.stage,
        requested_via=DropInBooking.RequestedVia.PHONE,
        agreement_recorded=True,
        notes=BOOKING_NOTE,
        booked_by=speaking_group.facilitator,
    )
    return slot, booking


def _book(slot, by, stage, date=MONDAY, **extra):
    values = {"requested_via": DropInBooking.RequestedVia.TRAINER, "agreement_recorded": True}
    values.update(extra)
    return services.booking_create(slot=slot, by=by, date=date, stage=stage, **values)


def _other_facilitator(world):
    other_support = OrganisationFactory(name="Autre structure", region=world.region, support=True)
    return Membership.objects.create(user=UserFactory(), organisation=other_support, role=Role.FACILITATOR).user


# ---------------------------------------------------------------------------------------------------------------
# Recurrence


def test_occurrences_leave_public_holidays_out():
    slot = DropInSlot(weekday=0, starts_on=datetime.date(2028, 4, 10), ends_on=datetime.date(2028, 5, 15))
    days = list(services.occurrences(slot, datetime.date(2028, 1, 1), datetime.date(2028, 12, 31)))
    assert days == [datetime.date(2028, 4, 10), datetime.date(2028, 4, 24), datetime.date(2028, 5, 15)]


def test_occurrences_start_on_the_slots_weekday_and_stop_at_the_window():
    slot = DropInSlot(weekday=2, starts_on=datetime.date(2028, 4, 3), ends_on=None)
    days = list(services.occurrences(slot, datetime.date(2028, 4, 6), datetime.date(2028, 4, 26)))
    assert days == [datetime.date(2028, 4, 12), datetime.date(2028, 4, 19), datetime.date(2028, 4, 26)]


def test_occurrence_error_names_the_holiday():
    slot = DropInSlot(weekday=0, starts_on=datetime.date(2028, 4, 3), ends_on=datetime.date(2028, 6, 30))
    assert "Lundi de Pâques" in services.occurrence_error(slot, EASTER_MONDAY)
    assert services.occurrence_error(slot, MONDAY) is None


def test_slot_create(world, speaking_group, frozen):
    slot = services.slot_create(
        group=speaking_group.group,
        by=speaking_group.facilitator,
        weekday=0,
        start_time=datetime.time(10, 0),
        duration_minutes=45,
        capacity=3,
        starts_on=datetime.date(2028, 4, 10),
        ends_on=None,
        place="",
        video_link="https://visio.example.org/permanence",
    )
    assert slot.created_by == speaking_group.facilitator


def test_slot_create_refuses_no_place_and_a_trainer(world, speaking_group, frozen):
    fields = {
        "weekday": 0,
        "start_time": datetime.time(10, 0),
        "duration_minutes": 45,
        "capacity": 3,
        "starts_on": datetime.date(2028, 4, 10),
    }
    with pytest.raises(ValidationError, match="lieu ou un lien"):
        services.slot_create(group=speaking_group.group, by=speaking_group.facilitator, **fields)
    with pytest.raises(ValidationError, match="intervenant"):
        services.slot_create(group=speaking_group.group, by=world.user("trainer"), place="Salle", **fields)
    # Only public holidays between the bounds: no date at all.
    with pytest.raises(ValidationError, match="Aucune date"):
        services.slot_create(
            group=speaking_group.group,
            by=speaking_group.facilitator,
            place="Salle",
            **{**fields, "starts_on": EASTER_MONDAY, "ends_on": EASTER_MONDAY},
        )
    assert not DropInSlot.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Booking and its refusals


def test_booking_for_a_person_of_the_groups_sessions(world, speaking_group, dropin):
    slot, _ = dropin
    stage = _person(world.session)
    booking = _book(slot, speaking_group.facilitator, stage)
    assert booking.status == Status.BOOKED and booking.booked_by == speaking_group.facilitator
    assert services.taken(slot, MONDAY) == 2


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (datetime.date(2028, 4, 11), "lundi"),  # a Tuesday
        (EASTER_MONDAY, "férié"),
        (datetime.date(2028, 5, 1), "férié"),
        (datetime.date(2028, 5, 8), "férié"),
        (datetime.date(2028, 7, 3), "du 03/04/2028 au 30/06/2028"),  # after the slot's end
        (datetime.date(2028, 4, 3), "passée"),  # the first Monday, already past
    ],
)
def test_booking_refuses_a_date_that_is_no_coming_occurrence(world, speaking_group, dropin, date, message):
    slot, _ = dropin
    stage = _person(world.session)
    with pytest.raises(ValidationError) as error:
        _book(slot, speaking_group.facilitator, stage, date=date)
    assert message in " ".join(error.value.message_dict["date"])
    assert not DropInBooking.objects.filter(stage=stage).exists()


def test_booking_refuses_a_full_slot(world, speaking_group, dropin):
    slot, _ = dropin
    _book(slot, speaking_group.facilitator, _person(world.session, "Inès"))
    late = _person(world.session, "Malo")
    with pytest.raises(ValidationError, match="complète"):
        _book(slot, speaking_group.facilitator, late)
    # A cancellation frees the place.
    booking = DropInBooking.objects.get(slot=slot, stage__pathway__beneficiary__first_name="Inès")
    services.booking_set_status(booking=booking, by=speaking_group.facilitator, status=Status.CANCELLED)
    assert _book(slot, speaking_group.facilitator, late).pk


def test_booking_refuses_the_same_person_twice_the_same_day(world, speaking_group, dropin):
    slot, _ = dropin
    other_slot = _slot(speaking_group.group, start_time=datetime.time(16, 0))
    with pytest.raises(ValidationError, match="déjà un rendez-vous"):
        _book(slot, speaking_group.facilitator, world.stage)
    with pytest.raises(ValidationError, match="déjà un rendez-vous"):
        _book(other_slot, speaking_group.facilitator, world.stage)
    assert DropInBooking.objects.filter(stage=world.stage).count() == 1


def test_booking_refuses_without_agreement_or_outside_the_groups_people(world, speaking_group, dropin):
    slot, _ = dropin
    with pytest.raises(ValidationError) as error:
        _book(slot, speaking_group.facilitator, _person(world.session), agreement_recorded=False)
    assert "accord" in " ".join(error.value.message_dict["agreement_recorded"])
    stranger = _person(SessionFactory())
    with pytest.raises(ValidationError) as error:
        _book(slot, speaking_group.facilitator, stranger)
    assert "inscrite" in " ".join(error.value.message_dict["stage"])
    assert DropInBooking.objects.count() == 1


def test_status_and_notes(world, speaking_group, dropin):
    slot, booking = dropin
    facilitator = speaking_group.facilitator
    with pytest.raises(ValidationError, match="jour du rendez-vous"):
        services.booking_set_status(booking=booking, by=facilitator, status=Status.ATTENDED)
    with time_machine.travel(datetime.datetime(2028, 4, 10, 15, tzinfo=datetime.UTC), tick=False):
        services.booking_set_status(booking=booking, by=facilitator, status=Status.NO_SHOW)
        services.booking_set_status(booking=booking, by=facilitator, status=Status.ATTENDED)
        with pytest.raises(ValidationError, match="ne s'annule plus"):
            services.booking_set_status(booking=booking, by=facilitator, status=Status.CANCELLED)
    booking.refresh_from_db()
    assert booking.status == Status.ATTENDED
    services.booking_notes_save(booking=booking, by=facilitator, notes="  Nouvelle note  ")
    booking.refresh_from_db()
    assert booking.notes == "Nouvelle note"
    with pytest.raises(ValidationError):
        services.booking_notes_save(booking=booking, by=world.user("pedagogical_manager"), notes="x")
    # Encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM speaking_groups_dropinbooking WHERE id = %s", [booking.pk])
        assert "Nouvelle note" not in cursor.fetchone()[0]


# ---------------------------------------------------------------------------------------------------------------
# The last place, taken by two facilitators at the same moment


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_place_goes_to_one_booking_only():
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")
    support = OrganisationFactory(support=True)
    session = SessionFactory()
    body = session.training_action.training_body
    facilitator = Membership.objects.create(user=UserFactory(), organisation=support, role=Role.FACILITATOR).user
    group = SpeakingGroup.objects.create(support_organisation=support, training_body=body, name="Groupe")
    group.sessions.add(session)
    stages = [_person(session, "Inès"), _person(session, "Malo")]
    with time_machine.travel(NOW, tick=False):
        slot = _slot(group, capacity=1)
        barrier = threading.Barrier(2)
        outcomes = []

        def book(stage):
            try:
                barrier.wait(timeout=10)
                _book(slot, facilitator, stage)
                outcomes.append("booked")
            except ValidationError as error:
                outcomes.append(" ".join(error.messages))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(stage,)) for stage in stages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(outcomes) == ["Cette permanence est complète le 10/04/2028 (1 places).", "booked"]
    assert DropInBooking.objects.filter(slot=slot).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_person_on_two_slots_at_the_same_moment_is_booked_once():
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")
    support = OrganisationFactory(support=True)
    session = SessionFactory()
    body = session.training_action.training_body
    facilitator = Membership.objects.create(user=UserFactory(), organisation=support, role=Role.FACILITATOR).user
    group = SpeakingGroup.objects.create(support_organisation=support, training_body=body, name="Groupe")
    group.sessions.add(session)
    stage = _person(session)
    with time_machine.travel(NOW, tick=False):
        slots = [_slot(group), _slot(group, start_time=datetime.time(16, 0))]
        barrier = threading.Barrier(2)
        outcomes = []

        def book(slot):
            try:
                barrier.wait(timeout=10)
                _book(slot, facilitator, stage)
                outcomes.append("booked")
            except ValidationError as error:
                outcomes.append(" ".join(error.messages))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(slot,)) for slot in slots]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(outcomes) == ["Cette personne a déjà un rendez-vous de permanence ce jour-là.", "booked"]
    assert DropInBooking.objects.filter(stage=stage).count() == 1


# ---------------------------------------------------------------------------------------------------------------
# Views: who sees what


def test_slots_page_for_the_facilitator(world, speaking_group, dropin, client_for):
    response = client_for(speaking_group.facilitator).get(
        reverse("speaking_groups:dropin_slots", args=[speaking_group.group.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Salle 2" in body
    assert "1 place" in body  # the 10/04: 2 places, Zoé has one
    assert "17 avril" not in body  # Easter Monday
    assert reverse("speaking_groups:dropin_booking_create", args=[dropin[0].pk]) in body


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "org_manager"])
def test_slots_page_for_the_training_body_shows_no_booking(world, speaking_group, dropin, client_for, role):
    response = client_for(world.user(role)).get(reverse("speaking_groups:dropin_slots", args=[speaking_group.group.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Salle 2" in body and "10 avril" in body
    assert "1 place" not in body and "complet" not in body  # no count of bookings, not even places left
    assert "Zoé" not in body and BOOKING_NOTE not in body
    assert reverse("speaking_groups:dropin_slot_detail", args=[dropin[0].pk]) not in body


def test_slots_page_query_count(world, speaking_group, dropin, client_for, django_assert_max_num_queries):
    for hour in (9, 10, 11):
        slot = _slot(speaking_group.group, start_time=datetime.time(hour, 0))
        DropInBooking.objects.create(
            slot=slot,
            date=MONDAY,
            stage=_person(world.session),
            requested_via=DropInBooking.RequestedVia.PHONE,
            agreement_recorded=True,
        )
    client = client_for(speaking_group.facilitator)
    url = reverse("speaking_groups:dropin_slots", args=[speaking_group.group.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def _urls(group, slot, booking):
    return {
        "slots": reverse("speaking_groups:dropin_slots", args=[group.pk]),
        "slot_create": reverse("speaking_groups:dropin_slot_create", args=[group.pk]),
        "slot_detail": reverse("speaking_groups:dropin_slot_detail", args=[slot.pk]),
        "booking_create": reverse("speaking_groups:dropin_booking_create", args=[slot.pk]),
        "booking_detail": reverse("speaking_groups:dropin_booking_detail", args=[booking.pk]),
        "booking_status": reverse("speaking_groups:dropin_booking_status", args=[booking.pk]),
        "booking_notes": reverse("speaking_groups:dropin_booking_notes", args=[booking.pk]),
    }


def test_facilitator_pages(world, speaking_group, dropin, client_for):
    slot, booking = dropin
    urls = _urls(speaking_group.group, slot, booking)
    client = client_for(speaking_group.facilitator)
    for name in ("slot_create", "slot_detail", "booking_create", "booking_detail"):
        assert client.get(urls[name]).status_code == 200, name
    detail = client.get(urls["booking_detail"]).content.decode()
    assert "Zoé" in detail and BOOKING_NOTE in detail
    assert "Zoé" in client.get(urls["slot_detail"]).content.decode()


def test_facilitator_writes_through_the_views(world, speaking_group, dropin, client_for):
    slot, booking = dropin
    urls = _urls(speaking_group.group, slot, booking)
    client = client_for(speaking_group.facilitator)
    response = client.post(
        urls["slot_create"],
        {
            "weekday": "3",
            "start_time": "09:30",
            "duration_minutes": "30",
            "capacity": "2",
            "place": "Bureau 4",
            "starts_on": "2028-04-06",
        },
    )
    assert response.status_code == 302
    assert DropInSlot.objects.filter(place="Bureau 4", weekday=3).exists()
    stage = _person(world.session)
    data = {"date": "2028-04-10", "stage": stage.pk, "requested_via": "in_person", "agreement_recorded": "on"}
    assert client.post(urls["booking_create"], data).status_code == 302
    assert DropInBooking.objects.filter(stage=stage, date=MONDAY).exists()
    # Refused: French message on the form, nothing written.
    other = _person(world.session, "Malo")
    response = client.post(urls["booking_create"], {**data, "stage": other.pk, "date": "2028-04-17"})
    assert response.status_code == 200
    assert "Lundi de Pâques" in response.content.decode()
    response = client.post(urls["booking_create"], {**data, "stage": other.pk, "agreement_recorded": ""})
    assert "accord de la personne" in response.content.decode()
    assert not DropInBooking.objects.filter(stage=other).exists()
    assert client.post(urls["booking_notes"], {"notes": "Suite"}).status_code == 302
    assert client.post(urls["booking_status"], {"status": "cancelled"}).status_code == 302
    booking.refresh_from_db()
    assert booking.notes == "Suite" and booking.status == Status.CANCELLED


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "org_manager"])
def test_training_body_staff_may_not_act_and_never_reach_a_booking(world, speaking_group, dropin, client_for, role):
    slot, booking = dropin
    urls = _urls(speaking_group.group, slot, booking)
    client = client_for(world.user(role))
    # They see the group and its slots, but may not act on them...
    for name in ("slot_create", "slot_detail", "booking_create"):
        assert client.get(urls[name]).status_code == 403, name
    stage = _person(world.session)
    data = {"date": "2028-04-10", "stage": stage.pk, "requested_via": "trainer", "agreement_recorded": "on"}
    assert client.post(urls["booking_create"], data).status_code == 403
    # ...and a booking is out of their scope.
    assert client.get(urls["booking_detail"]).status_code == 404
    assert client.post(urls["booking_status"], {"status": "cancelled"}).status_code == 404
    assert client.post(urls["booking_notes"], {"notes": "x"}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Status.BOOKED and booking.notes == BOOKING_NOTE
    assert DropInBooking.objects.count() == 1


@pytest.mark.parametrize("who", ["other_facilitator", "prescriber_adviser", "outsider", "regional_officer"])
def test_outside_the_group_everything_is_404(world, speaking_group, dropin, client_for, who):
    slot, booking = dropin
    user = _other_facilitator(world) if who == "other_facilitator" else world.user(who)
    client = client_for(user)
    urls = _urls(speaking_group.group, slot, booking)
    for name, url in urls.items():
        if name in ("booking_status", "booking_notes"):
            response = client.post(url, {"status": "cancelled", "notes": "x"})
        else:
            response = client.get(url)
        assert response.status_code == 404, name
    data = {"date": "2028-04-10", "stage": world.stage.pk, "requested_via": "trainer", "agreement_recorded": "on"}
    assert client.post(urls["booking_create"], data).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Status.BOOKED and booking.notes == BOOKING_NOTE
    assert DropInBooking.objects.count() == 1 and DropInSlot.objects.count() == 1


def test_anonymous_goes_to_login(world, speaking_group, dropin, client_for):
    slot, booking = dropin
    client = client_for(None)
    for url in _urls(speaking_group.group, slot, booking).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_methods(world, speaking_group, dropin, client_for):
    slot, booking = dropin
    urls = _urls(speaking_group.group, slot, booking)
    client = client_for(speaking_group.facilitator)
    assert client.get(urls["booking_status"]).status_code == 405
    assert client.get(urls["booking_notes"]).status_code == 405
    assert client.post(urls["slots"]).status_code == 405
    assert client.post(urls["slot_detail"]).status_code == 405
    assert client.post(urls["booking_detail"]).status_code == 405
    assert client.delete(urls["booking_create"]).status_code == 405


# ---------------------------------------------------------------------------------------------------------------
# The person's confirmation and reminder, through the outbox (e-mail and SMS to their own address)


@pytest.fixture
def reachable(world):
    """The world's person has an e-mail address and a phone number."""
    world.beneficiary.email = "zoe@example.org"
    world.beneficiary.phone = "0612345678"
    world.beneficiary.save()
    return world.beneficiary


@pytest.fixture
def sms_file(settings, tmp_path):
    from notifications.sms import FileSmsBackend

    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    return FileSmsBackend(tmp_path / "sms.jsonl")


def _texts(notifications_):
    from notifications.channels import sms_text

    return [row.message for row in notifications_] + [sms_text(row) for row in notifications_]


def _assert_neutral(world, texts):
    for text in texts:
        assert world.training_body.name not in text
        assert "Zoé" not in text and "Martin" not in text and "MARTIN" not in text
        for family in ("projet", "contenu", "conditions", "imprévu", "rupture", "décrochage"):
            assert family not in text.lower().replace("sans rupture", "")


def test_booking_writes_the_confirmation_to_the_person(world, speaking_group, reachable, frozen):
    from notifications.models import Notification

    slot = _slot(speaking_group.group)
    booking = _book(slot, speaking_group.facilitator, world.stage)
    rows = list(Notification.objects.filter(cause_key=f"dropin_booking:{booking.pk}:confirmation").order_by("channel"))
    assert [(row.channel, row.beneficiary_id, row.recipient_id, row.kind) for row in rows] == [
        ("email", reachable.pk, None, "dropin_confirmation"),
        ("sms", reachable.pk, None, "dropin_confirmation"),
    ]
    assert rows[0].recipient_key == f"person:{reachable.pk}"
    assert rows[0].idempotency_key == f"dropin_booking:{booking.pk}:confirmation:person:{reachable.pk}:email"
    texts = _texts(rows)
    for text in texts:
        assert "10 avril 2028" in text and "14:00" in text and "Salle 2" in text and world.support.name in text
    _assert_neutral(world, texts)


def test_the_confirmation_is_delivered_by_email_and_sms(world, speaking_group, reachable, frozen, sms_file, mailoutbox):
    from notifications.models import Notification
    from notifications.services import deliver_cause

    slot = _slot(speaking_group.group, place="", video_link="https://visio.example.org/p")
    booking = _book(slot, speaking_group.facilitator, world.stage)
    assert deliver_cause(f"dropin_booking:{booking.pk}:confirmation") == 2
    (email,) = mailoutbox
    assert email.to == ["zoe@example.org"]
    assert "https://visio.example.org/p" in email.body and world.support.name in email.body
    (sms,) = sms_file.sent()
    assert sms["to"] == "0612345678" and "https://visio.example.org/p" in sms["body"]
    _assert_neutral(world, [email.subject, email.body, sms["body"]])
    assert not Notification.objects.exclude(status=Notification.Status.DELIVERED).exists()


def test_a_person_without_address_gets_nothing_and_the_booking_holds(world, speaking_group, dropin):
    from notifications.models import Notification

    slot, _ = dropin
    stage = _person(world.session)
    assert _book(slot, speaking_group.facilitator, stage).pk
    assert not Notification.objects.filter(kind="dropin_confirmation").exists()


def test_the_reminder_goes_once_the_day_before(world, speaking_group, reachable, frozen):
    from notifications.models import Notification
    from speaking_groups.tasks import remind_dropins_task

    slot = _slot(speaking_group.group)
    booking = _book(slot, speaking_group.facilitator, world.stage)
    cancelled = _book(slot, speaking_group.facilitator, _person(world.session))
    cancelled.stage.pathway.beneficiary.email = "autre@example.org"
    cancelled.stage.pathway.beneficiary.save()
    services.booking_set_status(booking=cancelled, by=speaking_group.facilitator, status=Status.CANCELLED)
    reminders = Notification.objects.filter(kind="dropin_reminder")
    assert remind_dropins_task() == 0  # Wednesday: the appointment is on Monday
    with time_machine.travel(datetime.datetime(2028, 4, 9, 16, tzinfo=datetime.UTC), tick=False):  # Sunday
        assert remind_dropins_task() == 1
        assert remind_dropins_task() == 0  # a second run writes nothing
    assert sorted(reminders.values_list("channel", flat=True)) == ["email", "sms"]
    assert set(reminders.values_list("beneficiary_id", flat=True)) == {reachable.pk}
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    texts = _texts(reminders)
    assert all("demain" in text and "10 avril 2028" in text for text in texts)
    _assert_neutral(world, texts)


def test_the_persons_messages_are_not_in_the_admin(world, speaking_group, reachable, frozen, client_for):
    from notifications.models import Notification

    booking = _book(_slot(speaking_group.group), speaking_group.facilitator, world.stage)
    row = Notification.objects.filter(beneficiary=reachable).first()
    client = client_for(world.user("admin"))
    assert client.get(reverse("admin:notifications_notification_change", args=[row.pk])).status_code in (302, 404)
    changelist = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert (
        f"dropin_booking:{booking.pk}" not in changelist
        and "dropin_confirmation" not in changelist.split("<tbody>")[-1]
    )
