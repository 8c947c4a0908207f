import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import AccessLog
from pathways import scoping
from pathways.models import (
    Basin,
    JoinRequest,
    Membership,
    Organisation,
    Pathway,
    Programme,
    Region,
    Session,
    Stage,
)
from pathways.panels import attach_badges

Role = Membership.Role
HOME_LIST_SIZE = 8


@require_GET
def home(request):
    """What the user works on, section by section for each role they hold; never anything else."""
    user = request.user
    memberships = scoping.active_memberships(user)
    roles = scoping.roles_of(user)
    today = timezone.localdate()
    context = {"memberships": memberships, "today": today}

    if memberships:
        visible = Pathway.objects.for_user(user).open()
        referent = visible.filter(referent=user)
        context["referent_pathways"] = referent.with_list_data().order_by("beneficiary__last_name")[:HOME_LIST_SIZE]
        context["referent_count"] = referent.count()
        context["join_requests_to_answer"] = (
            JoinRequest.objects.for_user(user)
            .filter(pathway__referent=user, status=JoinRequest.Status.PENDING)
            .select_related("organisation", "requested_by", "pathway__beneficiary")
            .order_by("created_at")
        )

    if Role.PRESCRIBER_ADVISER in roles:
        prescribed = Pathway.objects.for_user(user).open().filter(prescribing_adviser=user)
        context["adviser_pathways"] = prescribed.with_list_data().order_by("-opened_at")[:HOME_LIST_SIZE]
        context["adviser_count"] = prescribed.count()

    training_orgs = scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES, kinds={Organisation.Kind.TRAINING_BODY})
    if training_orgs:
        sessions = (
            Session.objects.for_user(user)
            .filter(training_action__training_body__in=training_orgs, end_date__gte=today)
            .with_list_data()
            .order_by("start_date")
        )
        context["sessions"] = sessions[:HOME_LIST_SIZE]
        context["session_count"] = sessions.count()
        context["trainee_counts"] = Stage.objects.filter(organisation__in=training_orgs).aggregate(
            in_progress=Count("pk", filter=Q(status=Stage.Status.IN_PROGRESS)),
            planned=Count("pk", filter=Q(status=Stage.Status.PLANNED)),
            suspended=Count("pk", filter=Q(status=Stage.Status.SUSPENDED)),
        )

    managed = scoping.org_ids(user, roles={Role.ORG_MANAGER})
    if managed:
        context["managed_organisations"] = attach_badges(
            Organisation.objects.filter(pk__in=managed).annotate(
                active_members=Count("memberships__user", filter=Q(memberships__is_active=True), distinct=True),
                open_pathways=Count(
                    "opened_pathways", filter=Q(opened_pathways__status=Pathway.Status.OPEN), distinct=True
                ),
            )
        )

    if Role.REGIONAL_OFFICER in roles:
        context["region_basins"] = (
            Basin.objects.filter(region__in=scoping.region_ids(user)).with_activity().select_related("region")
        )
    coordinated = [m.basin_id for m in memberships if m.role == Role.BASIN_COORDINATOR]
    if coordinated:
        context["coordinated_basins"] = Basin.objects.filter(pk__in=coordinated).with_activity()

    dpo_orgs = scoping.org_ids(user, roles={Role.DPO})
    if dpo_orgs:
        logs = AccessLog.objects.filter(acting_organisation__in=dpo_orgs)
        context["access_logs"] = logs.select_related("user", "beneficiary", "acting_organisation")[:15]
        context["access_log_count_30d"] = logs.filter(at__gte=timezone.now() - datetime.timedelta(days=30)).count()

    if Role.FACILITATOR in roles:
        context["is_facilitator"] = True

    if user.is_staff:
        context["reference_counts"] = {
            "regions": Region.objects.count(),
            "basins": Basin.objects.count(),
            "programmes": Programme.objects.count(),
            "organisations": Organisation.objects.count(),
            "users": get_user_model().objects.filter(is_active=True).count(),
            "sessions": Session.objects.count(),
        }
    return render(request, "pathways/home.html", context)
