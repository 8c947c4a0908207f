"""Monthly attendance statements (états de présence) that funders ask for: the figures, their CSV and PDF, and the
export outbox (`StatementExport`) built by a worker.

What counts, per person (an enrolled stage of the session active at some point in the month):
- scheduled: the held half-days of the month inside the stage's active period (its start, to its actual end or the
  month's end), leaving out cancelled half-days, the person's company periods (their own or the group's) and their
  suspensions (from the suspension's date to the day before the resumption);
- each scheduled half-day is attended (present or late), a justified or unjustified absence, excused, or not yet
  marked: the five add up to the scheduled hours;
- the attendance rate is attended / (scheduled − excused), in per cent with one decimal.
"""

import calendar
import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.models import CompanyPeriod, Mark, Slot, StatementExport
from core.documents import document_build, document_enqueue, document_sweep
from core.pdf import render_pdf
from pathways.models import Session, Stage, StageTransition
from pathways.validators import format_siret

HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")
# An export still pending this long after its request was not enqueued (broker down) or its worker was lost.
PDF_TEMPLATE = "attendance/pdf/statement.html"


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _seconds(slot: Slot) -> int:
    start = datetime.datetime.combine(slot.date, slot.starts_at)
    end = datetime.datetime.combine(slot.date, slot.ends_at)
    return int((end - start).total_seconds())


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


# --------------------------------------------------------------------------------------------------------------
# The figures


class HalfDayState:
    """What a half-day of the month is for one person, beyond the statuses of a mark."""

    UNMARKED = "unmarked"
    CANCELLED = "cancelled"
    COMPANY = "company"
    SUSPENDED = "suspended"
    OUTSIDE = "outside"

    LABELS = {
        UNMARKED: gettext_lazy("Non émargée"),
        CANCELLED: gettext_lazy("Annulée"),
        COMPANY: gettext_lazy("En entreprise"),
        SUSPENDED: gettext_lazy("Suspension"),
        OUTSIDE: gettext_lazy("Hors période de formation"),
    }


@dataclass
class HalfDay:
    slot: Slot
    state: str  # a Mark.Status value, or a HalfDayState
    scheduled: bool

    @property
    def label(self) -> str:
        if self.state in Mark.Status.values:
            return str(Mark.Status(self.state).label)
        return str(HalfDayState.LABELS[self.state])


@dataclass
class Figures:
    """Hours of one person, or of the whole session, kept in seconds and read as Decimal hours (2 decimals)."""

    scheduled_seconds: int = 0
    attended_seconds: int = 0
    justified_seconds: int = 0
    unjustified_seconds: int = 0
    excused_seconds: int = 0
    unmarked_seconds: int = 0

    BUCKETS = {
        Mark.Status.PRESENT: "attended_seconds",
        Mark.Status.LATE: "attended_seconds",
        Mark.Status.ABSENT_JUSTIFIED: "justified_seconds",
        Mark.Status.ABSENT_UNJUSTIFIED: "unjustified_seconds",
        Mark.Status.EXCUSED: "excused_seconds",
        HalfDayState.UNMARKED: "unmarked_seconds",
    }

    def count(self, state: str, seconds: int) -> None:
        self.scheduled_seconds += seconds
        bucket = self.BUCKETS[state]
        setattr(self, bucket, getattr(self, bucket) + seconds)

    def add(self, other: "Figures") -> None:
        for name in ("scheduled", "attended", "justified", "unjustified", "excused", "unmarked"):
            attribute = f"{name}_seconds"
            setattr(self, attribute, getattr(self, attribute) + getattr(other, attribute))

    @property
    def scheduled(self) -> Decimal:
        return _hours(self.scheduled_seconds)

    @property
    def attended(self) -> Decimal:
        return _hours(self.attended_seconds)

    @property
    def justified(self) -> Decimal:
        return _hours(self.justified_seconds)

    @property
    def unjustified(self) -> Decimal:
        return _hours(self.unjustified_seconds)

    @property
    def excused(self) -> Decimal:
        return _hours(self.excused_seconds)

    @property
    def unmarked(self) -> Decimal:
        return _hours(self.unmarked_seconds)

    @property
    def rate(self) -> Decimal | None:
        """Attended / (scheduled − excused), in per cent with one decimal; None when nothing was expected."""
        expected = self.scheduled_seconds - self.excused_seconds
        if expected <= 0:
            return None
        return (Decimal(100 * self.attended_seconds) / Decimal(expected)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class Line(Figures):
    stage: Stage | None = None
    half_days: list[HalfDay] = field(default_factory=list)

    @property
    def person(self):
        return self.stage.pathway.beneficiary

    @property
    def name(self) -> str:
        """As on official documents: NAME First name."""
        return f"{self.person.last_name.upper()} {self.person.first_name}"

    @property
    def days(self) -> list[tuple[datetime.date, HalfDay | None, HalfDay | None]]:
        """The half-days by day (date, morning, afternoon), for the per-person detail."""
        grouped: dict[datetime.date, dict[str, HalfDay]] = {}
        for half_day in self.half_days:
            grouped.setdefault(half_day.slot.date, {})[half_day.slot.period] = half_day
        return [
            (day, halves.get(Slot.Period.MORNING), halves.get(Slot.Period.AFTERNOON)) for day, halves in grouped.items()
        ]


@dataclass
class Statement:
    session: Session
    month: datetime.date
    stage: Stage | None
    lines: list[Line]
    totals: Figures

    @property
    def first_day(self) -> datetime.date:
        return month_bounds(self.month)[0]

    @property
    def last_day(self) -> datetime.date:
        return month_bounds(self.month)[1]

    @property
    def per_person(self) -> bool:
        return self.stage is not None


def _suspensions(stage: Stage, transitions: list[StageTransition]) -> list[tuple[datetime.date, datetime.date | None]]:
    """The stage's suspensions as [from, until) intervals (until None: still suspended)."""
    Action = StageTransition.Action
    intervals, since = [], None
    for event in transitions:
        if event.action == Action.SUSPEND:
            since = event.effective_date
        elif since is not None and event.action == Action.RESUME:
            intervals.append((since, event.effective_date))
            since = None
        elif since is not None and event.action == Action.EXIT:  # left while suspended: the exit day included
            intervals.append((since, event.effective_date + datetime.timedelta(days=1)))
            since = None
    if since is None and stage.status == Stage.Status.SUSPENDED and stage.suspended_since:
        since = stage.suspended_since  # a suspension recorded without its event (data imported or fixed by hand)
    if since is not None:
        intervals.append((since, None))
    return intervals


def _state(stage: Stage, slot: Slot, marks, periods, suspensions) -> str:
    end = stage.actual_end
    if slot.date < stage.start or (end is not None and slot.date > end):
        return HalfDayState.OUTSIDE
    if slot.cancelled:
        return HalfDayState.CANCELLED
    if any(since <= slot.date and (until is None or slot.date < until) for since, until in suspensions):
        return HalfDayState.SUSPENDED
    if any(period.covers(stage.pk, slot.date) for period in periods):
        return HalfDayState.COMPANY
    return marks.get((stage.pk, slot.pk), HalfDayState.UNMARKED)


def statement_stages(session: Session, month: datetime.date):
    """The session's stages active at some point in the month: begun (or due to begin) by its end, not ended before
    its start, not cancelled; in alphabetical order."""
    first, last = month_bounds(month)
    return (
        Stage.objects.filter(enrolment__session=session)
        .exclude(status=Stage.Status.CANCELLED)
        .filter(Q(actual_start__lte=last) | Q(actual_start__isnull=True, planned_start__lte=last))
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=first))
        .order_by("pathway__beneficiary__last_name", "pathway__beneficiary__first_name", "pk")
    )


def monthly_statement(session: Session, month: datetime.date, stage: Stage | None = None) -> Statement:
    """The figures of one month for the session's people (or one of them), in five queries whatever their number."""
    first, last = month_bounds(month)
    stages = statement_stages(session, first).select_related("pathway__beneficiary")
    if stage is not None:
        stages = stages.filter(pk=stage.pk)
    stages = list(stages)
    stage_ids = [s.pk for s in stages]
    slots = list(Slot.objects.filter(session=session, date__range=(first, last)).order_by("date", "period"))
    marks = {
        (stage_id, slot_id): status
        for stage_id, slot_id, status in Mark.objects.filter(
            stage_id__in=stage_ids, slot__session=session, slot__date__range=(first, last)
        ).values_list("stage_id", "slot_id", "status")
    }
    periods = list(CompanyPeriod.objects.filter(session=session, start_date__lte=last, end_date__gte=first))
    transitions: dict[int, list[StageTransition]] = {pk: [] for pk in stage_ids}
    events = StageTransition.objects.filter(
        stage_id__in=stage_ids,
        action__in=[StageTransition.Action.SUSPEND, StageTransition.Action.RESUME, StageTransition.Action.EXIT],
    ).order_by("effective_date", "at", "pk")
    for event in events:
        transitions[event.stage_id].append(event)

    seconds = {slot.pk: _seconds(slot) for slot in slots}
    lines, totals = [], Figures()
    for person_stage in stages:
        line = Line(stage=person_stage)
        suspensions = _suspensions(person_stage, transitions[person_stage.pk])
        for slot in slots:
            state = _state(person_stage, slot, marks, periods, suspensions)
            scheduled = state in Figures.BUCKETS
            if scheduled:
                line.count(state, seconds[slot.pk])
            line.half_days.append(HalfDay(slot=slot, state=state, scheduled=scheduled))
        totals.add(line)
        lines.append(line)
    return Statement(session=session, month=first, stage=stage, lines=lines, totals=totals)


# --------------------------------------------------------------------------------------------------------------
# CSV and PDF


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else str(value).replace(".", ",")


def _text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a name typed as "=HYPERLINK(…)")."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def statement_csv(statement: Statement) -> str:
    """The statement as CSV for a spreadsheet: UTF-8 with a BOM (Excel then reads accents), `;`, decimal comma."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Nom"),
            _("Prénom"),
            _("Date de naissance"),
            _("Heures prévues"),
            _("Heures de présence"),
            _("Heures d'absence justifiée"),
            _("Heures d'absence non justifiée"),
            _("Heures de dispense"),
            _("Heures non émargées"),
            _("Taux d'assiduité (%)"),
        ]
    )

    def figures(row: Figures) -> list[str]:
        return [
            _decimal(value)
            for value in (
                row.scheduled,
                row.attended,
                row.justified,
                row.unjustified,
                row.excused,
                row.unmarked,
                row.rate,
            )
        ]

    for line in statement.lines:
        person = line.person
        writer.writerow(
            [_text(person.last_name.upper()), _text(person.first_name), f"{person.birth_date:%d/%m/%Y}", *figures(line)]
        )
    writer.writerow([_("Total"), "", "", *figures(statement.totals)])
    return buffer.getvalue()


def statement_context(statement: Statement) -> dict:
    action = statement.session.training_action
    return {
        "statement": statement,
        "session": statement.session,
        "action": action,
        "body": action.training_body,
        "siret": format_siret(action.training_body.siret),
        "programme": action.programme,
        "month_label": date_format(statement.month, "F Y"),
        "generated_at": timezone.localtime(),
    }


def statement_pdf(statement: Statement) -> bytes:
    return render_pdf(PDF_TEMPLATE, statement_context(statement))


def statement_filename(export: StatementExport) -> str:
    """The download's name: etat-de-presence-2026-11-titre-pro-advf[-martin-zoe].pdf"""
    parts = ["etat-de-presence", f"{export.month:%Y-%m}", slugify(export.session.training_action.title)]
    if export.stage_id:
        person = export.stage.pathway.beneficiary
        parts.append(slugify(f"{person.last_name} {person.first_name}"))
    return "-".join(part for part in parts if part) + f".{export.format}"


# --------------------------------------------------------------------------------------------------------------
# The export outbox: request (web), build (worker), sweep (beat)


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def statement_request(
    *, session: Session, month: datetime.date, format: str, by, stage: Stage | None = None
) -> StatementExport:
    """Record a statement request and have a worker build it once committed. The same request still pending is
    returned rather than queued twice (a double click)."""
    month = _first_of_month(month)
    first_month, last_month = _first_of_month(session.start_date), _first_of_month(session.end_date)
    errors = {}
    if not first_month <= month <= last_month:
        errors["month"] = _("Choisissez un mois de la session (de %(first)s à %(last)s).") % {
            "first": date_format(first_month, "F Y"),
            "last": date_format(last_month, "F Y"),
        }
    elif month > _first_of_month(timezone.localdate()):
        errors["month"] = _("Ce mois n'a pas encore commencé.")
    if format not in StatementExport.Format.values:
        errors["format"] = _("Choisissez le format PDF ou CSV.")
    if stage is not None and not Stage.objects.filter(pk=stage.pk, enrolment__session=session).exists():
        errors["stage"] = _("Cette personne n'est pas inscrite dans cette session.")
    if errors:
        raise ValidationError(errors)
    pending = StatementExport.objects.filter(
        session=session, stage=stage, month=month, format=format, status=StatementExport.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    export = StatementExport(session=session, stage=stage, month=month, format=format, requested_by=by)
    export.full_clean()
    export.save()
    document_enqueue("attendance.tasks.build_statement_task", export.pk)
    return export


def _render(export: StatementExport) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        statement = monthly_statement(export.session, export.month, export.stage)
        if export.format == StatementExport.Format.CSV:
            return statement_csv(statement).encode("utf-8")
        return statement_pdf(statement)


def statement_build(export_id: int) -> bool:
    """Build one export and store its file; False when there is nothing to do (already built, failed or taken).
    Claimed, rendered and stored as every document built by a worker (`core.documents`)."""
    return document_build(
        StatementExport,
        export_id,
        related=(
            "session__training_action__training_body",
            "session__training_action__programme",
            "stage__pathway__beneficiary",
        ),
        render=_render,
        filename=lambda export: f"etat-de-presence-{export.pk}.{export.format}",
    )


def statement_sweep(*, now: datetime.datetime | None = None) -> int:
    """Build the exports still pending a while after their request (broker down, worker lost). Returns how many
    were built; one failing export does not stop the others."""
    return document_sweep(StatementExport, statement_build, now=now)
