"""The attendance block of each stage taken in a session, on the pathway page (registered in
`AttendanceConfig.ready`)."""

from django.utils import timezone

from attendance.summary import stage_attendance
from pathways import scoping


def stage_attendance_panel(user, pathway, stages) -> dict:
    """{stage id: {"summary", "can_remind"}} for the stages taken in a session that have marks or a live drift (two
    queries for all of them); the training body's staff get the link to remind a drifting person."""
    in_session = [stage for stage in stages if getattr(stage, "enrolment", None) is not None]
    summaries = stage_attendance([stage.pk for stage in in_session], timezone.localdate())
    staff = scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES)
    return {
        stage.pk: {"summary": summaries[stage.pk], "can_remind": stage.organisation_id in staff}
        for stage in in_session
        if stage.pk in summaries
    }
