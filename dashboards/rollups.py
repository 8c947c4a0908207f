"""The write path of the rollup tables (issue 18): facts computed from the raw tables with the reference
expressions, and the rollups summed from the facts.

- `refresh_pathways(pathway_ids)` recomputes the `StageFact` rows of every stage of those pathways (a stage chained
  after a rupture changes an earlier stage's `counted_rupture` and `re_engaged_*`, so whole pathways are refreshed),
  the `AlertFact` rows of their alerts, then the `MonthlyRollup` / `DailyRollup` rows of every bucket they touch,
  before and after (a stage can move bucket). A few queries per batch whatever its size (`stage_rows`: no
  correlated subquery per stage but the basin rule and the stage splits), delete + insert (COPY on PostgreSQL),
  then the buckets as a GROUP BY over the facts; atomic, and serialised by a PostgreSQL advisory lock so that two
  workers never rebuild the same bucket at once.
- `rebuild(region=None)` does the same from scratch, pathways in chunks (bounded memory), then stamps.

**Definitions of the fact columns** (shown to users by the scorecard; every rupture column is the reference's own
expression from `ruptures.rates`, `checklist.services` and `speaking_groups.stats`, never a second definition):

- *basin*: the one basin rule (`Stage.basin_expression`): the training action's basin; outside a session, the
  employer's commune's basin; else the person's commune's basin. *region*: the basin's region, else the
  organisation's.
- *rupture_kind / rupture_on / main_cause*: the stage's ending rupture (any kind but an interruption; a stage has one
  at most). *interruptions*: the number of interruptions (pauses) declared on the stage, counted apart like the rate.
- *counted_rupture*: the rupture is in the rate's numerator (`ruptures.rates.COUNTED`: an abandon, an exclusion, or
  a contract break that nothing followed, `ruptures.rates.followed`); *contract_break_followed* the other breaks.
- *re_engaged_3_months / re_engaged_6_months*: a counted rupture whose pathway went on within 90 / 180 days
  (`ruptures.rates.re_engaged_within`). *post_rupture_case*: a post-rupture case was opened on the rupture (the
  registered "with_post_rupture_case" split).
- *in_session*: the stage is taken in a session (a checklist is for it). *with_checklist*: a checklist submitted
  on or before the effective start (the registered "with_checklist" split). *participant*: the registered
  "speaking_group_participant" split (a workshop or drop-in attended during the stage, before any rupture).
- *first_absence_at*: the date of the stage's first attendance mark "absent, not justified"
  (`Mark.Status.ABSENT_UNJUSTIFIED`) on or after the stage's effective start.
- *follow_ups_before_rupture*: the follow-up attempts on the stage's drifts made before its ending rupture was
  declared (0 without a rupture).
- *followed_within_30_days* (ended stages only: completed, abandoned, positive exit; else empty): a positive exit,
  or another stage of the pathway, not cancelled, starting (effective start, else planned) between the end and 30
  days after it, both included.
- *preceded_by_immersion* (qualifying trainings and apprenticeships only; else empty): an immersion stage of the
  same pathway, not cancelled, that started before this stage's effective start.
- *wait_days*: when the pathway holds another stage (not cancelled) that ended on or before this stage's start, the
  days from the latest such end to this start (the latest end is found in SQL).

Alert facts: *first_absence_on* the stage's first unjustified absence (on or after its start) when it is before the
alert; *hours_from_first_absence* from that half-day's start time (Europe/Paris) to the alert; *hours_to_
acknowledgement*; *escalated* when `escalated_at` is set; *acknowledged_within_2_working_days* when acknowledged at
most 2 working days after it was raised (`core.calendar.working_days_between`, the escalation's own count).
"""

import datetime
import zlib
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from alerts.models import Alert
from attendance.models import FollowUpAttempt, Mark, Slot
from core.calendar import working_days_between
from dashboards.models import AlertFact, DailyRollup, MonthlyRollup, RollupQueue, RollupStamp, StageFact
from pathways.models import Basin, Pathway, Region, Stage
from ruptures.models import Rupture
from ruptures.rates import COUNTED, WINDOWS, followed, re_engaged_within, split_condition

Kind = Rupture.Kind
ENDED = (Stage.Status.COMPLETED, Stage.Status.ABANDONED, Stage.Status.POSITIVE_EXIT)
IMMERSION_PRECEDES = (Stage.Kind.QUALIFYING_TRAINING, Stage.Kind.APPRENTICESHIP)
FOLLOWED_WITHIN_DAYS = 30
CHUNK = 2000  # pathways per batch in `rebuild`
LOCK_KEY = zlib.crc32(b"dashboards.rollups")  # the advisory lock that serialises the writers


def _flag(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def stage_rows(stages, absences: dict | None = None):
    """The fact columns of `stages` (started and not cancelled), as dicts. `absences`: a cache of the first
    unjustified absences shared with `alert_rows` for the same batch (`_first_unjustified_absences`).

    A handful of queries per batch rather than correlated subqueries per stage (issue 18, speed at regional scale):
    the stages' own columns with the basin rule and the registered splits evaluated on each stage; the ending
    ruptures of the batch with the reference expressions (`followed()`, `re_engaged_within()`) evaluated on those
    rupture rows only, and the "with_post_rupture_case" split on the stages that have a rupture only; the first
    unjustified absence and the follow-up attempts as one grouped query each; the sibling columns (chained within
    30 days, immersion before, previous end) in Python from every stage of the batch's pathways (a pathway holds a
    few stages). The definitions are those of the module's docstring, unchanged.
    """
    basin_region = Basin.objects.filter(pk=OuterRef("basin_rule")).values("region_id")[:1]
    rows = list(
        stages.filter(actual_start__isnull=False)
        .exclude(status=Stage.Status.CANCELLED)
        .annotate(
            basin_rule=Stage.basin_expression(),
            region_rule=Coalesce(Subquery(basin_region), "organisation__region_id", output_field=BigIntegerField()),
            session_stage=_flag(Q(enrolment__isnull=False)),
            checklist=_flag(split_condition("with_checklist")),
            participant_flag=_flag(split_condition("speaking_group_participant")),
        )
        .values(
            "pk",
            "pathway_id",
            "basin_rule",
            "region_rule",
            "enrolment__session__training_action_id",
            "enrolment__session_id",
            "organisation_id",
            "enrolment__session__training_action__funder_id",
            "pathway__prescribing_organisation_id",
            "programme_id",
            "pathway__referent_id",
            "kind",
            "status",
            "exit_destination",
            "actual_start",
            "actual_end",
            "session_stage",
            "checklist",
            "participant_flag",
        )
        .order_by()
    )
    if not rows:
        return rows
    stage_ids = [row["pk"] for row in rows]
    pathway_ids = {row["pathway_id"] for row in rows}

    # Ruptures of the batch's stages: the reference expressions on these rows only.
    ruptures = (
        Rupture.objects.filter(stage_id__in=stage_ids)
        .annotate(followed=followed())
        .annotate(
            counted=_flag(COUNTED),
            re_3=re_engaged_within(WINDOWS["three_months"]),
            re_6=re_engaged_within(WINDOWS["six_months"]),
        )
        .values("stage_id", "kind", "occurred_on", "main_cause", "declared_at", "followed", "counted", "re_3", "re_6")
        .order_by("pk")
    )
    ending, interruptions = {}, {}
    for rupture in ruptures:
        if rupture["kind"] == Kind.INTERRUPTION:
            interruptions[rupture["stage_id"]] = interruptions.get(rupture["stage_id"], 0) + 1
        else:
            ending.setdefault(rupture["stage_id"], rupture)  # a stage has one ending rupture at most
    ruptured = set(ending) | set(interruptions)
    with_case = set()
    if ruptured:
        with_case = set(
            Stage.objects.filter(pk__in=ruptured)
            .filter(split_condition("with_post_rupture_case"))
            .values_list("pk", flat=True)
        )
    first_absence = _first_unjustified_absences({row["pk"]: row["actual_start"] for row in rows}, absences)
    follow_ups = {}
    if ending:
        attempts = FollowUpAttempt.objects.filter(drift__stage_id__in=list(ending)).values_list("drift__stage_id", "at")
        for stage_id, at in attempts.order_by():
            declared = ending[stage_id]["declared_at"]
            if at is not None and declared is not None and at < declared:
                follow_ups[stage_id] = follow_ups.get(stage_id, 0) + 1
    siblings_of = {}
    for sibling in (
        Stage.objects.filter(pathway_id__in=pathway_ids)
        .exclude(status=Stage.Status.CANCELLED)
        .values("pk", "pathway_id", "kind", "planned_start", "actual_start", "actual_end")
        .order_by()
    ):
        siblings_of.setdefault(sibling["pathway_id"], []).append(sibling)

    for row in rows:
        pk, start, end = row["pk"], row["actual_start"], row["actual_end"]
        rupture = ending.get(pk)
        row["rupture_kind"] = rupture["kind"] if rupture else ""
        row["rupture_on"] = rupture["occurred_on"] if rupture else None
        row["main_cause"] = (rupture["main_cause"] or "") if rupture else ""
        row["interruption_count"] = interruptions.get(pk, 0)
        row["counted"] = bool(rupture and rupture["counted"])
        row["break_followed"] = bool(rupture and rupture["kind"] == Kind.CONTRACT_BREAK and rupture["followed"])
        row["re_3"] = bool(rupture and rupture["counted"] and rupture["re_3"])
        row["re_6"] = bool(rupture and rupture["counted"] and rupture["re_6"])
        row["case"] = pk in with_case
        row["first_absence"] = first_absence[pk][0] if pk in first_absence else None
        row["follow_up_count"] = follow_ups.get(pk, 0)
        others = [s for s in siblings_of.get(row["pathway_id"], ()) if s["pk"] != pk]
        limit = end + datetime.timedelta(days=FOLLOWED_WITHIN_DAYS) if end is not None else None
        row["chained_soon"] = limit is not None and any(
            end <= _begins(s) <= limit for s in others if _begins(s) is not None
        )
        row["immersion_before"] = any(
            s["kind"] == Stage.Kind.IMMERSION and s["actual_start"] is not None and s["actual_start"] < start
            for s in others
        )
        ends = [s["actual_end"] for s in others if s["actual_end"] is not None and s["actual_end"] <= start]
        row["previous_end"] = max(ends) if ends else None
    return rows


def _begins(stage: dict):
    """A stage's start, effective else planned (the chaining's `Coalesce("actual_start", "planned_start")`)."""
    return stage["actual_start"] if stage["actual_start"] is not None else stage["planned_start"]


def _fact(row) -> StageFact:
    ended = row["status"] in ENDED
    if ended:
        followed_30 = row["status"] == Stage.Status.POSITIVE_EXIT or row["chained_soon"]
    else:
        followed_30 = None
    previous_end = row["previous_end"]
    return StageFact(
        stage_id=row["pk"],
        pathway_id=row["pathway_id"],
        region_id=row["region_rule"],
        basin_id=row["basin_rule"],
        training_action_id=row["enrolment__session__training_action_id"],
        session_id=row["enrolment__session_id"],
        organisation_id=row["organisation_id"],
        funder_id=row["enrolment__session__training_action__funder_id"],
        prescriber_id=row["pathway__prescribing_organisation_id"],
        programme_id=row["programme_id"],
        referent_id=row["pathway__referent_id"],
        kind=row["kind"],
        status=row["status"],
        exit_destination=row["exit_destination"],
        started_on=row["actual_start"],
        ended_on=row["actual_end"],
        rupture_kind=row["rupture_kind"],
        rupture_on=row["rupture_on"],
        main_cause=row["main_cause"],
        counted_rupture=row["counted"],
        interruptions=row["interruption_count"],
        contract_break_followed=row["break_followed"],
        re_engaged_3_months=row["re_3"],
        re_engaged_6_months=row["re_6"],
        post_rupture_case=row["case"],
        in_session=row["session_stage"],
        with_checklist=row["checklist"],
        participant=row["participant_flag"],
        first_absence_at=row["first_absence"],
        follow_ups_before_rupture=row["follow_up_count"] if row["rupture_kind"] else 0,
        followed_within_30_days=followed_30,
        preceded_by_immersion=row["immersion_before"] if row["kind"] in IMMERSION_PRECEDES else None,
        wait_days=(row["actual_start"] - previous_end).days if previous_end else None,
    )


def alert_rows(alerts, absences: dict | None = None):
    """The alert facts' raw columns: the alerts with their basin rule (one query), and the first unjustified absence
    of their stages (one query over the batch's marks rather than a correlated subquery per alert)."""
    basin = Stage.objects.filter(pk=OuterRef("stage_id")).annotate(b=Stage.basin_expression()).values("b")[:1]
    basin_region = Basin.objects.filter(pk=OuterRef("basin_rule")).values("region_id")[:1]
    rows = list(
        alerts.annotate(
            basin_rule=Subquery(basin),
            region_rule=Coalesce(Subquery(basin_region), "inbox__region_id", output_field=BigIntegerField()),
        )
        .values(
            "pk",
            "stage_id",
            "basin_rule",
            "region_rule",
            "inbox_id",
            "kind",
            "created_at",
            "acknowledged_at",
            "escalated_at",
            "stage__actual_start",
        )
        .order_by()
    )
    first = _first_unjustified_absences({row["stage_id"]: row.pop("stage__actual_start") for row in rows}, absences)
    for row in rows:
        row["absence_day"], row["absence_time"] = first.get(row["stage_id"], (None, None))
    return rows


def _first_unjustified_absences(starts: dict, cache: dict | None = None) -> dict:
    """{stage: (day, starts_at)} of each stage's first mark "absent, not justified" on or after its effective start
    (`starts`: {stage: effective start}), in the order of `order_by("slot__date", "slot__starts_at")`.

    Two plain queries (the marks by the partial index `mark_stage_unjustified_idx`, then their half-days by primary
    key) rather than one join, which PostgreSQL plans as a scan of every half-day of the region.

    `cache` ({stage: (day, starts_at) or None}, filled here): the stages already looked up in the same batch (a
    stage's start is the same for its stage fact and its alerts' facts) are not queried again."""
    if cache is not None:
        missing = {pk: start for pk, start in starts.items() if pk not in cache}
        found = _first_unjustified_absences(missing) if missing else {}
        cache.update((pk, found.get(pk)) for pk in missing)
        return {pk: cache[pk] for pk in starts if cache[pk] is not None}
    marks = Mark.objects.filter(stage_id__in=[pk for pk, start in starts.items() if start is not None])
    marks = list(marks.filter(status=Mark.Status.ABSENT_UNJUSTIFIED).order_by().values_list("stage_id", "slot_id"))
    slots = {}
    for index in range(0, len(marks), 20000):
        batch = {slot_id for _stage_id, slot_id in marks[index : index + 20000]}
        slots.update(
            (pk, (day, time))
            for pk, day, time in Slot.objects.filter(pk__in=batch).values_list("pk", "date", "starts_at").order_by()
        )
    first = {}
    for stage_id, slot_id in marks:
        moment = slots[slot_id]
        if moment[0] >= starts[stage_id] and (stage_id not in first or moment < first[stage_id]):
            first[stage_id] = moment
    return first


def _hours(start: datetime.datetime, end: datetime.datetime) -> float:
    return round((end - start).total_seconds() / 3600, 2)


def _alert_fact(row) -> AlertFact:
    created = row["created_at"]
    acknowledged = row["acknowledged_at"]
    absence_on = row["absence_day"]
    hours_from_absence = None
    if absence_on is not None:
        moment = timezone.make_aware(datetime.datetime.combine(absence_on, row["absence_time"] or datetime.time()))
        if moment <= created:
            hours_from_absence = _hours(moment, created)
        else:
            absence_on = None
    within = False
    if acknowledged is not None:
        within = working_days_between(timezone.localtime(created).date(), timezone.localtime(acknowledged).date()) <= 2
    return AlertFact(
        alert_id=row["pk"],
        stage_id=row["stage_id"],
        region_id=row["region_rule"],
        basin_id=row["basin_rule"],
        organisation_id=row["inbox_id"],
        kind=row["kind"],
        created_at=created,
        acknowledged_at=acknowledged,
        escalated=row["escalated_at"] is not None,
        acknowledged_within_2_working_days=within,
        first_absence_on=absence_on,
        hours_from_first_absence=hours_from_absence,
        hours_to_acknowledgement=_hours(created, acknowledged) if acknowledged else None,
    )


# --------------------------------------------------------------------------------------------------------------
# Rollups: sums of the facts


def rollup_sums() -> dict:
    """The rollup columns as aggregates over `StageFact` rows."""
    in_session = Q(in_session=True)
    checklist = in_session & Q(with_checklist=True)
    counted = Q(counted_rupture=True)
    return {
        "entrants": Count("pk"),
        "ruptures": Count("pk", filter=counted),
        "abandons": Count("pk", filter=Q(rupture_kind=Kind.ABANDON)),
        "exclusions": Count("pk", filter=Q(rupture_kind=Kind.EXCLUSION)),
        "contract_breaks": Count("pk", filter=Q(rupture_kind=Kind.CONTRACT_BREAK, contract_break_followed=False)),
        "contract_breaks_followed": Count(
            "pk", filter=Q(rupture_kind=Kind.CONTRACT_BREAK, contract_break_followed=True)
        ),
        "interruptions": Coalesce(Sum("interruptions"), 0),
        "positive_exits": Count("pk", filter=Q(rupture_kind=Kind.POSITIVE_EXIT)),
        "in_session_entrants": Count("pk", filter=in_session),
        "checklist_entrants": Count("pk", filter=checklist),
        "checklist_ruptures": Count("pk", filter=checklist & counted),
        "participant_entrants": Count("pk", filter=Q(participant=True)),
        "participant_ruptures": Count("pk", filter=Q(participant=True) & counted),
        "re_engaged_3_months": Count("pk", filter=counted & Q(re_engaged_3_months=True)),
        "re_engaged_6_months": Count("pk", filter=counted & Q(re_engaged_6_months=True)),
    }


def _in(field: str, values: set) -> Q:
    condition = Q(**{f"{field}__in": [v for v in values if v is not None]})
    if None in values:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def _write_rollups(facts_filter: Q, monthly_filter: Q, daily_filter: Q) -> None:
    """Replace the rollup rows matching the filters by the sums of the facts matching `facts_filter` (the same
    buckets, named by the facts' columns): the GROUP BY of `rollup_sums` inserted by the database itself
    (INSERT … SELECT), no row travelling through Python."""
    keys = ("region_id", "basin_id", "training_action_id", "organisation_id")
    sums = rollup_sums()
    facts = StageFact.objects.filter(facts_filter).order_by()
    MonthlyRollup.objects.filter(monthly_filter).delete()
    DailyRollup.objects.filter(daily_filter).delete()
    monthly = facts.annotate(bucket=TruncMonth("started_on")).values(*keys, "bucket").annotate(**sums)
    _insert_select(MonthlyRollup, [*keys, "month", *sums], monthly.values_list(*keys, "bucket", *sums))
    daily = facts.values(*keys, "started_on").annotate(**sums)
    _insert_select(DailyRollup, [*keys, "day", *sums], daily.values_list(*keys, "started_on", *sums))


def _insert_select(model, columns: list[str], query) -> None:
    """INSERT INTO `model`'s table (`columns`) the rows of `query` (a values_list of as many columns, in order)."""
    sql, params = query.query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) {sql}", params
        )


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _insert(model, objects: list) -> None:
    """`bulk_create` of new rows; on PostgreSQL by COPY (binding 80,000 parameters a batch costs more than writing)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # The facts' values are plain dates, numbers, booleans and text, which psycopg adapts; `auto_now` is set here.
    now = timezone.now()
    stamped = [getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) for field in fields]
    names = [field.attname for field in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            values = obj.__dict__
            copy.write_row([now if stamp else values[name] for name, stamp in zip(names, stamped, strict=True)])


def _replace_facts(pathway_ids: list[int]) -> tuple[set, set]:
    """Recompute the facts of the pathways; returns the buckets (basin, organisation, day) touched before and after,
    as (set of (basin, organisation), set of days)."""
    old = set(
        StageFact.objects.filter(pathway_id__in=pathway_ids).values_list("basin_id", "organisation_id", "started_on")
    )
    StageFact.objects.filter(pathway_id__in=pathway_ids).delete()
    absences = {}  # the first unjustified absences, looked up once for the stage and the alert facts
    facts = [_fact(row) for row in stage_rows(Stage.objects.filter(pathway_id__in=pathway_ids), absences)]
    _insert(StageFact, facts)
    alerts = Alert.objects.filter(stage__pathway_id__in=pathway_ids)
    AlertFact.objects.filter(stage__pathway_id__in=pathway_ids).delete()
    _insert(AlertFact, [_alert_fact(row) for row in alert_rows(alerts, absences)])
    new = {(f.basin_id, f.organisation_id, f.started_on) for f in facts}
    return old | new


@transaction.atomic
def refresh_pathways(pathway_ids: Iterable[int]) -> int:
    """Recompute the facts of every stage and alert of these pathways, and the rollup buckets they touch (before
    and after). Returns the number of stage facts written."""
    pathway_ids = sorted(set(pathway_ids))
    if not pathway_ids:
        return 0
    _lock()
    touched = _replace_facts(pathway_ids)
    if touched:
        # The buckets touched are recomputed as a superset: the (basin, organisation) pairs' whole months, every row
        # of which is summed again from the facts, so the result is exact.
        where = _in("basin_id", {basin for basin, _org, _day in touched})
        where &= Q(organisation_id__in={org for _basin, org, _day in touched})
        months = {_month(day) for _basin, _org, day in touched}
        days = _days_of(months)
        _write_rollups(where & Q(started_on__in=days), where & Q(month__in=months), where & Q(day__in=days))
    regions = set(Pathway.objects.filter(pk__in=pathway_ids).values_list("beneficiary__region_id", flat=True)) | set(
        StageFact.objects.filter(pathway_id__in=pathway_ids).values_list("region_id", flat=True)
    )
    stamp(regions)
    return StageFact.objects.filter(pathway_id__in=pathway_ids).count()


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _days_of(months: set[datetime.date]) -> list[datetime.date]:
    days = []
    for month in sorted(months):
        day, end = month, _next_month(month)
        while day < end:
            days.append(day)
            day += datetime.timedelta(days=1)
    return days


def stamp(region_ids: Iterable[int], *, rebuilt: bool = False) -> None:
    now = timezone.now()
    for region_id in region_ids:
        defaults = {"refreshed_at": now, **({"rebuilt_at": now} if rebuilt else {})}
        RollupStamp.objects.update_or_create(region_id=region_id, defaults=defaults)


def rebuild(region: Region | int | None = None, *, chunk: int = CHUNK) -> int:
    """Every fact and rollup from scratch (of one region: the pathways of its people, and whatever lands in its
    basins), pathways in chunks of `chunk` so that memory stays bounded; then the freshness stamp. Returns the
    number of stage facts."""
    region_id = getattr(region, "pk", region)
    started = timezone.now()
    pathways = Pathway.objects.order_by("pk")
    if region_id is not None:
        pathways = pathways.filter(
            Q(beneficiary__region_id=region_id)
            | Q(pk__in=StageFact.objects.filter(region_id=region_id).values("pathway_id"))
        )
    ids = list(pathways.values_list("pk", flat=True).distinct())
    for index in range(0, len(ids), chunk):
        with transaction.atomic():
            _lock()
            _replace_facts(ids[index : index + chunk])
    with transaction.atomic():
        _lock()
        if region_id is None:
            StageFact.objects.exclude(pathway_id__in=Pathway.objects.values("pk")).delete()
            _write_rollups(Q(), Q(), Q())
            regions = list(Region.objects.values_list("pk", flat=True))
        else:
            _write_rollups(Q(region_id=region_id), Q(region_id=region_id), Q(region_id=region_id))
            regions = [region_id]
        stamp(regions, rebuilt=True)
        # The refreshes queued before the rebuild began are done by it.
        covered = RollupQueue.objects.filter(queued_at__lte=started)
        if region_id is not None:
            covered = covered.filter(stage_id__in=Stage.objects.filter(pathway__in=pathways.values("pk")).values("pk"))
        covered.delete()
    facts = StageFact.objects.all() if region_id is None else StageFact.objects.filter(region_id=region_id)
    return facts.count()
