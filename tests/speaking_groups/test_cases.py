"""Ruptures declared by a facilitator and post-rupture cases: who declares and through which organisation, the
declaration's switch opening a case in the same transaction, one case per rupture, the solution search and its dated
outcome told to the referent (never the notes), news at 3 and 6 months in the to-dos, and who sees the cases."""

import datetime
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from notifications.kinds import notification_kind
from notifications.models import Notification, Todo
from pathways.models import Membership, PathwayPartner, Stage
from ruptures.models import Rupture
from speaking_groups.models import CaseEntry, PostRuptureCase, SpeakingGroup
from speaking_groups.notifications import CASE_OUTCOME
from speaking_groups.services import cases as services
from tests.accounts.factories import UserFactory
from tests.pathways.factories import EnrolmentFactory, OrganisationFactory, PathwayFactory, StageFactory
from tests.ruptures.declaring import declare

pytestmark = pytest.mark.django_db

CASE_NOTE = "MARQUEUR-NOTE-INTERVENTION"
ENTRY_TEXT = "MARQUEUR-ETAPE-INTERVENTION"


def declare_url(world):
    return reverse("ruptures:rupture_create", args=[world.stage.pk])


def declaration(**overrides):
    data = {
        "kind": "abandon",
        "occurred_on": timezone.localdate().isoformat(),
        "main_cause": "conditions.transport",
        "causes": [],
        "identified_by": "facilitator",
        "no_reminder_reason": "Injoignable depuis dix jours.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def rupture(world, speaking_group):
    return declare(world, occurred_on=timezone.localdate() - datetime.timedelta(days=5))


@pytest.fixture
def case(world, rupture, speaking_group):
    case = services.case_open(rupture=rupture, by=speaking_group.facilitator)
    case.notes = CASE_NOTE
    case.save()
    services.case_entry_add(
        case=case, by=speaking_group.facilitator, kind="contact", on=timezone.localdate(), text=ENTRY_TEXT
    )
    return case


def other_facilitator(world):
    other = OrganisationFactory(name="Écoute Rive Gauche", region=world.region, support=True)
    return Membership.objects.create(user=UserFactory(), organisation=other, role=Membership.Role.FACILITATOR).user


# --------------------------------------------------------------------------------------------------------------
# A facilitator declares a rupture


def test_a_facilitator_declares_through_their_support_structure(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    page = client.get(declare_url(world))
    assert page.status_code == 200
    assert page.context["form"].initial["identified_by"] == "facilitator"
    response = client.post(declare_url(world), declaration())
    rupture = Rupture.objects.get()
    assert response.status_code == 302 and response.url == world.stage.get_absolute_url()
    assert rupture.identified_by == Rupture.IdentifiedBy.FACILITATOR
    assert rupture.declaring_organisation == world.support
    assert rupture.declared_by == speaking_group.facilitator
    # The alert is raised as for any declaration: the prescriber and referent are told.
    assert rupture.alert is not None
    assert Notification.objects.filter(
        cause_key=f"alert:{rupture.alert.pk}", recipient=world.user("prescriber_adviser")
    ).exists()
    world.stage.refresh_from_db()
    assert world.stage.status == Stage.Status.ABANDONED


def test_a_facilitator_of_another_structure_cannot_declare(world, speaking_group, client_for):
    client = client_for(other_facilitator(world))
    assert client.get(declare_url(world)).status_code == 404
    assert client.post(declare_url(world), declaration()).status_code == 404
    assert not Rupture.objects.exists()


def test_a_facilitator_without_a_group_on_the_session_cannot_declare(world, client_for):
    SpeakingGroup.objects.create(support_organisation=world.support, training_body=world.training_body, name="Autre")
    client = client_for(world.user("facilitator"))
    assert client.get(declare_url(world)).status_code == 404
    assert client.post(declare_url(world), declaration()).status_code == 404
    assert not Rupture.objects.exists()
    assert services.facilitator_structure(world.user("facilitator"), world.stage) is None


def test_staff_still_declare_through_their_own_organisation(world, speaking_group):
    rupture = declare(world)
    assert rupture.declaring_organisation == world.training_body


# --------------------------------------------------------------------------------------------------------------
# The declaration's switch "the person asked for help"


def test_the_switch_opens_the_case_with_the_group_structure(world, speaking_group, client_for):
    client = client_for(world.user("trainer"))
    assert "asked_for_help" in client.get(declare_url(world)).context["form"].fields
    response = client.post(declare_url(world), declaration(identified_by="trainer", asked_for_help="on"))
    assert response.status_code == 302
    case = PostRuptureCase.objects.get()
    assert case.rupture == Rupture.objects.get()
    assert case.support_organisation == world.support
    assert case.requested_by_person
    # The trainer is no facilitator: the structure's facilitators get the news to-dos.
    assert set(Todo.objects.values_list("owner", flat=True)) == {speaking_group.facilitator.pk}


def test_without_the_switch_no_case_opens(world, speaking_group, client_for):
    client_for(world.user("trainer")).post(declare_url(world), declaration(identified_by="trainer"))
    assert Rupture.objects.exists() and not PostRuptureCase.objects.exists()


def test_the_switch_is_not_offered_without_a_group_on_the_session(world, client_for):
    form = client_for(world.user("trainer")).get(declare_url(world)).context["form"]
    assert "asked_for_help" not in form.fields


def test_a_case_that_cannot_open_undoes_the_declaration(world, speaking_group, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("the case could not be written")

    monkeypatch.setattr(PostRuptureCase, "save", broken)
    with pytest.raises(RuntimeError):
        declare(world, extras={"post_rupture_case": {"asked_for_help": True}})
    assert not Rupture.objects.exists()
    assert not Alert.objects.exists()
    world.stage.refresh_from_db()
    assert world.stage.status == Stage.Status.IN_PROGRESS


def test_a_refused_case_shows_its_message_and_writes_nothing(world, speaking_group, client_for, monkeypatch):
    def refused(**kwargs):
        raise ValidationError("Intervention impossible.")

    monkeypatch.setattr(services, "case_open", refused)
    response = client_for(world.user("trainer")).post(
        declare_url(world), declaration(identified_by="trainer", asked_for_help="on")
    )
    assert response.status_code == 200
    assert "Intervention impossible." in response.content.decode()
    assert not Rupture.objects.exists()


# --------------------------------------------------------------------------------------------------------------
# Opening from a rupture; one case per rupture


def test_a_facilitator_opens_a_case_from_the_list_of_ruptures_without_one(world, rupture, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    listed = client.get(reverse("speaking_groups:case_list"))
    assert rupture in listed.context["without_case"]
    response = client.post(reverse("speaking_groups:case_open", args=[rupture.pk]))
    case = PostRuptureCase.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.opened_by == speaking_group.facilitator and not case.requested_by_person
    assert rupture not in client.get(reverse("speaking_groups:case_list")).context["without_case"]


def test_a_declarer_asks_for_a_case(world, rupture, speaking_group, client_for):
    response = client_for(world.user("trainer")).post(reverse("speaking_groups:case_open", args=[rupture.pk]))
    assert response.status_code == 302 and response.url == world.stage.get_absolute_url()
    assert PostRuptureCase.objects.get().support_organisation == world.support


def test_a_second_request_says_the_case_exists(world, rupture, speaking_group, client_for):
    services.case_open(rupture=rupture, by=speaking_group.facilitator)
    with pytest.raises(ValidationError, match="déjà ouverte"):
        services.case_open(rupture=rupture, by=world.user("trainer"))
    response = client_for(world.user("trainer")).post(
        reverse("speaking_groups:case_open", args=[rupture.pk]), follow=True
    )
    assert "Une intervention post-rupture est déjà ouverte pour cette rupture." in response.content.decode()
    assert PostRuptureCase.objects.count() == 1


def test_who_sees_the_rupture_but_may_not_declare_gets_403(world, rupture, speaking_group, client_for):
    # A trainer of a partner training body sees the pathway, but neither records the stage's life nor declared.
    PathwayPartner.objects.create(pathway=world.pathway, organisation=world.other_training_body)
    response = client_for(world.user("outsider")).post(reverse("speaking_groups:case_open", args=[rupture.pk]))
    assert response.status_code == 403
    assert not PostRuptureCase.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "dpo", "basin_coordinator", "regional_officer"])
def test_outsiders_cannot_open_a_case(world, rupture, speaking_group, client_for, role):
    response = client_for(world.user(role)).post(reverse("speaking_groups:case_open", args=[rupture.pk]))
    assert response.status_code == 404
    assert not PostRuptureCase.objects.exists()


def test_another_structure_cannot_open_a_case(world, rupture, client_for):
    response = client_for(other_facilitator(world)).post(reverse("speaking_groups:case_open", args=[rupture.pk]))
    assert response.status_code == 404
    assert not PostRuptureCase.objects.exists()


def test_opening_is_a_post(world, rupture, speaking_group, client_for):
    response = client_for(speaking_group.facilitator).get(reverse("speaking_groups:case_open", args=[rupture.pk]))
    assert response.status_code == 405


# --------------------------------------------------------------------------------------------------------------
# News at 3 and 6 months


def test_news_at_3_and_6_months_after_the_rupture(world, rupture, speaking_group):
    case = services.case_open(rupture=rupture, by=speaking_group.facilitator)
    todos = list(Todo.objects.order_by("due_on"))
    assert [todo.due_on for todo in todos] == [
        rupture.occurred_on + relativedelta(months=3),
        rupture.occurred_on + relativedelta(months=6),
    ]
    assert {todo.owner for todo in todos} == {speaking_group.facilitator}
    assert all(todo.url == case.get_absolute_url() and todo.stage == world.stage for todo in todos)
    for todo in todos:
        text = f"{todo.title} {todo.context}"
        assert "3 mois" in todos[0].title and "6 mois" in todos[1].title
        assert world.beneficiary.last_name not in text and "transport" not in text.lower()


def test_to_dos_carry_no_note(world, case):
    for todo in Todo.objects.all():
        assert CASE_NOTE not in f"{todo.title} {todo.context}"
        assert ENTRY_TEXT not in f"{todo.title} {todo.context}"


# --------------------------------------------------------------------------------------------------------------
# The solution search and the outcome


def outcome_url(case):
    return reverse("speaking_groups:case_outcome", args=[case.pk])


@pytest.mark.parametrize(
    "days,message",
    [
        (None, "Une issue se date : indiquez sa date."),
        (1, "La date de l&#x27;issue ne peut pas être dans le futur."),
        (-30, "La date de l&#x27;issue ne peut pas précéder la rupture"),
    ],
)
def test_an_outcome_needs_a_plausible_date(world, case, speaking_group, client_for, days, message):
    date = "" if days is None else (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    response = client_for(speaking_group.facilitator).post(outcome_url(case), {"outcome": "job", "outcome_on": date})
    assert response.status_code == 400
    assert message in response.content.decode()
    case.refresh_from_db()
    assert case.outcome == "" and not Notification.objects.filter(kind=CASE_OUTCOME).exists()


def test_the_referent_is_told_the_outcome_never_the_notes(world, case, speaking_group, client_for):
    response = client_for(speaking_group.facilitator).post(
        outcome_url(case), {"outcome": "other_training", "outcome_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.outcome == "other_training" and case.outcome_on == timezone.localdate()
    rows = Notification.objects.filter(kind=CASE_OUTCOME)
    assert {row.recipient for row in rows} == {world.user("prescriber_adviser")}
    assert {row.channel for row in rows} >= {Notification.Channel.IN_APP}
    for row in rows:
        assert CASE_NOTE not in json.dumps(row.params) and ENTRY_TEXT not in json.dumps(row.params)
        assert set(row.params) == {"person", "outcome", "date"}
    message = notification_kind(CASE_OUTCOME).message(rows.first().params)
    assert world.beneficiary.full_name in message and "autre formation" in message
    assert CASE_NOTE not in message


def test_the_case_list_moves_a_case_with_an_outcome_to_closed(world, case, speaking_group, client_for):
    services.case_outcome_record(case=case, by=speaking_group.facilitator, outcome="job", outcome_on=world.today)
    client = client_for(speaking_group.facilitator)
    assert case not in client.get(reverse("speaking_groups:case_list")).context["page"].object_list
    closed = client.get(reverse("speaking_groups:case_list"), {"etat": "closes"})
    assert case in closed.context["page"].object_list


def test_an_entry_is_recorded_and_read_back_by_the_structure(world, case, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    response = client.post(
        reverse("speaking_groups:case_entry_create", args=[case.pk]),
        {"kind": "proposal", "on": world.today.isoformat(), "text": "Proposition MARQUEUR-2"},
    )
    assert response.status_code == 302
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Proposition MARQUEUR-2" in body and ENTRY_TEXT in body


def test_an_entry_in_the_future_is_refused(world, case, speaking_group, client_for):
    tomorrow = world.today + datetime.timedelta(days=1)
    response = client_for(speaking_group.facilitator).post(
        reverse("speaking_groups:case_entry_create", args=[case.pk]), {"kind": "contact", "on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert CaseEntry.objects.count() == 1


# --------------------------------------------------------------------------------------------------------------
# Who sees the cases


CASE_READERS = {"facilitator"}
OTHERS = ["trainer", "pedagogical_manager", "org_manager", "prescriber_adviser", "regional_officer", "dpo", "outsider"]


def test_the_structure_facilitators_see_the_case(world, case, speaking_group, client_for):
    colleague = Membership.objects.create(
        user=UserFactory(), organisation=world.support, role=Membership.Role.FACILITATOR
    ).user
    for user in (speaking_group.facilitator, colleague):
        client = client_for(user)
        assert client.get(reverse("speaking_groups:case_list")).status_code == 200
        assert client.get(case.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_gets_404_and_writes_nothing(world, case, client_for, role):
    client = client_for(world.user(role))
    assert client.get(reverse("speaking_groups:case_list")).status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404
    entry = client.post(
        reverse("speaking_groups:case_entry_create", args=[case.pk]),
        {"kind": "contact", "on": world.today.isoformat(), "text": "x"},
    )
    outcome = client.post(outcome_url(case), {"outcome": "job", "outcome_on": world.today.isoformat()})
    assert entry.status_code == 404 and outcome.status_code == 404
    case.refresh_from_db()
    assert CaseEntry.objects.count() == 1 and case.outcome == ""


def test_another_structure_gets_404(world, case, client_for):
    client = client_for(other_facilitator(world))
    assert case not in client.get(reverse("speaking_groups:case_list")).context["page"].object_list
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.post(outcome_url(case), {"outcome": "job", "outcome_on": world.today.isoformat()}).status_code == 404


def test_anonymous_is_sent_to_login(world, case, client):
    for url in (reverse("speaking_groups:case_list"), case.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_writes_are_posts(world, case, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    assert client.get(outcome_url(case)).status_code == 405
    assert client.get(reverse("speaking_groups:case_entry_create", args=[case.pk])).status_code == 405
    assert client.post(reverse("speaking_groups:case_list")).status_code == 405


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "prescriber_adviser"])
def test_notes_reach_no_other_role(world, case, speaking_group, client_for, role):
    services.case_outcome_record(case=case, by=speaking_group.facilitator, outcome="job", outcome_on=world.today)
    client = client_for(world.user(role))
    for url in (world.stage.get_absolute_url(), world.pathway.get_absolute_url(), reverse("notifications:todo_list")):
        body = client.get(url).content.decode()
        assert CASE_NOTE not in body and ENTRY_TEXT not in body


def test_the_case_list_query_count_does_not_grow_with_cases(
    world, speaking_group, client_for, django_assert_max_num_queries
):
    facilitator = speaking_group.facilitator
    for _ in range(4):
        pathway = PathwayFactory(
            beneficiary__region=world.region, opened_by=world.prescriber, referent=world.user("prescriber_adviser")
        )
        stage = StageFactory(
            pathway=pathway,
            organisation=world.training_body,
            status=Stage.Status.IN_PROGRESS,
            actual_start=world.today - datetime.timedelta(days=20),
        )
        EnrolmentFactory(stage=stage, session=world.session)
        rupture = declare(world, stage=stage)
        services.case_open(rupture=rupture, by=facilitator)
    declare(world)  # one without a case
    client = client_for(facilitator)
    client.get(reverse("speaking_groups:case_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("speaking_groups:case_list"))
    assert len(response.context["page"].object_list) == 4
    assert len(response.context["without_case"]) == 1


# --------------------------------------------------------------------------------------------------------------
# The pathway page: the referent reads the outcome, a declarer asks, the training body learns nothing of a case


def test_the_referent_reads_the_outcome_on_the_pathway_page(world, case, speaking_group, client_for):
    services.case_outcome_record(case=case, by=speaking_group.facilitator, outcome="job", outcome_on=world.today)
    body = client_for(world.user("prescriber_adviser")).get(world.pathway.get_absolute_url()).content.decode()
    assert "Intervention post-rupture" in body and "Emploi" in body
    assert CASE_NOTE not in body and ENTRY_TEXT not in body and case.get_absolute_url() not in body


def test_the_training_body_does_not_learn_of_the_case(world, case, client_for):
    body = client_for(world.user("trainer")).get(world.pathway.get_absolute_url()).content.decode()
    assert "Intervention post-rupture" not in body and "intervention post-rupture" not in body


def test_a_declarer_finds_the_button_to_ask_for_a_case(world, rupture, client_for):
    body = client_for(world.user("trainer")).get(world.pathway.get_absolute_url()).content.decode()
    assert reverse("speaking_groups:case_open", args=[rupture.pk]) in body


def test_the_facilitator_finds_the_link_to_the_case(world, case, speaking_group, client_for):
    body = client_for(speaking_group.facilitator).get(world.pathway.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in body
