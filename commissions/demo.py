"""Demo commissions for `seed_demo` (issue 19), through the real services, as a coordinator would run them.

Every demo basin gets its technical commission, run by the basin's coordinator (or the Région's regional officer),
every six weeks:
- its member organisations: the demo's featured organisations when they hold or prescribe people there (every
  person-facing member of theirs is a delegate, so that the printed trainer and adviser logins sit on the commission
  and see its agenda), then the training bodies and prescribers with the most people there, six organisations with
  people at most, one delegate each; one funder based in the basin (its delegate sees every case pseudonymised and
  no checklist risk); a basin where nobody has a pathway yet gets the organisations based there;
- a meeting three weeks ago (a Tuesday) with its attendance, a point added by the coordinator, and decisions on its
  first cases (the first two done on time, but for the second commission's first, done late), or on the added point
  when no case was proposed (due in a week: still open, not late);
- the next meeting by the cadence with its proposed agenda, which lists the decisions still open and one checklist
  risk whose follow-up action is left overdue (hidden from the funder's delegate).
The invitations are history (`seed_demo` marks the demo's notifications delivered: no e-mail goes out).

Idempotent: nothing happens when the region has a commission already.

`build_demo_reports`, called by `seed_demo` once the dashboards' rollups are built (the report prints their
figures): the past meeting of each commission gets its wide-distribution report, built at once through the same
build function as the worker's.
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from checklist.models import Answer, ChecklistAnswer
from commissions.agenda import open_alerts, ruptures_without_outcome
from commissions.models import Commission, CommissionReport, Meeting
from commissions.report import report_build
from commissions.services.commissions import commission_setup
from commissions.services.meetings import attendance_record, decision_create, item_add, meeting_create, next_date
from commissions.services.reports import report_request
from core.tasks import enqueues_held
from notifications.models import Todo
from notifications.todos import todo_done
from pathways.models import Basin, Commune, Membership, Organisation, Pathway, Stage

Role = Membership.Role
# The person-facing role a member organisation sends, in order of preference.
DELEGATE_ROLES = [Role.ORG_MANAGER, Role.PEDAGOGICAL_MANAGER, Role.PRESCRIBER_ADVISER, Role.TRAINER]
# The point the coordinator adds to each past meeting, and the decision taken on it when no case was proposed.
ADDED_POINT = "Tour de table : les entrées en formation prévues et les besoins du bassin"
POINT_ACTION = "Recenser les places ouvertes des sessions à venir avant la prochaine réunion"
TUESDAY = 1
ACTIONS = [
    "Proposer une place sur la prochaine session",
    "Rappeler la personne et son ou sa référent·e",
    "Étudier une solution de transport",
    "Organiser une immersion avant l'entrée en formation",
]


def seed_commissions(*, region, today: datetime.date, stdout=None, featured=()) -> dict:
    """`featured`: the names of the demo's organisations whose printed logins should sit on their basin's
    commission."""
    if Commission.objects.filter(basin__region=region).exists():
        return {"skipped": True}
    counts = {"commissions": 0, "meetings": 0, "decisions": 0}
    for basin in Basin.objects.filter(region=region).order_by("name"):
        manager = _manager(region, basin)
        if manager is None:
            continue
        delegates = _delegates(region, basin, featured=featured)
        if not delegates:
            continue
        organisations = list({m.organisation_id: m.organisation for m in delegates}.values())
        commission = commission_setup(
            basin=basin,
            by=manager,
            organisations=organisations,
            delegates=delegates,
            cadence_weeks=6,
            usual_place=f"Maison de l'emploi de {basin.name}",
        )
        counts["commissions"] += 1
        past_day = today - datetime.timedelta(weeks=3)
        past_day -= datetime.timedelta(days=(past_day.weekday() - TUESDAY) % 7)  # a working day
        past = meeting_create(
            commission=commission, by=manager, starts_at=_at(past_day), today=past_day - datetime.timedelta(days=1)
        )
        point = item_add(meeting=past, by=manager, title=ADDED_POINT)
        present = [d.pk for position, d in enumerate(commission.delegates.order_by("pk")) if position % 4 != 3]
        attendance_record(meeting=past, by=manager, present_ids=present)
        owners = list(dict.fromkeys(m.user for m in delegates if m.organisation.kind != Organisation.Kind.FUNDER))
        owners = owners or [m.user for m in delegates]
        cases = list(past.items.filter(stage__isnull=False).order_by("pk")[:3]) or [point]
        for position, item in enumerate(cases):
            decision = decision_create(
                item=item,
                by=manager,
                action=ACTIONS[position % len(ACTIONS)] if item.stage_id else POINT_ACTION,
                owner=owners[position % len(owners)],
                # a case's: a week ago, today, in a week; the point's: before the next meeting (open, not yet late)
                due_on=today + datetime.timedelta(days=7 * (position - 1) if item.stage_id else 7),
            )
            counts["decisions"] += 1
            if position < 2 and item.stage_id:
                _done(decision, late=counts["commissions"] == 2 and position == 0, meeting_day=past_day, today=today)
        _leave_a_checklist_action_overdue(basin, today=today)
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


def _leave_a_checklist_action_overdue(basin, *, today: datetime.date) -> bool:
    """One checklist risk of the basin whose follow-up action (its to-do still open) is left ten days overdue, so
    that the next agenda shows a checklist risk: named or pseudonymised per member, never shown to a funder."""
    overdue = today - datetime.timedelta(days=10)
    # not a case an earlier rule puts on the agenda already (a rupture, an alert still new, a suspension)
    earlier = [rule(basin, today=today).values("stage_id") for rule in (ruptures_without_outcome, open_alerts)]
    answers = (
        ChecklistAnswer.objects.filter(
            checklist__stage__in=Stage.objects.in_basin(basin).values("pk"), answer=Answer.RISK
        )
        .exclude(action="")
        .exclude(checklist__stage__in=earlier[0])
        .exclude(checklist__stage__in=earlier[1])
        .exclude(checklist__stage__status=Stage.Status.SUSPENDED)
        .select_related("item")
        .order_by("pk")
    )
    for answer in answers[:50]:
        todo = Todo.objects.open().filter(source_key=f"checklist-answer:{answer.checklist_id}:{answer.item.code}")
        if todo.update(due_on=overdue):
            ChecklistAnswer.objects.filter(pk=answer.pk).update(action_due=overdue)
            return True
    return False


def _done(decision, *, late: bool, meeting_day: datetime.date, today: datetime.date) -> None:
    """The decision's owner marks it done: on time, a week after the meeting (the first decision, due a week ago) or
    today (the second, due today); `late`: done today, a week after its date. One late in the demo (the second
    commission's first), so that the scorecard's "Décisions faites à temps" reads a believable rate."""
    todo = todo_done(todo=Todo.objects.get(source_key=decision.source_key), by=decision.owner)
    if not late and decision.due_on < today:
        Todo.objects.filter(pk=todo.pk).update(done_at=_at(meeting_day + datetime.timedelta(weeks=1)))


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


def _delegates(region, basin, *, featured=()) -> list[Membership]:
    """The delegates' memberships (module docstring): the featured organisations' person-facing members, one
    membership for each other organisation with the most people in the basin (six organisations at most), one
    funder based in the basin; the organisations based in the basin when nobody has a pathway there."""
    stages = Stage.objects.in_basin(basin).filter(pathway__status=Pathway.Status.OPEN)
    held = Count("stages", filter=Q(stages__in=stages.values("pk")), distinct=True)
    prescribed = Count(
        "prescribed_pathways",
        filter=Q(prescribed_pathways__in=stages.values("pathway")),
        distinct=True,
    )
    active = Organisation.objects.filter(region=region, is_active=True).exclude(pk=region.scheme_organisation_id)
    involved = list(
        active.filter(
            Q(pk__in=stages.values("organisation")) | Q(pk__in=stages.values("pathway__prescribing_organisation"))
        )
        .annotate(people=held + prescribed)
        .order_by("-people", "name")
    )
    involved.sort(key=lambda org: org.name not in featured)  # stable: the featured first, then the busiest
    based = active.filter(address__in=Commune.objects.filter(basin=basin).values("name")).order_by("name")
    funders = [org for org in based if org.kind == Organisation.Kind.FUNDER][:1]
    chosen = involved[:6] + funders if involved else list(based[:6])
    delegates = []
    for organisation in chosen:
        memberships = list(
            Membership.objects.active()
            .filter(organisation=organisation, role__in=DELEGATE_ROLES, user__is_active=True)
            .select_related("organisation", "user")
            .order_by("-pk")
        )
        if organisation.name in featured:
            delegates += sorted(memberships, key=lambda m: (DELEGATE_ROLES.index(m.role), m.user.email))
            continue
        by_role = {}
        for membership in memberships:
            by_role.setdefault(membership.role, membership)
        membership = next((by_role[role] for role in DELEGATE_ROLES if role in by_role), None)
        if membership is not None:
            delegates.append(membership)
    return delegates
