"""Two workers claiming the rows of the same cause at the same moment (a task delivered twice, or the sweeper): the
row locks and PostgreSQL's re-check of the claim's condition give each row to one of them only.

Needs PostgreSQL (SQLite serialises every write anyway, so the race cannot happen there)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from notifications import services
from notifications.models import Notification
from notifications.services import claim_cause, notify
from tests.accounts.factories import UserFactory
from tests.conftest import require_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Channel = Notification.Channel


@pytest.fixture
def cause(monkeypatch):
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")
    # The test commits for real: keep the delivery off the broker (no worker here takes it, a later test's would).
    monkeypatch.setattr(services, "_enqueue", lambda cause_key: None)
    notify(
        recipients=[UserFactory(), UserFactory(), UserFactory()],
        kind="rupture_alert",
        cause_key="alert:1",
        channels=[Channel.IN_APP, Channel.EMAIL],
    )
    return "alert:1"


def run_in_thread(target, results, name):
    def run():
        try:
            results[name] = target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waiting_on_a_lock(pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def test_a_claim_waiting_for_another_one_gets_none_of_its_rows(cause):
    """The first claim holds the rows (its transaction is still open) while the second one waits for them; once the
    first commits, the second finds them taken: a claim written as `id IN (SELECT …)` would take them a second time."""
    results, second_started, first_may_commit = {}, threading.Event(), threading.Event()
    second_pid = []

    def first():
        with transaction.atomic():
            taken = claim_cause(cause)
            second_started.set()
            first_may_commit.wait(timeout=30)
        return taken

    def second():
        second_started.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid.append(cursor.fetchone()[0])
        return claim_cause(cause)

    threads = [run_in_thread(first, results, "first"), run_in_thread(second, results, "second")]
    deadline = time.monotonic() + 30
    while not (second_pid and waiting_on_a_lock(second_pid[0])):
        assert time.monotonic() < deadline, "the second claim never waited for the first one"
        time.sleep(0.01)
    first_may_commit.set()
    for thread in threads:
        thread.join(timeout=30)

    emails = set(Notification.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    delivered, taken = results["first"]
    assert delivered == 3 and {row.pk for row in taken} == emails
    assert results["second"] == (0, [])
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_two_claims_at_once_share_the_rows_without_overlap(cause):
    results, barrier = {}, threading.Barrier(2)

    def claim():
        barrier.wait(timeout=10)
        return claim_cause(cause)

    threads = [run_in_thread(claim, results, name) for name in ("a", "b")]
    for thread in threads:
        thread.join(timeout=30)
    (delivered_a, taken_a), (delivered_b, taken_b) = results["a"], results["b"]
    assert delivered_a + delivered_b == 3
    taken_a, taken_b = {row.pk for row in taken_a}, {row.pk for row in taken_b}
    assert not taken_a & taken_b
    assert taken_a | taken_b == set(Notification.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
