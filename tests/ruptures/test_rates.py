"""The rupture rate of docs/design.md §4 on hand-built cohorts: who enters, what counts, what is shown apart, the
filters, seed 000's reference figure and a pinned number of queries. Runs on SQLite and, with DATABASE_URL, on
PostgreSQL.

The period is the first half of 2025; entrants start on 3 March unless a test says otherwise.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from attendance.models import Drift
from pathways.models import Beneficiary, Pathway, Stage
from pathways.services.people import name_key
from ruptures.models import Cause, Rupture
from ruptures.rates import (
    ReEngagement,
    RuptureRate,
    cohort_for,
    counted_ruptures,
    entrants,
    percent,
    re_engagement,
    rupture_rate,
)
from ruptures.services import rupture_declare
from speaking_groups.models import (
    DropInBooking,
    DropInSlot,
    PostRuptureCase,
    SpeakingGroup,
    Workshop,
    WorkshopAttendance,
)
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BasinFactory,
    EmployerFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PathwayFactory,
    ProgrammeFactory,
    RegionFactory,
    SessionFactory,
    StageFactory,
    TrainingActionFactory,
)

Kind = Rupture.Kind
StageKind = Stage.Kind
Status = Stage.Status

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 6, 30)
MARCH = datetime.date(2025, 3, 3)


def day(month: int, day_: int) -> datetime.date:
    return datetime.date(2025, month, day_)


@dataclass
class Place:
    region: object
    basin: object
    body: object
    prescriber: object
    programme: object
    user: object


@pytest.fixture
def place(db):
    region = RegionFactory()
    return Place(
        region=region,
        basin=BasinFactory(region=region),
        body=OrganisationFactory(region=region),
        prescriber=OrganisationFactory(region=region, prescriber=True),
        programme=ProgrammeFactory(),
        user=UserFactory(),
    )


def entrant(place, start=MARCH, *, kind=StageKind.QUALIFYING_TRAINING, pathway=None, **extra) -> Stage:
    """One stage that started on `start`, in its own pathway unless one is given."""
    pathway = pathway or PathwayFactory(referent=place.user, opened_by=place.prescriber)
    values = {"organisation": place.body, "programme": place.programme, "planned_end": None} | extra
    return StageFactory(
        pathway=pathway, kind=kind, planned_start=start, actual_start=start, status=Status.IN_PROGRESS, **values
    )


def bulk_entrants(place, count, start=MARCH) -> list[Stage]:
    """`count` people, each with an open pathway and one qualifying training started on `start` (bulk inserts)."""
    people = Beneficiary.objects.bulk_create(
        Beneficiary(
            first_name=f"Personne{i}",
            last_name="Cohorte",
            birth_date=datetime.date(2000, 1, 1),
            region=place.region,
            name_key=name_key(f"Personne{i}", "Cohorte"),
        )
        for i in range(count)
    )
    pathways = Pathway.objects.bulk_create(
        Pathway(beneficiary=person, referent=place.user, opened_by=place.prescriber) for person in people
    )
    return Stage.objects.bulk_create(
        Stage(
            pathway=pathway,
            kind=StageKind.QUALIFYING_TRAINING,
            organisation=place.body,
            programme=place.programme,
            planned_start=start,
            actual_start=start,
            status=Status.IN_PROGRESS,
        )
        for pathway in pathways
    )


# The details each kind of rupture requires (the model's check constraints), and the state the stage is then left in
# (what `rupture_declare` does to it).
DETAILS = {
    Kind.INTERRUPTION: lambda on: {"planned_resume": on + datetime.timedelta(days=30)},
    Kind.POSITIVE_EXIT: lambda on: {"exit_destination": Stage.ExitDestination.JOB},
    Kind.CONTRACT_BREAK: lambda on: {"contract_initiative": Rupture.Initiative.EMPLOYER, "during_trial_period": False},
}
STAGE_AFTER = {
    Kind.INTERRUPTION: lambda on: {
        "status": Status.SUSPENDED,
        "suspended_since": on,
        "planned_resume": on + datetime.timedelta(days=30),
    },
    Kind.POSITIVE_EXIT: lambda on: {
        "status": Status.POSITIVE_EXIT,
        "actual_end": on,
        "exit_destination": Stage.ExitDestination.JOB,
    },
}


def confirm_all(stages, kind, *, by, on=None) -> list[Rupture]:
    """Confirmed ruptures of `kind` for `stages` (rows created directly), on `on` (default: 20 days after the start)."""
    ruptures = []
    for stage in stages:
        occurred_on = on or stage.actual_start + datetime.timedelta(days=20)
        ruptures.append(
            Rupture(
                stage=stage,
                kind=kind,
                occurred_on=occurred_on,
                main_cause=Cause.CONDITIONS_TRANSPORT,
                identified_by=Rupture.IdentifiedBy.TRAINER,
                declared_by=by,
                **DETAILS.get(kind, lambda on: {})(occurred_on),
            )
        )
        after = STAGE_AFTER.get(kind, lambda on: {"status": Status.ABANDONED, "actual_end": on})(occurred_on)
        Stage.objects.filter(pk=stage.pk).update(**after)
    return Rupture.objects.bulk_create(ruptures)


def confirm(stage, kind, *, by, on=None) -> Rupture:
    return confirm_all([stage], kind, by=by, on=on)[0]


def declare(stage, kind, *, by, on, **details) -> Rupture:
    """A rupture through the real service (alert and notification rows included)."""
    return rupture_declare(
        stage=stage,
        by=by,
        kind=kind,
        main_cause=Cause.PROJECT_ORIENTATION,
        causes=[],
        identified_by=Rupture.IdentifiedBy.TRAINER,
        occurred_on=on,
        no_reminder_reason="Injoignable dès le premier jour." if kind == Kind.ABANDON else "",
        **details,
    )


def rate(**filters) -> RuptureRate:
    return rupture_rate(start=START, end=END, **filters)


# --------------------------------------------------------------------------------------------------------------
# The definition


def test_twenty_entrants_with_two_abandons_an_exclusion_and_an_unfollowed_contract_break_have_a_rate_of_20_percent(
    place,
):
    by = place.user
    plain = [entrant(place) for _ in range(12)]
    abandons = [entrant(place), entrant(place)]
    exclusion = entrant(place)
    rechained = entrant(place, kind=StageKind.APPRENTICESHIP, employer=EmployerFactory(region=place.region))
    broken = entrant(place, kind=StageKind.APPRENTICESHIP, employer=EmployerFactory(region=place.region))
    interruptions = [entrant(place), entrant(place)]
    positive_exit = entrant(place)

    declare(abandons[0], Kind.ABANDON, by=by, on=day(4, 7))
    confirm(abandons[1], Kind.ABANDON, by=by)
    confirm(exclusion, Kind.EXCLUSION, by=by)
    declare(
        rechained,
        Kind.CONTRACT_BREAK,
        by=by,
        on=day(5, 12),
        contract_initiative=Rupture.Initiative.APPRENTICE,
        during_trial_period=False,
    )
    # A new apprenticeship contract with another employer, begun after the period: the pathway goes on.
    StageFactory(
        pathway=rechained.pathway,
        kind=StageKind.APPRENTICESHIP,
        organisation=place.body,
        employer=EmployerFactory(region=place.region),
        planned_start=day(7, 15),
        planned_end=None,
        actual_start=day(7, 15),
        status=Status.IN_PROGRESS,
    )
    confirm(broken, Kind.CONTRACT_BREAK, by=by)
    confirm_all(interruptions, Kind.INTERRUPTION, by=by)
    confirm(positive_exit, Kind.POSITIVE_EXIT, by=by)
    assert len(plain) + 8 == 20

    assert rate() == RuptureRate(
        entrants=20,
        ruptures=4,
        abandons=2,
        exclusions=1,
        contract_breaks=1,
        contract_breaks_followed=1,
        interruptions=2,
        positive_exits=1,
        rate=20.0,
    )
    assert set(counted_ruptures(start=START, end=END).values_list("stage", flat=True)) == {
        abandons[0].pk,
        abandons[1].pk,
        exclusion.pk,
        broken.pk,
    }


def test_entrants_are_the_stages_that_started_in_the_period_both_ends_included(place):
    by = place.user
    inside = [entrant(place, START), entrant(place, END)]
    before = entrant(place, START - datetime.timedelta(days=1))
    after = entrant(place, END + datetime.timedelta(days=1))
    confirm_all([before, after], Kind.ABANDON, by=by)

    assert set(entrants(start=START, end=END)) == set(inside)
    assert (rate().entrants, rate().ruptures) == (2, 0)


def test_planned_and_cancelled_stages_never_started_and_are_not_entrants(place):
    entrant(place)
    StageFactory(organisation=place.body, planned_start=MARCH, status=Status.PLANNED)
    StageFactory(organisation=place.body, planned_start=MARCH, status=Status.CANCELLED, actual_end=MARCH)
    # a cancelled stage with a start date recorded anyway stays out
    StageFactory(
        organisation=place.body, planned_start=MARCH, status=Status.CANCELLED, actual_start=MARCH, actual_end=MARCH
    )

    assert rate().entrants == 1


def test_a_rupture_of_a_stage_outside_the_cohort_does_not_count(place):
    entrant(place)
    earlier = entrant(place, day(1, 1) - datetime.timedelta(days=60))
    # the rupture happens during the period, but its stage entered before it
    confirm(earlier, Kind.ABANDON, by=place.user, on=MARCH)

    assert rate() == RuptureRate(1, 0, 0, 0, 0, 0, 0, 0, 0.0)


def test_a_rupture_after_the_period_still_counts_for_an_entrant_of_the_period(place):
    stage = entrant(place, END)
    confirm(stage, Kind.ABANDON, by=place.user, on=day(9, 1))

    assert (rate().ruptures, rate().rate) == (1, 100.0)


def test_a_presumed_rupture_is_not_a_confirmed_one(place):
    stage = entrant(place)
    Drift.objects.create(
        stage=stage,
        reason=Drift.Reason.CONSECUTIVE,
        status=Drift.Status.PRESUMED,
        presumed_at=datetime.datetime(2025, 3, 20, 10, tzinfo=datetime.UTC),
    )

    assert (rate().entrants, rate().ruptures) == (1, 0)


def test_an_empty_cohort_has_no_rate(db):
    assert rate() == RuptureRate(0, 0, 0, 0, 0, 0, 0, 0, None)


def test_a_period_that_ends_before_it_starts_is_refused(db):
    with pytest.raises(ValueError):
        rupture_rate(start=END, end=START)


# --------------------------------------------------------------------------------------------------------------
# When a contract break is followed


BREAK_ON = day(3, 20)

NEXT_STAGES = {
    "a new apprenticeship begun after the break": ({"kind": StageKind.APPRENTICESHIP, "actual_start": day(4, 1)}, True),
    "a new apprenticeship begun the day of the break": (
        {"kind": StageKind.APPRENTICESHIP, "actual_start": BREAK_ON},
        True,
    ),
    "a new contract signed, not begun yet": ({"kind": StageKind.APPRENTICESHIP, "planned_start": day(9, 1)}, True),
    "a new apprenticeship planned before the break, begun after it": (
        {"kind": StageKind.APPRENTICESHIP, "planned_start": day(3, 10), "actual_start": day(3, 24)},
        True,
    ),
    "a job": ({"kind": StageKind.EMPLOYMENT, "actual_start": day(4, 1)}, True),
    "a qualifying training": ({"kind": StageKind.QUALIFYING_TRAINING, "actual_start": day(4, 1)}, True),
    "a pre-qualification": ({"kind": StageKind.PRE_QUALIFICATION, "planned_start": day(4, 1)}, True),
    "an immersion": ({"kind": StageKind.IMMERSION, "actual_start": day(4, 1)}, False),
    "an orientation": ({"kind": StageKind.ORIENTATION, "actual_start": day(4, 1)}, False),
    "a follow-up": ({"kind": StageKind.FOLLOW_UP, "actual_start": day(4, 1)}, False),
    "a cancelled new contract": (
        {"kind": StageKind.APPRENTICESHIP, "planned_start": day(4, 1), "cancelled": True},
        False,
    ),
    "a training begun before the break": ({"kind": StageKind.QUALIFYING_TRAINING, "actual_start": day(3, 10)}, False),
    "a training planned after the break but begun before it": (
        {"kind": StageKind.QUALIFYING_TRAINING, "planned_start": day(4, 1), "actual_start": day(3, 10)},
        False,
    ),
    "a plan whose date passed before the break": (
        {"kind": StageKind.APPRENTICESHIP, "planned_start": day(3, 10)},
        False,
    ),
    "a new apprenticeship in another pathway": (
        {"kind": StageKind.APPRENTICESHIP, "actual_start": day(4, 1), "other_pathway": True},
        False,
    ),
}


@pytest.mark.parametrize("next_stage, followed", NEXT_STAGES.values(), ids=NEXT_STAGES.keys())
def test_a_contract_break_is_out_of_the_rate_only_when_a_new_contract_or_stage_follows_it(place, next_stage, followed):
    broken = entrant(place, kind=StageKind.APPRENTICESHIP, employer=EmployerFactory(region=place.region))
    confirm(broken, Kind.CONTRACT_BREAK, by=place.user, on=BREAK_ON)
    pathway = broken.pathway
    if next_stage.get("other_pathway"):
        Pathway.objects.filter(pk=pathway.pk).update(status=Pathway.Status.CLOSED, closed_at=timezone.now())
        pathway = PathwayFactory(beneficiary=pathway.beneficiary, referent=place.user, opened_by=place.prescriber)
    started = next_stage.get("actual_start")
    if next_stage.get("cancelled"):
        dates = {"status": Status.CANCELLED, "actual_end": day(3, 25)}
    elif started:
        dates = {"status": Status.IN_PROGRESS, "actual_start": started}
    else:
        dates = {"status": Status.PLANNED}
    StageFactory(
        pathway=pathway,
        kind=next_stage["kind"],
        organisation=place.body,
        planned_start=next_stage.get("planned_start", started),
        planned_end=None,
        **dates,
    )

    figures = rate()
    assert (figures.contract_breaks, figures.contract_breaks_followed) == ((0, 1) if followed else (1, 0))
    assert figures.ruptures == (0 if followed else 1)


def test_an_interruption_or_a_positive_exit_is_shown_apart_and_never_in_the_rate(place):
    by = place.user
    declare(entrant(place), Kind.INTERRUPTION, by=by, on=day(3, 17), planned_resume=day(4, 14))
    confirm(entrant(place), Kind.POSITIVE_EXIT, by=by)
    entrant(place)
    entrant(place)

    assert rate() == RuptureRate(4, 0, 0, 0, 0, 0, 1, 1, 0.0)


# --------------------------------------------------------------------------------------------------------------
# Narrowing the cohort


@pytest.fixture
def offer(place):
    """Training bodies A and B, basins X and Y, programmes P and Q:

    - A in X under P: 4 entrants, 1 abandon;
    - A in Y under Q: 2 entrants, 1 abandon;
    - B in Y under P: 4 entrants, no rupture;
    - B, an apprenticeship outside any session, under Q: 1 entrant, excluded.
    """
    region, by = place.region, place.user
    a, b = place.body, OrganisationFactory(region=region)
    x, y = place.basin, BasinFactory(region=region)
    p, q = place.programme, ProgrammeFactory()

    def in_session(body, basin, programme, count):
        session = SessionFactory(
            training_action=TrainingActionFactory(training_body=body, basin=basin, programme=programme)
        )
        stages = [entrant(place, organisation=body, programme=programme) for _ in range(count)]
        for stage in stages:
            EnrolmentFactory(stage=stage, session=session)
        return stages

    confirm(in_session(a, x, p, 4)[0], Kind.ABANDON, by=by)
    confirm(in_session(a, y, q, 2)[0], Kind.ABANDON, by=by)
    in_session(b, y, p, 4)
    apprentice = entrant(place, kind=StageKind.APPRENTICESHIP, organisation=b, programme=q)
    confirm(apprentice, Kind.EXCLUSION, by=by)
    return {"A": a, "B": b, "X": x, "Y": y, "P": p, "Q": q}


FILTERS = {
    "everyone": ({}, 11, 3, 27.3),
    "basin X": ({"basin": "X"}, 4, 1, 25.0),
    "basin Y": ({"basin": "Y"}, 6, 1, 16.7),
    "training body A": ({"training_body": "A"}, 6, 2, 33.3),
    "training body B": ({"training_body": "B"}, 5, 1, 20.0),
    "programme P": ({"programme": "P"}, 8, 1, 12.5),
    "programme Q": ({"programme": "Q"}, 3, 2, 66.7),
    "training body A under programme Q": ({"training_body": "A", "programme": "Q"}, 2, 1, 50.0),
    "training body B in basin X": ({"training_body": "B", "basin": "X"}, 0, 0, None),
}


@pytest.mark.parametrize("filters, entrant_count, ruptures, expected", FILTERS.values(), ids=FILTERS.keys())
def test_the_cohort_narrows_to_a_basin_a_training_body_or_a_programme(
    offer, filters, entrant_count, ruptures, expected
):
    figures = rate(stages=cohort_for(**{name: offer[key] for name, key in filters.items()}))

    assert (figures.entrants, figures.ruptures, figures.rate) == (entrant_count, ruptures, expected)


def test_the_filters_take_primary_keys_as_well_as_instances(offer):
    assert rate(stages=cohort_for(basin=offer["Y"].pk, training_body=offer["A"].pk)).entrants == 2


def test_a_stages_queryset_whose_joins_repeat_rows_counts_each_stage_once(place):
    pathway = PathwayFactory(referent=place.user, opened_by=place.prescriber)
    first = entrant(place, pathway=pathway)
    entrant(place, day(4, 1), pathway=pathway)
    confirm(first, Kind.ABANDON, by=place.user)
    # one row per (stage, stage of the same pathway): each stage appears twice
    repeated = Stage.objects.filter(pathway__stages__kind=StageKind.QUALIFYING_TRAINING)
    assert repeated.count() == 4

    assert (rate(stages=repeated).entrants, rate(stages=repeated).ruptures) == (2, 1)


# (The checklist split is tested with the checklist's figures: tests/checklist/test_stats.py.)


@dataclass
class Support:
    """A speaking group on the place's training body, with one workshop-maker and one drop-in slot."""

    place: Place
    group: SpeakingGroup
    session: object
    slot: DropInSlot

    def workshop(self, on, *, cancelled=False) -> Workshop:
        return Workshop.objects.create(
            group=self.group,
            session=self.session,
            date=on,
            start_time=datetime.time(14),
            end_time=datetime.time(16),
            theme="Atelier",
            cancelled_at=timezone.now() if cancelled else None,
        )

    def attended_workshop(self, stage, on, *, cancelled=False):
        WorkshopAttendance.objects.create(workshop=self.workshop(on, cancelled=cancelled), stage=stage)

    def drop_in(self, stage, on, status=DropInBooking.Status.ATTENDED):
        DropInBooking.objects.create(
            slot=self.slot,
            date=on,
            stage=stage,
            requested_via=DropInBooking.RequestedVia.PHONE,
            agreement_recorded=True,
            status=status,
        )


@pytest.fixture
def support(place):
    structure = OrganisationFactory(region=place.region, support=True)
    group = SpeakingGroup.objects.create(support_organisation=structure, training_body=place.body, name="Groupe")
    slot = DropInSlot.objects.create(
        group=group, weekday=DropInSlot.Weekday.TUESDAY, start_time=datetime.time(10), place="Salle 2", starts_on=START
    )
    return Support(place=place, group=group, session=SessionFactory(), slot=slot)


def participants() -> RuptureRate:
    return rate(speaking_group_participant=True)


def non_participants() -> RuptureRate:
    return rate(speaking_group_participant=False)


def test_seed_000_no_participant_broke_their_pathway(place, support):
    """Seed 000: 353 entrants, 25 ruptures (7.1 %); none among the 40 who took part in the speaking groups (30 came
    to a workshop, 10 to a drop-in), so the 25 are among the 313 others (8.0 %)."""
    stages = bulk_entrants(place, 353)
    workshop = support.workshop(day(3, 10))
    WorkshopAttendance.objects.bulk_create(WorkshopAttendance(workshop=workshop, stage=s) for s in stages[:30])
    for stage in stages[30:40]:
        support.drop_in(stage, day(4, 8))
    confirm_all(stages[40:62], Kind.ABANDON, by=place.user)
    confirm_all(stages[62:65], Kind.EXCLUSION, by=place.user)

    assert participants() == RuptureRate(40, 0, 0, 0, 0, 0, 0, 0, 0.0)
    assert non_participants() == RuptureRate(313, 25, 22, 3, 0, 0, 0, 0, 8.0)
    assert rate().rate == 7.1


def test_a_workshop_or_a_drop_in_attended_during_the_stage_makes_a_participant(place, support):
    by_workshop, by_drop_in, on_the_day_it_broke, neither = (entrant(place) for _ in range(4))
    support.attended_workshop(by_workshop, MARCH)  # the first day counts
    support.drop_in(by_drop_in, day(5, 6))
    confirm(on_the_day_it_broke, Kind.ABANDON, by=place.user, on=day(4, 1))
    support.attended_workshop(on_the_day_it_broke, day(4, 1))

    assert participants() == RuptureRate(3, 1, 1, 0, 0, 0, 0, 0, 33.3)
    assert non_participants() == RuptureRate(1, 0, 0, 0, 0, 0, 0, 0, 0.0)


def test_attending_after_the_rupture_does_not_make_a_participant(place, support):
    stage = entrant(place)
    confirm(stage, Kind.ABANDON, by=place.user, on=day(4, 1))
    support.attended_workshop(stage, day(4, 2))
    support.drop_in(stage, day(4, 15))

    assert participants().entrants == 0
    assert non_participants() == RuptureRate(1, 1, 1, 0, 0, 0, 0, 0, 100.0)


def test_attending_before_the_start_or_after_the_end_of_the_stage_does_not_count(place, support):
    early = entrant(place)
    support.attended_workshop(early, day(3, 2))  # the eve of its start
    ended = entrant(place)
    Stage.objects.filter(pk=ended.pk).update(status=Status.COMPLETED, actual_end=day(5, 31))
    support.drop_in(ended, day(6, 3))

    assert participants().entrants == 0
    assert non_participants().entrants == 2


def test_without_rupture_or_end_the_window_runs_to_today(place, support):
    stage = entrant(place)
    support.drop_in(stage, day(12, 2))  # long after the period: still during the stage

    assert participants().entrants == 1


@pytest.mark.parametrize(
    "status", [DropInBooking.Status.BOOKED, DropInBooking.Status.NO_SHOW, DropInBooking.Status.CANCELLED]
)
def test_a_drop_in_booked_missed_or_cancelled_is_not_attended(place, support, status):
    support.drop_in(entrant(place), day(4, 8), status=status)

    assert (participants().entrants, non_participants().entrants) == (0, 1)


def test_a_cancelled_workshop_is_not_attended(place, support):
    support.attended_workshop(entrant(place), day(4, 8), cancelled=True)

    assert (participants().entrants, non_participants().entrants) == (0, 1)


def test_attending_several_times_counts_the_person_once(place, support):
    stage = entrant(place)
    support.attended_workshop(stage, day(3, 10))
    support.attended_workshop(stage, day(3, 24))
    support.drop_in(stage, day(4, 8))

    assert participants().entrants == 1


def test_the_split_takes_the_same_few_queries(place, support, django_assert_max_num_queries):
    stages = bulk_entrants(place, 50)
    workshop = support.workshop(day(3, 10))
    WorkshopAttendance.objects.bulk_create(WorkshopAttendance(workshop=workshop, stage=s) for s in stages[:20])
    confirm_all(stages[20:25], Kind.ABANDON, by=place.user)

    with django_assert_max_num_queries(2):
        assert participants().entrants == 20
    with django_assert_max_num_queries(2):
        assert non_participants().ruptures == 5


# --------------------------------------------------------------------------------------------------------------
# Re-engagement after a rupture


def broken(place, kind=Kind.ABANDON, on=None) -> Rupture:
    """An entrant of 3 March whose rupture of `kind` occurred on `on` (default: 23 March)."""
    return confirm(entrant(place), kind, by=place.user, on=on or day(3, 23))


def chain(place, rupture, start, *, kind=StageKind.QUALIFYING_TRAINING, **extra) -> Stage:
    """A stage of the rupture's pathway starting on `start` (in progress, or planned when `planned=True`)."""
    if extra.pop("planned", False):
        values = {"planned_start": start, "status": Status.PLANNED}
    else:
        values = {"planned_start": start, "actual_start": start, "status": Status.IN_PROGRESS}
    return StageFactory(pathway=rupture.stage.pathway, kind=kind, organisation=place.body, **(values | extra))


def days_after(rupture, n) -> datetime.date:
    return rupture.occurred_on + datetime.timedelta(days=n)


def again(**filters) -> ReEngagement:
    return re_engagement(start=START, end=END, **filters)


@pytest.mark.parametrize(
    "after, within_3, within_6",
    [(1, 1, 1), (90, 1, 1), (91, 0, 1), (180, 0, 1), (181, 0, 0)],
)
def test_a_stage_chained_within_the_window_is_a_re_engagement(place, after, within_3, within_6):
    rupture = broken(place)
    chain(place, rupture, days_after(rupture, after))

    assert again() == ReEngagement(ruptures=1, within_3_months=within_3, within_6_months=within_6)


@pytest.mark.parametrize("after, within_3, within_6", [(30, 1, 1), (90, 1, 1), (91, 0, 1), (181, 0, 0)])
def test_a_positive_exit_within_the_window_is_a_re_engagement(place, after, within_3, within_6):
    rupture = broken(place)
    before = days_after(rupture, -60)
    chain(
        place,
        rupture,
        before,
        status=Status.POSITIVE_EXIT,
        actual_end=days_after(rupture, after),
        exit_destination=Stage.ExitDestination.JOB,
    )

    assert (again().within_3_months, again().within_6_months) == (within_3, within_6)


def test_a_planned_stage_counts_from_its_planned_start(place):
    rupture = broken(place)
    chain(place, rupture, days_after(rupture, 45), planned=True)

    assert again().within_3_months == 1


def test_what_is_not_a_re_engagement(place):
    same_day = broken(place)
    chain(place, same_day, same_day.occurred_on)  # starts on the rupture's day, not after it
    cancelled = broken(place)
    chain(place, cancelled, days_after(cancelled, 10), planned=True, status=Status.CANCELLED, actual_end=day(4, 1))
    alongside = broken(place)
    chain(place, alongside, days_after(alongside, -10))  # began before the rupture
    elsewhere = broken(place)
    Pathway.objects.filter(pk=elsewhere.stage.pathway_id).update(status=Pathway.Status.CLOSED, closed_at=timezone.now())
    StageFactory(  # a later, different pathway of the same person
        pathway=PathwayFactory(beneficiary=elsewhere.stage.pathway.beneficiary, referent=place.user),
        kind=StageKind.QUALIFYING_TRAINING,
        organisation=place.body,
        planned_start=days_after(elsewhere, 10),
        actual_start=days_after(elsewhere, 10),
        status=Status.IN_PROGRESS,
    )

    assert again() == ReEngagement(ruptures=4, within_3_months=0, within_6_months=0)


def test_only_the_ruptures_the_rate_counts_are_followed(place):
    for kind in (Kind.INTERRUPTION, Kind.POSITIVE_EXIT, Kind.EXCLUSION):
        rupture = broken(place, kind)
        chain(place, rupture, days_after(rupture, 20))
    followed_break = broken(place, Kind.CONTRACT_BREAK)
    chain(place, followed_break, days_after(followed_break, 20), kind=StageKind.APPRENTICESHIP)

    figures = again()
    assert figures == ReEngagement(ruptures=1, within_3_months=1, within_6_months=1)
    assert (figures.rate_3_months, figures.rate_6_months) == (100.0, 100.0)
    assert rate().ruptures == figures.ruptures


def test_re_engagement_with_a_post_rupture_case_and_without(place):
    structure = OrganisationFactory(region=place.region, support=True)
    with_case = [broken(place) for _ in range(3)]
    without_case = [broken(place) for _ in range(4)]
    for rupture in with_case:
        PostRuptureCase.objects.create(rupture=rupture, support_organisation=structure)
    chain(place, with_case[0], days_after(with_case[0], 60))
    chain(place, with_case[1], days_after(with_case[1], 120))
    chain(place, without_case[0], days_after(without_case[0], 150))

    helped = again(with_post_rupture_case=True)
    alone = again(with_post_rupture_case=False)
    assert helped == ReEngagement(ruptures=3, within_3_months=1, within_6_months=2)
    assert (helped.rate_3_months, helped.rate_6_months) == (33.3, 66.7)
    assert alone == ReEngagement(ruptures=4, within_3_months=0, within_6_months=1)
    assert (alone.rate_3_months, alone.rate_6_months) == (0.0, 25.0)


def test_no_rupture_no_re_engagement_rate(place):
    entrant(place)

    figures = again()
    assert figures == ReEngagement(0, 0, 0)
    assert figures.rate_3_months is None


@pytest.mark.parametrize("size", [10, 100])
def test_re_engagement_takes_one_query_whatever_the_number_of_ruptures(place, size, django_assert_max_num_queries):
    stages = bulk_entrants(place, size)
    ruptures = confirm_all(stages, Kind.ABANDON, by=place.user)
    Stage.objects.bulk_create(
        Stage(
            pathway_id=r.stage.pathway_id,
            kind=StageKind.QUALIFYING_TRAINING,
            organisation=place.body,
            planned_start=days_after(r, 100),
        )
        for r in ruptures[::2]
    )

    with django_assert_max_num_queries(1):
        figures = again()
    assert figures == ReEngagement(size, 0, size // 2)


# --------------------------------------------------------------------------------------------------------------
# Figures


def test_seed_000_reference_figure_353_entrants_and_25_ruptures_is_7_1_percent(place):
    stages = bulk_entrants(place, 353)
    by = place.user
    confirm_all(stages[:22], Kind.ABANDON, by=by)
    confirm_all(stages[22:25], Kind.EXCLUSION, by=by)
    confirm_all(stages[25:29], Kind.INTERRUPTION, by=by)
    confirm_all(stages[29:35], Kind.POSITIVE_EXIT, by=by)

    assert rate() == RuptureRate(353, 25, 22, 3, 0, 0, 4, 6, 7.1)


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [
        (25, 353, 7.1),
        (1, 8, 12.5),
        (1, 400, 0.3),
        (49, 1000, 4.9),
        (1, 3, 33.3),
        (2, 3, 66.7),
        (0, 5, 0.0),
        (0, 0, None),
    ],
)
def test_a_percentage_has_one_decimal_rounded_half_up(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


@pytest.mark.parametrize("size", [10, 300])
def test_the_rate_takes_the_same_few_queries_whatever_the_size_of_the_cohort(
    place, size, django_assert_max_num_queries
):
    """Every tenth entrant of each kind: an abandon, an exclusion, a followed break, an unfollowed break, an
    interruption, a positive exit; the rest go on."""
    stages = bulk_entrants(place, size)
    by = place.user
    tenth = {i: stages[i::10] for i in range(6)}
    confirm_all(tenth[0], Kind.ABANDON, by=by)
    confirm_all(tenth[1], Kind.EXCLUSION, by=by)
    confirm_all(tenth[2] + tenth[3], Kind.CONTRACT_BREAK, by=by)
    Stage.objects.bulk_create(
        Stage(
            pathway_id=stage.pathway_id,
            kind=StageKind.APPRENTICESHIP,
            organisation=place.body,
            planned_start=END + datetime.timedelta(days=10),
        )
        for stage in tenth[2]
    )
    confirm_all(tenth[4], Kind.INTERRUPTION, by=by)
    confirm_all(tenth[5], Kind.POSITIVE_EXIT, by=by)
    n = size // 10

    with django_assert_max_num_queries(4):
        figures = rate()
    with django_assert_max_num_queries(4):
        narrowed = rate(stages=cohort_for(training_body=place.body, programme=place.programme))

    assert figures == narrowed == RuptureRate(size, 3 * n, n, n, n, n, n, n, 30.0)
