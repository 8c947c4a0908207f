"""List and dashboard pages run a fixed number of queries, whatever the number of rows (no N+1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pathways.models import JoinRequest, Membership, Stage
from pathways.services import stages as stage_services
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BeneficiaryFactory,
    EnrolmentFactory,
    PathwayFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)


def grow(world, n):
    """Add n people (pathway + stage in the world's session), n sessions, n members, n join requests."""
    adviser = world.user("prescriber_adviser")
    for _ in range(n):
        pathway = PathwayFactory(
            beneficiary=BeneficiaryFactory(region=world.region, commune=world.commune),
            referent=adviser,
            opened_by=world.prescriber,
            prescribing_organisation=world.prescriber,
            prescribing_adviser=adviser,
        )
        stage = StageFactory(pathway=pathway, organisation=world.training_body, programme=world.programme)
        EnrolmentFactory(stage=stage, session=world.session)
        action = TrainingActionFactory(training_body=world.training_body, basin=world.basin)
        SessionFactory(training_action=action)
        Membership.objects.create(user=UserFactory(), organisation=world.training_body, role=Membership.Role.TRAINER)
        JoinRequest.objects.create(
            pathway=pathway, organisation=world.other_training_body, requested_by=world.user("outsider"), typed_name="X"
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


PAGES = [
    ("prescriber_adviser", "pathways:home", None),
    ("trainer", "pathways:home", None),
    ("org_manager", "pathways:home", None),
    ("regional_officer", "pathways:home", None),
    ("basin_coordinator", "pathways:home", None),
    ("dpo", "pathways:home", None),
    ("admin", "pathways:home", None),
    ("prescriber_adviser", "pathways:beneficiary_list", None),
    ("prescriber_adviser", "pathways:pathway_list", None),
    ("trainer", "pathways:pathway_list", None),
    ("prescriber_adviser", "pathways:session_list", None),
    ("prescriber_adviser", "pathways:join_request_list", None),
    ("trainer", "pathways:session_detail", lambda w: [w.session.pk]),
    ("org_manager", "pathways:membership_list", lambda w: [w.training_body.pk]),
]


@pytest.mark.parametrize("role,url_name,args", PAGES)
def test_page_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries, role, url_name, args):
    client = client_for(world.user(role))
    url = reverse(url_name, args=args(world) if args else None)
    grow(world, 2)
    few = count_queries(client, url)
    grow(world, 10)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"
    with django_assert_max_num_queries(20):
        client.get(url)


def test_the_pathway_page_queries_do_not_grow_with_stages(world, client_for, django_assert_max_num_queries):
    client = client_for(world.user("prescriber_adviser"))
    url = world.pathway.get_absolute_url()
    few = count_queries(client, url)
    adviser = world.user("prescriber_adviser")
    start = timezone.localdate() - datetime.timedelta(days=400)
    for i in range(8):
        stage = StageFactory(
            pathway=world.pathway,
            organisation=world.training_body,
            programme=world.programme,
            kind="immersion",
            planned_start=start + datetime.timedelta(days=10 * i),
            planned_end=start + datetime.timedelta(days=10 * i + 5),
        )
        stage_services.stage_start(stage=stage, by=adviser, date=stage.planned_start)
        stage_services.stage_exit(stage=stage, by=adviser, status=Stage.Status.COMPLETED, date=stage.planned_end)
    many = count_queries(client, url)
    assert many == few
    # The change log resolves each kind of related object once (person, pathway, organisation, programme…).
    with django_assert_max_num_queries(25):
        client.get(url)
