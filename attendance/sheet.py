"""The read model of a session-day sheet: one row per person expected, one cell per half-day (four queries)."""

import datetime
from dataclasses import dataclass

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
