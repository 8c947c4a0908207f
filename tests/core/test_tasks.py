"""`core.tasks`: a task is sent once the transaction commits, never when it rolls back (a broker that is down fails
nothing: tests/ruptures/test_declare.py, tests/notifications/test_outbox.py); document builds have a queue of
their own; a bulk job may hold its tasks back."""

import pytest
from django.conf import settings
from django.db import transaction

from config.celery import app
from core.tasks import DOCUMENTS_QUEUE, enqueue_on_commit, enqueues_held, send_held

DOCUMENT_TASKS = {
    "accounts.tasks.build_rights_document_task",
    "accounts.tasks.sweep_rights_documents_task",
    "attendance.tasks.build_statement_task",
    "attendance.tasks.sweep_statement_exports_task",
    "checklist.tasks.build_pdf_task",
    "checklist.tasks.sweep_pdfs_task",
    "commissions.tasks.build_report_task",
    "commissions.tasks.sweep_reports_task",
    "charter.tasks.build_copy_task",
    "charter.tasks.sweep_copies_task",
    "ruptures.tasks.build_attestation_task",
    "ruptures.tasks.sweep_attestations_task",
    "pathways.tasks.build_list_export_task",
    "pathways.tasks.sweep_list_exports_task",
}
PING = "config.celery.ping"  # registered as sans_rupture.ping


def test_the_documents_and_only_they_go_to_the_documents_queue():
    app.loader.import_default_modules()
    on_documents = {name for name, task in app.tasks.items() if getattr(task, "queue", None) == DOCUMENTS_QUEUE}
    assert on_documents == DOCUMENT_TASKS


def test_a_document_build_is_published_to_the_documents_queue_and_a_delivery_to_the_default_one(published_tasks):
    app.tasks["checklist.tasks.build_pdf_task"].delay(0)  # no such PDF: a worker taking it would do nothing
    app.tasks["notifications.tasks.deliver_cause_task"].delay("test:no-such-cause")
    assert published_tasks == [
        ("checklist.tasks.build_pdf_task", DOCUMENTS_QUEUE),
        ("notifications.tasks.deliver_cause_task", app.conf.task_default_queue),
    ]


def test_beat_sends_the_document_sweepers_to_the_documents_queue():
    sweepers = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] in DOCUMENT_TASKS}
    assert len(sweepers) == 7
    for name in sweepers:  # beat calls task.apply_async, which takes the task's queue
        assert app.tasks[name].queue == DOCUMENTS_QUEUE


@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_once_committed_and_never_when_rolled_back(published_tasks):
    with transaction.atomic():
        enqueue_on_commit(PING, catch_up="-")
        assert published_tasks == []
    assert published_tasks == [("sans_rupture.ping", app.conf.task_default_queue)]

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(PING, catch_up="-")
        raise RuntimeError
    assert len(published_tasks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_asked_for_many_times_in_one_transaction_is_sent_once_and_again_in_the_next(published_tasks):
    with transaction.atomic():
        for _ in range(5):
            enqueue_on_commit(PING, catch_up="-")
    assert len(published_tasks) == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(PING, catch_up="-")
        raise RuntimeError
    with transaction.atomic():
        enqueue_on_commit(PING, catch_up="-")  # the rolled-back request left nothing behind that would swallow it
    assert len(published_tasks) == 2


def test_held_tasks_are_collected_then_sent_once_each_when_kept(published_tasks):
    with enqueues_held() as held:
        enqueue_on_commit("checklist.tasks.build_pdf_task", 0, catch_up="-")
        enqueue_on_commit("checklist.tasks.build_pdf_task", 0, catch_up="-")
        enqueue_on_commit("notifications.tasks.deliver_cause_task", "test:held", catch_up="-")
    assert published_tasks == []
    assert held == [
        ("checklist.tasks.build_pdf_task", (0,)),
        ("checklist.tasks.build_pdf_task", (0,)),
        ("notifications.tasks.deliver_cause_task", ("test:held",)),
    ]
    sent = send_held(held, keep=lambda task: getattr(task, "queue", None) == DOCUMENTS_QUEUE)
    assert sent == 1
    assert published_tasks == [("checklist.tasks.build_pdf_task", DOCUMENTS_QUEUE)]
