"""The read API of the dashboards (issue 18): plain functions returning frozen dataclasses, a fixed small number of
queries each, whatever the data size.

They read the rollup tables `dashboards.rollups` maintains: `MonthlyRollup` when the period is whole months,
`DailyRollup` otherwise, and the facts (`StageFact`, `AlertFact`) where a figure needs rows (medians,
distributions) or a scope the rollups do not carry (a prescriber, a funder, sessions). The definitions are the
reference ones (`ruptures.rates`, `checklist.stats`, `speaking_groups.stats`): a test builds random data and checks
that every figure here equals the reference on it.

A `Scope` says what is counted; every field left to None means "any". The cohort of a period is the stages that
really started in it (`ruptures.rates.entrants`), dated by their effective start.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from dashboards.models import AlertFact, DailyRollup, MonthlyRollup, RollupStamp, StageFact
from dashboards.rollups import rollup_sums
from pathways.models import Organisation, Stage
from ruptures.models import CAUSE_FAMILIES, Cause, Rupture
from ruptures.rates import ReEngagement, RuptureRate, percent

Kind = Rupture.Kind
RATE_FIELDS = (
    "entrants",
    "ruptures",
    "abandons",
    "exclusions",
    "contract_breaks",
    "contract_breaks_followed",
    "interruptions",
    "positive_exits",
)
# Seed 001: a referent follows 15 to 20 active people.
CASELOAD_BANDS = (15, 20)
LONG_WAIT_DAYS = 30


@dataclass(frozen=True)
class Scope:
    """What a figure counts (None: any). `prescriber_id`, `funder_id` and `session_ids` are read from the facts."""

    region_id: int | None = None
    basin_id: int | None = None
    organisation_id: int | None = None
    training_action_id: int | None = None
    prescriber_id: int | None = None
    session_ids: tuple[int, ...] | None = None
    funder_id: int | None = None

    @property
    def needs_facts(self) -> bool:
        return self.prescriber_id is not None or self.session_ids is not None or self.funder_id is not None

    def condition(self, *, facts: bool = True) -> Q:
        condition = Q()
        for field in ("region_id", "basin_id", "organisation_id", "training_action_id"):
            value = getattr(self, field)
            if value is not None:
                condition &= Q(**{field: value})
        if facts:
            if self.prescriber_id is not None:
                condition &= Q(prescriber_id=self.prescriber_id)
            if self.funder_id is not None:
                condition &= Q(funder_id=self.funder_id)
            if self.session_ids is not None:
                condition &= Q(session_id__in=list(self.session_ids))
        return condition


def _check(start: datetime.date, end: datetime.date) -> None:
    if start > end:
        raise ValueError(f"The period starts after it ends ({start} > {end}).")


def is_whole_months(start: datetime.date, end: datetime.date) -> bool:
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1


def _rollups(scope: Scope, start: datetime.date, end: datetime.date) -> tuple[QuerySet, str]:
    """The rollup rows of the scope and period, and the name of their date column."""
    if is_whole_months(start, end):
        return MonthlyRollup.objects.filter(scope.condition(facts=False), month__range=(start, end)), "month"
    return DailyRollup.objects.filter(scope.condition(facts=False), day__range=(start, end)), "day"


def facts(scope: Scope, start: datetime.date, end: datetime.date) -> QuerySet[StageFact]:
    """The stage facts behind a figure: the cohort (stages started in the period) of the scope. The pages intersect
    it with what the user may see before they list names."""
    _check(start, end)
    return StageFact.objects.filter(scope.condition(), started_on__range=(start, end))


# Sums of the facts with the rollups' names (the same definitions as `dashboards.rollups.rollup_sums`).
def _fact_sums(condition: Q | None = None, prefix: str = "") -> dict:
    sums = {}
    for name, aggregate in rollup_sums().items():
        if condition:
            if name == "interruptions":
                aggregate = Coalesce(Sum("interruptions", filter=condition), 0)
            else:
                aggregate = Count("pk", filter=condition & (aggregate.filter or Q()))
        sums[prefix + name] = aggregate
    return sums


def _rollup_sums() -> dict:
    names = (
        *RATE_FIELDS,
        "in_session_entrants",
        "checklist_entrants",
        "checklist_ruptures",
        "participant_entrants",
        "participant_ruptures",
        "re_engaged_3_months",
        "re_engaged_6_months",
    )
    return {name: Coalesce(Sum(name), 0) for name in names}


def _sums(scope: Scope, start: datetime.date, end: datetime.date) -> dict:
    """Every rollup column summed over the scope and period (one query)."""
    _check(start, end)
    if scope.needs_facts:
        return facts(scope, start, end).aggregate(**_fact_sums())
    rows, _column = _rollups(scope, start, end)
    return rows.aggregate(**_rollup_sums())


def _rate(values: dict, prefix: str = "") -> RuptureRate:
    counts = {name: values[prefix + name] or 0 for name in RATE_FIELDS}
    if not counts["entrants"]:
        return RuptureRate(0, 0, 0, 0, 0, 0, 0, 0, None)
    return RuptureRate(**counts, rate=percent(counts["ruptures"], counts["entrants"]))


def rate(scope: Scope, start: datetime.date, end: datetime.date) -> RuptureRate:
    """The rupture rate of the scope's cohort (`ruptures.rates.rupture_rate`'s figures). One query."""
    return _rate(_sums(scope, start, end))


# --------------------------------------------------------------------------------------------------------------
# Prevention


@dataclass(frozen=True)
class Prevention:
    in_session_entrants: int  # entrants taken in a session: those a checklist is for
    with_checklist: int  # of them, a checklist submitted on or before the start
    with_checklist_rate: RuptureRate
    without_checklist_rate: RuptureRate
    entrants: int
    participants: int  # speaking-group participants among the entrants
    participants_rate: RuptureRate
    non_participants_rate: RuptureRate

    @property
    def coverage(self) -> float | None:
        return percent(self.with_checklist, self.in_session_entrants)

    @property
    def participation(self) -> float | None:
        return percent(self.participants, self.entrants)


def _prevention_aggregates() -> dict:
    groups = {
        "with_": Q(in_session=True, with_checklist=True),
        "without_": Q(in_session=True, with_checklist=False),
        "part_": Q(participant=True),
        "non_": Q(participant=False),
    }
    aggregates = {"all_entrants": Count("pk")}
    for prefix, condition in groups.items():
        aggregates |= _fact_sums(condition, prefix)
    return aggregates


def _prevention(values: dict) -> Prevention:
    with_rate, without_rate = _rate(values, "with_"), _rate(values, "without_")
    participants_rate, others_rate = _rate(values, "part_"), _rate(values, "non_")
    return Prevention(
        in_session_entrants=with_rate.entrants + without_rate.entrants,
        with_checklist=with_rate.entrants,
        with_checklist_rate=with_rate,
        without_checklist_rate=without_rate,
        entrants=values["all_entrants"],
        participants=participants_rate.entrants,
        participants_rate=participants_rate,
        non_participants_rate=others_rate,
    )


def prevention(scope: Scope, start: datetime.date, end: datetime.date) -> Prevention:
    """Checklist coverage and the rupture rate with vs without a checklist (`checklist.stats.coverage_total` and
    `effect`: entrants taken in a session); speaking-group participation and the rate of participants vs
    non-participants (`speaking_groups.stats.participation`'s definition, over the whole cohort). One query over
    the facts (the rates' full detail needs them)."""
    return _prevention(facts(scope, start, end).aggregate(**_prevention_aggregates()))


def _re_engagement(values: dict) -> ReEngagement:
    return ReEngagement(
        ruptures=values["ruptures"] or 0,
        within_3_months=values["re_engaged_3_months"] or 0,
        within_6_months=values["re_engaged_6_months"] or 0,
    )


def re_engagement(scope: Scope, start: datetime.date, end: datetime.date) -> ReEngagement:
    """Re-engagement within 3 and 6 months of the cohort's counted ruptures (`ruptures.rates.re_engagement`). One
    query."""
    return _re_engagement(_sums(scope, start, end))


@dataclass(frozen=True)
class FollowUps:
    """The cohort's counted ruptures and the follow-up attempts made before them (for `Reactivity`)."""

    ruptures: int
    with_follow_up: int
    attempts: int


def _follow_up_aggregates(prefix: str = "", condition: Q | None = None) -> dict:
    counted = Q(counted_rupture=True) & (condition or Q())
    return {
        f"{prefix}n": Count("pk", filter=counted),
        f"{prefix}followed_up": Count("pk", filter=counted & Q(follow_ups_before_rupture__gt=0)),
        f"{prefix}attempts": Coalesce(Sum("follow_ups_before_rupture", filter=counted), 0),
    }


def _follow_ups(values: dict, prefix: str = "") -> FollowUps:
    return FollowUps(values[f"{prefix}n"], values[f"{prefix}followed_up"], values[f"{prefix}attempts"])


@dataclass(frozen=True)
class CohortFigures:
    prevention: Prevention
    re_engagement: ReEngagement
    follow_ups: FollowUps


COHORT_GROUPS = ("in_session", "with_checklist", "participant")


def cohort_figures(scope: Scope, start: datetime.date, end: datetime.date) -> CohortFigures:
    """`prevention`, `re_engagement` and the follow-ups `reactivity` needs, from one query over the cohort's facts:
    the facts' sums (`dashboards.rollups.rollup_sums`, the rollups' own definitions) grouped by the three flags the
    prevention groups split on (at most eight rows), added up here into the groups `prevention` filters."""
    rows = (
        facts(scope, start, end)
        .values(*COHORT_GROUPS)
        .order_by()
        .annotate(**rollup_sums(), **_follow_up_aggregates("fu_"))
    )
    names = [*rollup_sums(), "fu_n", "fu_followed_up", "fu_attempts"]
    groups = {
        "": lambda row: True,
        "with_": lambda row: row["in_session"] is True and row["with_checklist"] is True,
        "without_": lambda row: row["in_session"] is True and row["with_checklist"] is False,
        "part_": lambda row: row["participant"] is True,
        "non_": lambda row: row["participant"] is False,
    }
    values = {prefix + name: 0 for prefix in groups for name in names}
    for row in rows:
        for prefix, belongs in groups.items():
            if belongs(row):
                for name in names:
                    values[prefix + name] += row[name] or 0
    values["all_entrants"] = values["entrants"]
    return CohortFigures(_prevention(values), _re_engagement(values), _follow_ups(values, "fu_"))


# --------------------------------------------------------------------------------------------------------------
# Breakdowns

BREAKDOWNS = {
    "basin": ("basin_id", "basin__name"),
    "training_action": ("training_action_id", "training_action__title"),
    "organisation": ("organisation_id", "organisation__name"),
    # The organisations holding the stages, narrowed to training bodies (the "by training body" table).
    "training_body": ("organisation_id", "organisation__name"),
    "month": (None, None),
}
# What a missing key means in a breakdown's label.
UNLABELLED = {
    "basin": _("Sans bassin"),
    "training_action": _("Hors session (en entreprise, emploi, immersion…)"),
}


@dataclass(frozen=True)
class BreakdownRow:
    key: object  # a primary key (None: no basin / no training action), or the month's first day
    label: str
    rate: RuptureRate


def breakdown(scope: Scope, start: datetime.date, end: datetime.date, by: str) -> list[BreakdownRow]:
    """The rupture rate per basin, training action, organisation, training body or month (`by`), labels joined:
    one query."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {by!r}: one of {', '.join(BREAKDOWNS)}.")
    _check(start, end)
    key, label = BREAKDOWNS[by]
    if scope.needs_facts:
        rows, date_column = facts(scope, start, end), "started_on"
        sums = _fact_sums()
    else:
        rows, date_column = _rollups(scope, start, end)
        sums = _rollup_sums()
    if by == "month":
        grouped = rows.annotate(bucket=TruncMonth(date_column)).values("bucket").order_by("bucket")
        result = grouped.annotate(**sums)
        return [
            BreakdownRow(row["bucket"], date_format(row["bucket"], "F Y"), _rate(row))
            for row in result
            if row["entrants"]
        ]
    if by == "training_body":
        rows = rows.filter(organisation__kind=Organisation.Kind.TRAINING_BODY)
    result = rows.values(key, label).order_by(label, key).annotate(**sums)
    missing = str(UNLABELLED.get(by, _("Non renseigné")))
    return [BreakdownRow(row[key], row[label] or missing, _rate(row)) for row in result if row["entrants"]]


@dataclass(frozen=True)
class ComparedRates:
    current: RuptureRate
    previous: RuptureRate
    months: list[BreakdownRow]  # the current period's months (`breakdown(..., "month")`)
    comparison: RuptureRate  # the comparison scope over the current period


def compared_rates(
    scope: Scope,
    start: datetime.date,
    end: datetime.date,
    previous: tuple[datetime.date, datetime.date],
    comparison: Scope,
) -> ComparedRates:
    """The scope's rate over the period and over `previous`, its months, and `comparison`'s rate over the period:
    `rate` and `breakdown(by="month")`'s figures from one grouped query over the rollups (sums filtered per
    scope and period, per month), `MonthlyRollup` when both periods are whole months, `DailyRollup` otherwise.
    When a scope needs the facts (a prescriber, sessions, a funder), the four figures are read one by one."""
    before_start, before_end = previous
    _check(start, end)
    _check(before_start, before_end)
    if scope.needs_facts or comparison.needs_facts:
        return ComparedRates(
            rate(scope, start, end),
            rate(scope, before_start, before_end),
            breakdown(scope, start, end, "month"),
            rate(comparison, start, end),
        )
    if is_whole_months(start, end) and is_whole_months(before_start, before_end):
        model, column = MonthlyRollup, "month"
    else:
        model, column = DailyRollup, "day"
    now = Q(**{f"{column}__range": (start, end)})
    before = Q(**{f"{column}__range": (before_start, before_end)})
    mine, theirs = scope.condition(facts=False), comparison.condition(facts=False)
    rows = model.objects.filter(now | before)
    if mine and theirs:
        rows = rows.filter(mine | theirs)
    sums = {}
    for prefix, condition in (("now_", mine & now), ("was_", mine & before), ("near_", theirs & now)):
        for name in RATE_FIELDS:
            sums[prefix + name] = Coalesce(Sum(name, filter=condition), 0)
    grouped = rows.annotate(bucket=TruncMonth(column)).values("bucket").order_by("bucket").annotate(**sums)
    totals = {prefix: dict.fromkeys(RATE_FIELDS, 0) for prefix in ("now_", "was_", "near_")}
    months = []
    for row in grouped:
        for prefix, total in totals.items():
            for name in RATE_FIELDS:
                total[name] += row[prefix + name]
        if row["now_entrants"]:
            months.append(BreakdownRow(row["bucket"], date_format(row["bucket"], "F Y"), _rate(row, "now_")))
    return ComparedRates(
        current=_rate(totals["now_"]),
        previous=_rate(totals["was_"]),
        months=months,
        comparison=_rate(totals["near_"]),
    )


# --------------------------------------------------------------------------------------------------------------
# Causes


@dataclass(frozen=True)
class CauseCount:
    code: str
    label: str
    ruptures: int  # every ending rupture of the cohort (interruptions apart)
    counted: int  # of them, those in the rate


@dataclass(frozen=True)
class Causes:
    by_kind: list[CauseCount]
    by_family: list[CauseCount]
    by_cause: list[CauseCount]  # sub-causes, the family's code as prefix


def causes(scope: Scope, start: datetime.date, end: datetime.date) -> Causes:
    """The cohort's ruptures (ending ones: interruptions are pauses) by kind, by cause family and by sub-cause
    (the main cause), each with the number the rate counts. One query."""
    rows = (
        facts(scope, start, end)
        .exclude(rupture_kind="")
        .values("rupture_kind", "main_cause")
        .order_by()
        .annotate(n=Count("pk"), counted=Count("pk", filter=Q(counted_rupture=True)))
    )
    kinds: dict[str, list[int]] = {}
    families: dict[str, list[int]] = {}
    subcauses: dict[str, list[int]] = {}
    for row in rows:
        for table, code in (
            (kinds, row["rupture_kind"]),
            (families, Cause.family_of(row["main_cause"])),
            (subcauses, row["main_cause"]),
        ):
            pair = table.setdefault(code, [0, 0])
            pair[0] += row["n"]
            pair[1] += row["counted"]
    kind_labels = dict(Kind.choices)
    cause_labels = dict(Cause.choices)
    kind_order = list(kind_labels)
    family_order = list(CAUSE_FAMILIES)
    cause_order = list(cause_labels)
    return Causes(
        by_kind=[
            CauseCount(code, str(kind_labels.get(code, code)), *kinds[code])
            for code in sorted(kinds, key=lambda c: kind_order.index(c) if c in kind_order else 99)
        ],
        by_family=[
            CauseCount(code, str(CAUSE_FAMILIES.get(code, code)), *families[code])
            for code in sorted(families, key=lambda c: family_order.index(c) if c in family_order else 99)
        ],
        by_cause=[
            CauseCount(code, str(cause_labels.get(code, code)), *subcauses[code])
            for code in sorted(subcauses, key=lambda c: cause_order.index(c) if c in cause_order else 99)
        ],
    )


# --------------------------------------------------------------------------------------------------------------
# Activity


@dataclass(frozen=True)
class ExitCount:
    status: str
    destination: str
    label: str
    count: int


@dataclass(frozen=True)
class Activity:
    active_pathways: int  # distinct pathways with a started stage overlapping the period
    entrants: int
    exits: list[ExitCount]  # stages ended in the period, by status and destination
    waits: int  # entrants whose pathway had an earlier stage that ended before their start
    wait_median_days: float | None
    waits_over_30_days: int
    referents: int  # referents of the pathways active in the period
    referents_under_15: int
    referents_15_to_20: int
    referents_over_20: int
    caseload_median: float | None  # active people per referent

    @property
    def exits_total(self) -> int:
        return sum(row.count for row in self.exits)

    @property
    def waits_over_30_days_share(self) -> float | None:
        return percent(self.waits_over_30_days, self.waits)


def _active(scope: Scope, start: datetime.date, end: datetime.date) -> QuerySet[StageFact]:
    return StageFact.objects.filter(scope.condition(), started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )


# Markers of the caseload and wait rows in `activity`'s second query (never a stage status).
LOAD, WAIT = "~referent", "~wait"


def _median_of_counts(counts: list[tuple[int, int]]) -> float | None:
    """`statistics.median` of the values `counts` gives as sorted (value, how many) pairs."""
    total = sum(n for _value, n in counts)
    if not total:
        return None
    wanted = [total // 2] if total % 2 else [total // 2 - 1, total // 2]
    found, seen = [], 0
    for value, n in counts:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return found[0] if len(found) == 1 else (found[0] + found[1]) / 2


def activity(scope: Scope, start: datetime.date, end: datetime.date) -> Activity:
    """Pathways active, entrants, exits by status and destination, waiting gaps between chained stages (from the
    facts' `wait_days`, computed in SQL) and the referents' caseloads (active people per referent, in bands around
    seed 001's 15–20). Two queries: the counts over the active stages and the cohort; the exits
    per status and destination with, in the same statement (UNION ALL), the active pathways per referent and the
    cohort's waits per number of days."""
    _check(start, end)
    in_scope = StageFact.objects.filter(scope.condition())
    is_active = Q(started_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    counts = in_scope.filter(is_active).aggregate(
        pathways=Count("pathway_id", distinct=True),
        entrants=Count("pk", filter=Q(started_on__gte=start)),
    )
    exits = (
        in_scope.filter(ended_on__range=(start, end))
        .values_list("status", "exit_destination")
        .order_by()
        .annotate(n=Count("pk"))
    )
    loads = (
        _active(scope, start, end)
        .exclude(referent_id=None)
        .annotate(marker=Value(LOAD, output_field=CharField()), key=Cast("referent_id", CharField()))
        .values_list("marker", "key")
        .order_by()
        .annotate(n=Count("pathway_id", distinct=True))
    )
    waits = (
        facts(scope, start, end)
        .filter(wait_days__isnull=False)
        .annotate(marker=Value(WAIT, output_field=CharField()), key=Cast("wait_days", CharField()))
        .values_list("marker", "key")
        .order_by()
        .annotate(n=Count("pk"))
    )
    statuses = dict(Stage.Status.choices)
    destinations = dict(Stage.ExitDestination.choices)
    exit_rows, caseloads, wait_counts = [], [], []
    for status, destination, n in exits.union(loads, waits, all=True):
        if status == LOAD:
            caseloads.append(n)
            continue
        if status == WAIT:
            wait_counts.append((int(destination), n))
            continue
        label = str(statuses.get(status, status))
        if destination:
            label = f"{label} : {destinations.get(destination, destination)}"
        exit_rows.append(ExitCount(status, destination, label, n))
    exit_rows.sort(key=lambda row: (row.status, row.destination))
    caseloads.sort()
    wait_counts.sort()
    low, high = CASELOAD_BANDS
    return Activity(
        active_pathways=counts["pathways"],
        entrants=counts["entrants"],
        exits=exit_rows,
        waits=sum(n for _days, n in wait_counts),
        wait_median_days=_median_of_counts(wait_counts),
        waits_over_30_days=sum(n for days, n in wait_counts if days > LONG_WAIT_DAYS),
        referents=len(caseloads),
        referents_under_15=sum(1 for n in caseloads if n < low),
        referents_15_to_20=sum(1 for n in caseloads if low <= n <= high),
        referents_over_20=sum(1 for n in caseloads if n > high),
        caseload_median=statistics.median(caseloads) if caseloads else None,
    )


# --------------------------------------------------------------------------------------------------------------
# Reactivity


@dataclass(frozen=True)
class Reactivity:
    alerts: int  # raised in the period
    median_hours_from_first_absence: float | None  # first unjustified absence → alert
    median_hours_to_acknowledgement: float | None  # alert → acknowledgement
    acknowledged_within_2_working_days: int
    escalated: int
    ruptures: int  # the cohort's counted ruptures
    ruptures_with_follow_up: int  # of them, preceded by at least one follow-up attempt
    follow_up_attempts: int  # attempts before those ruptures, in all

    @property
    def acknowledged_within_2_working_days_share(self) -> float | None:
        return percent(self.acknowledged_within_2_working_days, self.alerts)

    @property
    def escalated_share(self) -> float | None:
        return percent(self.escalated, self.alerts)

    @property
    def ruptures_with_follow_up_share(self) -> float | None:
        return percent(self.ruptures_with_follow_up, self.ruptures)

    @property
    def mean_follow_ups(self) -> float | None:
        if not self.ruptures:
            return None
        return round(self.follow_up_attempts / self.ruptures, 1)


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def alert_facts(scope: Scope, start: datetime.date, end: datetime.date) -> QuerySet[AlertFact]:
    """Alerts raised in the period (Paris days) in the scope: its basin and region by the stage's basin rule, an
    organisation as the alert's inbox or the stage's holder; a prescriber, funder or sessions through the stage's
    facts."""
    _check(start, end)
    alerts = AlertFact.objects.filter(
        created_at__gte=_moment(start), created_at__lt=_moment(end + datetime.timedelta(days=1))
    )
    if scope.region_id is not None:
        alerts = alerts.filter(region_id=scope.region_id)
    if scope.basin_id is not None:
        alerts = alerts.filter(basin_id=scope.basin_id)
    stage_scope = Scope(
        training_action_id=scope.training_action_id,
        prescriber_id=scope.prescriber_id,
        session_ids=scope.session_ids,
        funder_id=scope.funder_id,
    )
    if stage_scope != Scope():
        alerts = alerts.filter(stage_id__in=StageFact.objects.filter(stage_scope.condition()).values("stage_id"))
    if scope.organisation_id is not None:
        held = StageFact.objects.filter(organisation_id=scope.organisation_id).values("stage_id")
        alerts = alerts.filter(Q(organisation_id=scope.organisation_id) | Q(stage_id__in=held))
    return alerts


def reactivity(
    scope: Scope, start: datetime.date, end: datetime.date, *, follow_ups: FollowUps | None = None
) -> Reactivity:
    """Alerts of the period and their delays (medians over the alerts that have them), the shares acknowledged
    within 2 working days and escalated; the cohort's counted ruptures preceded by at least one follow-up attempt
    and the attempts made before them. Two queries; one when `follow_ups` (from `cohort_figures` of the same scope
    and period) is given."""
    alerts = list(
        alert_facts(scope, start, end).values_list(
            "hours_from_first_absence", "hours_to_acknowledgement", "acknowledged_within_2_working_days", "escalated"
        )
    )
    from_absence = [row[0] for row in alerts if row[0] is not None]
    to_ack = [row[1] for row in alerts if row[1] is not None]
    if follow_ups is None:
        follow_ups = _follow_ups(facts(scope, start, end).aggregate(**_follow_up_aggregates()))
    return Reactivity(
        alerts=len(alerts),
        median_hours_from_first_absence=statistics.median(from_absence) if from_absence else None,
        median_hours_to_acknowledgement=statistics.median(to_ack) if to_ack else None,
        acknowledged_within_2_working_days=sum(1 for row in alerts if row[2]),
        escalated=sum(1 for row in alerts if row[3]),
        ruptures=follow_ups.ruptures,
        ruptures_with_follow_up=follow_ups.with_follow_up,
        follow_up_attempts=follow_ups.attempts,
    )


def freshness(region_id: int | None) -> datetime.datetime | None:
    """When the region's facts were last brought up to date (None: never). One query."""
    if region_id is None:
        return None
    return RollupStamp.objects.filter(region_id=region_id).values_list("refreshed_at", flat=True).first()


__all__ = [
    "Activity",
    "BreakdownRow",
    "CauseCount",
    "Causes",
    "CohortFigures",
    "ComparedRates",
    "FollowUps",
    "Prevention",
    "Reactivity",
    "Scope",
    "activity",
    "alert_facts",
    "breakdown",
    "causes",
    "cohort_figures",
    "compared_rates",
    "facts",
    "freshness",
    "prevention",
    "rate",
    "re_engagement",
    "reactivity",
]
