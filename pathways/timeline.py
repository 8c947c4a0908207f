"""The read model of a pathway page: stages in order, the waiting gaps between them, programme durations used,
and the change history. Built with a fixed number of queries, whatever the number of stages."""

import datetime
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pathways.models import Beneficiary, Pathway, Stage, StageTransition
from pathways.services.stages import active_days, programme_limit_days, suspended_days

ACTION_LABELS = {
    LogEntry.Action.CREATE: gettext_lazy("création"),
    LogEntry.Action.UPDATE: gettext_lazy("modification"),
    LogEntry.Action.DELETE: gettext_lazy("suppression"),
}

# A wait longer than this between two stages is highlighted (seed 001: secure the in-between periods).
LONG_GAP_DAYS = 30
HISTORY_SIZE = 60


@dataclass
class TimelineItem:
    stage: Stage
    transitions: list[StageTransition]
    session: object
    gap_days: int | None  # waiting days since the previous stage ended (None for the first, or overlap)
    suspended_days: int
    active_days: int

    @property
    def long_gap(self) -> bool:
        return self.gap_days is not None and self.gap_days > LONG_GAP_DAYS


@dataclass
class ProgrammeUse:
    programme: object
    used_days: int
    limit_days: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used_days / self.limit_days)) if self.limit_days else 0

    @property
    def exceeded(self) -> bool:
        return self.used_days > self.limit_days


def stages_with_details(pathway: Pathway):
    return (
        Stage.objects.filter(pathway=pathway)
        .select_related("organisation", "programme", "employer", "enrolment__session__training_action")
        .prefetch_related(
            Prefetch("transitions", queryset=StageTransition.objects.select_related("by").order_by("at", "pk")),
        )
        .order_by("planned_start", "pk")
    )


def build_timeline(
    pathway: Pathway, as_of: datetime.date | None = None
) -> tuple[list[TimelineItem], list[ProgrammeUse]]:
    as_of = as_of or timezone.localdate()
    items = []
    previous_end = None
    uses: dict[int, ProgrammeUse] = {}
    first_start: dict[int, datetime.date] = {}
    for stage in stages_with_details(pathway):
        transitions = list(stage.transitions.all())
        enrolment = getattr(stage, "enrolment", None)
        gap = None
        if previous_end is not None and stage.status != Stage.Status.CANCELLED:
            days = (stage.start - previous_end).days
            gap = days if days > 0 else None
        item = TimelineItem(
            stage=stage,
            transitions=transitions,
            session=enrolment.session if enrolment else None,
            gap_days=gap,
            suspended_days=suspended_days(stage, transitions, as_of),
            active_days=active_days(stage, transitions, as_of),
        )
        items.append(item)
        if stage.status != Stage.Status.CANCELLED and stage.end is not None:
            previous_end = max(previous_end, stage.end) if previous_end else stage.end
        if stage.programme_id and stage.status != Stage.Status.CANCELLED:
            first_start.setdefault(stage.programme_id, stage.start)
            use = uses.setdefault(stage.programme_id, ProgrammeUse(stage.programme, 0, 0))
            use.used_days += item.active_days
    for programme_id, use in uses.items():
        use.limit_days = programme_limit_days(use.programme, first_start[programme_id])
    return items, list(uses.values())


def pathway_history(pathway: Pathway, stage_ids) -> list[LogEntry]:
    """Field-level changes of the person, the pathway and its stages (django-auditlog), newest first."""
    types = ContentType.objects.get_for_models(Beneficiary, Pathway, Stage)
    condition = Q(content_type=types[Beneficiary], object_pk=str(pathway.beneficiary_id)) | Q(
        content_type=types[Pathway], object_pk=str(pathway.pk)
    )
    if stage_ids:
        condition |= Q(content_type=types[Stage], object_pk__in=[str(pk) for pk in stage_ids])
    models_by_type = {ct.pk: model for model, ct in types.items()}
    entries = list(LogEntry.objects.filter(condition).select_related("actor").order_by("-timestamp")[:HISTORY_SIZE])
    _attach_display(entries, models_by_type)
    return entries


def _attach_display(entries, models_by_type) -> None:
    """Set `object_label` and `changes_display` (verbose name, old, new) on each entry, resolving foreign keys in
    one query per related model (django-auditlog's own display would query once per value)."""
    wanted: dict[type, set[str]] = {}
    parsed = []
    for entry in entries:
        model = models_by_type[entry.content_type_id]
        rows = []
        for name, values in (entry.changes_dict or {}).items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.concrete:
                continue
            old, new = (None if v in (None, "None") else str(v) for v in values)
            rows.append((field, old, new))
            if field.many_to_one or field.one_to_one:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v)
        parsed.append((entry, model, rows))
    names = {
        related: {str(pk): str(obj) for pk, obj in related._default_manager.in_bulk([int(i) for i in ids]).items()}
        for related, ids in wanted.items()
    }

    def show(field, value):
        if value is None:
            return ""
        if field.many_to_one or field.one_to_one:
            return names[field.related_model].get(value, _("(supprimé)"))
        if field.choices:
            return str(dict(field.choices).get(value, value))
        kind = field.get_internal_type()
        try:
            if kind == "DateField":
                return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
            if kind == "DateTimeField":
                moment = datetime.datetime.fromisoformat(value)
                if timezone.is_naive(moment):
                    moment = timezone.make_aware(moment, datetime.UTC)
                return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        except ValueError:
            return value
        if kind == "BooleanField":
            return _("oui") if value == "True" else _("non")
        return value

    for entry, model, rows in parsed:
        entry.object_label = model._meta.verbose_name
        entry.action_label = ACTION_LABELS.get(entry.action, "")
        entry.changes_display = [
            (field.verbose_name, show(field, old), show(field, new))
            for field, old, new in rows
            # a creation lists the values given, not the empty ones
            if not (entry.action == LogEntry.Action.CREATE and new in (None, ""))
        ]
