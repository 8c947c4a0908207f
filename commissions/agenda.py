"""The rules that propose a meeting's agenda (issue 19): each is a function of the basin (and the day) returning a
queryset of `Proposal`-shaped rows (`stage_id` or `session_id`, a date `on`, a number `figure`), read in one query.

The basin is the one basin rule (`Stage.objects.in_basin`); a session belongs to its training action's basin. The
rules read the state on `today`: a case stays proposed meeting after meeting until something is done about it (the
agenda marks those new since the previous meeting).

- RUPTURE: a declared abandon, exclusion or contract break whose pathway is still open and holds no other stage
  (not cancelled) beginning on or after the rupture: nothing came next yet.
- ALERT: an alert still new, or escalated to the managers and not acted on yet.
- SUSPENSION: a suspended stage whose planned resume date has passed.
- ENDING: a stage in progress ending within six weeks with no next step: no other stage of the pathway planned or in
  progress that begins on or after its start.
- WAITING: an open pathway whose last ended stage ended more than the commission's threshold ago, with nothing
  started since and nothing in progress. Computed in SQL from `Stage` (the dashboards' `StageFact.wait_days` counts
  the wait of stages that started, not of people still waiting).
- CHECKLIST: a risk answer of a checklist whose follow-up action is overdue (its to-do still open).
- OPEN_PLACES: a session starting within twelve weeks, or started less than four weeks ago (late entries are still
  possible), whose capacity is above the people enrolled in it (planned, in progress or suspended): what the
  prescribers can still fill before the next meetings. A session that started long ago (the second year of a CAP)
  is not proposed: nobody enters it any more.
- DECISION: a decision of an earlier meeting of the commission still open (its to-do neither done nor cancelled).
"""

import datetime

from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Concat

from alerts.models import Alert
from checklist.models import Answer, ChecklistAnswer
from notifications.models import Todo
from pathways.models import Pathway, Session, Stage
from ruptures.models import Rupture

ENDING_WITHIN = datetime.timedelta(weeks=6)
OPEN_PLACES_WITHIN = datetime.timedelta(weeks=12)
OPEN_PLACES_LATE_ENTRY = datetime.timedelta(weeks=4)
# The ruptures whose outcome the commission looks for (an interruption has its planned resume: SUSPENSION).
RUPTURE_KINDS = (Rupture.Kind.ABANDON, Rupture.Kind.EXCLUSION, Rupture.Kind.CONTRACT_BREAK)


def _basin_stages(basin):
    return Stage.objects.in_basin(basin).values("pk")


def ruptures_without_outcome(basin, *, today: datetime.date):
    chained = (
        Stage.objects.exclude(status=Stage.Status.CANCELLED)
        .exclude(pk=OuterRef("stage_id"))
        .annotate(begins=Coalesce("actual_start", "planned_start"))
        .filter(pathway=OuterRef("stage__pathway_id"), begins__gte=OuterRef("occurred_on"))
    )
    return (
        Rupture.objects.filter(
            stage__in=_basin_stages(basin),
            kind__in=RUPTURE_KINDS,
            occurred_on__lte=today,
            stage__pathway__status=Pathway.Status.OPEN,
        )
        .exclude(Exists(chained))
        .values("stage_id", on=F("occurred_on"), figure=Value(None, output_field=IntegerField()))
    )


def open_alerts(basin, *, today: datetime.date):
    still_open = Q(status=Alert.Status.NEW) | (Q(escalated_at__isnull=False) & ~Q(status=Alert.Status.ACTED))
    return (
        Alert.objects.filter(stage__in=_basin_stages(basin), created_at__date__lte=today)
        .filter(still_open)
        .values("stage_id", on=F("created_at__date"), figure=Value(None, output_field=IntegerField()))
    )


def suspensions_overdue(basin, *, today: datetime.date):
    return (
        Stage.objects.in_basin(basin)
        .filter(status=Stage.Status.SUSPENDED, planned_resume__lt=today)
        .values(stage_id=F("pk"), on=F("planned_resume"), figure=Value(None, output_field=IntegerField()))
    )


def stages_ending_without_next(basin, *, today: datetime.date):
    following = (
        Stage.objects.filter(
            pathway=OuterRef("pathway_id"), status__in=[Stage.Status.PLANNED, Stage.Status.IN_PROGRESS]
        )
        .exclude(pk=OuterRef("pk"))
        .annotate(begins=Coalesce("actual_start", "planned_start"))
        .filter(begins__gte=OuterRef("actual_start"))
    )
    return (
        Stage.objects.in_basin(basin)
        .filter(
            status=Stage.Status.IN_PROGRESS,
            pathway__status=Pathway.Status.OPEN,
            planned_end__gte=today,
            planned_end__lte=today + ENDING_WITHIN,
        )
        .exclude(Exists(following))
        .values(stage_id=F("pk"), on=F("planned_end"), figure=Value(None, output_field=IntegerField()))
    )


def waiting_gaps(basin, *, today: datetime.date, threshold_days: int):
    ended = [Stage.Status.COMPLETED, Stage.Status.POSITIVE_EXIT, Stage.Status.ABANDONED]
    same_pathway = Stage.objects.filter(pathway=OuterRef("pathway_id")).exclude(pk=OuterRef("pk"))
    started_since = same_pathway.filter(actual_start__gte=OuterRef("actual_end")).exclude(status=Stage.Status.CANCELLED)
    running = same_pathway.filter(status__in=[Stage.Status.IN_PROGRESS, Stage.Status.SUSPENDED])
    ended_later = same_pathway.filter(status__in=ended, actual_end__gt=OuterRef("actual_end"))
    return (
        Stage.objects.in_basin(basin)
        .filter(
            status__in=ended,
            pathway__status=Pathway.Status.OPEN,
            actual_end__lt=today - datetime.timedelta(days=threshold_days),
        )
        .exclude(Exists(started_since))
        .exclude(Exists(running))
        .exclude(Exists(ended_later))
        .annotate(waited=Value(today, output_field=DateField()) - F("actual_end"))
        .values(stage_id=F("pk"), on=F("actual_end"), figure=F("waited"))
    )


def checklist_risks_overdue(basin, *, today: datetime.date):
    open_todo = Todo.objects.open().filter(
        source_key=Concat(
            Value("checklist-answer:"),
            OuterRef("checklist_id"),
            Value(":"),
            OuterRef("item__code"),
            output_field=Todo._meta.get_field("source_key"),
        )
    )
    return (
        ChecklistAnswer.objects.filter(
            checklist__stage__in=_basin_stages(basin), answer=Answer.RISK, action_due__lt=today
        )
        .exclude(action="")
        .filter(Exists(open_todo))
        .values(stage_id=F("checklist__stage_id"), on=F("action_due"), figure=Value(None, output_field=IntegerField()))
    )


def open_places(basin, *, today: datetime.date):
    return (
        Session.objects.filter(
            training_action__basin=basin,
            end_date__gte=today,
            start_date__gt=today - OPEN_PLACES_LATE_ENTRY,
            start_date__lte=today + OPEN_PLACES_WITHIN,
        )
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__stage__status__in=Stage.ACTIVE_STATUSES), distinct=True)
        )
        .annotate(places=F("capacity") - F("enrolled"))
        .filter(places__gt=0)
        .values(session_id=F("pk"), on=F("start_date"), figure=F("places"))
    )


def open_decisions(commission, *, before: datetime.datetime):
    """The decisions of the commission's earlier meetings whose to-do is still open."""
    from commissions.models import Decision

    open_todo = Todo.objects.open().filter(
        source_key=Concat(
            Value("commission-decision:"), OuterRef("pk"), output_field=Todo._meta.get_field("source_key")
        )
    )
    return (
        Decision.objects.filter(meeting__commission=commission, meeting__starts_at__lt=before)
        .filter(Exists(open_todo))
        .values(decision_id=F("pk"), on=F("due_on"), figure=Value(None, output_field=IntegerField()))
    )


def person_rules(commission):
    """The person rules in the order the agenda lists them (a case proposed by two rules appears once, under the
    first): (kind, rule)."""
    from commissions.models import AgendaItem

    Kind = AgendaItem.Kind
    return [
        (Kind.RUPTURE, ruptures_without_outcome),
        (Kind.ALERT, open_alerts),
        (Kind.SUSPENSION, suspensions_overdue),
        (Kind.CHECKLIST, checklist_risks_overdue),
        (Kind.ENDING, stages_ending_without_next),
        (
            Kind.WAITING,
            lambda basin, *, today: waiting_gaps(basin, today=today, threshold_days=commission.waiting_threshold_days),
        ),
    ]
