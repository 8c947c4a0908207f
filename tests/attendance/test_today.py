"""The attendance page on a day without a session (issue 21): the last and next session days, and the sheets still
to fill (past session days where someone expected has no mark), most recent first, bounded, scoped to the user's
sessions, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from attendance.models import CompanyPeriod, Mark
from attendance.services import calendar_generate
from attendance.sheet import SHEETS_TO_FILL_DAYS, sheets_to_fill
from pathways.models import Membership, Session, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import OrganisationFactory, SessionFactory, TrainingActionFactory

SATURDAY = datetime.date(2026, 5, 16)  # the klass's session runs Monday to Friday; 14 May is Ascension Thursday
DAYS_BEFORE = [datetime.date(2026, 5, d) for d in (15, 13, 12, 11, 7, 6, 5, 4)]  # 8 May and 14 May are holidays


@pytest.fixture
def saturday(frozen):
    frozen(SATURDAY)
    return SATURDAY


def page(client, user):
    response = client(user).get(reverse("attendance:today"))
    assert response.status_code == 200
    return response


def to_fill(response):
    return [(item.session.pk, item.day, item.unmarked) for item in response.context["to_fill"]]


def test_a_day_without_a_session_offers_the_last_and_next_days_and_the_sheets_to_fill(klass, saturday, client_for):
    inès, karim, zoé = klass.stages
    for stage in klass.stages:
        klass.mark(stage, datetime.date(2026, 5, 15), "present")
        klass.mark(stage, datetime.date(2026, 5, 13), "present")
    klass.mark(inès, datetime.date(2026, 5, 12), "present")
    klass.mark(karim, datetime.date(2026, 5, 12), "present")
    klass.mark(zoé, datetime.date(2026, 5, 12), "present", periods=("am",))  # her afternoon is missing
    response = page(client_for, klass.trainer)

    assert [(s.session.pk, s.day) for s in response.context["last_days"]] == [
        (klass.session.pk, datetime.date(2026, 5, 15))
    ]
    assert [(s.session.pk, s.day) for s in response.context["next_days"]] == [
        (klass.session.pk, datetime.date(2026, 5, 18))
    ]
    assert to_fill(response) == [
        (klass.session.pk, datetime.date(2026, 5, 12), 1),
        (klass.session.pk, datetime.date(2026, 5, 11), 2),
        (klass.session.pk, datetime.date(2026, 5, 7), 2),
        (klass.session.pk, datetime.date(2026, 5, 6), 2),
        (klass.session.pk, datetime.date(2026, 5, 5), 2),
        (klass.session.pk, datetime.date(2026, 5, 4), 2),
    ]
    html = response.content.decode()
    for day in ("2026-05-15", "2026-05-18", "2026-05-12", "2026-05-04"):
        assert reverse("attendance:sheet", args=[klass.session.pk, day]) in html
    assert reverse("attendance:sheet", args=[klass.session.pk, "2026-05-13"]) not in html
    assert "Dernier jour de session : vendredi 15 mai 2026" in html
    assert "Prochain jour de session : lundi 18 mai 2026" in html
    assert "1 demi-journée à compléter" in html


def test_who_is_not_expected_leaves_nothing_to_fill(klass, saturday, client_for):
    inès, karim, zoé = klass.stages
    for day in DAYS_BEFORE:
        klass.mark(inès, day, "present")
    # Karim is suspended (his row is paused on the sheet); Zoé is in a company every day; the whole group is in a
    # company on 4 and 5 May; 6 May's afternoon is cancelled and its morning marked for Inès only.
    Stage.objects.filter(pk=karim.pk).update(
        status=Stage.Status.SUSPENDED, suspended_since=DAYS_BEFORE[-1], planned_resume=datetime.date(2026, 6, 1)
    )
    CompanyPeriod.objects.create(
        session=klass.session, stage=zoé, kind="immersion", start_date=DAYS_BEFORE[-1], end_date=SATURDAY
    )
    assert to_fill(page(client_for, klass.trainer)) == []

    Stage.objects.filter(pk=karim.pk).update(status=Stage.Status.IN_PROGRESS, suspended_since=None, planned_resume=None)
    CompanyPeriod.objects.all().delete()
    CompanyPeriod.objects.create(
        session=klass.session,
        kind="alternance",
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 5),
    )
    klass.session.slots.filter(date=datetime.date(2026, 5, 6), period="pm").update(cancelled=True)
    assert [(day, n) for _pk, day, n in to_fill(page(client_for, klass.trainer))] == [
        (datetime.date(2026, 5, 15), 2),
        (datetime.date(2026, 5, 13), 2),
        (datetime.date(2026, 5, 12), 2),
        (datetime.date(2026, 5, 11), 2),
        (datetime.date(2026, 5, 7), 2),
        (datetime.date(2026, 5, 6), 1),
    ]


def test_the_sheets_to_fill_are_bounded_most_recent_first(klass, saturday):
    sessions = Session.objects.all()
    assert [item.day for item in sheets_to_fill(sessions, SATURDAY, limit=3)] == DAYS_BEFORE[:3]
    # Nor further back than SHEETS_TO_FILL_DAYS: the session's last day (26 June) is in 60 days after, not 61.
    last = datetime.date(2026, 6, 26)
    assert sheets_to_fill(sessions, last + datetime.timedelta(days=SHEETS_TO_FILL_DAYS))[0].day == last
    assert sheets_to_fill(sessions, last + datetime.timedelta(days=SHEETS_TO_FILL_DAYS + 1)) == []


def other_session(body, title, weekdays=31):
    session = SessionFactory(
        training_action=TrainingActionFactory(training_body=body, title=title),
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 6, 26),
        weekdays=weekdays,
    )
    calendar_generate(session=session)
    return session


def test_the_days_and_sheets_are_those_of_the_users_sessions(klass, saturday, client_for):
    from tests.pathways.factories import EnrolmentFactory, StageFactory

    # Another training body's session, with someone enrolled and nothing marked: never offered to the klass's staff.
    elsewhere = OrganisationFactory(name="Autre OF")
    foreign = other_session(elsewhere, "Ailleurs", weekdays=127)  # it even runs on Saturdays
    EnrolmentFactory(
        session=foreign,
        stage=StageFactory(
            organisation=elsewhere,
            status=Stage.Status.IN_PROGRESS,
            actual_start=datetime.date(2026, 5, 4),
            planned_start=datetime.date(2026, 5, 4),
        ),
    )
    response = page(client_for, klass.trainer)
    assert {pk for pk, _day, _n in to_fill(response)} == {klass.session.pk}
    assert foreign.pk not in {s.session.pk for s in response.context["last_days"] + response.context["next_days"]}
    # Its own trainer has a session today: the sessions, not the offers.
    outsider = Membership.objects.create(user=UserFactory(), organisation=elsewhere, role=Membership.Role.TRAINER).user
    response = page(client_for, outsider)
    assert [s.pk for s in response.context["sessions"]] == [foreign.pk]
    assert "to_fill" not in response.context

    # A trainer who trains some sessions of the body sees those; one who trains none (a manager) sees them all.
    second = other_session(klass.body, "Second groupe")
    EnrolmentFactory(
        session=second,
        stage=StageFactory(
            organisation=klass.body, status=Stage.Status.PLANNED, planned_start=datetime.date(2026, 5, 11)
        ),
    )
    second.trainers.add(klass.trainer)
    response = page(client_for, klass.trainer)
    assert {pk for pk, _day, _n in to_fill(response)} == {second.pk}
    assert [(s.session.pk, s.day) for s in response.context["next_days"]] == [(second.pk, datetime.date(2026, 5, 18))]
    response = page(client_for, klass.manager)
    assert {pk for pk, _day, _n in to_fill(response)} == {klass.session.pk, second.pk}
    assert [s.session.training_action.title for s in response.context["last_days"]] == ["CAP Cuisine", "Second groupe"]


def test_a_session_without_any_day_left_says_so(klass, saturday, client_for):
    klass.session.slots.all().delete()
    response = page(client_for, klass.trainer)
    assert response.context["last_days"] == response.context["next_days"] == to_fill(response) == []
    assert "Aucune de vos sessions n'a de jour au calendrier." in response.content.decode()


@pytest.mark.parametrize("sessions,limit,listed", [(1, 11, 8), (6, 11, 10)])
def test_a_day_without_a_session_runs_a_fixed_number_of_queries(
    klass, saturday, client_for, django_assert_max_num_queries, sessions, limit, listed
):
    from tests.pathways.factories import EnrolmentFactory, StageFactory

    for n in range(sessions - 1):
        session = other_session(klass.body, f"Groupe {n}")
        for _ in range(3):
            EnrolmentFactory(
                session=session,
                stage=StageFactory(
                    organisation=klass.body,
                    status=Stage.Status.IN_PROGRESS,
                    actual_start=datetime.date(2026, 5, 4),
                    planned_start=datetime.date(2026, 5, 4),
                ),
            )
    Mark.objects.all().delete()
    client = client_for(klass.trainer)
    with django_assert_max_num_queries(limit):
        response = client.get(reverse("attendance:today"))
    assert len(response.context["to_fill"]) == listed
