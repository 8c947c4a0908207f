"""The stage state machine: every allowed and refused transition, dates, suspension and programme limits."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from pathways.models import Stage, StageTransition
from pathways.services import stages as services
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    ProgrammeFactory,
    SessionFactory,
    StageFactory,
)

TODAY = datetime.date(2026, 6, 15)
Status = Stage.Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def by():
    return UserFactory()


def days(n):
    return datetime.timedelta(days=n)


def planned(**kwargs):
    kwargs.setdefault("planned_start", TODAY - days(60))
    kwargs.setdefault("planned_end", TODAY + days(120))
    return StageFactory(**kwargs)


def in_progress(start=None, **kwargs):
    start = start or TODAY - days(60)
    return planned(status=Status.IN_PROGRESS, actual_start=start, planned_start=start, **kwargs)


def suspended(since=None, resume=None, **kwargs):
    since, resume = since or TODAY - days(10), resume or TODAY + days(20)
    stage = in_progress(**kwargs)
    return services.stage_suspend(stage=stage, by=UserFactory(), date=since, planned_resume=resume, reason="Santé")


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---------------------------------------------------------------------------------------------------------------
# Allowed transitions


def test_starting_a_planned_stage_records_the_date_and_an_event(by):
    stage = planned()
    services.stage_start(stage=stage, by=by, date=TODAY - days(1), comment="Premier jour")
    stage.refresh_from_db()
    assert stage.status == Status.IN_PROGRESS
    assert stage.actual_start == TODAY - days(1)
    event = stage.transitions.get(action=StageTransition.Action.START)
    assert (event.from_status, event.to_status, event.by, event.reason) == (
        Status.PLANNED,
        Status.IN_PROGRESS,
        by,
        "Premier jour",
    )


def test_suspending_then_resuming_records_both_events(by):
    stage = in_progress()
    services.stage_suspend(stage=stage, by=by, date=TODAY - days(10), planned_resume=TODAY + days(5), reason="Santé")
    stage.refresh_from_db()
    assert (stage.status, stage.suspended_since, stage.planned_resume) == (
        Status.SUSPENDED,
        TODAY - days(10),
        TODAY + days(5),
    )
    services.stage_resume(stage=stage, by=by, date=TODAY)
    stage.refresh_from_db()
    assert stage.status == Status.IN_PROGRESS
    assert stage.suspended_since is None and stage.planned_resume is None
    assert list(stage.transitions.values_list("action", flat=True)) == ["suspend", "resume"]


@pytest.mark.parametrize(
    "status,destination",
    [(Status.COMPLETED, ""), (Status.POSITIVE_EXIT, "job"), (Status.POSITIVE_EXIT, "training"), (Status.ABANDONED, "")],
)
def test_an_in_progress_stage_can_end_in_every_exit(by, status, destination):
    stage = in_progress()
    services.stage_exit(stage=stage, by=by, status=status, date=TODAY, destination=destination, reason="Motif")
    stage.refresh_from_db()
    assert stage.status == status
    assert stage.actual_end == TODAY
    assert stage.exit_destination == destination


@pytest.mark.parametrize("status,destination", [(Status.POSITIVE_EXIT, "job"), (Status.ABANDONED, "")])
def test_a_suspended_stage_can_end_by_positive_exit_or_abandon(by, status, destination):
    stage = suspended()
    services.stage_exit(stage=stage, by=by, status=status, date=TODAY, destination=destination, reason="Motif")
    stage.refresh_from_db()
    assert stage.status == status
    assert stage.suspended_since is None


def test_a_planned_stage_can_be_cancelled_with_a_reason(by):
    stage = planned()
    services.stage_exit(stage=stage, by=by, status=Status.CANCELLED, date=TODAY, reason="Entrée reportée")
    stage.refresh_from_db()
    assert stage.status == Status.CANCELLED
    assert stage.actual_start is None


def test_suspended_days_do_not_count_in_the_stage_duration(by):
    stage = in_progress(start=TODAY - days(100))
    services.stage_suspend(stage=stage, by=by, date=TODAY - days(50), planned_resume=TODAY, reason="Santé")
    services.stage_resume(stage=stage, by=by, date=TODAY - days(20))
    stage.refresh_from_db()
    transitions = list(stage.transitions.all())
    assert services.suspended_days(stage, transitions, TODAY) == 30
    # planned end is TODAY + 120 days: 220 days of span, minus 30 suspended
    assert services.active_days(stage, transitions, TODAY) == 190


# ---------------------------------------------------------------------------------------------------------------
# Refused transitions: every (status, move) pair not in the machine


REFUSED = [
    (Status.PLANNED, "suspend"),
    (Status.PLANNED, "resume"),
    (Status.PLANNED, Status.COMPLETED),
    (Status.PLANNED, Status.POSITIVE_EXIT),
    (Status.PLANNED, Status.ABANDONED),
    (Status.IN_PROGRESS, "start"),
    (Status.IN_PROGRESS, "resume"),
    (Status.IN_PROGRESS, Status.CANCELLED),
    (Status.SUSPENDED, "start"),
    (Status.SUSPENDED, "suspend"),
    (Status.SUSPENDED, Status.COMPLETED),
    (Status.SUSPENDED, Status.CANCELLED),
]


def _make(status):
    if status == Status.PLANNED:
        return planned()
    if status == Status.IN_PROGRESS:
        return in_progress()
    return suspended()


def _attempt(stage, move, by):
    if move == "start":
        return services.stage_start(stage=stage, by=by, date=TODAY)
    if move == "suspend":
        return services.stage_suspend(stage=stage, by=by, date=TODAY, planned_resume=TODAY + days(10), reason="x")
    if move == "resume":
        return services.stage_resume(stage=stage, by=by, date=TODAY)
    return services.stage_exit(stage=stage, by=by, status=move, date=TODAY, destination="job", reason="x")


@pytest.mark.parametrize("status,move", REFUSED)
def test_moves_outside_the_machine_are_refused_in_french(by, status, move):
    stage = _make(status)
    events_before = stage.transitions.count()
    with pytest.raises(ValidationError) as error:
        _attempt(stage, move, by)
    assert "Impossible de passer une étape" in messages_of(error.value)
    stage.refresh_from_db()
    assert stage.status == status
    assert stage.transitions.count() == events_before


@pytest.mark.parametrize("final", [Status.COMPLETED, Status.POSITIVE_EXIT, Status.ABANDONED])
@pytest.mark.parametrize("move", ["start", "suspend", "resume", Status.ABANDONED, Status.CANCELLED])
def test_an_ended_stage_accepts_no_move(by, final, move):
    stage = in_progress()
    services.stage_exit(stage=stage, by=by, status=final, date=TODAY, destination="job", reason="x")
    with pytest.raises(ValidationError, match="Impossible de passer"):
        _attempt(stage, move, by)


def test_a_cancelled_stage_cannot_start(by):
    stage = planned()
    services.stage_exit(stage=stage, by=by, status=Status.CANCELLED, date=TODAY, reason="Report")
    with pytest.raises(ValidationError, match="Impossible de passer"):
        services.stage_start(stage=stage, by=by, date=TODAY)


def test_an_unknown_exit_status_is_refused(by):
    with pytest.raises(ValidationError):
        services.stage_exit(stage=in_progress(), by=by, status="vanished", date=TODAY)


# ---------------------------------------------------------------------------------------------------------------
# Dates


def test_events_cannot_be_dated_in_the_future(by):
    with pytest.raises(ValidationError, match="dans le futur"):
        services.stage_start(stage=planned(), by=by, date=TODAY + days(1))
    with pytest.raises(ValidationError, match="dans le futur"):
        services.stage_exit(stage=in_progress(), by=by, status=Status.COMPLETED, date=TODAY + days(1))
    with pytest.raises(ValidationError, match="dans le futur"):
        services.stage_suspend(
            stage=in_progress(), by=by, date=TODAY + days(1), planned_resume=TODAY + days(9), reason="x"
        )


def test_an_exit_cannot_precede_the_start(by):
    stage = in_progress(start=TODAY - days(5))
    with pytest.raises(ValidationError, match="précéder le dernier événement"):
        services.stage_exit(stage=stage, by=by, status=Status.COMPLETED, date=TODAY - days(6))


def test_a_resume_cannot_precede_the_suspension(by):
    stage = suspended(since=TODAY - days(3))
    with pytest.raises(ValidationError, match="précéder le début de la suspension"):
        services.stage_resume(stage=stage, by=by, date=TODAY - days(4))


def test_the_planned_resume_must_follow_the_suspension(by):
    with pytest.raises(ValidationError, match="doit suivre le début"):
        services.stage_suspend(stage=in_progress(), by=by, date=TODAY, planned_resume=TODAY, reason="x")


def test_a_suspension_needs_a_reason(by):
    with pytest.raises(ValidationError, match="motif de la suspension"):
        services.stage_suspend(stage=in_progress(), by=by, date=TODAY, planned_resume=TODAY + days(3), reason=" ")


@pytest.mark.parametrize("status", [Status.ABANDONED, Status.CANCELLED])
def test_an_abandon_or_a_cancellation_needs_a_reason(by, status):
    stage = in_progress() if status == Status.ABANDONED else planned()
    with pytest.raises(ValidationError, match="motif de l'abandon"):
        services.stage_exit(stage=stage, by=by, status=status, date=TODAY, reason="")


def test_a_positive_exit_needs_a_destination(by):
    with pytest.raises(ValidationError, match="Précisez la sortie positive"):
        services.stage_exit(stage=in_progress(), by=by, status=Status.POSITIVE_EXIT, date=TODAY, destination="")


def test_a_stage_in_a_session_starts_within_the_session(by):
    session = SessionFactory(start_date=TODAY - days(5), end_date=TODAY + days(90))
    stage = planned(
        organisation=session.training_action.training_body, planned_start=TODAY - days(5), planned_end=TODAY + days(80)
    )
    EnrolmentFactory(stage=stage, session=session)
    with pytest.raises(ValidationError, match="pendant la session"):
        services.stage_start(stage=stage, by=by, date=TODAY - days(6))
    services.stage_start(stage=stage, by=by, date=TODAY - days(5))


# ---------------------------------------------------------------------------------------------------------------
# Suspension and programme limits (seed 001: 24 months, suspensions up to 6 months each)


def test_a_suspension_longer_than_the_programme_allows_is_refused(by):
    stage = in_progress(programme=ProgrammeFactory(max_suspension_months=6))
    with pytest.raises(ValidationError) as error:
        services.stage_suspend(stage=stage, by=by, date=TODAY, planned_resume=datetime.date(2026, 12, 16), reason="x")
    assert "au plus 6 mois" in messages_of(error.value)
    assert "15/12/2026" in messages_of(error.value)
    services.stage_suspend(stage=stage, by=by, date=TODAY, planned_resume=datetime.date(2026, 12, 15), reason="x")


def test_the_suspension_limit_is_configurable_per_programme(by):
    stage = in_progress(programme=ProgrammeFactory(max_suspension_months=2))
    with pytest.raises(ValidationError, match="au plus 2 mois"):
        services.stage_suspend(stage=stage, by=by, date=TODAY, planned_resume=TODAY + days(70), reason="x")


def test_resuming_after_the_suspension_limit_is_refused(by):
    stage = in_progress(start=TODAY - days(300), programme=ProgrammeFactory(max_suspension_months=6))
    with time_machine.travel(datetime.datetime(2025, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        services.stage_suspend(
            stage=stage, by=by, date=datetime.date(2025, 12, 1), planned_resume=datetime.date(2026, 5, 30), reason="x"
        )
    with pytest.raises(ValidationError, match="a dépassé 6 mois"):
        services.stage_resume(stage=stage, by=by, date=datetime.date(2026, 6, 2))
    stage.refresh_from_db()
    assert stage.status == Status.SUSPENDED


def test_planning_beyond_the_programme_maximum_duration_is_refused(by):
    programme = ProgrammeFactory(max_duration_months=24)
    pathway = PathwayFactory()
    organisation = OrganisationFactory()
    start = datetime.date(2026, 9, 1)
    with pytest.raises(ValidationError) as error:
        services.stage_plan(
            pathway=pathway,
            by=by,
            kind=Stage.Kind.QUALIFYING_TRAINING,
            organisation=organisation,
            programme=programme,
            planned_start=start,
            planned_end=datetime.date(2028, 9, 2),
        )
    assert "limite le parcours à 24 mois" in messages_of(error.value)
    services.stage_plan(
        pathway=pathway,
        by=by,
        kind=Stage.Kind.QUALIFYING_TRAINING,
        organisation=organisation,
        programme=programme,
        planned_start=start,
        planned_end=datetime.date(2028, 9, 1),
    )


def test_the_maximum_duration_adds_up_the_pathway_stages_in_the_same_programme(by):
    programme = ProgrammeFactory(max_duration_months=12)
    pathway = PathwayFactory()
    organisation = OrganisationFactory()
    services.stage_plan(
        pathway=pathway,
        by=by,
        kind=Stage.Kind.PRE_QUALIFICATION,
        organisation=organisation,
        programme=programme,
        planned_start=datetime.date(2026, 7, 1),
        planned_end=datetime.date(2027, 1, 1),
    )
    with pytest.raises(ValidationError, match="12 mois"):
        services.stage_plan(
            pathway=pathway,
            by=by,
            kind=Stage.Kind.QUALIFYING_TRAINING,
            organisation=organisation,
            programme=programme,
            planned_start=datetime.date(2027, 1, 2),
            planned_end=datetime.date(2027, 8, 1),
        )
    # Another programme has its own budget.
    services.stage_plan(
        pathway=pathway,
        by=by,
        kind=Stage.Kind.QUALIFYING_TRAINING,
        organisation=organisation,
        programme=ProgrammeFactory(max_duration_months=12),
        planned_start=datetime.date(2027, 1, 2),
        planned_end=datetime.date(2027, 8, 1),
    )


def test_suspensions_do_not_count_against_the_maximum_duration(by):
    programme = ProgrammeFactory(max_duration_months=12, max_suspension_months=6)
    start = TODAY - days(300)
    stage = in_progress(start=start, programme=programme)
    Stage.objects.filter(pk=stage.pk).update(planned_end=start + days(365 + 30))
    stage.refresh_from_db()
    # 395 days planned: too long, unless the 60 days of suspension below are taken off.
    services.stage_suspend(stage=stage, by=by, date=TODAY - days(100), planned_resume=TODAY - days(40), reason="x")
    services.stage_resume(stage=stage, by=by, date=TODAY - days(40))
    stage.refresh_from_db()
    assert stage.status == Status.IN_PROGRESS


def test_an_exit_is_recorded_even_past_the_maximum_duration(by):
    programme = ProgrammeFactory(max_duration_months=1)
    stage = in_progress(start=TODAY - days(90), programme=programme)
    services.stage_exit(stage=stage, by=by, status=Status.COMPLETED, date=TODAY)
    stage.refresh_from_db()
    assert stage.status == Status.COMPLETED


# ---------------------------------------------------------------------------------------------------------------
# Planning


def test_a_stage_in_a_session_takes_its_training_body_and_programme(by):
    session = SessionFactory(start_date=TODAY, end_date=TODAY + days(90))
    stage = services.stage_plan(
        pathway=PathwayFactory(),
        by=by,
        kind=Stage.Kind.QUALIFYING_TRAINING,
        organisation=session.training_action.training_body,
        session=session,
        planned_start=TODAY + days(1),
        planned_end=TODAY + days(90),
    )
    assert stage.programme == session.training_action.programme
    assert stage.enrolment.session == session
    assert stage.transitions.get().action == StageTransition.Action.PLAN


def test_a_full_session_refuses_one_more_person(by):
    session = SessionFactory(start_date=TODAY, end_date=TODAY + days(90), capacity=1)
    body = session.training_action.training_body

    def plan():
        return services.stage_plan(
            pathway=PathwayFactory(),
            by=by,
            kind=Stage.Kind.QUALIFYING_TRAINING,
            organisation=body,
            session=session,
            planned_start=TODAY,
        )

    plan()
    with pytest.raises(ValidationError, match="complète"):
        plan()


def test_a_session_stage_must_fit_in_the_session(by):
    session = SessionFactory(start_date=TODAY, end_date=TODAY + days(90))
    with pytest.raises(ValidationError) as error:
        services.stage_plan(
            pathway=PathwayFactory(),
            by=by,
            kind=Stage.Kind.QUALIFYING_TRAINING,
            organisation=session.training_action.training_body,
            session=session,
            planned_start=TODAY - days(1),
        )
    assert "compris dans la session" in messages_of(error.value)


def test_an_immersion_needs_a_company(by):
    with pytest.raises(ValidationError, match="entreprise"):
        services.stage_plan(
            pathway=PathwayFactory(),
            by=by,
            kind=Stage.Kind.IMMERSION,
            organisation=OrganisationFactory(),
            planned_start=TODAY,
        )


def test_a_closed_pathway_takes_no_new_stage(by):
    pathway = PathwayFactory(status="closed", closed_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError, match="clôturé"):
        services.stage_plan(
            pathway=pathway, by=by, kind=Stage.Kind.ORIENTATION, organisation=OrganisationFactory(), planned_start=TODAY
        )


def test_replanning_a_started_stage_only_moves_its_planned_end(by):
    stage = in_progress(start=TODAY - days(10))
    original_start = stage.planned_start
    services.stage_replan(
        stage=stage, by=by, planned_start=TODAY + days(50), planned_end=TODAY + days(200), programme=stage.programme
    )
    stage.refresh_from_db()
    assert stage.planned_start == original_start
    assert stage.planned_end == TODAY + days(200)
