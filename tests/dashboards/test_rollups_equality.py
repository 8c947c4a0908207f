"""The equality test (issue 18, Correctness): random data of every shape (several basins, training bodies, actions,
employers in other basins, people in a third basin, ruptures of every kind, chained stages, checklists,
speaking-group attendance, post-rupture cases, alerts acknowledged or not) is rolled up, and every figure
`dashboards.figures` gives equals the reference service function on the raw tables, for every basin, training body,
training action and several periods."""

import datetime
import random

import pytest
from django.utils import timezone

from alerts.models import Alert
from checklist.models import Checklist, ChecklistRevision
from checklist.stats import coverage_total, effect
from dashboards import figures, rollups
from dashboards.figures import Scope
from pathways.models import Enrolment, Stage
from ruptures.models import Cause, Rupture
from ruptures.rates import cohort_for, re_engagement, rupture_rate
from speaking_groups.models import (
    DropInBooking,
    DropInSlot,
    PostRuptureCase,
    SpeakingGroup,
    Workshop,
    WorkshopAttendance,
)
from tests.accounts.factories import UserFactory
from tests.checklist.factories import first_template
from tests.pathways.factories import (
    BasinFactory,
    BeneficiaryFactory,
    CommuneFactory,
    EmployerFactory,
    OrganisationFactory,
    PathwayFactory,
    ProgrammeFactory,
    RegionFactory,
    SessionFactory,
    TrainingActionFactory,
)

Kind = Rupture.Kind
StageKind = Stage.Kind
Status = Stage.Status
YEAR = 2025
PEOPLE = 60

PERIODS = [
    (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)),  # a year
    (datetime.date(YEAR, 3, 1), datetime.date(YEAR, 3, 31)),  # a month
    (datetime.date(YEAR, 4, 1), datetime.date(YEAR, 6, 30)),  # a quarter
    (datetime.date(YEAR, 2, 10), datetime.date(YEAR, 5, 20)),  # a custom range (the daily rows)
    (datetime.date(YEAR, 3, 15), datetime.date(YEAR, 3, 15)),  # one day
]


def build_world(seed: int):
    rng = random.Random(seed)
    region = RegionFactory()
    basins = [BasinFactory(region=region) for _ in range(3)]
    communes = [CommuneFactory(basin=basin) for basin in basins for _ in range(2)]
    bodies = [OrganisationFactory(region=region) for _ in range(2)]
    prescriber = OrganisationFactory(region=region, prescriber=True)
    support = OrganisationFactory(region=region, support=True)
    programme = ProgrammeFactory()
    user = UserFactory()
    actions = [
        TrainingActionFactory(training_body=bodies[i % 2], basin=basins[i % 2], programme=programme) for i in range(4)
    ]
    sessions = [
        SessionFactory(
            training_action=action, start_date=datetime.date(YEAR, 1, 1), end_date=datetime.date(YEAR, 12, 31)
        )
        for action in actions
    ]
    employers = [EmployerFactory(region=region, commune=communes[3]), EmployerFactory(region=region, commune=None)]
    group = SpeakingGroup.objects.create(support_organisation=support, training_body=bodies[0], name="Groupe")
    drop_in_slot = DropInSlot.objects.create(
        group=group,
        weekday=DropInSlot.Weekday.TUESDAY,
        start_time=datetime.time(10),
        place="Salle",
        starts_on=datetime.date(YEAR, 1, 1),
    )
    template = first_template()

    def day_in(start_month=1, end_month=9):
        start = datetime.date(YEAR, start_month, 1)
        return start + datetime.timedelta(days=rng.randrange((datetime.date(YEAR, end_month, 28) - start).days))

    for _person in range(PEOPLE):
        person = BeneficiaryFactory(region=region, commune=rng.choice([*communes, communes[5], None]))
        pathway = PathwayFactory(
            beneficiary=person,
            referent=user,
            opened_by=prescriber,
            prescribing_organisation=rng.choice([prescriber, None]),
        )
        start = day_in()
        for _step in range(rng.choice([1, 1, 2, 3])):
            kind = rng.choice(list(StageKind))
            in_session = kind in (StageKind.QUALIFYING_TRAINING, StageKind.PRE_QUALIFICATION) and rng.random() < 0.8
            employer = rng.choice(employers) if kind in Stage.EMPLOYER_KINDS and rng.random() < 0.7 else None
            status = rng.choice(
                [Status.IN_PROGRESS] * 4 + [Status.COMPLETED, Status.POSITIVE_EXIT, Status.PLANNED, Status.CANCELLED]
            )
            end = start + datetime.timedelta(days=rng.randrange(5, 90))
            values = {
                "pathway": pathway,
                "kind": kind,
                "organisation": rng.choice(bodies),
                "programme": programme,
                "employer": employer,
                "planned_start": start,
                "status": status,
            }
            if status != Status.PLANNED:
                values["actual_start"] = start if status != Status.CANCELLED or rng.random() < 0.5 else None
            if status in (Status.COMPLETED, Status.POSITIVE_EXIT, Status.CANCELLED):
                values["actual_end"] = end
            if status == Status.POSITIVE_EXIT:
                values["exit_destination"] = Stage.ExitDestination.JOB
            stage = Stage.objects.create(**values)
            if in_session:
                Enrolment.objects.create(stage=stage, session=rng.choice(sessions))
            started = stage.actual_start is not None and status != Status.CANCELLED
            if started and rng.random() < 0.4:
                checklist = Checklist.objects.create(
                    stage=stage, template=template, organisation=stage.organisation, created_by=user
                )
                ChecklistRevision.objects.create(
                    checklist=checklist,
                    number=1,
                    submitted_at=timezone.make_aware(
                        datetime.datetime.combine(
                            start + datetime.timedelta(days=rng.choice([-5, 0, 3])), datetime.time(9)
                        )
                    ),
                    submitted_by=user,
                    answers={},
                )
            if started and rng.random() < 0.3:
                on = start + datetime.timedelta(days=rng.randrange(-3, 40))
                if rng.random() < 0.5:
                    workshop = Workshop.objects.create(
                        group=group,
                        session=sessions[0],
                        date=on,
                        start_time=datetime.time(14),
                        end_time=datetime.time(16),
                        theme="Atelier",
                        cancelled_at=timezone.now() if rng.random() < 0.2 else None,
                    )
                    WorkshopAttendance.objects.create(workshop=workshop, stage=stage)
                else:
                    DropInBooking.objects.create(
                        slot=drop_in_slot,
                        date=on,
                        stage=stage,
                        requested_via=DropInBooking.RequestedVia.PHONE,
                        agreement_recorded=True,
                        status=rng.choice([DropInBooking.Status.ATTENDED, DropInBooking.Status.NO_SHOW]),
                    )
            if started and status == Status.IN_PROGRESS and rng.random() < 0.5:
                rupture_kind = rng.choice(list(Kind))
                occurred = start + datetime.timedelta(days=rng.randrange(1, 60))
                details = {}
                stage_after = {"status": Status.ABANDONED, "actual_end": occurred}
                if rupture_kind == Kind.INTERRUPTION:
                    details = {"planned_resume": occurred + datetime.timedelta(days=30)}
                    stage_after = {}
                elif rupture_kind == Kind.POSITIVE_EXIT:
                    details = {"exit_destination": Stage.ExitDestination.TRAINING}
                    stage_after = {
                        "status": Status.POSITIVE_EXIT,
                        "actual_end": occurred,
                        "exit_destination": "training",
                    }
                elif rupture_kind == Kind.CONTRACT_BREAK:
                    details = {"contract_initiative": Rupture.Initiative.EMPLOYER, "during_trial_period": False}
                rupture = Rupture.objects.create(
                    stage=stage,
                    kind=rupture_kind,
                    occurred_on=occurred,
                    main_cause=rng.choice(list(Cause)),
                    identified_by=Rupture.IdentifiedBy.TRAINER,
                    declared_by=user,
                    **details,
                )
                if rupture_kind == Kind.INTERRUPTION and rng.random() < 0.3:  # a second pause
                    Rupture.objects.create(
                        stage=stage,
                        kind=Kind.INTERRUPTION,
                        occurred_on=occurred + datetime.timedelta(days=40),
                        main_cause=Cause.CONDITIONS_HEALTH,
                        identified_by=Rupture.IdentifiedBy.TRAINER,
                        declared_by=user,
                        planned_resume=occurred + datetime.timedelta(days=60),
                    )
                if stage_after:
                    Stage.objects.filter(pk=stage.pk).update(**stage_after)
                    end = occurred
                if rupture_kind != Kind.INTERRUPTION and rng.random() < 0.3:
                    PostRuptureCase.objects.create(
                        rupture=rupture, support_organisation=support, opened_by=user, notes=""
                    )
                alert = Alert.objects.create(kind="rupture", stage=stage, inbox=prescriber)
                if rng.random() < 0.6:
                    moment = timezone.now() + datetime.timedelta(hours=rng.randrange(1, 120))
                    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.ACKNOWLEDGED, acknowledged_at=moment)
            start = end + datetime.timedelta(days=rng.choice([0, 3, 20, 45, 120]))
    return region, basins, bodies, actions


def scopes_and_cohorts(basins, bodies, actions):
    for basin in basins:
        yield Scope(basin_id=basin.pk), cohort_for(basin=basin)
    for body in bodies:
        yield Scope(organisation_id=body.pk), cohort_for(training_body=body)
    for action in actions:
        yield Scope(training_action_id=action.pk), Stage.objects.filter(enrolment__session__training_action=action)
    yield (
        Scope(basin_id=basins[0].pk, organisation_id=bodies[0].pk),
        cohort_for(basin=basins[0], training_body=bodies[0]),
    )


@pytest.mark.parametrize("seed", [18])
def test_every_rollup_figure_equals_the_reference_on_random_data(db, seed):
    region, basins, bodies, actions = build_world(seed)
    rollups.rebuild(region)

    assert figures.rate(Scope(region_id=region.pk), *PERIODS[0]) == rupture_rate(start=PERIODS[0][0], end=PERIODS[0][1])
    checked_ruptures = 0
    for scope, stages in scopes_and_cohorts(basins, bodies, actions):
        for start, end in PERIODS:
            where = f"{scope} {start}–{end}"
            reference = rupture_rate(start=start, end=end, stages=stages)
            assert figures.rate(scope, start, end) == reference, where
            checked_ruptures += reference.ruptures
            assert figures.re_engagement(scope, start, end) == re_engagement(start=start, end=end, stages=stages), where

            shown = figures.prevention(scope, start, end)
            checklist_effect = effect(start=start, end=end, stages=stages)
            assert shown.with_checklist_rate == checklist_effect.with_checklist, where
            assert shown.without_checklist_rate == checklist_effect.without_checklist, where
            coverage = coverage_total(start=start, end=end, stages=stages)
            assert (shown.in_session_entrants, shown.with_checklist) == (coverage.entrants, coverage.with_checklist)
            assert shown.participants_rate == rupture_rate(
                start=start, end=end, stages=stages, speaking_group_participant=True
            ), where
            assert shown.non_participants_rate == rupture_rate(
                start=start, end=end, stages=stages, speaking_group_participant=False
            ), where
            with_case = re_engagement(start=start, end=end, stages=stages, with_post_rupture_case=True)
            assert figures.facts(scope, start, end).filter(counted_rupture=True, post_rupture_case=True).count() == (
                with_case.ruptures
            ), where
    assert checked_ruptures > 20  # the data holds ruptures to compare

    for start, end in PERIODS:
        for row in figures.breakdown(Scope(region_id=region.pk), start, end, "basin"):
            stages = cohort_for(basin=row.key) if row.key else Stage.objects.with_basin().filter(basin_id_rule=None)
            assert row.rate == rupture_rate(start=start, end=end, stages=stages)
        for row in figures.breakdown(Scope(region_id=region.pk), start, end, "organisation"):
            assert row.rate == rupture_rate(start=start, end=end, stages=cohort_for(training_body=row.key))


def test_the_refresh_of_changed_pathways_gives_what_a_rebuild_gives(db):
    region, basins, bodies, actions = build_world(7)
    rollups.rebuild(region)
    # Move a stage to another bucket (its start), break and chain others: the refresh recomputes old and new buckets.
    stages = list(Stage.objects.filter(actual_start__isnull=False).exclude(status=Status.CANCELLED)[:15])
    for stage in stages[:5]:
        Stage.objects.filter(pk=stage.pk).update(actual_start=stage.actual_start + datetime.timedelta(days=40))
    rollups.refresh_pathways({stage.pathway_id for stage in stages})
    refreshed = {
        (scope, period): figures.rate(scope, *period)
        for scope, _stages in scopes_and_cohorts(basins, bodies, actions)
        for period in PERIODS
    }
    rollups.rebuild(region)
    for (scope, period), figure in refreshed.items():
        assert figure == figures.rate(scope, *period)
        assert figure == rupture_rate(
            start=period[0], end=period[1], stages=dict(scopes_and_cohorts(basins, bodies, actions))[scope]
        )
