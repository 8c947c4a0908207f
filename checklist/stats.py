"""The checklist's figures (seed 000: 353 checklisted entrants, 25 ruptures, 7 %), the reference the dashboards'
rollups must equal.

- **Entrants**: the cohort of the rupture rate (`ruptures.rates.entrants`: stages that really started in the
  period), narrowed to the stages taken in a session of a training action (those a checklist is for).
- **With a checklist**: a checklist of the stage submitted on or before its effective start
  (`checklist.services.submitted_before_start`, the same test as the rupture rate's split).
- **Effect**: the rupture rate (`ruptures.rates.rupture_rate`, never a second implementation) among entrants with
  and without a checklist; and, per item, how often it was "at risk" (in the last revision submitted on or before
  the start) among those who broke (the ruptures the rate counts) and those who did not.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from checklist.models import Answer, ChecklistItem, ChecklistRevision
from checklist.services import submitted_before_start
from pathways.models import Stage
from ruptures.rates import RuptureRate, counted_ruptures, entrants, percent, rupture_rate

GROUPS = {
    "training_body": ("organisation_id", "organisation__name"),
    "training_action": ("enrolment__session__training_action_id", "enrolment__session__training_action__title"),
    "basin": ("enrolment__session__training_action__basin_id", "enrolment__session__training_action__basin__name"),
}


def training_stages(stages: QuerySet[Stage] | None = None) -> QuerySet[Stage]:
    """Stages taken in a session (within `stages` if given): those a checklist is for."""
    training = Stage.objects.filter(enrolment__isnull=False)
    return training.filter(pk__in=stages.values("pk")) if stages is not None else training


@dataclass(frozen=True)
class Coverage:
    key: int | None
    label: str
    entrants: int
    with_checklist: int

    @property
    def rate(self) -> float | None:
        return percent(self.with_checklist, self.entrants)


def coverage(
    *, start: datetime.date, end: datetime.date, by: str, stages: QuerySet[Stage] | None = None
) -> list[Coverage]:
    """Share of entrants with a checklist submitted before their start, per training body, training action or
    basin (`by`), in one query."""
    key, label = GROUPS[by]
    rows = (
        entrants(start=start, end=end, stages=training_stages(stages))
        .values(key, label)
        .annotate(n=Count("pk", distinct=True), done=Count("pk", filter=submitted_before_start(), distinct=True))
        .order_by(label)
    )
    return [Coverage(row[key], row[label], row["n"], row["done"]) for row in rows]


def coverage_total(*, start: datetime.date, end: datetime.date, stages: QuerySet[Stage] | None = None) -> Coverage:
    cohort = entrants(start=start, end=end, stages=training_stages(stages))
    counts = cohort.aggregate(n=Count("pk", distinct=True), done=Count("pk", filter=submitted_before_start()))
    return Coverage(None, "", counts["n"], counts["done"])


@dataclass(frozen=True)
class Effect:
    with_checklist: RuptureRate
    without_checklist: RuptureRate


def effect(*, start: datetime.date, end: datetime.date, stages: QuerySet[Stage] | None = None) -> Effect:
    """The rupture rate among entrants with and without a checklist (FLUIDITÉ: a training body is not penalised for
    a rupture when the checklist was in place)."""
    training = training_stages(stages)
    return Effect(
        with_checklist=rupture_rate(start=start, end=end, stages=training, with_checklist=True),
        without_checklist=rupture_rate(start=start, end=end, stages=training, with_checklist=False),
    )


@dataclass(frozen=True)
class ItemEffect:
    code: str
    label: str
    at_risk_broke: int  # entrants who broke whose checklist had this item at risk
    broke: int
    at_risk_kept: int  # entrants who did not break whose checklist had it at risk
    kept: int

    @property
    def share_broke(self) -> float | None:
        return percent(self.at_risk_broke, self.broke)

    @property
    def share_kept(self) -> float | None:
        return percent(self.at_risk_kept, self.kept)


def item_effect(*, start: datetime.date, end: datetime.date, stages: QuerySet[Stage] | None = None) -> list[ItemEffect]:
    """Per item: how often it was at risk among checklisted entrants who broke vs those who did not (four queries
    whatever the cohort)."""
    training = training_stages(stages)
    cohort = entrants(start=start, end=end, stages=training).filter(submitted_before_start())
    broke = set(
        counted_ruptures(start=start, end=end, stages=training, with_checklist=True).values_list("stage_id", flat=True)
    )
    revisions = (
        ChecklistRevision.objects.filter(checklist__stage__in=cohort.values("pk"))
        .filter(submitted_at__date__lte=F("checklist__stage__actual_start"))
        .order_by("checklist__stage_id", "submitted_at", "number")
        .values_list("checklist__stage_id", "answers")
    )
    at_entry = {}
    for stage_id, answers in revisions:
        at_entry[stage_id] = answers  # the last one submitted before the start wins
    kept_total = len(at_entry) - len(broke & at_entry.keys())
    broke_total = len(broke & at_entry.keys())
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for stage_id, answers in at_entry.items():
        for code, entry in answers.items():
            labels.setdefault(code, entry.get("label_fr", code))
            pair = counts.setdefault(code, [0, 0])
            if entry.get("answer") == Answer.RISK:
                pair[0 if stage_id in broke else 1] += 1
    order = {}
    for code in ChecklistItem.objects.order_by(
        "-section__template__version", "section__position", "position"
    ).values_list("code", flat=True):
        order.setdefault(code, len(order))
    return [
        ItemEffect(code, labels[code], pair[0], broke_total, pair[1], kept_total)
        for code, pair in sorted(counts.items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))
    ]
