"""Keeping the rollups fresh: the events that queue a refresh (signals, and the bulk writes no signal reports), the
claim and its token, coalescing, the sweeper and the task."""

import datetime

from django.test import override_settings
from django.utils import timezone

from alerts.services import alert_acknowledge
from dashboards import figures, queue, rollups
from dashboards.figures import Scope
from dashboards.models import RollupQueue, RollupStamp, StageFact
from dashboards.tasks import rollups_refresh_task, sweep_rollup_queue_task
from ruptures.models import Rupture
from tests.attendance.conftest import START
from tests.ruptures.test_rates import END, declare, entrant
from tests.ruptures.test_rates import START as YEAR_START

Kind = Rupture.Kind


def queued() -> set[int]:
    return set(RollupQueue.objects.values_list("stage_id", flat=True))


def test_declaring_a_rupture_queues_its_stage_and_the_refresh_shows_it(
    place, monkeypatch, django_capture_on_commit_callbacks
):
    stage = entrant(place)
    rollups.rebuild()
    assert figures.rate(Scope(), YEAR_START, END).ruptures == 0
    sent = []
    monkeypatch.setattr(rollups_refresh_task, "delay", lambda *args: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        declare(stage, Kind.ABANDON, by=place.user, on=datetime.date(2025, 4, 7))
    assert stage.pk in queued()
    assert not sent  # the request never waits on the broker: the beat sweep refreshes the queue

    assert rollups_refresh_task() >= 1
    assert queued() == set()
    figure = figures.rate(Scope(), YEAR_START, END)
    assert (figure.entrants, figure.ruptures, figure.abandons, figure.rate) == (1, 1, 1, 100.0)


def test_the_marks_of_an_attendance_sheet_saved_in_bulk_are_queued_by_the_sweep(klass):
    inès, karim, zoé = klass.stages
    klass.mark(zoé, START, "present")  # before the first sweep: the rebuild covers it
    assert queue.sweep_mark_changes() == 0
    RollupQueue.objects.all().delete()
    klass.mark(inès, START, "present")
    klass.mark(karim, START, "absent_unjustified")
    assert queued() == set()  # the sheet writes in bulk: no signal, no extra query in its pinned count

    assert queue.sweep_mark_changes() == 4  # two people × morning and afternoon
    assert queued() == {inès.pk, karim.pk}
    assert queue.sweep_mark_changes() == 0  # the watermark moved

    queue.refresh_queue()
    assert StageFact.objects.get(stage=karim).first_absence_at == START
    assert StageFact.objects.get(stage=inès).first_absence_at is None


def test_acknowledging_an_alert_queues_its_stage(place):
    stage = entrant(place)
    rupture = declare(stage, Kind.ABANDON, by=place.user, on=datetime.date(2025, 4, 7))
    RollupQueue.objects.all().delete()
    alert_acknowledge(alert=rupture.alert, by=place.user)
    assert queued() == {stage.pk}


def test_a_change_made_while_a_worker_refreshes_is_queued_again_not_lost(place):
    stage = entrant(place)
    ids, lease = queue._claim(100)
    assert stage.pk in ids
    queue.enqueue([stage.pk])  # a change meanwhile: the row's lease is cleared
    RollupQueue.objects.filter(stage_id__in=ids, claimed_until=lease).delete()  # what the worker deletes
    assert stage.pk in queued()


def test_a_row_claimed_by_a_worker_that_died_is_taken_again_after_its_lease(place):
    stage = entrant(place)
    queue._claim(100)
    assert queue.refresh_queue() == 0  # still leased
    RollupQueue.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert queue.refresh_queue() == 1
    assert queued() == set()
    assert StageFact.objects.filter(stage=stage).exists()


def test_a_burst_of_saves_coalesces_into_one_refresh(place, monkeypatch):
    stages = [entrant(place) for _ in range(30)]
    for stage in stages:  # thirty saves, each its own event
        stage.save()
    calls = []
    real = rollups.refresh_pathways
    monkeypatch.setattr(queue, "refresh_pathways", lambda ids: calls.append(set(ids)) or real(ids))

    assert rollups_refresh_task() == 30
    assert len(calls) == 1 and len(calls[0]) == 30
    assert rollups_refresh_task() == 0  # the tasks the other saves asked for find nothing to do
    assert len(calls) == 1


@override_settings(ROLLUPS_SWEEP_AFTER_SECONDS=0)
def test_the_sweeper_refreshes_what_the_broker_lost_and_stamps_the_region(place):
    stage = entrant(place)  # queued; say its task never reached a worker
    assert sweep_rollup_queue_task() == 1
    assert StageFact.objects.filter(stage=stage).exists()
    assert RollupStamp.objects.filter(region=place.region).exists()
    assert figures.freshness(place.region.pk) is not None
    assert sweep_rollup_queue_task() == 0


def test_saving_does_not_fail_when_the_broker_is_down(place, monkeypatch, django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(rollups_refresh_task, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        stage = entrant(place)
    assert stage.pk in queued()
