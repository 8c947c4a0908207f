"""What the group and workshop pages show, by who reads them (NEUTRALITÉ: only the support structure's facilitators
read notes and the names of drop-in and hotline users; the pedagogical co-facilitator knows who attended a collective
workshop; the rest of the training body sees the calendar and a count, hidden under five)."""

from django.db.models import Count
from django.utils import timezone

from pathways import scoping
from pathways.models import Membership
from speaking_groups.forms.groups import AttendanceForm, NotesForm
from speaking_groups.models import (
    FEEDBACK_READER_ROLES,
    DropInBooking,
    SpeakingGroup,
    Workshop,
    WorkshopAttendance,
    training_bodies,
)
from speaking_groups.services.groups import enrolled_stages, is_facilitator


def is_co_facilitator(user, group: SpeakingGroup, workshop: Workshop | None = None) -> bool:
    """`user` co-runs the group's (or this workshop's) collective workshops, as an active pedagogical manager of the
    group's training body."""
    if group.training_body_id not in scoping.org_ids(user, roles={Membership.Role.PEDAGOGICAL_MANAGER}):
        return False
    return user.pk in {group.co_facilitator_id, workshop.co_facilitator_id if workshop else None}


def people_entries(stages, organisation_ids) -> list:
    """The access log's entries for a page that names the people of `stages` (None skipped): (person, the
    organisations through which the page shows them), for `pathways.scoping.log_people_listed`."""
    return [(stage.pathway.beneficiary, tuple(organisation_ids)) for stage in stages if stage is not None]


def workshop_people(context: dict) -> list:
    """The people a workshop page names: who attended, and for the facilitators the session's enrolled people of
    the attendance form."""
    group = context["group"]
    stages = [attendance.stage for attendance in context["attendees"]]
    if "attendance_form" in context:
        stages += list(context["attendance_form"].fields["stages"].queryset)
    return people_entries(stages, (group.support_organisation_id, group.training_body_id))


def participant_count(group: SpeakingGroup) -> int:
    """The people of the group's sessions who attended at least one of its workshops or drop-ins (one query)."""
    workshop_people = WorkshopAttendance.objects.filter(
        workshop__group=group, workshop__cancelled_at__isnull=True
    ).values("stage_id")
    drop_in_people = DropInBooking.objects.filter(slot__group=group, status=DropInBooking.Status.ATTENDED).values(
        "stage_id"
    )
    # No ORDER BY inside the union (the models' default ordering): SQLite refuses it in a compound statement.
    return workshop_people.order_by().union(drop_in_people.order_by()).count()


def group_page(user, group: SpeakingGroup) -> dict:
    facilitator = is_facilitator(user, group)
    co_facilitator = is_co_facilitator(user, group)
    workshops = list(
        Workshop.objects.filter(group=group)
        .select_related("session__training_action", "co_facilitator")
        .annotate(attended=Count("attendances"))
        .order_by("-date", "-start_time", "-pk")
    )
    co_run = {w.pk for w in workshops if co_facilitator or w.co_facilitator_id == user.pk}
    for workshop in workshops:
        workshop.shows_attendance = facilitator or (
            workshop.pk in co_run and group.training_body_id in scoping.org_ids(user)
        )
    today = timezone.localdate()
    return {
        "group": group,
        "is_facilitator": facilitator,
        "is_co_facilitator": co_facilitator,
        "upcoming": sorted((w for w in workshops if w.date >= today), key=lambda w: (w.date, w.start_time, w.pk)),
        "past": [w for w in workshops if w.date < today],
        "sessions": list(group.sessions.select_related("training_action").order_by("-start_date", "pk")),
        "facilitators": list(group.facilitators.order_by("last_name", "first_name")),
        "participants": participant_count(group),
        "reads_feedback": group.training_body_id in training_bodies(user, roles=FEEDBACK_READER_ROLES),
        # Outside the support structure the count is an aggregate shown "< 5" under five (docs/design.md §6).
        "participants_exact": facilitator,
    }


def workshop_page(user, workshop: Workshop) -> dict:
    group = workshop.group
    facilitator = is_facilitator(user, group)
    sees_attendance = facilitator or is_co_facilitator(user, group, workshop)
    attendees = []
    if sees_attendance:
        attendees = list(
            WorkshopAttendance.objects.filter(workshop=workshop)
            .select_related("stage__pathway__beneficiary")
            .order_by("stage__pathway__beneficiary__last_name", "stage__pathway__beneficiary__first_name")
        )
    context = {
        "records_attendance": workshop.date <= timezone.localdate() and workshop.cancelled_at is None,
        "workshop": workshop,
        "group": group,
        "is_facilitator": facilitator,
        "sees_attendance": sees_attendance,
        "attendees": attendees,
        "attended": len(attendees) if sees_attendance else workshop.attendances.count(),
    }
    if facilitator:
        stages = enrolled_stages(workshop.session)
        context["attendance_form"] = AttendanceForm(initial={"stages": [a.stage_id for a in attendees]}, stages=stages)
        context["notes_form"] = NotesForm(initial={"notes": workshop.notes})
    return context


def groups_nav(user) -> bool:
    """Whether the main menu shows "Groupes de parole": facilitators and training-body staff (no query: the
    memberships are read once per request)."""
    from speaking_groups.models import support_organisations, training_bodies

    return bool(support_organisations(user) or training_bodies(user))
