"""At the stage's start: a person without a submitted checklist is flagged on the trainer's day view and the
manager's list; where the region requires it, starting the stage is refused with a clear message."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, Todo
from notifications.todos import todos_remind_overdue
from pathways.models import Stage
from pathways.services.stages import stage_start
from tests.checklist.factories import first_template, submitted
from tests.pathways.factories import EnrolmentFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(world):
    """A second stage of the world's pathway, planned in the world's session, starting today."""
    stage = StageFactory(
        pathway=world.pathway,
        organisation=world.training_body,
        kind=Stage.Kind.QUALIFYING_TRAINING,
        status=Stage.Status.PLANNED,
        planned_start=timezone.localdate(),
    )
    EnrolmentFactory(stage=stage, session=world.session)
    first_template()
    return stage


def test_the_day_view_and_the_list_flag_people_without_a_submitted_checklist(world, client_for):
    first_template()
    client = client_for(world.user("trainer"))
    sheet = client.get(reverse("attendance:sheet", args=[world.session.pk, world.today.isoformat()])).content.decode()
    assert "check-list non transmise" in sheet
    today = client.get(reverse("attendance:today")).content.decode()
    assert "1 sans check-list" in today
    listing = client_for(world.user("pedagogical_manager")).get(reverse("checklist:list"), {"etat": "missing"})
    assert [s.pk for s in listing.context["page"].object_list] == [world.stage.pk]
    submitted(world.stage, world.user("trainer"))
    sheet = client.get(reverse("attendance:sheet", args=[world.session.pk, world.today.isoformat()])).content.decode()
    assert "check-list non transmise" not in sheet
    assert "sans check-list" not in client.get(reverse("attendance:today")).content.decode()
    listing = client_for(world.user("pedagogical_manager")).get(reverse("checklist:list"), {"etat": "submitted"})
    assert [s.pk for s in listing.context["page"].object_list] == [world.stage.pk]


def test_the_list_shows_the_training_bodys_coverage(world, client_for):
    first_template()
    response = client_for(world.user("trainer")).get(reverse("checklist:list"))
    (row,) = response.context["coverage"]
    assert (row.label, row.entrants, row.with_checklist, row.rate) == ("INSUP Cenon", 1, 0, 0.0)
    assert "(0 sur 1)" in response.content.decode()
    # A checklist submitted after the start does not count: the world's stage started 20 days ago.
    submitted(world.stage, world.user("trainer"))
    (row,) = client_for(world.user("trainer")).get(reverse("checklist:list")).context["coverage"]
    assert row.with_checklist == 0


def test_where_the_region_requires_it_a_stage_starts_only_with_its_checklist(world, planned):
    world.region.checklist_required_to_start = True
    world.region.save()
    trainer = world.user("trainer")
    with pytest.raises(ValidationError, match="La check-list de sécurisation doit être transmise avant le démarrage"):
        stage_start(stage=planned, by=trainer, date=timezone.localdate())
    planned.refresh_from_db()
    assert planned.status == Stage.Status.PLANNED
    submitted(planned, trainer)
    stage_start(stage=planned, by=trainer, date=timezone.localdate())
    planned.refresh_from_db()
    assert planned.status == Stage.Status.IN_PROGRESS


def test_the_start_page_says_why_it_is_refused(world, client_for, planned):
    world.region.checklist_required_to_start = True
    world.region.save()
    response = client_for(world.user("trainer")).post(
        reverse("pathways:stage_start", args=[planned.pk]), {"date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert "La check-list de sécurisation doit être transmise avant le démarrage" in response.content.decode()


def test_without_the_setting_a_stage_starts_anyway(world, planned):
    stage_start(stage=planned, by=world.user("trainer"), date=timezone.localdate())
    planned.refresh_from_db()
    assert planned.status == Stage.Status.IN_PROGRESS


def test_owners_are_reminded_of_overdue_actions_once(world):
    trainer = world.user("trainer")
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC), tick=False):
        due = datetime.date(2026, 11, 5)
        submitted(
            world.stage,
            trainer,
            answers={"housing": "risk"},
            actions={"housing": {"action": "Appeler le SIAO", "owner": trainer, "due": due}},
        )
    assert todos_remind_overdue(today=datetime.date(2026, 11, 5)) == 0  # due today: not late yet
    assert todos_remind_overdue(today=datetime.date(2026, 11, 6)) == 1
    assert todos_remind_overdue(today=datetime.date(2026, 11, 7)) == 0
    reminder = Notification.objects.get(kind="todo_overdue", channel="in_app")
    assert reminder.recipient == trainer and "Appeler le SIAO" in reminder.message
    # Done to-dos are never reminded.
    Todo.objects.update(reminded_at=None, done_at=timezone.now())
    assert todos_remind_overdue(today=datetime.date(2026, 11, 8)) == 0


def test_the_checklist_list_queries_do_not_grow(world, client_for, django_assert_max_num_queries):
    from tests.pathways.factories import PathwayFactory

    first_template()
    trainer = world.user("trainer")
    submitted(world.stage, trainer, answers={"housing": "risk"})

    def more(n):
        for _ in range(n):
            pathway = PathwayFactory(referent=trainer, opened_by=world.training_body)
            stage = StageFactory(pathway=pathway, organisation=world.training_body, status=Stage.Status.PLANNED)
            EnrolmentFactory(stage=stage, session=world.session)
            submitted(stage, trainer)

    more(2)
    client = client_for(trainer)
    client.get(reverse("checklist:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("checklist:list"))
    more(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("checklist:list"))
    assert len(response.context["page"].object_list) == 11


def test_the_risk_filter_follows_the_last_revision_as_the_badge_does(world, client_for):
    from checklist.services import checklist_submit
    from tests.checklist.factories import fill

    first_template()
    trainer = world.user("trainer")
    checklist, _revision = submitted(world.stage, trainer, answers={"housing": "risk"})
    client = client_for(trainer)

    def at_risk():
        return [row.pk for row in client.get(reverse("checklist:list"), {"etat": "risk"}).context["page"].object_list]

    assert at_risk() == [world.stage.pk]
    fill(world.stage, trainer, answers={"housing": "ok"})  # housing found since: nothing at risk any more
    checklist_submit(checklist=checklist, by=trainer)
    assert at_risk() == []
