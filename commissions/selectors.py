"""Reads that build the commissions' pages: the list of commissions, a commission's calendar, a meeting's agenda
with its decisions (named or pseudonymised per reader). Query counts pinned by tests."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from commissions.models import (
    AgendaItem,
    Commission,
    Decision,
    Meeting,
    active_delegates,
    can_manage,
    is_funder_only,
    managed_basin_ids,
)
from notifications.models import Todo
from pathways import scoping
from pathways.models import Basin, Membership, Stage

Role = Membership.Role


# The session key that remembers whether the user is a delegate (set at login, refreshed on the commissions' list):
# the menu then costs no query on every page.
DELEGATE_SESSION_KEY = "commissions_delegate"


def is_delegate(user) -> bool:
    """Whether `user` represents a member organisation of some commission (through an active membership)."""
    from commissions.models import Delegate

    if not user.is_authenticated or not user.is_active:
        return False
    # One query, without caching the memberships on `user` (at login, the object lives on in the caller).
    active = Membership.objects.active().filter(user=user).values("organisation")
    return Delegate.objects.filter(user=user, organisation__in=active).exists()


def remember_delegation(request, user) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.get(DELEGATE_SESSION_KEY) != (delegate := is_delegate(user)):
        session[DELEGATE_SESSION_KEY] = delegate


def commissions_nav(request) -> bool:
    """Whether the main menu shows "Commissions": regional staff, coordinators (their memberships, read once per
    request) and delegates (remembered in the session: no query)."""
    roles = scoping.roles_of(request.user)
    if Role.BASIN_COORDINATOR in roles or Role.REGIONAL_OFFICER in roles:
        return True
    session = getattr(request, "session", None)
    return bool(roles) and session is not None and bool(session.get(DELEGATE_SESSION_KEY))


@dataclass
class CommissionRow:
    basin: Basin
    commission: Commission | None
    manages: bool
    next_meeting: datetime.datetime | None = None


def commission_rows(user) -> list[CommissionRow]:
    """The basins the user manages (with their commission, if set up), then the commissions they are a delegate of.
    Three queries whatever the number of basins."""
    now = timezone.now()
    managed = managed_basin_ids(user)
    commissions = {
        c.basin_id: c
        for c in Commission.objects.visible_to(user)
        .select_related("basin")
        .annotate(
            upcoming=Count(
                "meetings", filter=Q(meetings__starts_at__gte=now) & ~Q(meetings__status=Meeting.Status.CANCELLED)
            )
        )
    }
    upcoming = {}
    for commission_id, starts_at in (
        Meeting.objects.filter(commission__in=[c.pk for c in commissions.values()], starts_at__gte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .values_list("commission_id", "starts_at")
    ):
        upcoming[commission_id] = starts_at  # the earliest wins (descending order)
    basins = {b.pk: b for b in Basin.objects.filter(pk__in=managed)}
    for commission in commissions.values():
        basins.setdefault(commission.basin_id, commission.basin)
    rows = []
    for basin in sorted(basins.values(), key=lambda b: (b.pk not in managed, b.name)):
        commission = commissions.get(basin.pk)
        rows.append(
            CommissionRow(
                basin=basin,
                commission=commission,
                manages=basin.pk in managed,
                next_meeting=upcoming.get(commission.pk) if commission else None,
            )
        )
    return rows


def commission_page(commission: Commission, user) -> dict:
    """A commission's page: its members and delegates, its past and upcoming meetings."""
    now = timezone.now()
    meetings = list(commission.meetings.annotate(item_count=Count("items", filter=Q(items__removed_at__isnull=True))))
    delegates = list(active_delegates(commission))
    return {
        "commission": commission,
        "manages": can_manage(user, commission.basin_id),
        "organisations": list(commission.organisations.order_by("name")),
        "delegates": delegates,
        "upcoming": sorted((m for m in meetings if m.starts_at >= now), key=lambda m: m.starts_at),
        "past": [m for m in meetings if m.starts_at < now],
    }


def pseudonyms(meeting: Meeting) -> dict[int, int]:
    """The meeting's stable pseudonyms: each person of its agenda gets a number in the order they were first put on
    it (removed items included, so that numbers never shift). One query."""
    numbers = {}
    for person in (
        AgendaItem.objects.filter(meeting=meeting, stage__isnull=False)
        .order_by("pk")
        .values_list("stage__pathway__beneficiary_id", flat=True)
    ):
        numbers.setdefault(person, len(numbers) + 1)
    return numbers


@dataclass
class DecisionRow:
    decision: Decision
    is_open: bool


@dataclass
class ItemRow:
    item: AgendaItem
    who: str  # the person's name, their pseudonym, or "" (not about a person)
    named: bool
    is_new: bool
    about: str  # the stage (kind and organisation), the session, or the earlier decision
    decisions: list = field(default_factory=list)
    stage: Stage | None = None  # the case's stage (an earlier decision's, for an open decision), or None


def meeting_agenda(meeting: Meeting, user, *, wide: bool = False) -> dict:
    """The agenda as `user` may read it: a case names its person only where the scoping layer lets `user` see them,
    else the meeting's pseudonym; checklist risks are left out for funders. A fixed number of queries.

    `wide`: the agenda for wide distribution (the commission report's wide version): every case pseudonymised and
    no checklist risk, whoever `user` is (None allowed)."""
    from commissions.services.meetings import previous_meeting, pseudonym_label

    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "stage__pathway__beneficiary",
            "stage__organisation",
            "session__training_action__training_body",
            "decision__owner",
            "decision__item__stage__pathway__beneficiary",
            "decision__item__stage__organisation",
        )
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("owner").order_by("pk")))
        .order_by("pk")
    )
    hide_checklist = wide or is_funder_only(user)

    def case_of(item):
        """The stage a row is about: its own, or for an earlier meeting's decision still open, that decision's."""
        if item.stage_id:
            return item.stage
        if item.decision_id and item.decision.item.stage_id:
            return item.decision.item.stage
        return None

    stage_ids = [case_of(item).pk for item in items if case_of(item)]
    visible = (
        set(Stage.objects.for_user(user).filter(pk__in=stage_ids).values_list("pk", flat=True))
        if stage_ids and not wide
        else set()
    )
    numbers = {}
    for item in sorted(items, key=lambda item: not item.stage_id):  # the cases first, as `pseudonyms` numbers them
        if case_of(item):
            numbers.setdefault(case_of(item).pathway.beneficiary_id, len(numbers) + 1)
    decisions = [d for item in items for d in item.decisions.all()] + [i.decision for i in items if i.decision_id]
    open_keys = (
        set(
            Todo.objects.open()
            .filter(source_key__in=[d.source_key for d in decisions])
            .values_list("source_key", flat=True)
        )
        if decisions
        else set()
    )
    previous = previous_meeting(meeting)
    since = timezone.localtime(previous.starts_at).date() if previous else None
    kept, removed = [], []
    for item in items:
        if hide_checklist and AgendaItem.Kind.CHECKLIST in (item.kind, item.decision and item.decision.item.kind):
            continue
        who, named, about = "", False, ""
        stage = case_of(item)
        if stage is not None:  # a case, or an open decision on a case: its person, named or pseudonymised
            named = stage.pk in visible
            person = stage.pathway.beneficiary
            who = person.full_name if named else str(pseudonym_label(numbers[person.pk]))
        if item.stage_id:
            about = f"{item.stage.get_kind_display()} · {item.stage.organisation.name}"
        elif item.session_id:
            about = str(item.session)
        elif item.decision_id:
            about = item.decision.action
        row = ItemRow(
            item=item,
            who=who,
            named=named,
            is_new=bool(item.proposed and item.on and since and item.on > since),
            about=about,
            decisions=[DecisionRow(d, d.source_key in open_keys) for d in item.decisions.all()],
            stage=stage,
        )
        (removed if item.removed_at else kept).append(row)
    return {
        "items": kept,
        "removed": removed,
        "open_decision_keys": open_keys,
        "previous": previous,
    }


# How many built or requested reports the meeting page lists, and how often it polls while one is built.
REPORTS_SHOWN = 20
REPORT_POLL_SECONDS = 3


def readable_reports(user):
    """The commission reports `user` may download: the wide versions of the meetings they see, and the members'
    versions they asked for themselves (built with their scope)."""
    from commissions.models import CommissionReport

    return CommissionReport.objects.filter(meeting__in=Meeting.objects.for_user(user).values("pk")).filter(
        Q(version=CommissionReport.Version.WIDE) | Q(requested_by=user)
    )


def meeting_reports(meeting: Meeting, user) -> dict:
    """The meeting's reports `user` may download, newest first (one query), and whether the page polls them."""
    from commissions.forms.reports import ReportForm
    from commissions.models import CommissionReport

    reports = list(
        CommissionReport.objects.filter(meeting=meeting)
        .filter(Q(version=CommissionReport.Version.WIDE) | Q(requested_by=user))
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:REPORTS_SHOWN]
    )
    # The newest ready report of each (version, language) and whatever was asked since (being built, or failed):
    # the current ones; the earlier ready or failed ones are folded under "Versions précédentes".
    current, older, settled = [], [], set()
    for report in reports:
        key = (report.version, report.language)
        (older if key in settled else current).append(report)
        if report.status == CommissionReport.Status.READY:
            settled.add(key)
    return {
        "meeting": meeting,
        "reports": current,
        "older_reports": older,
        "reports_pending": any(r.status == CommissionReport.Status.PENDING for r in reports),
        "report_form": ReportForm(),
        "reportable": meeting.status != Meeting.Status.CANCELLED,
        "poll_seconds": REPORT_POLL_SECONDS,
    }


@dataclass
class CalendarEntry:
    """One line of a calendar day: a meeting (`meeting` set), or a date the cadence proposes, not yet planned."""

    starts_at: datetime.datetime
    commission: Commission
    meeting: Meeting | None = None

    @property
    def proposed(self) -> bool:
        return self.meeting is None


@dataclass
class CalendarDay:
    day: datetime.date
    in_month: bool
    is_today: bool
    entries: list = field(default_factory=list)


def meeting_calendar(user, month: datetime.date, *, commission_id: int | None = None, today=None) -> dict:
    """The month of the meetings of the commissions `user` sees (`Commission.objects.visible_to`, the list's scope),
    each on its local day; for the commissions `user` runs, the dates their cadence proposes after their last
    meeting, not yet planned. `commission_id`: only that commission, when `user` sees it (else every one). The month
    as weeks (Monday first) and as its days that have something. Four queries whatever the number of meetings."""
    from commissions.services.meetings import cadence_dates

    today = today or timezone.localdate()
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    managed = managed_basin_ids(user)
    commissions = sorted(
        Commission.objects.visible_to(user).select_related("basin"), key=lambda c: (c.basin.name, c.pk)
    )
    selected = next((c for c in commissions if c.pk == commission_id), None)
    shown = [selected] if selected else commissions
    by_pk = {c.pk: c for c in shown}
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))
    entries: dict[datetime.date, list[CalendarEntry]] = {}
    meetings = Meeting.objects.filter(commission__in=list(by_pk), starts_at__gte=start, starts_at__lt=end).order_by(
        "starts_at", "pk"
    )
    for meeting in meetings if by_pk else ():
        meeting.commission = by_pk[meeting.commission_id]
        entry = CalendarEntry(meeting.starts_at, meeting.commission, meeting)
        entries.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(entry)
    run = [c for c in shown if c.basin_id in managed]
    if run:
        last = dict(
            Meeting.objects.filter(commission__in=[c.pk for c in run])
            .exclude(status=Meeting.Status.CANCELLED)
            .values("commission")
            .order_by()
            .annotate(last=Max("starts_at"))
            .values_list("commission", "last")
        )
        for commission in run:
            for starts_at in cadence_dates(commission.cadence_weeks, last.get(commission.pk), today=today):
                day = timezone.localtime(starts_at).date()
                if day >= following:
                    break
                if day >= month:
                    entries.setdefault(day, []).append(CalendarEntry(starts_at, commission))
    for day_entries in entries.values():
        day_entries.sort(key=lambda e: (e.starts_at, e.commission.basin.name))
    weeks = [
        [CalendarDay(day, day.month == month.month, day == today, entries.get(day, [])) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    return {
        "month": month,
        "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
        "next_month": following,
        "this_month": today.replace(day=1),
        "weekdays": weeks[0],
        "weeks": weeks,
        "days": [day for week in weeks for day in week if day.in_month and day.entries],
        "commissions": commissions,
        "selected": selected,
        "has_proposals": any(e.proposed for day in entries.values() for e in day),
    }
