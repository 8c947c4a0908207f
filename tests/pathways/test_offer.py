"""A training body runs its own offer (issue 21): training actions and sessions, by its managers, in its scope."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from attendance.models import Mark, Slot
from pathways.models import Membership, Organisation, Session, Stage, TrainingAction
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BasinFactory,
    CommuneFactory,
    EnrolmentFactory,
    OrganisationFactory,
    RegionFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2027, 2, 15, 10, 0, tzinfo=datetime.UTC)  # a Monday, no public holiday in March 2027


def action_data(world, **overrides):
    data = {
        "title": "Agent·e de propreté et d'hygiène",
        "programme": world.programme.pk,
        "funder": world.funder.pk,
        "formacode": "42056",
        "basin": world.basin.pk,
        "hours": "420",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def session_data(world, **overrides):
    data = {
        "label": "Promotion de mars",
        "start_date": "2027-03-01",
        "end_date": "2027-03-12",
        "weekdays": ["1", "2", "4", "8", "16"],
        "capacity": "12",
        "commune": world.commune.pk,
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "trainers": [world.user("trainer").pk],
    }
    data.update(overrides)
    return data


@pytest.fixture
def foreign(world):
    """A manager of the region's other training body, and a second region's funder, basin and commune."""
    other_manager = Membership.objects.create(
        user=UserFactory(), organisation=world.other_training_body, role=Membership.Role.ORG_MANAGER
    ).user
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    basin = BasinFactory(region=region, code="8401", name="Lyon")
    return {
        "manager": other_manager,
        "funder": OrganisationFactory(name="Région Auvergne-Rhône-Alpes", region=region, funder=True),
        "basin": basin,
        "commune": CommuneFactory(code="69123", name="Lyon", department="69", basin=basin),
        "action": TrainingActionFactory(training_body=world.other_training_body, basin=world.basin, title="Autre"),
    }


# --------------------------------------------------------------------------------------------------------------
# Training actions


def test_a_manager_creates_a_training_action_of_their_body(world, client_for):
    client = client_for(world.user("pedagogical_manager"))
    response = client.post(reverse("pathways:training_action_create"), action_data(world))
    action = TrainingAction.objects.get(title="Agent·e de propreté et d'hygiène")
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    assert action.training_body == world.training_body
    assert (action.funder, action.basin, action.hours, action.formacode) == (world.funder, world.basin, 420, "42056")
    assert action.is_active


def test_another_regions_funder_and_basin_are_not_offered_and_refused(world, foreign, client_for):
    client = client_for(world.user("org_manager"))
    page = client.get(reverse("pathways:training_action_create")).content.decode()
    assert world.funder.name in page and "Région Auvergne-Rhône-Alpes" not in page and "Lyon" not in page
    for field, value in (("funder", foreign["funder"].pk), ("basin", foreign["basin"].pk)):
        response = client.post(reverse("pathways:training_action_create"), action_data(world, **{field: value}))
        assert response.status_code == 200
        assert response.context["form"].errors[field]
    assert not TrainingAction.objects.filter(title="Agent·e de propreté et d'hygiène").exists()


def test_a_bad_formacode_and_zero_hours_are_refused_with_a_message(world, client_for):
    client = client_for(world.user("org_manager"))
    response = client.post(reverse("pathways:training_action_create"), action_data(world, formacode="12", hours="0"))
    form = response.context["form"]
    assert "formacode" in form.errors and "hours" in form.errors
    assert not TrainingAction.objects.filter(title="Agent·e de propreté et d'hygiène").exists()


def test_a_trainer_reads_the_action_but_may_not_change_it(world, client_for):
    action = world.session.training_action
    client = client_for(world.user("trainer"))
    page = client.get(reverse("pathways:training_action_detail", args=[action.pk]))
    assert page.status_code == 200 and "Nouvelle session" not in page.content.decode()
    assert client.get(reverse("pathways:training_action_update", args=[action.pk])).status_code == 403
    assert (
        client.post(reverse("pathways:training_action_update", args=[action.pk]), action_data(world)).status_code == 403
    )
    assert client.post(reverse("pathways:training_action_deactivate", args=[action.pk])).status_code == 403
    assert client.get(reverse("pathways:training_action_create")).status_code == 403
    action.refresh_from_db()
    assert action.title == "Titre pro ADVF" and action.is_active


def test_another_training_bodys_manager_gets_404_and_writes_nothing(world, foreign, client_for):
    action = world.session.training_action
    client = client_for(foreign["manager"])
    for name in ("training_action_detail", "training_action_update", "session_create"):
        assert client.get(reverse(f"pathways:{name}", args=[action.pk])).status_code == 404, name
    assert (
        client.post(reverse("pathways:training_action_update", args=[action.pk]), action_data(world)).status_code == 404
    )
    assert client.post(reverse("pathways:training_action_deactivate", args=[action.pk])).status_code == 404
    assert client.post(reverse("pathways:session_create", args=[action.pk]), session_data(world)).status_code == 404
    assert (
        client.post(reverse("pathways:session_update", args=[world.session.pk]), session_data(world)).status_code == 404
    )
    action.refresh_from_db()
    assert action.title == "Titre pro ADVF" and action.is_active
    assert Session.objects.filter(training_action=action).count() == 1
    # Their own list shows their action, never the world's.
    page = client.get(reverse("pathways:training_action_list")).content.decode()
    assert "Autre" in page and "Titre pro ADVF" not in page


def test_a_prescriber_may_not_reach_the_offer_pages(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    assert client.get(reverse("pathways:training_action_list")).status_code == 403
    assert client.get(reverse("pathways:training_action_create")).status_code == 403
    assert (
        client.get(reverse("pathways:training_action_detail", args=[world.session.training_action_id])).status_code
        == 404
    )


def test_anonymous_is_sent_to_login_and_deactivating_takes_a_post(world, client_for):
    action = world.session.training_action
    anonymous = client_for(None)
    response = anonymous.get(reverse("pathways:training_action_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    manager = client_for(world.user("org_manager"))
    assert manager.get(reverse("pathways:training_action_deactivate", args=[action.pk])).status_code == 405


def test_deactivating_an_action_keeps_its_sessions_and_closes_it_to_new_ones(world, client_for):
    action = world.session.training_action
    client = client_for(world.user("org_manager"))
    response = client.post(reverse("pathways:training_action_deactivate", args=[action.pk]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert not action.is_active
    assert Session.objects.filter(training_action=action).count() == 1
    assert client.post(reverse("pathways:session_create", args=[action.pk]), session_data(world)).status_code == 302
    assert Session.objects.filter(training_action=action).count() == 1
    active = client.get(reverse("pathways:training_action_list")).content.decode()
    inactive = client.get(reverse("pathways:training_action_list") + "?etat=inactives").content.decode()
    assert action.get_absolute_url() not in active and "aucune action de formation active" in active
    assert action.get_absolute_url() in inactive


def test_editing_an_action_changes_it(world, client_for):
    action = world.session.training_action
    client = client_for(world.user("pedagogical_manager"))
    data = action_data(world, title="Titre pro ADVF (nouvelle version)", basin=world.other_basin.pk, hours="600")
    assert client.post(reverse("pathways:training_action_update", args=[action.pk]), data).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.basin, action.hours) == ("Titre pro ADVF (nouvelle version)", world.other_basin, 600)


@pytest.mark.parametrize("count", [3, 30])
def test_the_action_list_takes_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, count):
    for _ in range(count):
        SessionFactory(training_action=TrainingActionFactory(training_body=world.training_body, basin=world.basin))
    client = client_for(world.user("trainer"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pathways:training_action_list"))
    assert response.status_code == 200


# --------------------------------------------------------------------------------------------------------------
# Sessions


@time_machine.travel(FROZEN, tick=False)
def test_a_new_session_has_its_calendar_and_its_trainers(world, client_for):
    action = world.session.training_action
    client = client_for(world.user("org_manager"))
    response = client.post(reverse("pathways:session_create", args=[action.pk]), session_data(world))
    session = Session.objects.get(label="Promotion de mars")
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert list(session.trainers.all()) == [world.user("trainer")]
    assert session.commune == world.commune
    # Ten weekdays from 1 to 12 March 2027, two half-days each.
    assert Slot.objects.filter(session=session).count() == 20
    assert not Slot.objects.filter(session=session, date__week_day__in=[1, 7]).exists()


def test_a_trainer_of_another_body_may_not_be_named_on_a_session(world, client_for):
    action = world.session.training_action
    client = client_for(world.user("org_manager"))
    data = session_data(world, trainers=[world.user("outsider").pk])
    response = client.post(reverse("pathways:session_create", args=[action.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors["trainers"]
    assert not Session.objects.filter(label="Promotion de mars").exists()


def test_a_commune_of_another_region_is_refused_as_the_place(world, foreign, client_for):
    action = world.session.training_action
    client = client_for(world.user("org_manager"))
    response = client.post(
        reverse("pathways:session_create", args=[action.pk]), session_data(world, commune=foreign["commune"].pk)
    )
    assert response.status_code == 200 and response.context["form"].errors["commune"]
    assert not Session.objects.filter(label="Promotion de mars").exists()


def test_capacity_below_the_people_enrolled_is_refused_clearly(world, client_for):
    session = world.session
    other = StageFactory(
        pathway__beneficiary__region=world.region,
        organisation=world.training_body,
        status=Stage.Status.PLANNED,
        planned_start=session.start_date,
    )
    EnrolmentFactory(stage=other, session=session)
    client = client_for(world.user("pedagogical_manager"))
    data = session_data(
        world,
        start_date=session.start_date.isoformat(),
        end_date=session.end_date.isoformat(),
        weekdays=["1", "2", "4", "8", "16", "32", "64"],
        capacity="1",
    )
    response = client.post(reverse("pathways:session_update", args=[session.pk]), data)
    assert response.status_code == 200
    assert "2 personnes sont déjà inscrites" in str(response.context["form"].errors["capacity"])
    session.refresh_from_db()
    assert session.capacity == 12


def test_dates_that_would_drop_a_marked_half_day_are_refused_and_the_mark_is_kept(world, client_for):
    session = world.session
    first = Slot.objects.filter(session=session).order_by("date").first()
    Mark.objects.create(slot=first, stage=world.stage, status=Mark.Status.PRESENT)
    slots_before = Slot.objects.filter(session=session).count()
    start_before = session.start_date
    client = client_for(world.user("org_manager"))
    later = first.date + datetime.timedelta(days=7)
    data = session_data(
        world,
        start_date=later.isoformat(),
        end_date=session.end_date.isoformat(),
        weekdays=["1", "2", "4", "8", "16", "32", "64"],
    )
    response = client.post(reverse("pathways:session_update", args=[session.pk]), data)
    assert response.status_code == 200
    assert "La présence a déjà été saisie le " + first.date.strftime("%d/%m/%Y") in response.content.decode()
    session.refresh_from_db()
    assert session.start_date == start_before
    assert Slot.objects.filter(session=session).count() == slots_before
    assert Mark.objects.filter(slot=first).exists()


def test_shortening_a_session_without_marks_drops_its_later_half_days(world, client_for):
    session = world.session
    client = client_for(world.user("org_manager"))
    end = session.end_date - datetime.timedelta(days=30)
    data = session_data(
        world,
        start_date=session.start_date.isoformat(),
        end_date=end.isoformat(),
        weekdays=["1", "2", "4", "8", "16", "32", "64"],
    )
    response = client.post(reverse("pathways:session_update", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.end_date == end
    assert not Slot.objects.filter(session=session, date__gt=end).exists()
    assert Slot.objects.filter(session=session, date=end).exists() or not session.runs_on(end)


def test_the_session_pages_link_to_the_offer(world, client_for):
    client = client_for(world.user("org_manager"))
    sessions = client.get(reverse("pathways:session_list")).content.decode()
    assert reverse("pathways:training_action_create") in sessions and "Nouvelle action de formation" in sessions
    detail = client.get(reverse("pathways:session_detail", args=[world.session.pk])).content.decode()
    assert reverse("pathways:session_update", args=[world.session.pk]) in detail
    prescriber = client_for(world.user("prescriber_adviser"))
    assert "Nouvelle action de formation" not in prescriber.get(reverse("pathways:session_list")).content.decode()


def test_a_session_outside_any_body_of_the_user_is_404_for_edit(world, client_for):
    assert Organisation.objects.filter(pk=world.other_training_body.pk).exists()
    client = client_for(world.user("outsider"))
    assert client.get(reverse("pathways:session_update", args=[world.session.pk])).status_code == 404


def test_new_hours_reach_the_half_days_to_come_only(world, client_for):
    session = world.session
    past = Slot.objects.filter(session=session, date__lt=world.today, period=Slot.Period.MORNING).first()
    client = client_for(world.user("org_manager"))
    data = session_data(
        world,
        start_date=session.start_date.isoformat(),
        end_date=session.end_date.isoformat(),
        weekdays=["1", "2", "4", "8", "16", "32", "64"],
        morning_start="08:30",
    )
    assert client.post(reverse("pathways:session_update", args=[session.pk]), data).status_code == 302
    upcoming = Slot.objects.filter(session=session, date__gte=world.today, period=Slot.Period.MORNING)
    assert upcoming.exists() and {slot.starts_at for slot in upcoming} == {datetime.time(8, 30)}
    past.refresh_from_db()
    assert past.starts_at == datetime.time(9, 0)


def test_the_organisation_page_links_its_managers_to_the_offer(world, client_for):
    url = reverse("pathways:membership_list", args=[world.training_body.pk])
    for role, shown in (("org_manager", True), ("pedagogical_manager", True), ("trainer", False)):
        page = client_for(world.user(role)).get(url).content.decode()
        assert (reverse("pathways:training_action_list") in page) is shown, role


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("0001-01-01", "2027-03-12", "start_date", "Saisissez une date entre"),
        ("2027-03-01", "9999-12-31", "end_date", "Saisissez une date entre"),
        ("2027-03-01", "2035-03-01", "end_date", "au plus quatre ans"),
        ("2027-03-12", "2027-03-01", "end_date", "ne peut pas précéder son début"),
    ],
)
def test_implausible_session_dates_are_refused_before_any_calendar(world, client_for, start, end, field, message):
    """A typo in a year would generate thousands of years of half-days (or overflow): refused with a message."""
    session = world.session
    before = (session.start_date, session.end_date, Slot.objects.filter(session=session).count())
    client = client_for(world.user("pedagogical_manager"))
    response = client.post(
        reverse("pathways:session_update", args=[session.pk]), session_data(world, start_date=start, end_date=end)
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    session.refresh_from_db()
    assert (session.start_date, session.end_date, Slot.objects.filter(session=session).count()) == before
