"""The region's training sessions and, for each, the people enrolled that the user may see."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.pagination import paginate
from pathways import exports, scoping
from pathways.filters import SessionFilter
from pathways.imports import importing_organisations
from pathways.models import Enrolment, Organisation, Pathway, Session, Stage
from pathways.panels import attach_badges
from pathways.scoping import get_for_user_or_404


@require_GET
def session_list(request):
    filterset = session_filter(request.user, request.GET)
    if response := exports.respond(request, "sessions", filterset.qs):
        return response
    page = paginate(request, filterset.qs)
    attach_badges([session.training_action.training_body for session in page.object_list])
    offer_staff = bool(
        scoping.org_ids(request.user, roles=scoping.STAGE_STAFF_ROLES, kinds={Organisation.Kind.TRAINING_BODY})
    )
    return render(
        request,
        "pathways/session_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_import": bool(importing_organisations(request.user)),
            "offer_staff": offer_staff,
            "offer_manager": bool(scoping.offer_organisations(request.user)),
        },
    )


def session_filter(user, params) -> SessionFilter:
    """The session list's rows for `user` with the filters of `params`: the page and its export."""
    queryset = Session.objects.for_user(user).with_list_data().order_by("-start_date", "pk")
    return SessionFilter(params, queryset=queryset, region_ids=scoping.region_ids(user))


@require_GET
def session_detail(request, pk):
    session = get_for_user_or_404(
        Session.objects.select_related(
            "training_action__training_body", "training_action__basin", "training_action__programme", "commune"
        ),
        request,
        pk=pk,
    )
    enrolments = list(
        Enrolment.objects.filter(
            session=session,
            stage__pathway__in=Pathway.objects.for_user(request.user).values("pk"),
        )
        .select_related("stage__pathway__beneficiary", "stage__pathway__referent")
        .order_by("stage__pathway__beneficiary__last_name", "stage__pathway__beneficiary__first_name")
    )
    scoping.log_people_listed(
        request,
        (
            (
                e.stage.pathway.beneficiary,
                (e.stage.organisation_id, e.stage.pathway.prescribing_organisation_id, e.stage.pathway.opened_by_id),
            )
            for e in enrolments
        ),
    )
    seats_taken = Enrolment.objects.filter(session=session, stage__status__in=Stage.ACTIVE_STATUSES).count()
    return render(
        request,
        "pathways/session_detail.html",
        {
            "session": session,
            "enrolments": enrolments,
            "seats_taken": seats_taken,
            "seats_left": max(0, session.capacity - seats_taken),
            "takes_attendance": scoping.staffed_sessions(Session.objects.filter(pk=session.pk), request.user).exists(),
            "can_manage_offer": scoping.can_manage_offer(request.user, session.training_action.training_body_id),
            "today": timezone.localdate(),
        },
    )
