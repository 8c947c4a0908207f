"""The commission report (issue 19): a meeting's report as PDF, built by a worker (`core.documents`, `core.pdf`).

What it holds: the cover (commission, basin, date, place), the attendance, the basin's key figures and charts for
the period (`dashboards.selectors.basin_page`: the same figures, tables and charts as the basin dashboard, small
counts hidden), the commitment scorecard of the commission's member organisations (`dashboards.scorecard`), the
reviewed cases with their decisions (`commissions.selectors.meeting_agenda`), and the actions still open. Never a
speaking group's content nor a facilitator's note: nothing of `speaking_groups` is read.

The period: from the day after the previous meeting (not cancelled) to the meeting's day; the year up to the
meeting's day when the commission meets for the first time. Either way it includes the meeting itself, so that the
scorecard's PROXIMITÉ counts it (held, with its attendance).

Two versions (`CommissionReport.Version`):
- the members' version: a case is named where the scoping layer lets *the requester* see the person (exactly as the
  agenda page shows it to them), else the meeting's pseudonym; checklist risks left out for funders. Built with the
  requester's scope, downloaded only by them.
- the wide-distribution version: every case pseudonymised, no checklist risk, no one's name (attendance and decision
  owners by organisation); shared by everyone who sees the meeting.

The build reports its progress in `stage` (figures, charts, cases, rendering) with small UPDATEs committed at once
(the build runs outside any transaction), which the meeting page polls. The sweeper (beat, every minute) marks
failed the stale reports, those a worker started and lost (the lease ended while still pending: the worker crashed
mid-report), and retries them itself: put back in the queue and built, as long as they are under
COMMISSION_REPORT_MAX_ATTEMPTS builds and COMMISSION_REPORT_MAX_AGE_SECONDS since their request. Past either, they
stay failed, shown as such on the meeting page where anyone who sees them retries them. It also builds the reports
never claimed (broker down). So a report is never "in progress" forever.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commissions.models import AgendaItem, CommissionReport, MeetingAttendance, active_delegates
from commissions.selectors import meeting_agenda
from core.documents import SWEEP_BATCH, claimable, document_build, document_sweep
from core.pdf import render_pdf
from dashboards import periods
from dashboards.scorecard import build_scorecard
from dashboards.selectors import basin_page

REPORT_TEMPLATE = "commissions/pdf/report.html"
Progress = CommissionReport.Progress


def report_period(meeting, previous) -> periods.Period:
    """Since the previous meeting (the day after it, to the meeting's day), else the year up to the meeting's day."""
    day = timezone.localtime(meeting.starts_at).date()
    if previous is None:
        return periods.custom(day - datetime.timedelta(days=364), day)
    start = timezone.localtime(previous.starts_at).date() + datetime.timedelta(days=1)
    start = max(min(start, day), day - datetime.timedelta(days=periods.MAX_DAYS - 1))
    return periods.custom(start, day)


@dataclass
class AttendanceLine:
    who: str  # the delegate's name (members' version), "" in the wide version
    organisation: str
    present: bool


@dataclass
class ActionLine:
    who: str  # the case's person (named or pseudonymised), or ""
    action: str
    owner: str
    due_on: datetime.date
    meeting_day: datetime.date | None = None  # an earlier meeting's decision


def _progress(report_id: int, stage: str, **extra) -> None:
    CommissionReport.objects.filter(pk=report_id, status=CommissionReport.Status.PENDING).update(stage=stage, **extra)


def report_context(report: CommissionReport, *, progress=None) -> dict:
    """Everything the report prints, in a fixed number of queries whatever the basin's size and the agenda's
    length (pinned by tests). `progress(stage)` is called as each part starts."""
    progress = progress or (lambda stage: None)
    from commissions.services.meetings import previous_meeting

    meeting = report.meeting
    commission = meeting.commission
    basin = commission.basin
    wide = report.version == CommissionReport.Version.WIDE
    reader = None if wide else report.requested_by

    progress(Progress.FIGURES)
    previous = previous_meeting(meeting)
    period = report_period(meeting, previous)
    page = basin_page(basin=basin, period=period)
    members = set(commission.organisations.values_list("pk", flat=True))
    card = build_scorecard(region=basin.region, start=period.start, end=period.end)
    scorecard_rows = [
        (row, list(zip(card.indicators, row.cells, strict=True))) for row in card.rows if row.pk in members
    ]

    progress(Progress.CHARTS)
    charts = [chart for section in page.sections for chart in section.charts]

    progress(Progress.CASES)
    agenda = meeting_agenda(meeting, reader, wide=wide or reader is None)
    delegate_orgs = {}
    for delegate in active_delegates(commission):
        delegate_orgs.setdefault(delegate.user_id, delegate.organisation.name)

    def owner_label(user) -> str:
        if wide:
            return delegate_orgs.get(user.pk, "")
        return user.get_full_name() or user.email

    attendance = [
        AttendanceLine(
            who="" if wide else (a.user.get_full_name() or a.user.email),
            organisation=a.organisation.name,
            present=a.present,
        )
        for a in MeetingAttendance.objects.filter(meeting=meeting)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__first_name", "pk")
    ]
    open_keys = agenda["open_decision_keys"]
    cases, actions = [], []
    for row in agenda["items"]:
        lines = [
            {
                "action": line.decision.action,
                "owner": owner_label(line.decision.owner),
                "due_on": line.decision.due_on,
                "open": line.is_open,
            }
            for line in row.decisions
        ]
        if row.item.kind == AgendaItem.Kind.DECISION:
            decision = row.item.decision
            if decision.source_key in open_keys:
                actions.append(ActionLine(row.who, decision.action, owner_label(decision.owner), decision.due_on))
            continue
        cases.append({"row": row, "decisions": lines})
        actions += [
            ActionLine(row.who, line["action"], line["owner"], line["due_on"]) for line in lines if line["open"]
        ]
    actions.sort(key=lambda a: a.due_on)
    return {
        "report": report,
        "wide": wide,
        "meeting": meeting,
        "commission": commission,
        "basin": basin,
        "starts_at": timezone.localtime(meeting.starts_at),
        "previous": previous,
        "period": period,
        "page": page,
        "charts": charts,
        "scorecard": card,
        "scorecard_rows": scorecard_rows,
        "scorecard_total": (card.total, list(zip(card.indicators, card.total.cells, strict=True))),
        "attendance": attendance,
        "cases": cases,
        "actions": actions,
        "issued_at": timezone.localtime(),
    }


def _render(report: CommissionReport) -> bytes:
    with translation.override(report.language):
        CommissionReport.objects.filter(pk=report.pk).update(attempts=F("attempts") + 1)  # a build started
        context = report_context(report, progress=lambda stage: _progress(report.pk, stage))
        _progress(report.pk, Progress.RENDERING)
        return render_pdf(REPORT_TEMPLATE, context)


def report_filename(report: CommissionReport) -> str:
    meeting = report.meeting
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    version = "membres" if report.version == CommissionReport.Version.MEMBERS else "diffusion"
    return f"rapport-{slugify(meeting.commission.basin.name)}-{day}-{version}-{report.language}.pdf"


def report_build(report_id: int) -> bool:
    """Build the report (claimed for a lease; False when another worker holds it or it is built already)."""
    return document_build(
        CommissionReport,
        report_id,
        related=("meeting__commission__basin__region", "requested_by"),
        render=_render,
        filename=report_filename,
    )


def report_sweep(*, now: datetime.datetime | None = None) -> int:
    """Beat: mark failed the stale reports (a build started and its worker lost: its lease ended while pending, or
    pending for longer than COMMISSION_REPORT_MAX_AGE_SECONDS), then retry those of them still under the attempts
    and age limits (back to pending, built below with the reports never claimed). Returns how many were built."""
    now = now or timezone.now()
    max_age = now - datetime.timedelta(seconds=settings.COMMISSION_REPORT_MAX_AGE_SECONDS)
    stale = claimable(CommissionReport, now).filter(Q(attempts__gt=0) | Q(requested_at__lt=max_age))
    stale_ids = list(stale.values_list("pk", flat=True)[:SWEEP_BATCH])
    if stale_ids:
        with transaction.atomic():  # a reader sees a stale report failed for good, or pending again, never between
            stale.filter(pk__in=stale_ids).update(
                status=CommissionReport.Status.FAILED,
                error=_("Interrompu : la préparation s'est arrêtée avant la fin."),
                finished_at=now,
                claimed_until=None,
            )
            CommissionReport.objects.filter(
                pk__in=stale_ids,
                status=CommissionReport.Status.FAILED,
                attempts__lt=settings.COMMISSION_REPORT_MAX_ATTEMPTS,
                requested_at__gte=max_age,
            ).update(status=CommissionReport.Status.PENDING, stage=Progress.QUEUED, finished_at=None)
    return document_sweep(CommissionReport, report_build, now=now)
