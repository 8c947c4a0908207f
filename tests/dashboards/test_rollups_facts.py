"""Every fact column on hand-built data whose answer is known, and the basin rule itself."""

import datetime

import pytest
from django.utils import timezone

from alerts.models import Alert
from attendance.models import Drift, FollowUpAttempt
from dashboards import rollups
from dashboards.models import AlertFact, StageFact
from pathways.models import Stage
from ruptures.models import Cause, Rupture
from ruptures.rates import cohort_for
from tests.attendance.conftest import START as SESSION_START
from tests.pathways.factories import (
    BasinFactory,
    BeneficiaryFactory,
    CommuneFactory,
    EmployerFactory,
    EnrolmentFactory,
    PathwayFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)
from tests.ruptures.test_rates import confirm, day, entrant

Kind = Rupture.Kind
StageKind = Stage.Kind
Status = Stage.Status


def fact(stage) -> StageFact:
    rollups.refresh_pathways([stage.pathway_id])
    return StageFact.objects.get(stage=stage)


def ended(place, pathway, start, end, *, kind=StageKind.QUALIFYING_TRAINING, status=Status.COMPLETED, **extra):
    stage = entrant(place, start, kind=kind, pathway=pathway)
    Stage.objects.filter(pk=stage.pk).update(status=status, actual_end=end, **extra)
    stage.refresh_from_db()
    return stage


def test_the_basin_rule_puts_each_stage_where_it_takes_place(place):
    home, company_basin, third = (BasinFactory(region=place.region) for _ in range(3))
    person = BeneficiaryFactory(region=place.region, commune=CommuneFactory(basin=third))
    pathway = PathwayFactory(beneficiary=person, referent=place.user, opened_by=place.prescriber)
    in_session = entrant(place, pathway=pathway)
    action = TrainingActionFactory(training_body=place.body, basin=home)
    EnrolmentFactory(stage=in_session, session=SessionFactory(training_action=action))
    employer = EmployerFactory(region=place.region, commune=CommuneFactory(basin=company_basin))
    apprenticeship = entrant(place, pathway=pathway, kind=StageKind.APPRENTICESHIP, employer=employer)
    immersion = entrant(
        place, pathway=pathway, kind=StageKind.IMMERSION, employer=EmployerFactory(region=place.region, commune=None)
    )
    rollups.refresh_pathways([pathway.pk])

    facts = dict(StageFact.objects.values_list("stage_id", "basin_id"))
    assert facts == {in_session.pk: home.pk, apprenticeship.pk: company_basin.pk, immersion.pk: third.pk}
    assert list(cohort_for(basin=home)) == [in_session]
    assert list(cohort_for(basin=company_basin)) == [apprenticeship]  # a contract break no longer vanishes
    assert list(cohort_for(basin=third)) == [immersion]
    assert StageFact.objects.get(stage=in_session).training_action_id == action.pk
    assert set(StageFact.objects.values_list("region_id", flat=True)) == {place.region.pk}


def test_planned_and_cancelled_stages_have_no_fact(place):
    planned = StageFactory(pathway=PathwayFactory(), organisation=place.body, planned_start=day(3, 3))
    cancelled = ended(place, None, day(3, 3), day(3, 10), status=Status.CANCELLED)
    rollups.refresh_pathways([planned.pathway_id, cancelled.pathway_id])
    assert not StageFact.objects.exists()


def test_the_rupture_columns(place):
    by = place.user
    abandon = entrant(place)
    confirm(abandon, Kind.ABANDON, by=by, on=day(4, 1))
    paused = entrant(place)
    for on in (day(3, 10), day(4, 10)):
        Rupture.objects.create(
            stage=paused,
            kind=Kind.INTERRUPTION,
            occurred_on=on,
            main_cause=Cause.CONDITIONS_HEALTH,
            identified_by=Rupture.IdentifiedBy.TRAINER,
            declared_by=by,
            planned_resume=on + datetime.timedelta(days=20),
        )
    broken = entrant(place, kind=StageKind.APPRENTICESHIP)
    confirm(broken, Kind.CONTRACT_BREAK, by=by, on=day(5, 2))
    entrant(place, day(5, 20), kind=StageKind.APPRENTICESHIP, pathway=broken.pathway)  # a new contract, 18 days on

    abandoned = fact(abandon)
    assert (abandoned.rupture_kind, abandoned.rupture_on, abandoned.main_cause) == (
        Kind.ABANDON,
        day(4, 1),
        Cause.CONDITIONS_TRANSPORT,
    )
    assert abandoned.counted_rupture and not abandoned.contract_break_followed
    assert not abandoned.re_engaged_3_months
    pause = fact(paused)
    assert (pause.rupture_kind, pause.interruptions, pause.counted_rupture) == ("", 2, False)
    rechained = fact(broken)
    assert rechained.contract_break_followed and not rechained.counted_rupture
    assert not rechained.re_engaged_3_months  # only counted ruptures are followed up


def test_re_engagement_within_3_and_6_months(place):
    by = place.user
    soon, late, never = entrant(place), entrant(place), entrant(place)
    for stage in (soon, late, never):
        confirm(stage, Kind.ABANDON, by=by, on=day(3, 10))
    entrant(place, day(3, 10) + datetime.timedelta(days=90), pathway=soon.pathway)  # day 90: within 3 months
    entrant(place, day(3, 10) + datetime.timedelta(days=91), pathway=late.pathway)  # day 91: within 6 months only
    assert (fact(soon).re_engaged_3_months, fact(soon).re_engaged_6_months) == (True, True)
    assert (fact(late).re_engaged_3_months, fact(late).re_engaged_6_months) == (False, True)
    assert (fact(never).re_engaged_3_months, fact(never).re_engaged_6_months) == (False, False)


def test_follow_up_attempts_count_when_made_before_the_rupture_was_declared(place):
    stage = entrant(place)
    drift = Drift.objects.create(stage=stage, reason=Drift.Reason.CONSECUTIVE)
    attempts = [
        FollowUpAttempt.objects.create(drift=drift, channel="call", outcome="no_answer", by=place.user)
        for _ in range(3)
    ]
    rupture = confirm(stage, Kind.ABANDON, by=place.user, on=day(4, 1))
    FollowUpAttempt.objects.filter(pk=attempts[2].pk).update(at=rupture.declared_at + datetime.timedelta(hours=1))
    assert fact(stage).follow_ups_before_rupture == 2
    no_rupture = entrant(place)
    FollowUpAttempt.objects.create(
        drift=Drift.objects.create(stage=no_rupture, reason=Drift.Reason.CONSECUTIVE),
        channel="call",
        outcome="reached",
        by=place.user,
    )
    assert fact(no_rupture).follow_ups_before_rupture == 0


@pytest.mark.parametrize(("gap", "followed"), [(0, True), (30, True), (31, False)])
def test_an_ended_stage_is_followed_within_30_days_by_a_chained_stage(place, gap, followed):
    first = ended(place, None, day(1, 6), day(2, 27))
    entrant(place, day(2, 27) + datetime.timedelta(days=gap), pathway=first.pathway)
    assert fact(first).followed_within_30_days is followed


def test_a_positive_exit_is_followed_and_a_running_stage_is_not_judged(place):
    exit_ = ended(
        place, None, day(1, 6), day(2, 27), status=Status.POSITIVE_EXIT, exit_destination=Stage.ExitDestination.JOB
    )
    assert fact(exit_).followed_within_30_days is True
    assert fact(entrant(place)).followed_within_30_days is None


def test_a_qualifying_training_is_preceded_by_an_immersion_that_started_before_it(place):
    immersion = ended(place, None, day(1, 6), day(1, 17), kind=StageKind.IMMERSION)
    training = entrant(place, day(2, 3), pathway=immersion.pathway)
    alone = entrant(place, day(2, 3))
    orientation = entrant(place, day(2, 3), kind=StageKind.ORIENTATION, pathway=immersion.pathway)
    assert fact(training).preceded_by_immersion is True
    assert fact(alone).preceded_by_immersion is False
    assert fact(orientation).preceded_by_immersion is None


def test_the_wait_is_the_days_from_the_latest_previous_end_to_the_start(place):
    first = ended(place, None, day(1, 6), day(1, 17))
    second = ended(place, first.pathway, day(1, 20), day(2, 3))
    third = entrant(place, day(2, 15), pathway=first.pathway)
    assert fact(first).wait_days is None
    assert fact(second).wait_days == 3
    assert fact(third).wait_days == 12


def test_checklist_and_participant_and_in_session_columns_follow_the_registered_splits(place):
    stage = entrant(place)
    EnrolmentFactory(stage=stage)
    row = fact(stage)
    assert (row.in_session, row.with_checklist, row.participant) == (True, False, False)


def test_the_first_unjustified_absence_of_the_stage(klass):
    inès, karim, _zoé = klass.stages
    monday = SESSION_START
    klass.mark(karim, monday, "absent_justified", reason="illness")
    klass.mark(karim, monday + datetime.timedelta(days=1), "present")
    klass.mark(karim, monday + datetime.timedelta(days=2), "absent_unjustified", periods=("pm",))
    klass.mark(karim, monday + datetime.timedelta(days=3), "absent_unjustified")
    klass.mark(inès, monday, "present")
    assert fact(karim).first_absence_at == monday + datetime.timedelta(days=2)
    assert fact(inès).first_absence_at is None


def paris(day_, hour):
    return timezone.make_aware(datetime.datetime.combine(day_, datetime.time(hour)))


def test_alert_delays_from_the_first_unjustified_absence_and_to_acknowledgement(klass):
    karim = klass.stages[1]
    wednesday = SESSION_START + datetime.timedelta(days=2)  # 6 May 2026
    klass.mark(karim, wednesday, "absent_unjustified", periods=("pm",))  # the afternoon starts at 13:30
    alert = Alert.objects.create(kind="rupture", stage=karim, inbox=klass.body)
    Alert.objects.filter(pk=alert.pk).update(
        created_at=paris(wednesday + datetime.timedelta(days=1), 13) + datetime.timedelta(minutes=30),
        acknowledged_at=paris(wednesday + datetime.timedelta(days=1), 16),
        status=Alert.Status.ACKNOWLEDGED,
    )
    rollups.refresh_pathways([karim.pathway_id])
    row = AlertFact.objects.get(alert_id=alert.pk)
    assert row.first_absence_on == wednesday
    assert row.hours_from_first_absence == 24.0
    assert row.hours_to_acknowledgement == 2.5
    assert row.acknowledged_within_2_working_days and not row.escalated
    assert row.basin_id == klass.action.basin_id and row.organisation_id == klass.body.pk


@pytest.mark.parametrize(
    ("acknowledged", "within"), [(datetime.date(2026, 5, 12), True), (datetime.date(2026, 5, 13), False)]
)
def test_acknowledged_within_two_working_days(klass, acknowledged, within):
    # Raised on Friday 8 May 2026 (a public holiday): Monday 11 and Tuesday 12 are the two working days after it.
    alert = Alert.objects.create(kind="rupture", stage=klass.stages[0], inbox=klass.body)
    Alert.objects.filter(pk=alert.pk).update(
        created_at=paris(datetime.date(2026, 5, 8), 17),
        acknowledged_at=paris(acknowledged, 11),
        escalated_at=paris(acknowledged, 9),
        status=Alert.Status.ACKNOWLEDGED,
    )
    rollups.refresh_pathways([klass.stages[0].pathway_id])
    row = AlertFact.objects.get(alert_id=alert.pk)
    assert row.acknowledged_within_2_working_days is within
    assert row.escalated
    assert row.first_absence_on is None and row.hours_from_first_absence is None
