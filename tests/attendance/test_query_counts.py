"""The day view, the calendar, the watch list and today's page run a fixed number of queries, whatever the number
of people or drifts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.models import Drift, FollowUpAttempt, Mark
from pathways.models import Stage
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

DAY = datetime.date(2026, 5, 12)


@pytest.fixture
def today(frozen):
    frozen(DAY)
    return DAY


def add_people(klass, n):
    for _ in range(n):
        stage = StageFactory(
            pathway=PathwayFactory(beneficiary=BeneficiaryFactory()),
            organisation=klass.body,
            programme=klass.programme,
            planned_start=klass.session.start_date,
            status=Stage.Status.IN_PROGRESS,
            actual_start=klass.session.start_date,
        )
        EnrolmentFactory(stage=stage, session=klass.session)
        for slot in klass.session.slots.filter(date=DAY):
            Mark.objects.create(slot=slot, stage=stage, status="present", updated_by=klass.trainer)
        drift = Drift.objects.create(stage=stage, reason=Drift.Reason.LOW_RATE, detail={"rate": 50, "days": 10})
        FollowUpAttempt.objects.create(drift=drift, channel="call", outcome="no_answer", by=klass.trainer)


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url_name,args,limit",
    [
        ("attendance:sheet", lambda k: [k.session.pk, DAY.isoformat()], 12),
        ("attendance:calendar", lambda k: [k.session.pk], 12),
        ("attendance:today", lambda k: [], 10),
        ("attendance:watch_list", lambda k: [], 10),
        ("attendance:presumed_list", lambda k: [], 10),
    ],
)
def test_attendance_pages_do_not_grow_with_people(
    klass, today, client_for, django_assert_max_num_queries, url_name, args, limit
):
    client = client_for(klass.trainer)
    url = reverse(url_name, args=args(klass))
    add_people(klass, 2)
    few = queries(client, url)
    add_people(klass, 25)
    many = queries(client, url)
    assert many == few, f"{url}: {few} queries with few people, {many} with many"
    with django_assert_max_num_queries(limit):
        client.get(url)
