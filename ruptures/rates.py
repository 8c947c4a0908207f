"""The rupture rate, defined once (docs/design.md §4). Every dashboard, checklist, speaking-group and commission figure
calls `rupture_rate` (or must equal it on the same data, and a test says so).

The definition, and how this module reads it:

- **Cohort (the entrants)**: the stages that really started in the period, dated by their effective start:
  `Stage.actual_start` between `start` and `end`, both included. A planned stage has no effective start; a
  cancelled stage never started (it is left out even if a start date was somehow recorded). Every kind of stage
  counts; a caller who wants, say, only training stages narrows the cohort with `stages=` (below).
- **Confirmed rupture**: a `Rupture` row, i.e. a declared rupture. Presumed ruptures are `attendance.Drift` rows
  and never count. A stage has at most one rupture (`rupture_one_per_stage`). The rupture may occur after the
  period's end: the rate of a period is "what became of its entrants, as known when it is computed".
- **Numerator (the ruptures)**: entrants whose rupture is an abandon or an exclusion (`Rupture.RATE_KINDS`), or an
  apprenticeship contract break that no new contract or stage followed in the pathway.
- **A contract break is followed** when the same pathway holds another stage, not cancelled, of kind
  apprenticeship, employment, qualifying training or pre-qualification (`CHAINING_KINDS`), whose start is on or
  after the rupture's `occurred_on`; its start is its effective start, or its planned start while it is still
  planned (a new contract signed and dated but not begun already means the pathway is not lost). An orientation,
  an immersion or a follow-up is not a new contract or a qualifying step, so it does not rescue the break; nor does
  a stage that began before the break (it ran alongside), a planned stage whose planned start had passed before the
  break, or a stage in a later, different pathway. No time limit applies: a break counts until something is chained,
  so a period's rate can go down later, which is the point.
- **Apart, never in the rate**: interruptions, positive early exits, and the breaks that were followed.
- **rate** = ruptures / entrants, in percent, rounded half up to one decimal (`percent`); None for no entrants.

Narrowing the cohort: pass any `Stage` queryset as `stages=`; only its stages that also meet the period are
counted (it is used as `pk__in`, so joins that repeat rows do no harm). `cohort_for` builds the usual ones::

    rupture_rate(start=jan_1, end=dec_31, stages=cohort_for(basin=basin))
    rupture_rate(start=jan_1, end=dec_31, stages=cohort_for(training_body=org, programme=hsp))
    rupture_rate(start=jan_1, end=dec_31, stages=Stage.objects.for_user(request.user))  # what a user may see
    rupture_rate(start=jan_1, end=dec_31, stages=Stage.objects.filter(kind__in=TRAINING_KINDS))

Splits: "with a checklist" (a checklist of the stage submitted on or before its effective start, the checklist
module's `submitted_before_start`) and "speaking-group participant" (at least one workshop or drop-in attended
during the stage before any rupture) are parameters of `rupture_rate`, so that every caller asks the same question
the same way; `_split` applies them as filters on the cohort. Each is defined by the module that owns its data,
which registers it (`register_split`, from its `AppConfig.ready`): this module imports neither. A split nobody
registered raises `NotImplementedError` rather than return a figure that silently ignores it (`speaking_groups`
registers its split as `speaking_groups.stats.participated`).

Cost: two queries whatever the size of the cohort (a count of the entrants, one aggregate over their ruptures with
an `Exists` subquery for the chaining).

**Re-engagement after a rupture, defined once** (`re_engagement`; the dashboards call it):

- **Population**: the ruptures a cohort's rupture rate counts (`counted_ruptures`: abandons, exclusions and the
  contract breaks nothing followed), with the same arguments (period, `stages=`, splits).
- **Re-engaged within N days**: the rupture's pathway holds, after the rupture, either a *chained stage* (another
  stage of the same pathway, of any kind, not cancelled, whose start, effective or else planned as for the
  chaining above, is strictly after the rupture's `occurred_on`) or a *positive exit* (a stage of the same pathway
  in status positive exit whose effective end is strictly after `occurred_on`), and that start or end falls on or
  before `occurred_on` + N days. The windows are 3 months = 90 days and 6 months = 180 days (`WINDOWS`): day 90
  is within 3 months, day 91 is not. The 6-month figure includes the 3-month one. A later, different pathway of
  the same person does not count (the pathway is the person's chain across organisations).
- **Split**: "with a post-rupture case" vs "without" (a `speaking_groups.PostRuptureCase` opened on the rupture),
  registered by `speaking_groups` as `register_split("with_post_rupture_case", ...)` (a condition on the ruptured
  Stage rows: a stage has at most one rupture); this module does not import it.
- **Percentages**: `percent` (one decimal, half up), of the ruptures; None when there are none.
- **Cost**: one query whatever the number of ruptures (an aggregate with one `Exists` per window).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from core.figures import percent  # the one rounding rule lives in core; `ruptures.rates.percent` is kept as a name
from pathways.models import Stage
from ruptures.models import Rupture

Kind = Rupture.Kind

# Stages whose start after an apprenticeship contract break means the pathway goes on (a new contract or a step
# towards a qualification or a job).
CHAINING_KINDS = (
    Stage.Kind.APPRENTICESHIP,
    Stage.Kind.EMPLOYMENT,
    Stage.Kind.QUALIFYING_TRAINING,
    Stage.Kind.PRE_QUALIFICATION,
)


@dataclass(frozen=True)
class RuptureRate:
    """The figures of one cohort. `ruptures` = `abandons` + `exclusions` + `contract_breaks`; the rest is apart."""

    entrants: int
    ruptures: int
    abandons: int
    exclusions: int
    contract_breaks: int  # breaks that nothing followed: counted
    contract_breaks_followed: int  # breaks followed by a new contract or stage: not counted
    interruptions: int
    positive_exits: int
    rate: float | None  # percent, one decimal; None when there are no entrants


def cohort_for(*, basin=None, training_body=None, programme=None) -> QuerySet[Stage]:
    """Stages to pass as `rupture_rate(stages=...)`; each argument is an instance or a primary key, all combine.

    - `basin`: the stages the one basin rule puts in that basin (`Stage.objects.in_basin`): a stage in a session
      belongs to its training action's basin; a stage outside a session (an apprenticeship at the employer, an
      immersion, a job) to its employer's commune's basin, else to the person's;
    - `training_body`: the stages the organisation holds (`Stage.organisation`; for a stage in a session, the
      training body that delivers it);
    - `programme`: the stages funded by that programme (`Stage.programme`).
    """
    stages = Stage.objects.all()
    if basin is not None:
        stages = Stage.objects.in_basin(basin)
    if training_body is not None:
        stages = stages.filter(organisation=training_body)
    if programme is not None:
        stages = stages.filter(programme=programme)
    return stages


def entrants(*, start: date, end: date, stages: QuerySet[Stage] | None = None) -> QuerySet[Stage]:
    """The cohort: stages that really started between `start` and `end` (both included), within `stages`."""
    if start > end:
        raise ValueError(f"The period starts after it ends ({start} > {end}).")
    cohort = Stage.objects.filter(actual_start__range=(start, end)).exclude(status=Stage.Status.CANCELLED)
    if stages is not None:
        cohort = cohort.filter(pk__in=stages.values("pk"))
    return cohort


def followed() -> Exists:
    """For a rupture row (the outer query): a new contract or stage chained after it in the same pathway (the
    chaining test of a contract break; the dashboards' rollups annotate it too)."""
    return Exists(
        Stage.objects.exclude(status=Stage.Status.CANCELLED)
        .exclude(pk=OuterRef("stage_id"))
        .annotate(begins=Coalesce("actual_start", "planned_start"))
        .filter(pathway=OuterRef("stage__pathway_id"), kind__in=CHAINING_KINDS, begins__gte=OuterRef("occurred_on"))
    )


def _ruptures_of(cohort: QuerySet[Stage]) -> QuerySet[Rupture]:
    return Rupture.objects.filter(stage__in=cohort.values("pk")).annotate(followed=followed())


# On `_ruptures_of` rows: the ruptures in the numerator.
COUNTED = Q(kind__in=Rupture.RATE_KINDS) | Q(kind=Kind.CONTRACT_BREAK, followed=False)


def counted_ruptures(
    *,
    start: date,
    end: date,
    stages: QuerySet[Stage] | None = None,
    with_checklist: bool | None = None,
    speaking_group_participant: bool | None = None,
) -> QuerySet[Rupture]:
    """The ruptures in `rupture_rate`'s numerator (same arguments), as a lazy queryset: the list behind a figure."""
    cohort = entrants(start=start, end=end, stages=stages)
    cohort = _split(cohort, with_checklist=with_checklist, speaking_group_participant=speaking_group_participant)
    return _ruptures_of(cohort).filter(COUNTED)


# The splits of docs/design.md §4: {name: a function returning the condition on a Stage queryset}, registered by the
# modules that own their data.
_SPLITS: dict[str, Callable[[], Q]] = {}


def register_split(name: str, condition: Callable[[], Q]) -> None:
    """Let a module define a split of the cohort: `condition()` is a Q (or an Exists) on Stage rows. The names
    `rupture_rate` knows are "with_checklist" (the checklist module) and "speaking_group_participant" (the
    speaking-groups module)."""
    _SPLITS[name] = condition


def split_condition(name: str) -> Q:
    """The condition of a registered split on Stage rows (`register_split`), for callers that store it (the
    dashboards' facts); `NotImplementedError` when no module registered it."""
    if name not in _SPLITS:
        raise NotImplementedError(f"The {name!r} split needs the module that defines it (register_split).")
    return _SPLITS[name]()


def _split(cohort: QuerySet[Stage], *, with_checklist: bool | None, speaking_group_participant: bool | None):
    """The splits of docs/design.md §4, as filters on the cohort (True keeps those who match, False those who do not):
    - with_checklist: a checklist of the stage submitted on or before its effective start (registered by
      `checklist`: `checklist.services.submitted_before_start`);
    - speaking_group_participant (registered by `speaking_groups`: `speaking_groups.stats.participated`): an
      attended workshop or drop-in between
      `actual_start` and the stage's rupture date, or its end, or today.
    """
    return _apply_splits(
        cohort, {"with_checklist": with_checklist, "speaking_group_participant": speaking_group_participant}
    )


def _apply_splits(cohort: QuerySet[Stage], wanted_by_name: dict[str, bool | None]) -> QuerySet[Stage]:
    for name, wanted in wanted_by_name.items():
        if wanted is None:
            continue
        condition = split_condition(name)
        cohort = cohort.filter(condition if wanted else ~condition)
    return cohort


def rupture_rate(
    *,
    start: date,
    end: date,
    stages: QuerySet[Stage] | None = None,
    with_checklist: bool | None = None,
    speaking_group_participant: bool | None = None,
) -> RuptureRate:
    """The rupture rate of the stages started between `start` and `end` (both included), in two queries.

    `stages` narrows the cohort (a basin, a training body, a programme, what a user may see: see `cohort_for` and
    the module docstring). `with_checklist` and `speaking_group_participant` (None: everyone) are the splits of
    docs/design.md §4, to be implemented by their modules.
    """
    cohort = entrants(start=start, end=end, stages=stages)
    cohort = _split(cohort, with_checklist=with_checklist, speaking_group_participant=speaking_group_participant)
    entrant_count = cohort.count()
    if not entrant_count:
        return RuptureRate(0, 0, 0, 0, 0, 0, 0, 0, None)
    counts = _ruptures_of(cohort).aggregate(
        ruptures=Count("pk", filter=COUNTED),
        abandons=Count("pk", filter=Q(kind=Kind.ABANDON)),
        exclusions=Count("pk", filter=Q(kind=Kind.EXCLUSION)),
        contract_breaks=Count("pk", filter=Q(kind=Kind.CONTRACT_BREAK, followed=False)),
        contract_breaks_followed=Count("pk", filter=Q(kind=Kind.CONTRACT_BREAK, followed=True)),
        interruptions=Count("pk", filter=Q(kind=Kind.INTERRUPTION)),
        positive_exits=Count("pk", filter=Q(kind=Kind.POSITIVE_EXIT)),
    )
    return RuptureRate(entrants=entrant_count, rate=percent(counts["ruptures"], entrant_count), **counts)


# --------------------------------------------------------------------------------------------------------------
# Re-engagement after a rupture (definition in the module docstring)

WINDOWS = {"three_months": 90, "six_months": 180}


@dataclass(frozen=True)
class ReEngagement:
    """Among `ruptures` (those the rate counts), how many pathways went on within 3 and within 6 months."""

    ruptures: int
    within_3_months: int
    within_6_months: int

    @property
    def rate_3_months(self) -> float | None:
        return percent(self.within_3_months, self.ruptures)

    @property
    def rate_6_months(self) -> float | None:
        return percent(self.within_6_months, self.ruptures)


def re_engaged_within(days: int) -> Exists:
    """For a rupture row (the outer query): its pathway went on within `days` days after it (a chained stage or a
    positive exit)."""
    after = OuterRef("occurred_on")
    limit = ExpressionWrapper(OuterRef("occurred_on") + timedelta(days=days), output_field=DateField())
    chained = Q(begins__gt=after, begins__lte=limit) & ~Q(status=Stage.Status.CANCELLED)
    positive_exit = Q(status=Stage.Status.POSITIVE_EXIT, actual_end__gt=after, actual_end__lte=limit)
    return Exists(
        Stage.objects.exclude(pk=OuterRef("stage_id"))
        .annotate(begins=Coalesce("actual_start", "planned_start"))
        .filter(pathway=OuterRef("stage__pathway_id"))
        .filter(chained | positive_exit)
    )


def re_engagement(
    *,
    start: date,
    end: date,
    stages: QuerySet[Stage] | None = None,
    with_checklist: bool | None = None,
    speaking_group_participant: bool | None = None,
    with_post_rupture_case: bool | None = None,
) -> ReEngagement:
    """Re-engagement within 3 and 6 months of the ruptures `rupture_rate` counts for the same arguments (one
    query). `with_post_rupture_case` (None: every rupture) keeps the ruptures with (True) or without (False) a
    post-rupture case: a split registered by the speaking-groups module."""
    cohort = entrants(start=start, end=end, stages=stages)
    cohort = _apply_splits(
        cohort,
        {
            "with_checklist": with_checklist,
            "speaking_group_participant": speaking_group_participant,
            "with_post_rupture_case": with_post_rupture_case,
        },
    )
    counts = (
        _ruptures_of(cohort)
        .filter(COUNTED)
        .annotate(
            within_3=re_engaged_within(WINDOWS["three_months"]),
            within_6=re_engaged_within(WINDOWS["six_months"]),
        )
        .aggregate(
            ruptures=Count("pk"),
            within_3_months=Count("pk", filter=Q(within_3=True)),
            within_6_months=Count("pk", filter=Q(within_6=True)),
        )
    )
    return ReEngagement(**counts)
