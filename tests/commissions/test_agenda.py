"""The agenda's proposal rules on hand-built data, on a frozen clock: each case type proposed, and not, at the right
time."""

import datetime

import time_machine
from django.utils import timezone

from alerts.models import Alert
from commissions import agenda
from notifications.todos import todo_done
from pathways.models import Pathway, Stage
from ruptures.models import Rupture
from tests.commissions.conftest import PARIS, TODAY
from tests.pathways.factories import SessionFactory, TrainingActionFactory

DAY = datetime.timedelta(days=1)


def stage_ids(rows):
    return {row["stage_id"] for row in rows}


def rupture(place, stage, *, kind=Rupture.Kind.ABANDON, on=TODAY - 9 * DAY):
    stage.status = Stage.Status.ABANDONED
    stage.actual_end = on
    stage.save()
    return Rupture.objects.create(
        stage=stage,
        kind=kind,
        occurred_on=on,
        main_cause="conditions.transport",
        identified_by=Rupture.IdentifiedBy.TRAINER,
        declared_by=place.trainer,
    )


def test_a_rupture_without_outcome_is_proposed_from_its_date(place):
    stage = place.stage()
    rupture(place, stage, on=TODAY - 9 * DAY)
    assert stage_ids(agenda.ruptures_without_outcome(place.basin, today=TODAY)) == {stage.pk}
    assert stage_ids(agenda.ruptures_without_outcome(place.basin, today=TODAY - 10 * DAY)) == set()


def test_a_rupture_is_no_longer_proposed_once_a_stage_follows_it(place):
    stage = place.stage()
    rupture(place, stage)
    cancelled = place.stage(pathway=stage.pathway, status=Stage.Status.PLANNED, start=TODAY + 10 * DAY)
    cancelled.status, cancelled.actual_end = Stage.Status.CANCELLED, TODAY
    cancelled.save()
    assert stage_ids(agenda.ruptures_without_outcome(place.basin, today=TODAY)) == {stage.pk}
    place.stage(pathway=stage.pathway, status=Stage.Status.PLANNED, start=TODAY + 10 * DAY)
    assert stage_ids(agenda.ruptures_without_outcome(place.basin, today=TODAY)) == set()


def test_interruptions_closed_pathways_and_other_basins_are_not_ruptures_to_review(place):
    interrupted = place.stage(status=Stage.Status.IN_PROGRESS)
    Rupture.objects.create(
        stage=interrupted,
        kind=Rupture.Kind.INTERRUPTION,
        occurred_on=TODAY - 3 * DAY,
        planned_resume=TODAY + 10 * DAY,
        main_cause="conditions.transport",
        identified_by=Rupture.IdentifiedBy.TRAINER,
        declared_by=place.trainer,
    )
    closed = place.stage()
    rupture(place, closed)
    Pathway.objects.filter(pk=closed.pathway_id).update(status=Pathway.Status.CLOSED, closed_at=timezone.now())
    elsewhere = place.stage(
        session=SessionFactory(
            training_action=TrainingActionFactory(basin=place.other_basin, training_body=place.training_body)
        )
    )
    rupture(place, elsewhere)
    assert stage_ids(agenda.ruptures_without_outcome(place.basin, today=TODAY)) == set()
    assert stage_ids(agenda.ruptures_without_outcome(place.other_basin, today=TODAY)) == {elsewhere.pk}


def test_alerts_still_new_or_escalated_are_proposed(place):
    def alert(**fields):
        stage = place.stage()
        Alert.objects.create(kind="rupture", stage=stage, inbox=place.prescriber, **fields)
        return stage

    new = alert()
    acknowledged = alert(status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now())
    escalated = alert(status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now(), escalated_at=timezone.now())
    acted = alert(status=Alert.Status.ACTED, acknowledged_at=timezone.now(), escalated_at=timezone.now())
    assert stage_ids(agenda.open_alerts(place.basin, today=TODAY)) == {new.pk, escalated.pk}
    assert acknowledged.pk not in stage_ids(agenda.open_alerts(place.basin, today=TODAY))
    assert acted.pk not in stage_ids(agenda.open_alerts(place.basin, today=TODAY))
    assert stage_ids(agenda.open_alerts(place.basin, today=TODAY - DAY)) == set()


def test_a_suspension_is_proposed_once_its_planned_resume_has_passed(place):
    stage = place.stage(status=Stage.Status.SUSPENDED, suspended_since=TODAY - 20 * DAY, planned_resume=TODAY - DAY)
    assert stage_ids(agenda.suspensions_overdue(place.basin, today=TODAY)) == {stage.pk}
    assert stage_ids(agenda.suspensions_overdue(place.basin, today=TODAY - DAY)) == set()


def test_a_stage_ending_within_six_weeks_without_next_step_is_proposed(place):
    ending = place.stage(end=TODAY + 40 * DAY)
    later = place.stage(end=TODAY + 50 * DAY)
    assert stage_ids(agenda.stages_ending_without_next(place.basin, today=TODAY)) == {ending.pk}
    assert stage_ids(agenda.stages_ending_without_next(place.basin, today=TODAY + 10 * DAY)) == {ending.pk, later.pk}
    assert stage_ids(agenda.stages_ending_without_next(place.basin, today=TODAY + 41 * DAY)) == {later.pk}
    place.stage(pathway=ending.pathway, status=Stage.Status.PLANNED, start=TODAY + 45 * DAY)
    assert stage_ids(agenda.stages_ending_without_next(place.basin, today=TODAY)) == set()


def test_a_long_wait_since_the_last_stage_is_proposed_with_its_days(place):
    ended = place.stage(status=Stage.Status.COMPLETED, start=TODAY - 200 * DAY, actual_end=TODAY - 49 * DAY)
    rows = list(agenda.waiting_gaps(place.basin, today=TODAY, threshold_days=30))
    assert [(row["stage_id"], row["figure"].days) for row in rows] == [(ended.pk, 49)]
    assert stage_ids(agenda.waiting_gaps(place.basin, today=TODAY - 20 * DAY, threshold_days=30)) == set()
    place.stage(pathway=ended.pathway, status=Stage.Status.IN_PROGRESS, start=TODAY - 5 * DAY)
    assert stage_ids(agenda.waiting_gaps(place.basin, today=TODAY, threshold_days=30)) == set()


def test_a_checklist_risk_is_proposed_once_its_action_is_overdue_and_until_it_is_done(place):
    from notifications.models import Todo
    from tests.checklist.factories import submitted

    stage = place.stage(status=Stage.Status.PLANNED, start=TODAY + 5 * DAY)
    action = {"action": "Trouver une solution de garde", "owner": place.trainer, "due": TODAY - 2 * DAY}
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0, tzinfo=PARIS), tick=False):
        submitted(stage, place.trainer, answers={"housing": "risk"}, actions={"housing": action})
    assert stage_ids(agenda.checklist_risks_overdue(place.basin, today=TODAY)) == {stage.pk}
    assert stage_ids(agenda.checklist_risks_overdue(place.basin, today=TODAY - 2 * DAY)) == set()
    todo_done(todo=Todo.objects.get(owner=place.trainer), by=place.trainer)
    assert stage_ids(agenda.checklist_risks_overdue(place.basin, today=TODAY)) == set()


def test_open_places_are_capacity_minus_the_people_enrolled(place):
    place.session.capacity = 3
    place.session.start_date = TODAY - 10 * DAY  # late entries still possible
    place.session.save()
    place.stage()
    cancelled = place.stage(status=Stage.Status.PLANNED, start=TODAY + 3 * DAY)
    cancelled.status, cancelled.actual_end = Stage.Status.CANCELLED, TODAY
    cancelled.save()
    full = SessionFactory(training_action=place.session.training_action, capacity=1)
    place.stage(session=full)
    ended = SessionFactory(
        training_action=place.session.training_action, start_date=TODAY - 90 * DAY, end_date=TODAY - DAY
    )
    later = SessionFactory(
        training_action=place.session.training_action, start_date=TODAY + 85 * DAY, end_date=TODAY + 200 * DAY
    )
    rows = list(agenda.open_places(place.basin, today=TODAY))
    assert [(row["session_id"], row["figure"]) for row in rows] == [(place.session.pk, 2)]
    assert later.pk in {row["session_id"] for row in agenda.open_places(place.basin, today=TODAY + DAY)}
    assert ended.pk not in {row["session_id"] for row in agenda.open_places(place.basin, today=TODAY - 2 * DAY)}


def test_open_places_leave_out_sessions_started_too_long_ago_to_enter(place):
    """A session started three weeks ago still takes late entries; the second year of a two-year CAP does not."""
    action = place.session.training_action
    place.session.start_date, place.session.end_date = TODAY + 100 * DAY, TODAY + 200 * DAY  # out of the way
    place.session.save()
    recent = SessionFactory(training_action=action, start_date=TODAY - 20 * DAY, end_date=TODAY + 300 * DAY)
    old = SessionFactory(training_action=action, start_date=TODAY - 300 * DAY, end_date=TODAY + 400 * DAY)
    proposed = {row["session_id"] for row in agenda.open_places(place.basin, today=TODAY)}
    assert proposed == {recent.pk}
    assert old.pk in {row["session_id"] for row in agenda.open_places(place.basin, today=TODAY - 290 * DAY)}
