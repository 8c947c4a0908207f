"""The access log on the speaking groups' pages (issue 20): a page that names people writes one row per person named
(as a session page does), and recording something about a person (a workshop attendance, an appointment, a call) is
a change of their record."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from speaking_groups.models import DropInBooking, DropInSlot, WorkshopAttendance
from speaking_groups.services import support as support_services


def _url(name, *args):
    return reverse(f"speaking_groups:{name}", args=args)


def _rows(user):
    return list(
        AccessLog.objects.filter(user=user)
        .order_by("pk")
        .values_list("beneficiary_id", "view_name", "action", "acting_organisation_id")
    )


@pytest.fixture
def slot(speaking_group):
    return DropInSlot.objects.create(
        group=speaking_group.group,
        weekday=timezone.localdate().weekday(),
        start_time=datetime.time(10),
        place="Salle 2",
        starts_on=timezone.localdate() - datetime.timedelta(days=14),
    )


def test_the_workshop_page_logs_the_people_it_names_for_the_facilitator(world, speaking_group, client_for):
    response = client_for(speaking_group.facilitator).get(_url("workshop_detail", speaking_group.workshop.pk))
    assert world.beneficiary.full_name in response.content.decode()
    assert _rows(speaking_group.facilitator) == [
        (world.beneficiary.pk, "speaking_groups:workshop_detail", "read", world.support.pk)
    ]


def test_the_co_facilitator_reads_who_attended_for_the_training_body(world, speaking_group, client_for):
    client_for(speaking_group.co_facilitator).get(_url("workshop_detail", speaking_group.workshop.pk))
    assert _rows(speaking_group.co_facilitator) == [
        (world.beneficiary.pk, "speaking_groups:workshop_detail", "read", world.training_body.pk)
    ]


def test_a_trainer_who_sees_a_count_only_is_not_logged(world, speaking_group, client_for):
    response = client_for(world.user("trainer")).get(_url("workshop_detail", speaking_group.workshop.pk))
    assert response.status_code == 200
    assert world.beneficiary.full_name not in response.content.decode()
    assert _rows(world.user("trainer")) == []


def test_changing_who_attended_a_workshop_is_logged_as_a_change_of_their_record(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    client.post(_url("workshop_attendance", speaking_group.workshop.pk), {})  # Zoé no longer marked present
    assert not WorkshopAttendance.objects.exists()
    changes = [row for row in _rows(speaking_group.facilitator) if row[2] == "change"]
    assert changes == [(world.beneficiary.pk, "speaking_groups:workshop_attendance", "change", world.support.pk)]
    client.post(_url("workshop_attendance", speaking_group.workshop.pk), {})  # nothing changes: nobody is logged
    assert [row for row in _rows(speaking_group.facilitator) if row[2] == "change"] == changes


def test_a_slot_s_appointments_name_their_people_once_each(world, speaking_group, slot, client_for):
    for days in (0, 7):
        DropInBooking.objects.create(
            slot=slot,
            date=slot.starts_on + datetime.timedelta(days=days),
            stage=world.stage,
            requested_via=DropInBooking.RequestedVia.PHONE,
            agreement_recorded=True,
        )
    client_for(speaking_group.facilitator).get(_url("dropin_slot_detail", slot.pk))
    assert _rows(speaking_group.facilitator) == [
        (world.beneficiary.pk, "speaking_groups:dropin_slot_detail", "read", world.support.pk)
    ]


def test_the_booking_form_names_who_may_book_and_booking_is_a_change(world, speaking_group, slot, client_for):
    client = client_for(speaking_group.facilitator)
    client.get(_url("dropin_booking_create", slot.pk))
    assert _rows(speaking_group.facilitator) == [
        (world.beneficiary.pk, "speaking_groups:dropin_booking_create", "read", world.support.pk)
    ]
    day = slot.starts_on + datetime.timedelta(days=21)
    response = client.post(
        _url("dropin_booking_create", slot.pk),
        {"date": day.isoformat(), "stage": world.stage.pk, "requested_via": "phone", "agreement_recorded": "on"},
    )
    assert response.status_code == 302
    assert DropInBooking.objects.filter(stage=world.stage, date=day).exists()
    assert _rows(speaking_group.facilitator)[-1] == (
        world.beneficiary.pk,
        "speaking_groups:dropin_booking_create",
        "change",
        world.support.pk,
    )


def test_the_hotline_page_logs_the_people_of_its_calls_and_of_its_form(world, speaking_group, client_for):
    client_for(speaking_group.facilitator).get(_url("support_hotline"))
    assert _rows(speaking_group.facilitator) == [
        (world.beneficiary.pk, "speaking_groups:support_hotline", "read", world.support.pk)
    ]


def test_a_call_linked_to_a_person_is_a_change_of_their_record(world, speaking_group, client_for):
    response = client_for(speaking_group.facilitator).post(
        _url("support_hotline"),
        {"duration_minutes": "5", "topic": "project", "outcome": "listened", "stage": world.stage.pk},
    )
    assert response.status_code == 302
    assert (world.beneficiary.pk, "speaking_groups:support_hotline", "change", world.support.pk) in _rows(
        speaking_group.facilitator
    )


def test_an_anonymous_call_logs_no_change(world, speaking_group, client_for):
    client_for(speaking_group.facilitator).post(
        _url("support_hotline"), {"duration_minutes": "5", "topic": "project", "outcome": "listened"}
    )
    assert [row for row in _rows(speaking_group.facilitator) if row[2] == "change"] == []


def test_the_network_list_and_the_shares_name_their_people_once(world, speaking_group, client_for):
    facilitator = speaking_group.facilitator
    for _ in range(2):
        support_services.network_contact_log(
            by=facilitator,
            stage=world.stage,
            support_organisation=world.support,
            service="housing",
            service_name="CCAS",
            contacted_on=world.today,
            notes="",
        )
    support_services.referent_share(
        by=facilitator,
        stage=world.stage,
        support_organisation=world.support,
        summary="Synthèse",
        consent_given=True,
        consent_on=world.today,
        consent_scope="Tout",
    )
    client = client_for(facilitator)
    client.get(_url("support_network_list"))
    client.get(_url("support_share_list"))
    assert _rows(facilitator) == [
        (world.beneficiary.pk, "speaking_groups:support_network_list", "read", world.support.pk),
        (world.beneficiary.pk, "speaking_groups:support_share_list", "read", world.support.pk),
    ]
    # The referent reads the share made to them, for the organisation through which they follow the person.
    referent = world.user("prescriber_adviser")
    client_for(referent).get(_url("support_share_list"))
    assert _rows(referent) == [
        (world.beneficiary.pk, "speaking_groups:support_share_list", "read", world.prescriber.pk)
    ]
