"""Demo commissions for `seed_demo` (issue 19), through the real services, as a coordinator would run them.

Each demo basin with activity (people with a stage there, by the one basin rule) gets its technical commission, run
by the basin's coordinator (or the Région's regional officer): its member organisations (the training bodies and
prescribers with people there, six at most) with one delegate each, every six weeks. A meeting three weeks ago with
its attendance and decisions on its first cases (one already done), and the next meeting by the cadence with its
proposed agenda, which lists the decisions still open. The invitations are history (`seed_demo` marks the demo's
notifications delivered: no e-mail goes out).

Idempotent: nothing happens when the region has a commission already.

`build_demo_reports`, called by `seed_demo` once the dashboards' rollups are built (the report prints their
figures): the past meeting of each commission gets its wide-distribution report, built at once through the same
build function as the worker's.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from commissions.models import Commission, CommissionReport, Meeting
from commissions.report import report_build
from commissions.services.commissions import commission_setup
from commissions.services.meetings import attendance_record, decision_create, meeting_create, next_date
from commissions.services.reports import report_request
from core.tasks import enqueues_held
from notifications.models import Todo
from notifications.todos import todo_done
from pathways.models import Basin, Membership, Organisation, Pathway, Stage

Role = Membership.Role
# The person-facing role a member organisation sends, in order of preference.
DELEGATE_ROLES = [Role.ORG_MANAGER, Role.PEDAGOGICAL_MANAGER, Role.PRESCRIBER_ADVISER, Role.TRAINER]
ACTIONS = [
    "Proposer une place sur la prochaine session",
    "Rappeler la personne et son ou sa référent·e",
    "Étudier une solution de transport",
    "Organiser une immersion avant l'entrée en formation",
]


def seed_commissions(*, region, today: datetime.date, stdout=None) -> dict:
    if Commission.objects.filter(basin__region=region).exists():
        return {"skipped": True}
    counts = {"commissions": 0, "meetings": 0, "decisions": 0}
    active_basins = set(
        Stage.objects.with_basin()
        .filter(pathway__status=Pathway.Status.OPEN, pathway__beneficiary__region=region)
        .values_list("basin_id_rule", flat=True)
        .distinct()
    )
    for basin in Basin.objects.filter(region=region, pk__in=active_basins).order_by("name"):
        manager = _manager(region, basin)
        if manager is None:
            continue
        delegates = _delegates(region, basin)
        if not delegates:
            continue
        commission = commission_setup(
            basin=basin,
            by=manager,
            organisations=[m.organisation for m in delegates],
            delegates=delegates,
            cadence_weeks=6,
            usual_place=f"Maison de l'emploi de {basin.name}",
        )
        counts["commissions"] += 1
        past_day = today - datetime.timedelta(weeks=3)
        past = meeting_create(
            commission=commission, by=manager, starts_at=_at(past_day), today=past_day - datetime.timedelta(days=1)
        )
        present = [d.pk for position, d in enumerate(commission.delegates.order_by("pk")) if position % 4 != 3]
        attendance_record(meeting=past, by=manager, present_ids=present)
        owners = [m.user for m in delegates]
        cases = past.items.filter(stage__isnull=False).order_by("pk")[:3]
        for position, item in enumerate(cases):
            decision = decision_create(
                item=item,
                by=manager,
                action=ACTIONS[position % len(ACTIONS)],
                owner=owners[position % len(owners)],
                due_on=today + datetime.timedelta(days=7 * (position - 1)),
            )
            counts["decisions"] += 1
            if position == 0:
                todo_done(todo=Todo.objects.get(source_key=decision.source_key), by=decision.owner)
        meeting_create(commission=commission, by=manager, starts_at=next_date(commission, today=today), today=today)
        counts["meetings"] += 2
    if stdout is not None:
        stdout.write(
            f"  Commissions de bassin : {counts['commissions']} commissions, {counts['meetings']} réunions, "
            f"{counts['decisions']} décisions"
        )
    return counts


def build_demo_reports(*, region) -> int:
    """Build, now, the wide report of each held meeting of the region's commissions that has none yet. Returns how
    many were built (a report whose build fails is left failed, retryable from its page)."""
    built = 0
    meetings = (
        Meeting.objects.filter(commission__basin__region=region, status=Meeting.Status.HELD, reports__isnull=True)
        .select_related("commission", "created_by")
        .order_by("pk")
    )
    for meeting in meetings:
        with enqueues_held():  # built here: nothing is left to the worker
            report, _created = report_request(
                meeting=meeting,
                version=CommissionReport.Version.WIDE,
                language=CommissionReport.Language.FR,
                by=meeting.created_by,
            )
        built += report_build(report.pk)
    return built


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))


def _manager(region, basin):
    """The basin's coordinator, else a regional officer of the organisation running the scheme."""
    membership = (
        Membership.objects.active()
        .filter(Q(role=Role.BASIN_COORDINATOR, basin=basin))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None and region.scheme_organisation_id:
        membership = (
            Membership.objects.active()
            .filter(role=Role.REGIONAL_OFFICER, organisation=region.scheme_organisation_id)
            .select_related("user")
            .order_by("pk")
            .first()
        )
    return membership.user if membership else None


def _delegates(region, basin) -> list[Membership]:
    """One active membership per organisation with people in the basin (training bodies, prescribers), six at
    most."""
    stages = Stage.objects.in_basin(basin).filter(pathway__status=Pathway.Status.OPEN)
    organisations = Organisation.objects.filter(region=region, is_active=True).filter(
        Q(pk__in=stages.values("organisation")) | Q(pk__in=stages.values("pathway__prescribing_organisation"))
    )
    chosen = []
    for organisation in organisations.order_by("name")[:6]:
        memberships = {
            m.role: m
            for m in Membership.objects.active()
            .filter(organisation=organisation, role__in=DELEGATE_ROLES, user__is_active=True)
            .select_related("organisation", "user")
            .order_by("-pk")
        }
        membership = next((memberships[role] for role in DELEGATE_ROLES if role in memberships), None)
        if membership is not None:
            chosen.append(membership)
    return chosen
