"""Reads that build the pages of `pathways`, returning plain data (docs/conventions.md: selectors)."""

import datetime
from dataclasses import dataclass, field, fields

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q
from django.utils import timezone

from accounts import access_log
from core.expressions import SubqueryCount
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


@dataclass
class HomePage:
    """What the home page shows a user: one section per role they hold (None: the section is not theirs)."""

    today: datetime.date
    memberships: list
    referent_pathways: list | None = None
    referent_count: int = 0
    join_requests_to_answer: list = field(default_factory=list)
    adviser_pathways: list | None = None
    adviser_count: int = 0
    sessions: list | None = None
    session_count: int = 0
    trainee_counts: dict | None = None
    managed_organisations: list | None = None
    region_basins: list | None = None
    coordinated_basins: list | None = None
    is_dpo: bool = False
    is_region_dpo: bool = False
    access_log_count_30d: int = 0
    is_facilitator: bool = False
    reference_counts: dict | None = None

    def as_context(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)}


def home_page(user) -> HomePage:
    """What the user works on, section by section for each role they hold; never anything else. A fixed number of
    queries per section, whatever the number of rows (pinned by tests)."""
    memberships = scoping.active_memberships(user)
    roles = scoping.roles_of(user)
    page = HomePage(today=timezone.localdate(), memberships=memberships)

    if memberships:
        referent = Pathway.objects.for_user(user).open().filter(referent=user)
        page.referent_pathways = list(referent.with_list_data().order_by("beneficiary__last_name")[:HOME_LIST_SIZE])
        page.referent_count = referent.count()
        page.join_requests_to_answer = list(
            JoinRequest.objects.for_user(user)
            .filter(pathway__referent=user, status=JoinRequest.Status.PENDING)
            .select_related("organisation", "requested_by", "pathway__beneficiary")
            .order_by("created_at")
        )

    if Role.PRESCRIBER_ADVISER in roles:
        prescribed = Pathway.objects.for_user(user).open().filter(prescribing_adviser=user)
        page.adviser_pathways = list(prescribed.with_list_data().order_by("-opened_at")[:HOME_LIST_SIZE])
        page.adviser_count = prescribed.count()

    training_orgs = scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES, kinds={Organisation.Kind.TRAINING_BODY})
    if training_orgs:
        sessions = (
            Session.objects.for_user(user)
            .filter(training_action__training_body__in=training_orgs, end_date__gte=page.today)
            .with_list_data()
            .order_by("start_date")
        )
        page.sessions = list(sessions[:HOME_LIST_SIZE])
        page.session_count = sessions.count()
        page.trainee_counts = Stage.objects.filter(organisation__in=training_orgs).aggregate(
            in_progress=Count("pk", filter=Q(status=Stage.Status.IN_PROGRESS)),
            planned=Count("pk", filter=Q(status=Stage.Status.PLANNED)),
            suspended=Count("pk", filter=Q(status=Stage.Status.SUSPENDED)),
        )

    managed = scoping.org_ids(user, roles={Role.ORG_MANAGER})
    if managed:
        page.managed_organisations = attach_badges(
            # Correlated counts: joining members and pathways would multiply them (50 members × 5,000 pathways).
            Organisation.objects.filter(pk__in=managed).annotate(
                active_members=SubqueryCount(
                    Membership.objects.filter(organisation=OuterRef("pk"), is_active=True).values("user").distinct()
                ),
                open_pathways=SubqueryCount(
                    Pathway.objects.filter(opened_by=OuterRef("pk"), status=Pathway.Status.OPEN).values("pk")
                ),
            )
        )

    # The basins' figures are on the dashboards (`dashboards:region`, `dashboards:basin`): the home links to them.
    if Role.REGIONAL_OFFICER in roles:
        page.region_basins = list(
            Basin.objects.filter(region__in=scoping.region_ids(user, roles={Role.REGIONAL_OFFICER})).order_by("name")
        )
    coordinated = [m.basin_id for m in memberships if m.role == Role.BASIN_COORDINATOR]
    if coordinated:
        page.coordinated_basins = list(Basin.objects.filter(pk__in=coordinated).order_by("name"))

    # The access log itself is on its own page (`pathways:access_log`): the home says how busy it was and links to it.
    dpo_orgs = scoping.dpo_organisation_ids(user)
    if dpo_orgs:
        dpo_regions = scoping.dpo_region_ids(user)
        page.is_dpo, page.is_region_dpo = True, bool(dpo_regions)
        page.access_log_count_30d = (
            access_log.rows_in_scope(organisation_ids=dpo_orgs, region_ids=dpo_regions)
            .filter(at__gte=timezone.now() - datetime.timedelta(days=30))
            .count()
        )

    page.is_facilitator = Role.FACILITATOR in roles

    if user.is_staff:
        page.reference_counts = {
            "regions": Region.objects.count(),
            "basins": Basin.objects.count(),
            "programmes": Programme.objects.count(),
            "organisations": Organisation.objects.count(),
            "users": get_user_model().objects.filter(is_active=True).count(),
            "sessions": Session.objects.count(),
        }
    return page
