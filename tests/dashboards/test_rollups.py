"""The rollups' write path on hand-built data whose answer is known: every fact column, the buckets, the refresh of
whole pathways, the rebuild and its stamp."""

from dashboards import figures, rollups
from dashboards.figures import Scope
from dashboards.models import DailyRollup, MonthlyRollup, RollupStamp
from pathways.models import Stage
from ruptures.models import Rupture
from ruptures.rates import RuptureRate, rupture_rate
from tests.pathways.factories import EmployerFactory, StageFactory
from tests.ruptures.test_rates import END, START, confirm, confirm_all, day, declare, entrant

Kind = Rupture.Kind
StageKind = Stage.Kind
Status = Stage.Status


def test_the_rate_from_the_rollups_equals_the_reference_on_the_twenty_entrants(place):
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
    confirm(rechained, Kind.CONTRACT_BREAK, by=by, on=day(5, 12))
    StageFactory(
        pathway=rechained.pathway,
        kind=StageKind.APPRENTICESHIP,
        organisation=place.body,
        planned_start=day(7, 15),
        planned_end=None,
        actual_start=day(7, 15),
        status=Status.IN_PROGRESS,
    )
    confirm(broken, Kind.CONTRACT_BREAK, by=by)
    confirm_all(interruptions, Kind.INTERRUPTION, by=by)
    confirm(positive_exit, Kind.POSITIVE_EXIT, by=by)
    assert len(plain) == 12

    rollups.rebuild()

    expected = RuptureRate(
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
    assert rupture_rate(start=START, end=END) == expected
    assert figures.rate(Scope(), START, END) == expected  # whole months: the monthly rows
    assert figures.rate(Scope(), day(3, 3), day(3, 3)) == expected  # one day: the daily rows
    assert figures.rate(Scope(organisation_id=place.body.pk), START, END) == expected
    assert MonthlyRollup.objects.count() == 1 + 1  # March, and July's chained apprenticeship
    assert DailyRollup.objects.count() == 2
    assert RollupStamp.objects.filter(region=place.region, rebuilt_at__isnull=False).exists()
