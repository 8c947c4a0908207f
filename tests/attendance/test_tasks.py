"""The beat's attendance jobs fan out one task per session: one failing session is retried alone, and the workers
share the region's sessions."""

import datetime

import pytest
from django.utils import timezone

from attendance import tasks
from tests.pathways.factories import SessionFactory


@pytest.fixture
def enqueued(monkeypatch):
    calls = {"evaluate": [], "calendar": []}
    monkeypatch.setattr(tasks.evaluate_session_task, "delay", calls["evaluate"].append)
    monkeypatch.setattr(tasks.calendar_generate_task, "delay", calls["calendar"].append)
    return calls


def test_the_periodic_evaluation_enqueues_one_task_per_running_session(db, enqueued):
    today = timezone.localdate()
    running = SessionFactory(
        start_date=today - datetime.timedelta(days=10), end_date=today + datetime.timedelta(days=5)
    )
    just_ended = SessionFactory(
        start_date=today - datetime.timedelta(days=60), end_date=today - datetime.timedelta(days=3)
    )
    SessionFactory(start_date=today - datetime.timedelta(days=90), end_date=today - datetime.timedelta(days=30))
    SessionFactory(start_date=today + datetime.timedelta(days=3), end_date=today + datetime.timedelta(days=90))
    assert tasks.evaluate_running_sessions_task() == 2
    assert sorted(enqueued["evaluate"]) == sorted([running.pk, just_ended.pk])


def test_sessions_without_a_calendar_get_one_task_each(db, enqueued):
    first, second = SessionFactory(), SessionFactory()
    assert tasks.calendars_for_new_sessions_task() == 2
    assert sorted(enqueued["calendar"]) == sorted([first.pk, second.pk])
