"""The speaking groups' figures on hand-built sessions whose answers are known: participation, the rupture rate among
participants vs non-participants (the rate's own function), "< 5" outside the support structure, query counts."""

import datetime

import pytest

from pathways.models import Stage
from ruptures.models import Cause, Rupture
from ruptures.rates import RuptureRate
from speaking_groups.models import DropInBooking, DropInSlot, SpeakingGroup, Workshop, WorkshopAttendance
from speaking_groups.stats import group_participation, participants_shown, participation, shown_count
from tests.accounts.factories import UserFactory
from tests.pathways.factories import EnrolmentFactory, OrganisationFactory, SessionFactory, StageFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 3, 3)


def on(month, day):
    return datetime.date(2025, month, day)


def enrolled(session, count):
    stages = []
    for _ in range(count):
        stage = StageFactory(
            kind=Stage.Kind.QUALIFYING_TRAINING,
            organisation=session.training_action.training_body,
            planned_start=START,
            actual_start=START,
            status=Stage.Status.IN_PROGRESS,
        )
        EnrolmentFactory(stage=stage, session=session)
        stages.append(stage)
    return stages


def abandon(stage, day):
    Stage.objects.filter(pk=stage.pk).update(status=Stage.Status.ABANDONED, actual_end=day)
    Rupture.objects.create(
        stage=stage,
        kind=Rupture.Kind.ABANDON,
        occurred_on=day,
        main_cause=Cause.CONDITIONS_TRANSPORT,
        identified_by=Rupture.IdentifiedBy.TRAINER,
        declared_by=UserFactory(),
    )


@pytest.fixture
def setting(db):
    session = SessionFactory(start_date=START, end_date=on(9, 30))
    body = session.training_action.training_body
    group = SpeakingGroup.objects.create(
        support_organisation=OrganisationFactory(region=body.region, support=True), training_body=body, name="G"
    )
    group.sessions.add(session)
    workshop = Workshop.objects.create(
        group=group,
        session=session,
        date=on(3, 17),
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        theme="Atelier",
    )
    slot = DropInSlot.objects.create(
        group=group, weekday=DropInSlot.Weekday.MONDAY, start_time=datetime.time(10), place="Salle", starts_on=START
    )
    return session, group, workshop, slot


def attend(workshop, stages):
    WorkshopAttendance.objects.bulk_create(WorkshopAttendance(workshop=workshop, stage=s) for s in stages)


def drop_in(slot, stage, day, status=DropInBooking.Status.ATTENDED):
    DropInBooking.objects.create(
        slot=slot, date=day, stage=stage, requested_via="phone", agreement_recorded=True, status=status
    )


def test_participation_and_the_rupture_rate_of_participants_and_the_others(setting):
    """10 people: 3 at the workshop, 1 at a drop-in, 1 whose drop-in was a no-show; 2 of the 6 others broke, and one
    participant who came to the workshop only after breaking is not one."""
    session, group, workshop, slot = setting
    people = enrolled(session, 10)
    attend(workshop, people[:3])
    drop_in(slot, people[3], on(4, 7))
    drop_in(slot, people[4], on(4, 14), status=DropInBooking.Status.NO_SHOW)
    abandon(people[5], on(4, 1))
    abandon(people[6], on(3, 10))
    attend(workshop, [people[6]])  # 17 March, after the rupture of 10 March

    figures = participation(sessions=[session])

    assert (figures.entrants, figures.participants, figures.share) == (10, 4, 40.0)
    assert figures.participants_rate == RuptureRate(4, 0, 0, 0, 0, 0, 0, 0, 0.0)
    assert figures.non_participants_rate == RuptureRate(6, 2, 2, 0, 0, 0, 0, 0, 33.3)
    assert group_participation(group) == figures


def test_people_of_other_sessions_are_not_counted(setting):
    session, group, workshop, slot = setting
    attend(workshop, enrolled(session, 2))
    enrolled(SessionFactory(), 3)

    figures = participation(sessions=[session])
    assert (figures.entrants, figures.participants) == (2, 2)


def test_a_period_narrows_the_entrants(setting):
    session, _, workshop, _ = setting
    attend(workshop, enrolled(session, 2))

    assert participation(sessions=[session], start=on(4, 1), end=on(6, 30)).entrants == 0
    assert participation(sessions=[session], start=on(3, 1), end=on(3, 31)).entrants == 2


def test_no_entrant_no_share(setting):
    assert participation(sessions=[setting[0]]).share is None


@pytest.mark.parametrize("size", [5, 40])
def test_participation_takes_the_same_few_queries_whatever_the_size(setting, size, django_assert_max_num_queries):
    session, _, workshop, _ = setting
    people = enrolled(session, size)
    attend(workshop, people[::2])

    with django_assert_max_num_queries(4):
        figures = participation(sessions=[session])
    assert figures.participants == (size + 1) // 2


@pytest.mark.parametrize(
    "value, owner, shown",
    [(0, False, "0"), (1, False, "< 5"), (4, False, "< 5"), (5, False, "5"), (12, False, "12"), (3, True, "3")],
)
def test_a_count_under_five_is_hidden_outside_the_owning_organisation(value, owner, shown):
    assert shown_count(value, owner=owner) == shown


def test_the_training_body_sees_the_number_of_participants_masked_under_five(setting, django_assert_max_num_queries):
    session, group, workshop, slot = setting
    people = enrolled(session, 7)
    attend(workshop, people[:3])
    drop_in(slot, people[3], on(4, 7))

    with django_assert_max_num_queries(1):
        assert participants_shown(group) == "< 5"
    assert participants_shown(group, owner=True) == "4"

    attend(
        Workshop.objects.create(
            group=group, session=session, date=on(4, 2), start_time=datetime.time(9), end_time=datetime.time(10)
        ),
        people[3:6],
    )
    assert participants_shown(group) == "6"
