"""Groups and collective workshops: the facilitator's workspace, what the training body and the co-facilitator see,
the rules, and who may do what (NEUTRALITÉ: notes stay with the support structure)."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pathways.models import Membership, Pathway, Stage
from speaking_groups.models import SpeakingGroup, Workshop, WorkshopAttendance
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, SessionFactory, StageFactory
from tests.speaking_groups.conftest import WORKSHOP_NOTE

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"speaking_groups:{name}", args=args)


# ---------------------------------------------------------------------------------------------------------------
# Reading


def test_the_facilitator_sees_the_group_its_workshops_and_their_notes(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    page = client.get(_url("group_list"))
    assert page.status_code == 200
    assert "Groupe ADVF" in page.content.decode()
    detail = client.get(speaking_group.group.get_absolute_url()).content.decode()
    assert "Trouver sa place dans le groupe" in detail
    workshop = client.get(_url("workshop_detail", speaking_group.workshop.pk)).content.decode()
    assert WORKSHOP_NOTE in workshop
    assert "Zoé" in workshop  # the attendance form lists the session's people, the world's person ticked


def test_the_facilitator_sees_the_people_of_the_group_sessions(world, speaking_group):
    facilitator = speaking_group.facilitator
    assert Pathway.objects.for_user(facilitator).filter(pk=world.pathway.pk).exists()
    assert Stage.objects.for_user(facilitator).filter(pk=world.stage.pk).exists()


def test_without_a_group_a_facilitator_sees_nobody(world):
    assert not Pathway.objects.for_user(world.user("facilitator")).exists()


def test_the_co_facilitator_knows_who_attended_but_reads_no_note(world, speaking_group, client_for):
    client = client_for(speaking_group.co_facilitator)
    body = client.get(_url("workshop_detail", speaking_group.workshop.pk)).content.decode()
    assert "Zoé" in body
    assert WORKSHOP_NOTE not in body
    assert 'name="notes"' not in body


@pytest.mark.parametrize("role", ["trainer", "org_manager"])
def test_training_body_staff_see_the_calendar_and_a_hidden_count(world, speaking_group, client_for, role):
    client = client_for(world.user(role))
    detail = client.get(speaking_group.group.get_absolute_url())
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Trouver sa place dans le groupe" in body
    assert "&lt; 5" in body  # one participant, shown "< 5"
    workshop = client.get(_url("workshop_detail", speaking_group.workshop.pk)).content.decode()
    assert WORKSHOP_NOTE not in workshop
    assert "Zoé" not in workshop


@pytest.mark.parametrize(
    "role", ["prescriber_adviser", "regional_officer", "basin_coordinator", "outsider", "dpo", "admin"]
)
def test_others_do_not_reach_the_group(world, speaking_group, client_for, role):
    client = client_for(world.user(role))
    assert client.get(speaking_group.group.get_absolute_url()).status_code == 404
    assert client.get(_url("workshop_detail", speaking_group.workshop.pk)).status_code == 404
    assert "Groupe ADVF" not in client.get(_url("group_list")).content.decode()


def test_other_structures_and_deactivated_facilitators_get_404(world, adversaries, speaking_group, client_for):
    client = client_for(adversaries_user := world.user("other_facilitator"))
    assert client.get(speaking_group.group.get_absolute_url()).status_code == 404
    assert not Pathway.objects.for_user(adversaries_user).filter(pk=world.pathway.pk).exists()
    Membership.objects.filter(user=speaking_group.facilitator).update(is_active=False, deactivated_at=timezone.now())
    client = client_for(speaking_group.facilitator)
    assert client.get(speaking_group.group.get_absolute_url()).status_code == 404
    assert not Pathway.objects.for_user(speaking_group.facilitator).exists()


def test_anonymous_is_sent_to_the_login_page(speaking_group, client_for):
    client = client_for(None)
    response = client.get(speaking_group.group.get_absolute_url())
    assert response.status_code == 302
    assert "login" in response.url or "connexion" in response.url


def test_the_group_list_reads_a_constant_number_of_queries(
    world, speaking_group, client_for, django_assert_max_num_queries
):
    client = client_for(speaking_group.facilitator)
    client.get(_url("group_list"))
    for n in range(5):
        group = SpeakingGroup.objects.create(
            support_organisation=world.support, training_body=world.training_body, name=f"Groupe {n}"
        )
        group.sessions.add(SessionFactory(training_action=world.session.training_action), world.session)
    with django_assert_max_num_queries(12):
        response = client.get(_url("group_list"))
    assert response.content.decode().count("Groupe ") >= 6


def test_the_group_page_reads_a_constant_number_of_queries(
    world, speaking_group, client_for, django_assert_max_num_queries
):
    client = client_for(speaking_group.facilitator)
    for n in range(6):
        Workshop.objects.create(
            group=speaking_group.group,
            session=world.session,
            date=world.today,
            start_time=datetime.time(9, 0),
            end_time=datetime.time(10, 0),
            theme=f"Atelier {n}",
            co_facilitator=speaking_group.co_facilitator,
        )
    with django_assert_max_num_queries(16):
        assert client.get(speaking_group.group.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# Writing


def test_a_facilitator_creates_a_group(world, client_for):
    client = client_for(world.user("facilitator"))
    url = _url("group_create") + f"?organisme={world.training_body.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Groupe du lundi",
            "sessions": [world.session.pk],
            "facilitators": [world.user("facilitator").pk],
            "co_facilitator": world.user("pedagogical_manager").pk,
        },
    )
    group = SpeakingGroup.objects.get(name="Groupe du lundi")
    assert response.status_code == 302
    assert group.support_organisation == world.support
    assert list(group.sessions.all()) == [world.session]


def test_a_group_takes_only_the_chosen_training_body_sessions(world, adversaries, client_for):
    client = client_for(world.user("facilitator"))
    foreign = SessionFactory(training_action__training_body=world.other_training_body)
    response = client.post(
        _url("group_create") + f"?organisme={world.training_body.pk}",
        {"name": "Groupe", "sessions": [foreign.pk], "facilitators": [world.user("facilitator").pk]},
    )
    assert response.status_code == 200
    assert not SpeakingGroup.objects.exists()


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "prescriber_adviser", "regional_officer"])
def test_only_facilitators_create_groups(world, client_for, role):
    client = client_for(world.user(role))
    url = _url("group_create") + f"?organisme={world.training_body.pk}"
    assert client.get(url).status_code == 403
    client.post(url, {"name": "x", "sessions": [world.session.pk], "facilitators": [world.user(role).pk]})
    assert not SpeakingGroup.objects.exists()


def test_a_workshop_is_scheduled_within_the_session(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    data = {
        "session": world.session.pk,
        "date": (world.session.end_date + datetime.timedelta(days=1)).isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "theme": "Hors session",
    }
    response = client.post(_url("workshop_create", speaking_group.group.pk), data)
    assert response.status_code == 200
    assert "pendant la session" in response.content.decode()
    assert not Workshop.objects.filter(theme="Hors session").exists()
    data.update(date=world.today.isoformat(), theme="Dans la session")
    response = client.post(_url("workshop_create", speaking_group.group.pk), data)
    workshop = Workshop.objects.get(theme="Dans la session")
    assert response.status_code == 302
    assert workshop.co_facilitator == speaking_group.co_facilitator  # the group's, by default


def test_a_workshop_ends_after_it_starts(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    response = client.post(
        _url("workshop_create", speaking_group.group.pk),
        {
            "session": world.session.pk,
            "date": world.today.isoformat(),
            "start_time": "16:00",
            "end_time": "15:00",
            "theme": "x",
        },
    )
    assert response.status_code == 200
    assert Workshop.objects.count() == 1


def test_attendance_takes_only_the_session_people(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    other = StageFactory(pathway=PathwayFactory(beneficiary=BeneficiaryFactory(region=world.region)))
    EnrolmentFactory(stage=other, session=SessionFactory(training_action=world.session.training_action))
    url = _url("workshop_attendance", speaking_group.workshop.pk)
    client.post(url, {"stages": [world.stage.pk, other.pk]})
    assert list(WorkshopAttendance.objects.values_list("stage_id", flat=True)) == [world.stage.pk]
    client.post(url, {})
    assert not WorkshopAttendance.objects.exists()


def test_notes_are_encrypted_at_rest(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    client.post(_url("workshop_notes", speaking_group.workshop.pk), {"notes": "MARQUEUR-NOTE-NEUVE"})
    assert Workshop.objects.get(pk=speaking_group.workshop.pk).notes == "MARQUEUR-NOTE-NEUVE"
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM speaking_groups_workshop WHERE id = %s", [speaking_group.workshop.pk])
        (raw,) = cursor.fetchone()
    assert "MARQUEUR" not in raw


@pytest.mark.parametrize(
    "role", ["trainer", "pedagogical_manager", "org_manager", "prescriber_adviser", "other_facilitator"]
)
def test_foreign_writes_change_nothing(world, adversaries, speaking_group, client_for, role):
    client = client_for(world.user(role))
    workshop = speaking_group.workshop
    responses = [
        client.post(_url("workshop_notes", workshop.pk), {"notes": "écrasé"}),
        client.post(_url("workshop_attendance", workshop.pk), {}),
        client.post(_url("workshop_cancel", workshop.pk)),
        client.post(
            _url("workshop_create", speaking_group.group.pk),
            {
                "session": world.session.pk,
                "date": world.today.isoformat(),
                "start_time": "9:00",
                "end_time": "10:00",
                "theme": "x",
            },
        ),
    ]
    assert {r.status_code for r in responses} <= {403, 404}
    workshop.refresh_from_db()
    assert workshop.notes == WORKSHOP_NOTE
    assert workshop.cancelled_at is None
    assert WorkshopAttendance.objects.count() == 1
    assert Workshop.objects.count() == 1


def test_writes_need_post(speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    for name in ("workshop_notes", "workshop_attendance", "workshop_cancel"):
        assert client.get(_url(name, speaking_group.workshop.pk)).status_code == 405


def test_a_workshop_with_attendance_cannot_be_cancelled(speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    client.post(_url("workshop_cancel", speaking_group.workshop.pk))
    speaking_group.workshop.refresh_from_db()
    assert speaking_group.workshop.cancelled_at is None


def test_the_access_log_names_the_support_structure(world, speaking_group, client_for):
    from accounts.models import AccessLog

    client = client_for(speaking_group.facilitator)
    assert client.get(world.pathway.get_absolute_url()).status_code == 200
    entry = AccessLog.objects.filter(user=speaking_group.facilitator).latest("pk")
    assert entry.beneficiary == world.beneficiary
    assert entry.acting_organisation == world.support


def test_the_training_body_managers_find_the_feedback_from_the_group_page(world, speaking_group, client_for):
    feedback = _url("feedback_list", speaking_group.group.pk)
    assert (
        feedback
        in client_for(world.user("pedagogical_manager")).get(speaking_group.group.get_absolute_url()).content.decode()
    )
    assert (
        feedback not in client_for(world.user("trainer")).get(speaking_group.group.get_absolute_url()).content.decode()
    )
