"""The read API on hand-built data whose answer is known, and its query counts at two data sizes."""

import datetime

import pytest
from django.utils import timezone

from dashboards import figures, rollups
from dashboards.figures import Scope
from dashboards.models import AlertFact, RollupStamp
from pathways.models import Stage
from ruptures.models import Cause, Rupture
from ruptures.rates import RuptureRate
from tests.ruptures.test_rates import bulk_entrants, confirm, confirm_all, day, entrant

Kind = Rupture.Kind
Status = Stage.Status
Q1 = (day(1, 1), day(3, 31))
YEAR = (day(1, 1), day(12, 31))


def test_the_rate_by_month_and_by_organisation_with_labels(place):
    january = [entrant(place, day(1, 15)) for _ in range(4)]
    march = [entrant(place, day(3, 3)) for _ in range(2)]
    confirm(january[0], Kind.ABANDON, by=place.user)
    confirm(march[0], Kind.EXCLUSION, by=place.user)
    rollups.rebuild()

    months = figures.breakdown(Scope(), *Q1, "month")
    assert [(row.key, row.label, row.rate.entrants, row.rate.ruptures) for row in months] == [
        (day(1, 1), "janvier 2025", 4, 1),
        (day(3, 1), "mars 2025", 2, 1),
    ]
    by_body = figures.breakdown(Scope(), day(1, 10), day(3, 20), "organisation")  # a custom period: daily rows
    assert [(row.key, row.label, row.rate.rate) for row in by_body] == [(place.body.pk, place.body.name, 33.3)]
    with pytest.raises(ValueError):
        figures.breakdown(Scope(), *Q1, "weekday")


def test_the_training_body_table_leaves_out_stages_held_by_other_organisations_and_names_stages_outside_sessions(
    place,
):
    entrant(place, day(1, 15))
    entrant(place, day(1, 16), kind=Stage.Kind.ORIENTATION, organisation=place.prescriber)
    rollups.rebuild()

    by_body = figures.breakdown(Scope(), *Q1, "training_body")
    assert [(row.key, row.rate.entrants) for row in by_body] == [(place.body.pk, 1)]
    assert {row.key for row in figures.breakdown(Scope(), *Q1, "organisation")} == {place.body.pk, place.prescriber.pk}
    (outside,) = figures.breakdown(Scope(), *Q1, "training_action")
    assert (outside.key, outside.label, outside.rate.entrants) == (
        None,
        "Hors session (en entreprise, emploi, immersion…)",
        2,
    )


def test_a_prescribers_scope_reads_the_facts(place):
    from tests.pathways.factories import OrganisationFactory, PathwayFactory

    other = OrganisationFactory(region=place.region, prescriber=True)
    mine = [entrant(place, pathway=PathwayFactory(prescribing_organisation=place.prescriber)) for _ in range(3)]
    entrant(place, pathway=PathwayFactory(prescribing_organisation=other))
    confirm(mine[0], Kind.ABANDON, by=place.user)
    rollups.rebuild()
    assert figures.rate(Scope(prescriber_id=place.prescriber.pk), *YEAR) == RuptureRate(3, 1, 1, 0, 0, 0, 0, 0, 33.3)
    assert figures.rate(Scope(), *YEAR).entrants == 4


def test_causes_by_kind_family_and_sub_cause(place):
    by = place.user
    stages = [entrant(place) for _ in range(4)]
    confirm_all(stages[:2], Kind.ABANDON, by=by)  # conditions.transport
    exclusion = confirm(stages[2], Kind.EXCLUSION, by=by)
    Rupture.objects.filter(pk=exclusion.pk).update(main_cause=Cause.PROJECT_ORIENTATION)
    confirm(stages[3], Kind.POSITIVE_EXIT, by=by)
    rollups.rebuild()

    shown = figures.causes(Scope(), *YEAR)
    assert [(c.code, c.ruptures, c.counted) for c in shown.by_kind] == [
        (Kind.POSITIVE_EXIT, 1, 0),
        (Kind.ABANDON, 2, 2),
        (Kind.EXCLUSION, 1, 1),
    ]
    assert [(c.code, str(c.label), c.ruptures, c.counted) for c in shown.by_family] == [
        ("project", "Construction du projet", 1, 1),
        ("conditions", "Conditions de participation", 3, 2),
    ]
    assert [(c.code, c.ruptures) for c in shown.by_cause] == [
        (Cause.PROJECT_ORIENTATION, 1),
        (Cause.CONDITIONS_TRANSPORT, 3),
    ]


def ended(place, start, end, *, status=Status.COMPLETED, pathway=None, **extra) -> Stage:
    stage = entrant(place, start, pathway=pathway)
    Stage.objects.filter(pk=stage.pk).update(status=status, actual_end=end, **extra)
    stage.refresh_from_db()
    return stage


def test_activity_pathways_entrants_exits_waits_and_caseloads(place):
    first = ended(place, day(1, 6), day(1, 17))
    entrant(place, day(1, 20), pathway=first.pathway)  # waited 3 days
    ended(place, day(2, 3), day(2, 20), status=Status.POSITIVE_EXIT, exit_destination=Stage.ExitDestination.JOB)
    earlier = ended(place, day(2, 1), day(2, 5))
    entrant(place, day(3, 27), pathway=earlier.pathway)  # waited 50 days
    entrant(place, day(5, 4))  # after the quarter
    rollups.rebuild()

    shown = figures.activity(Scope(), *Q1)
    assert (shown.active_pathways, shown.entrants) == (3, 5)
    assert [(row.status, row.destination, row.count) for row in shown.exits] == [
        (Status.COMPLETED, "", 2),
        (Status.POSITIVE_EXIT, "job", 1),
    ]
    assert shown.exits_total == 3
    assert (shown.waits, shown.wait_median_days, shown.waits_over_30_days, shown.waits_over_30_days_share) == (
        2,
        26.5,
        1,
        50.0,
    )
    assert (shown.referents, shown.referents_under_15, shown.caseload_median) == (1, 1, 3)


def test_referents_caseloads_fall_in_bands_around_15_to_20(place):
    from tests.accounts.factories import UserFactory
    from tests.pathways.factories import PathwayFactory

    for size in (3, 15, 20, 21):
        referent = UserFactory()
        for _ in range(size):
            entrant(place, day(2, 2), pathway=PathwayFactory(referent=referent))
    rollups.rebuild()
    shown = figures.activity(Scope(), *Q1)
    assert (shown.referents_under_15, shown.referents_15_to_20, shown.referents_over_20) == (1, 2, 1)
    assert shown.caseload_median == 17.5


def alert_fact(place, stage, n, *, created, from_absence=None, to_ack=None, within=False, escalated=False):
    return AlertFact.objects.create(
        alert_id=n,
        stage=stage,
        region=place.region,
        basin=None,
        organisation=place.prescriber,
        kind="rupture",
        created_at=created,
        acknowledged_at=created + datetime.timedelta(hours=to_ack) if to_ack is not None else None,
        escalated=escalated,
        acknowledged_within_2_working_days=within,
        hours_from_first_absence=from_absence,
        hours_to_acknowledgement=to_ack,
    )


def test_reactivity_medians_shares_and_follow_ups(place):
    stages = [entrant(place) for _ in range(3)]
    confirm_all(stages, Kind.ABANDON, by=place.user)
    rollups.rebuild()
    from dashboards.models import StageFact

    StageFact.objects.filter(stage=stages[0]).update(follow_ups_before_rupture=3)
    StageFact.objects.filter(stage=stages[1]).update(follow_ups_before_rupture=1)
    AlertFact.objects.all().delete()
    moment = timezone.make_aware(datetime.datetime(2025, 3, 20, 10))
    alert_fact(place, stages[0], 1, created=moment, from_absence=24, to_ack=2, within=True)
    alert_fact(place, stages[1], 2, created=moment, from_absence=48, to_ack=80, escalated=True)
    alert_fact(place, stages[2], 3, created=moment, from_absence=None, to_ack=None, escalated=True)
    alert_fact(place, stages[2], 4, created=moment.replace(year=2024))  # before the period

    shown = figures.reactivity(Scope(region_id=place.region.pk), *YEAR)
    assert shown.alerts == 3
    assert (shown.median_hours_from_first_absence, shown.median_hours_to_acknowledgement) == (36, 41)
    assert (shown.acknowledged_within_2_working_days_share, shown.escalated_share) == (33.3, 66.7)
    assert (shown.ruptures, shown.ruptures_with_follow_up, shown.ruptures_with_follow_up_share) == (3, 2, 66.7)
    assert shown.mean_follow_ups == 1.3
    assert figures.reactivity(Scope(organisation_id=place.body.pk), *YEAR).alerts == 3  # the stages' holder


def test_freshness_is_the_regions_stamp(place):
    assert figures.freshness(place.region.pk) is None
    entrant(place)
    rollups.rebuild(place.region)
    assert figures.freshness(place.region.pk) == RollupStamp.objects.get(region=place.region).refreshed_at
    assert figures.freshness(None) is None


def test_facts_are_the_cohort_behind_a_figure(place):
    inside = entrant(place, day(3, 3))
    entrant(place, day(7, 3))
    rollups.rebuild()
    assert list(figures.facts(Scope(), *Q1).values_list("stage_id", flat=True)) == [inside.pk]
    with pytest.raises(ValueError):
        figures.facts(Scope(), day(3, 1), day(2, 1))


# Query counts: fixed, whatever the data size.
CALLS = {
    "rate": (lambda scope, period: figures.rate(scope, *period), 1),
    "prevention": (lambda scope, period: figures.prevention(scope, *period), 1),
    "re_engagement": (lambda scope, period: figures.re_engagement(scope, *period), 1),
    "breakdown": (lambda scope, period: figures.breakdown(scope, *period, "training_action"), 1),
    "months": (lambda scope, period: figures.breakdown(scope, *period, "month"), 1),
    "causes": (lambda scope, period: figures.causes(scope, *period), 1),
    "activity": (lambda scope, period: figures.activity(scope, *period), 2),
    "reactivity": (lambda scope, period: figures.reactivity(scope, *period), 2),
    "freshness": (lambda scope, period: figures.freshness(scope.region_id), 1),
    "cohort_figures": (lambda scope, period: figures.cohort_figures(scope, *period), 1),
    "reactivity_with_follow_ups": (
        lambda scope, period: figures.reactivity(
            scope, *period, follow_ups=figures.FollowUps(ruptures=0, with_follow_up=0, attempts=0)
        ),
        1,
    ),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("size", [5, 60])
def test_each_figure_takes_a_fixed_number_of_queries(place, name, size, django_assert_num_queries):
    stages = bulk_entrants(place, size, start=day(2, 2))
    confirm_all(stages[: size // 5], Kind.ABANDON, by=place.user)
    rollups.rebuild()
    call, queries = CALLS[name]
    for scope in (Scope(region_id=place.region.pk), Scope(prescriber_id=place.prescriber.pk)):
        for period in (YEAR, (day(1, 10), day(6, 20))):
            with django_assert_num_queries(queries if scope.region_id or name != "freshness" else 0):
                call(scope, period)


PERIODS = [
    (YEAR, (day(1, 1) - datetime.timedelta(days=365), day(1, 1) - datetime.timedelta(days=1))),  # whole months
    ((day(1, 10), day(6, 20)), (day(1, 10) - datetime.timedelta(days=162), day(1, 9))),  # custom dates
    ((day(2, 1), day(4, 30)), (day(1, 3), day(1, 31))),  # whole months, then not
]


@pytest.mark.parametrize(("period", "previous"), PERIODS)
@pytest.mark.parametrize("size", [5, 60])
def test_compared_rates_equal_the_figures_one_by_one_in_one_query(
    place, period, previous, size, django_assert_num_queries
):
    stages = bulk_entrants(place, size, start=day(2, 2))
    confirm_all(stages[: size // 5], Kind.ABANDON, by=place.user)
    early = [entrant(place, day(1, 20)) for _ in range(3)]
    confirm(early[0], Kind.EXCLUSION, by=place.user)
    rollups.rebuild()
    region = Scope(region_id=place.region.pk)
    for scope, comparison in ((Scope(basin_id=place.basin.pk), region), (region, Scope())):
        with django_assert_num_queries(1):
            compared = figures.compared_rates(scope, *period, previous, comparison)
        assert compared.current == figures.rate(scope, *period)
        assert compared.previous == figures.rate(scope, *previous)
        assert compared.comparison == figures.rate(comparison, *period)
        assert compared.months == figures.breakdown(scope, *period, "month")
    prescriber = Scope(prescriber_id=place.prescriber.pk)
    compared = figures.compared_rates(prescriber, *period, previous, region)
    assert compared.current == figures.rate(prescriber, *period)
    assert compared.months == figures.breakdown(prescriber, *period, "month")


@pytest.mark.parametrize(
    "scope_of", [lambda p: Scope(region_id=p.region.pk), lambda p: Scope(prescriber_id=p.prescriber.pk)]
)
def test_cohort_figures_equal_prevention_re_engagement_and_reactivity(place, scope_of):
    stages = bulk_entrants(place, 20, start=day(2, 2))
    confirm_all(stages[:6], Kind.ABANDON, by=place.user)
    rollups.rebuild()
    scope = scope_of(place)
    together = figures.cohort_figures(scope, *YEAR)
    assert together.prevention == figures.prevention(scope, *YEAR)
    assert together.re_engagement == figures.re_engagement(scope, *YEAR)
    assert figures.reactivity(scope, *YEAR, follow_ups=together.follow_ups) == figures.reactivity(scope, *YEAR)
    assert together.follow_ups.ruptures == together.re_engagement.ruptures == (6 if scope.region_id else 0)
