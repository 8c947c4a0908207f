"""The read model of a session-day sheet: one row per person expected, one cell per half-day (four queries)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef, Q

from attendance.models import CompanyPeriod, Mark, Slot
from attendance.services import is_locked, sheet_stages
from pathways import scoping
from pathways.models import Session, Stage
from pathways.panels import stage_fact


@dataclass
class Cell:
    stage_id: int
    slot: Slot
    mark: Mark | None
    in_company: bool

    @property
    def key(self) -> str:
        """The suffix of the cell's form fields: m-<key> (status), r-<key> (reason), v-<key> (version seen)."""
        return f"{self.stage_id}-{self.slot.pk}"

    @property
    def version(self) -> int:
        return self.mark.version if self.mark else 0

    @property
    def expects_mark(self) -> bool:
        return not self.slot.cancelled and not self.in_company


@dataclass
class Row:
    stage: Stage
    cells: list[Cell]

    @property
    def paused(self) -> bool:
        return self.stage.status == Stage.Status.SUSPENDED


@dataclass
class Sheet:
    session: Session
    day: datetime.date
    slots: list[Slot]
    rows: list[Row]
    locked: bool

    @property
    def marked(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.mark and cell.expects_mark)

    @property
    def expected(self) -> int:
        return sum(1 for row in self.rows if not row.paused for cell in row.cells if cell.expects_mark)


def build_sheet(session: Session, day: datetime.date, user=None) -> Sheet:
    """The sheet of `session` on `day`; read by `user`, without the people who objected to their organisation."""
    slots = list(Slot.objects.filter(session=session, date=day).order_by("period"))
    expected = sheet_stages(session, day)
    if user is not None:
        expected = scoping.without_objected(expected, user, "pathway__beneficiary")
    # The pre-entry checklist not submitted is flagged on the sheet (read in the same query).
    stages = list(
        expected.select_related("pathway__beneficiary").annotate(checklisted=stage_fact("checklist_submitted"))
    )
    marks = {(m.stage_id, m.slot_id): m for m in Mark.objects.filter(slot__in=slots).select_related("updated_by")}
    periods = list(CompanyPeriod.objects.filter(session=session, start_date__lte=day, end_date__gte=day))
    rows = []
    for stage in stages:
        in_company = any(p.covers(stage.pk, day) for p in periods)
        cells = [
            Cell(stage_id=stage.pk, slot=slot, mark=marks.get((stage.pk, slot.pk)), in_company=in_company)
            for slot in slots
        ]
        rows.append(Row(stage=stage, cells=cells))
    return Sheet(session=session, day=day, slots=slots, rows=rows, locked=is_locked(day))


def neighbour_days(session: Session, day: datetime.date) -> tuple[datetime.date | None, datetime.date | None]:
    """The previous and next days of the session's calendar around `day`."""
    held = Slot.objects.filter(session=session)
    previous = held.filter(date__lt=day).order_by("-date").values_list("date", flat=True).first()
    following = held.filter(date__gt=day).order_by("date").values_list("date", flat=True).first()
    return previous, following


# --------------------------------------------------------------------------------------------------------------
# A day without a session (issue 21): the attendance page offers the last and next session days and the sheets
# still to fill, in a fixed number of queries whatever the number of sessions.

# The sheets still to fill: at most this many, among the session days of at most this many days back.
SHEETS_TO_FILL_LIMIT = 10
SHEETS_TO_FILL_DAYS = 60


@dataclass
class SessionDay:
    session: Session
    day: datetime.date
    unmarked: int = 0  # half-days of that day where someone expected has no mark


def _expected_without_mark():
    """People expected on the outer slot's half-day (`sheet_stages`' rule, neither paused nor in a company) who have
    no mark for it: a subquery of a `Slot` queryset."""
    day = OuterRef("date")
    in_company = CompanyPeriod.objects.filter(
        Q(stage__isnull=True) | Q(stage=OuterRef("pk")),
        session=OuterRef(OuterRef("session")),
        start_date__lte=OuterRef(OuterRef("date")),
        end_date__gte=OuterRef(OuterRef("date")),
    )
    return (
        Stage.objects.filter(enrolment__session=OuterRef("session"))
        .filter(
            Q(status=Stage.Status.PLANNED, planned_start__lte=day)
            | Q(status=Stage.Status.IN_PROGRESS, actual_start__lte=day)
            | Q(
                status__in=[Stage.Status.COMPLETED, Stage.Status.POSITIVE_EXIT, Stage.Status.ABANDONED],
                actual_start__lte=day,
                actual_end__gte=day,
            )
        )
        .exclude(Exists(in_company))
        .exclude(Exists(Mark.objects.filter(stage=OuterRef("pk"), slot=OuterRef(OuterRef("pk")))))
    )


def days_around(sessions, day: datetime.date) -> tuple[list[SessionDay], list[SessionDay]]:
    """The sessions of `sessions` (a queryset, already scoped) held on the last session day before `day` and on the
    next one after it: (last, next), each a list ordered by the training action's title (three queries)."""
    held = Slot.objects.held().filter(session__in=sessions)
    bounds = held.aggregate(last=Max("date", filter=Q(date__lt=day)), next=Min("date", filter=Q(date__gt=day)))
    dates = [d for d in (bounds["last"], bounds["next"]) if d is not None]
    if not dates:
        return [], []
    pairs = set(held.filter(date__in=dates).values_list("session", "date").distinct())
    by_pk = Session.objects.select_related("training_action__training_body").in_bulk({pk for pk, _day in pairs})
    found = sorted(
        (SessionDay(session=by_pk[pk], day=d) for pk, d in pairs), key=lambda s: s.session.training_action.title
    )
    return [s for s in found if s.day == bounds["last"]], [s for s in found if s.day == bounds["next"]]


def sheets_to_fill(sessions, day: datetime.date, limit: int = SHEETS_TO_FILL_LIMIT) -> list[SessionDay]:
    """The past session days of `sessions` (a queryset, already scoped) where someone expected has no mark yet,
    most recent first, at most `limit` of them within SHEETS_TO_FILL_DAYS days (two queries)."""
    rows = list(
        Slot.objects.held()
        .filter(session__in=sessions, date__lt=day, date__gte=day - datetime.timedelta(days=SHEETS_TO_FILL_DAYS))
        .filter(Exists(_expected_without_mark()))
        .values("session", "date")
        .annotate(unmarked=Count("pk"))
        .order_by("-date", "session")[:limit]
    )
    by_pk = Session.objects.select_related("training_action__training_body").in_bulk({r["session"] for r in rows})
    return [SessionDay(session=by_pk[r["session"]], day=r["date"], unmarked=r["unmarked"]) for r in rows]
