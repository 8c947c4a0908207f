"""Saving a whole session-day sheet is one POST through the real view, in a fixed number of queries (≤ 10) whatever
the number of people: for a first save (every mark new) and for a second one changing every mark, with htmx and
without. Runs on SQLite and, with DATABASE_URL, on PostgreSQL.

The test runs outside a wrapping transaction (`transactional_db`), as a real request does: the view's
`transaction.atomic` is then a BEGIN/COMMIT, as in production, instead of the two SAVEPOINT statements a test
transaction would add to the count. The rule evaluation enqueued on commit is recorded, not sent to a broker."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.models import Mark, MarkChange, Slot
from attendance.services import calendar_generate
from pathways.models import Membership, Stage
from tests.accounts.factories import UserFactory
from tests.attendance.conftest import END, START
from tests.pathways.factories import (
    BeneficiaryFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    ProgrammeFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)

DAY = datetime.date(2026, 5, 12)  # a Tuesday of the fixture's calendar
# 10, and 4 for the access log of the people whose marks changed: their stages, one insert, and the savepoint the
# save then takes inside the view's transaction (the marks and their log rows commit together).
MAX_QUERIES = 14


def session_of(size, body, programme):
    """A Monday-to-Friday session with its calendar and `size` people in progress."""
    action = TrainingActionFactory(training_body=body, programme=programme)
    session = SessionFactory(training_action=action, start_date=START, end_date=END, weekdays=31, capacity=size)
    calendar_generate(session=session)
    stages = []
    for _ in range(size):
        stage = StageFactory(
            pathway=PathwayFactory(beneficiary=BeneficiaryFactory()),
            organisation=body,
            programme=programme,
            planned_start=START,
            planned_end=END,
            status=Stage.Status.IN_PROGRESS,
            actual_start=START,
        )
        EnrolmentFactory(stage=stage, session=session)
        stages.append(stage)
    return session, stages


def sheet_data(session, stages, status, reason=""):
    """The whole sheet of DAY (everyone, morning and afternoon) with the versions now in the database."""
    slots = list(Slot.objects.filter(session=session, date=DAY))
    versions = {(m.stage_id, m.slot_id): m.version for m in Mark.objects.filter(slot__in=slots)}
    data = {}
    for stage in stages:
        for slot in slots:
            key = f"{stage.pk}-{slot.pk}"
            data[f"m-{key}"] = status
            data[f"r-{key}"] = reason
            data[f"v-{key}"] = versions.get((stage.pk, slot.pk), 0)
    return data


def save(client, session, data, htmx):
    """POST the sheet; return the SQL run by the request."""
    url = reverse("attendance:sheet", args=[session.pk, DAY.isoformat()])
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as context:
        response = client.post(url, data, **extra)
    assert response.status_code == (200 if htmx else 302)
    if htmx:
        content = response.content.decode()
        assert "enregistré" in content and "pendant que vous saisissiez" not in content
    return [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_saving_a_sheet_takes_the_same_few_queries_whatever_its_size(
    transactional_db, frozen, client, htmx, django_assert_max_num_queries, monkeypatch
):
    enqueued = []
    monkeypatch.setattr("attendance.tasks.evaluate_session_task.delay", enqueued.append)
    frozen(DAY)
    body = OrganisationFactory()
    programme = ProgrammeFactory()
    trainer = Membership.objects.create(user=UserFactory(), organisation=body, role=Membership.Role.TRAINER).user
    client.force_login(trainer)
    counts = {}
    for size in (3, 30):
        session, stages = session_of(size, body, programme)
        cells = size * 2
        # First save: every mark is new.
        data = sheet_data(session, stages, "present")
        with django_assert_max_num_queries(MAX_QUERIES):
            first = save(client, session, data, htmx)
        assert Mark.objects.filter(slot__session=session, status="present", version=1).count() == cells
        # Second save: every mark changes (with the versions just written, so no conflict).
        data = sheet_data(session, stages, "absent_justified", "illness")
        with django_assert_max_num_queries(MAX_QUERIES):
            second = save(client, session, data, htmx)
        assert Mark.objects.filter(slot__session=session, status="absent_justified", version=2).count() == cells
        assert MarkChange.objects.filter(mark__slot__session=session).count() == 2 * cells
        assert enqueued[-2:] == [session.pk, session.pk]  # one evaluation per save, after its commit
        counts[size] = (len(first), len(second))
        queries = "\n".join(first + ["--- second save ---"] + second)
        assert max(counts[size]) <= MAX_QUERIES, f"{size} people:\n{queries}"
    assert counts[3] == counts[30], counts
