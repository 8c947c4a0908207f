"""Attendance at a glance for the stages of a pathway page (two queries, whatever the number of stages)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from attendance.models import Drift, Mark


@dataclass
class StageAttendance:
    marked_hours: Decimal = Decimal(0)
    attended_hours: Decimal = Decimal(0)
    excused_hours: Decimal = Decimal(0)
    last_presence: datetime.date | None = None
    live_drift: Drift | None = None

    @property
    def rate(self) -> int | None:
        counted = self.marked_hours - self.excused_hours
        return round(100 * self.attended_hours / counted) if counted else None


def stage_attendance(stage_ids, today: datetime.date) -> dict[int, StageAttendance]:
    summaries = {pk: StageAttendance() for pk in stage_ids}
    marks = Mark.objects.filter(stage_id__in=stage_ids, slot__cancelled=False, slot__date__lte=today).select_related(
        "slot"
    )
    for mark in marks:
        summary = summaries[mark.stage_id]
        hours = mark.slot.hours
        summary.marked_hours += hours
        if mark.status in Mark.ATTENDED:
            summary.attended_hours += hours
            if summary.last_presence is None or mark.slot.date > summary.last_presence:
                summary.last_presence = mark.slot.date
        elif mark.status == Mark.Status.EXCUSED:
            summary.excused_hours += hours
    for drift in Drift.objects.live().filter(stage_id__in=stage_ids).order_by("-risk"):
        summaries[drift.stage_id].live_drift = summaries[drift.stage_id].live_drift or drift
    return {pk: summary for pk, summary in summaries.items() if summary.marked_hours or summary.live_drift}
