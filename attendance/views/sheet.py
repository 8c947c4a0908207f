"""Today's sessions and the session-day sheet."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessLog
from attendance import services
from attendance.models import Mark
from attendance.sheet import build_sheet, days_around, neighbour_days, sheets_to_fill
from attendance.views.access import parse_day, staffed_session
from core.calendar import holiday_name
from core.expressions import SubqueryCount
from pathways import scoping
from pathways.models import Enrolment, Session, Stage
from pathways.panels import stage_fact


@require_GET
def today(request):
    """The sessions the user takes attendance for that run today, their own first."""
    day = timezone.localdate()
    sessions = (
        scoping.staffed_sessions(Session.objects.all(), request.user)
        .filter(slots__date=day)
        .distinct()
        .select_related("training_action__training_body")
        .annotate(
            marked=SubqueryCount(Mark.objects.filter(slot__session=OuterRef("pk"), slot__date=day)),
            mine=Exists(Session.trainers.through.objects.filter(session=OuterRef("pk"), user=request.user)),
            # People of the session whose pre-entry checklist is not submitted.
            without_checklist=SubqueryCount(
                Enrolment.objects.filter(session=OuterRef("pk"), stage__status__in=Stage.ACTIVE_STATUSES).exclude(
                    stage_fact("checklist_submitted", stage="stage")
                )
            ),
        )
        .order_by("-mine", "training_action__title")
    )
    context = {"sessions": sessions, "day": day}
    if not sessions:
        # A day without a session: the last and next session days, and the sheets still to fill (issue 21), of the
        # sessions the user trains, or of all those they take attendance for when they train none (a manager).
        staffed = scoping.staffed_sessions(Session.objects.all(), request.user)
        if staffed.filter(trainers=request.user).exists():
            staffed = staffed.filter(trainers=request.user)
        context["last_days"], context["next_days"] = days_around(staffed, day)
        context["to_fill"] = sheets_to_fill(staffed, day)
    return render(request, "attendance/today.html", context)


def _sheet_context(request, session, day, result=None):
    sheet = build_sheet(session, day, user=request.user)
    previous, following = neighbour_days(session, day)
    return {
        "session": session,
        "sheet": sheet,
        "day": day,
        "today": timezone.localdate(),
        "previous_day": previous,
        "next_day": following,
        "holiday": holiday_name(day, session.holiday_subdivision),
        "may_edit": not sheet.locked or scoping.can_edit_locked_sheet(request.user, session),
        "statuses": Mark.Status.choices,
        "reasons": Mark.Reason.choices,
        "result": result,
        "now": timezone.localtime(),
    }


def _entries(post) -> list[services.Entry]:
    entries = []
    for key, status in post.items():
        if not key.startswith("m-") or not status:
            continue
        try:
            stage_id, slot_id = (int(part) for part in key[2:].split("-"))
            seen = int(post.get(f"v-{stage_id}-{slot_id}", "0") or 0)
        except ValueError:
            continue
        entries.append(
            services.Entry(
                stage_id=stage_id,
                slot_id=slot_id,
                status=status,
                reason=post.get(f"r-{stage_id}-{slot_id}", ""),
                seen_version=seen,
            )
        )
    return entries


@require_http_methods(["GET", "POST"])
def sheet(request, pk, day):
    """Take attendance for the morning and afternoon of one day. With htmx every change is saved at once and
    answered with a confirmation and the new versions of the saved cells; without JavaScript, one submit."""
    session = staffed_session(request, pk)
    day = parse_day(day)
    if request.method == "POST":
        with transaction.atomic():  # the marks and their access log rows commit together
            result = services.sheet_save(
                session=session,
                day=day,
                by=request.user,
                entries=_entries(request.POST),
                may_edit_locked=scoping.can_edit_locked_sheet(request.user, session),
            )
            _log_marks(request, result)
        if request.htmx:
            return render(
                request,
                "attendance/includes/sheet_saved.html",
                {"result": result, "now": timezone.localtime(), "session": session, "day": day},
            )
        _flash(request, result)
        return redirect("attendance:sheet", pk=session.pk, day=day.isoformat())
    context = _sheet_context(request, session, day)
    _log_sheet(request, context["sheet"])
    return render(request, "attendance/sheet.html", context)


def _log_sheet(request, sheet):
    """The sheet names everyone enrolled: one access log row each (`pathways.scoping.log_people_listed`)."""
    scoping.log_people_listed(
        request, ((row.stage.pathway.beneficiary, (row.stage.organisation_id,)) for row in sheet.rows)
    )


def _log_marks(request, result):
    """A saved mark changes its person's record: one access log row (a change) per person whose marks were saved."""
    stage_ids = {mark.stage_id for mark in result.saved}
    if stage_ids:
        scoping.log_people_listed(
            request,
            (
                (stage.pathway.beneficiary, (stage.organisation_id,))
                for stage in Stage.objects.filter(pk__in=stage_ids).select_related("pathway__beneficiary")
            ),
            action=AccessLog.Action.CHANGE,
        )


def _flash(request, result):
    for error in result.errors:
        messages.error(request, error)
    for conflict in result.conflicts:
        messages.warning(request, conflict.message)
    if result.saved:
        messages.success(request, _("%(n)s émargement(s) enregistré(s).") % {"n": len(result.saved)})
    elif not result.errors and not result.conflicts:
        # Everything was already saved as it changed: say so rather than answer with nothing.
        messages.info(request, _("Rien à enregistrer : la feuille est à jour."))


@require_POST
def sheet_all_present(request, pk, day):
    session = staffed_session(request, pk)
    day = parse_day(day)
    with transaction.atomic():
        result = services.sheet_mark_all_present(
            session=session,
            day=day,
            by=request.user,
            may_edit_locked=scoping.can_edit_locked_sheet(request.user, session),
        )
        _log_marks(request, result)
    if request.htmx:
        context = _sheet_context(request, session, day, result=result)
        return render(request, "attendance/includes/sheet_table.html", context)
    _flash(request, result)
    return redirect("attendance:sheet", pk=session.pk, day=day.isoformat())
