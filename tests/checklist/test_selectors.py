"""The checklist list's reads (`checklist.selectors`): plain data, the training body's own entrants only, filtered
by where their checklist stands and by name, in a number of queries that does not grow with the rows."""

import datetime

import pytest
from django.urls import reverse

from checklist.models import Answer
from checklist.selectors import EntrantRow, checklist_list
from checklist.services import checklist_start
from pathways.models import Stage
from tests.checklist.factories import first_template, submitted
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

pytestmark = pytest.mark.django_db


def entrant(world, last_name, *, planned_start=None):
    pathway = PathwayFactory(
        beneficiary=BeneficiaryFactory(region=world.region, commune=world.commune, last_name=last_name),
        referent=world.user("trainer"),
        opened_by=world.training_body,
    )
    stage = StageFactory(
        pathway=pathway,
        organisation=world.training_body,
        status=Stage.Status.PLANNED,
        planned_start=planned_start or world.today + datetime.timedelta(days=10),
    )
    EnrolmentFactory(stage=stage, session=world.session)
    return stage


def test_the_list_is_plain_data_on_where_each_checklist_stands(world):
    first_template()
    trainer = world.user("trainer")
    _checklist, revision = submitted(world.stage, trainer, answers={"housing": Answer.RISK, "budget": Answer.RISK})
    draft = entrant(world, "Brouillon")
    checklist_start(stage=draft, by=trainer)
    missing = entrant(world, "Absent")
    data = checklist_list(trainer)
    assert data.is_staff and all(isinstance(row, EntrantRow) for row in data.page.object_list)
    rows = {row.pk: row for row in data.page.object_list}
    assert rows[world.stage.pk].person == "Zoé MARTIN"
    assert rows[world.stage.pk].pathway_url == world.pathway.get_absolute_url()
    assert rows[world.stage.pk].session_title == "Titre pro ADVF"
    assert (rows[world.stage.pk].submitted_at, rows[world.stage.pk].risk_count) == (revision.submitted_at, 2)
    assert rows[draft.pk].started and rows[draft.pk].submitted_at is None
    assert not rows[missing.pk].started
    # Those without a submitted checklist first.
    assert [row.pk for row in data.page.object_list][-1] == world.stage.pk
    assert [row.pk for row in checklist_list(trainer, state="missing").page.object_list] == [missing.pk, draft.pk]
    assert [row.pk for row in checklist_list(trainer, state="draft").page.object_list] == [draft.pk]
    assert [row.pk for row in checklist_list(trainer, state="risk").page.object_list] == [world.stage.pk]
    assert [row.pk for row in checklist_list(trainer, q="brouil").page.object_list] == [draft.pk]


def test_those_who_fill_no_checklist_get_an_empty_list_without_a_query(world, django_assert_num_queries):
    adviser = world.user("prescriber_adviser")
    adviser._active_memberships = None  # read once, below
    checklist_list(adviser)  # reads the memberships
    with django_assert_num_queries(0):
        data = checklist_list(adviser)
    assert not data.is_staff and list(data.page.object_list) == [] and data.coverage == []


def test_another_training_bodys_staff_never_see_the_entrants(world, adversaries, client_for):
    first_template()
    for role in ("outsider", "other_region_manager", "deactivated_trainer", "prescriber_adviser"):
        rows = checklist_list(world.user(role)).page.object_list
        assert all(row.person not in ("Zoé MARTIN", "Inès REFUS") for row in rows)
        page = client_for(world.user(role)).get(reverse("checklist:list")).content.decode()
        assert "Zoé" not in page and "REFUS" not in page


def test_the_list_takes_the_same_few_queries_whatever_the_entrants(world, django_assert_max_num_queries):
    first_template()
    trainer = world.user("trainer")
    submitted(world.stage, trainer, answers={"housing": Answer.RISK})
    for n in range(2):
        submitted(entrant(world, f"Premier{n}"), trainer)
    checklist_list(trainer)  # the memberships, read once per request
    # The page's count and rows, the checklists and their last revisions, the coverage.
    with django_assert_max_num_queries(5) as few:
        assert len(checklist_list(trainer).page.object_list) == 3
    for n in range(8):
        stage = entrant(world, f"Suivant{n}")
        if n % 2:
            submitted(stage, trainer)
        else:
            checklist_start(stage=stage, by=trainer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(checklist_list(trainer).page.object_list) == 11
