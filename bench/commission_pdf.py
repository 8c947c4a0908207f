"""The commission report of a large basin, asked for through the view and built by a real worker started fresh.

- **Data.** A generated region of its own (`manage.py generate_scale`, region `98`, BENCH_COMMISSION_PEOPLE people,
  7,200 by default), whose largest basin (28 % of the people) holds about 2,000 pathways; its rollups are built.
  The basin's commission: its six largest training bodies and prescribers, one delegate each, the largest
  prescriber's adviser among them (the requester: the people their organisation prescribed are named in the
  members' version, the others pseudonymised). A meeting held yesterday, the commission's only one (so the figures
  cover the 12 months before: a year of figures, every chart), with 150 reviewed cases (person items of five kinds,
  on distinct stages of the basin), a decision on each (a third of them still open: to-dos), the attendance. Built
  once and reused on the next runs.
- **Measure.** A worker (`celery -A config worker --pool=solo -Q <the bench's documents queue>`) is started fresh for
  the run; once it is ready, the requester POSTs the members' version through the view (`commissions:report_request`,
  Django's test client); the time runs from the POST to the report's row marked ready with its stored file (polled
  every 20 ms). The worker's peak RSS is its `VmHWM` (/proc/<pid>/status) once the report is built: with the solo
  pool the worker process is the one that built it, from its start (Django, WeasyPrint, pygal) to the stored file.
  The reports of earlier runs are deleted first, and the documents queue emptied (a fresh generation queues the
  signed charter copies of its region, which the worker would build first).
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import Metric
from bench._worker import BenchWorker
from pathways.management.commands.generate_scale import ensure_scale_data

REGION = "98"
CASES = 150
SECONDS_TARGET = 10
RSS_TARGET_MB = 500


def log(message: str) -> None:
    print(f"commission_pdf: {message}", file=sys.stderr)


def people() -> int:
    return int(os.environ.get("BENCH_COMMISSION_PEOPLE", "7200"))


def largest_basin(region):
    from pathways.models import Stage

    counts = [(Stage.objects.in_basin(b).values("pathway").distinct().count(), b) for b in region.basins.all()]
    return max(counts, key=lambda pair: (pair[0], -pair[1].pk))


def build_commission(region, basin):
    """The commission, its held meeting, 150 cases with their decisions, the attendance (once)."""
    from commissions.models import AgendaItem, Commission, Decision, Meeting, MeetingAttendance
    from commissions.services.commissions import commission_setup
    from notifications.todos import todo_set
    from pathways.models import Membership, Organisation, Stage

    Role = Membership.Role
    existing = Commission.objects.filter(basin=basin).first()
    if existing is not None and existing.meetings.filter(status=Meeting.Status.HELD).exists():
        return existing
    manager = (
        Membership.objects.active()
        .filter(role=Role.BASIN_COORDINATOR, basin=basin)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    stages = Stage.objects.in_basin(basin)
    bodies = (
        stages.values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")[:3]
        .values_list("organisation", flat=True)
    )
    prescribers = (
        stages.values("pathway__prescribing_organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "pathway__prescribing_organisation")[:3]
        .values_list("pathway__prescribing_organisation", flat=True)
    )
    organisations = list(Organisation.objects.filter(pk__in=[*bodies, *prescribers]))
    roles = {Organisation.Kind.PRESCRIBER: Role.PRESCRIBER_ADVISER, Organisation.Kind.TRAINING_BODY: Role.ORG_MANAGER}
    delegates = []
    for organisation in organisations:
        membership = (
            Membership.objects.active()
            .filter(
                organisation=organisation, role=roles.get(organisation.kind, Role.ORG_MANAGER), user__is_active=True
            )
            .select_related("user", "organisation")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            delegates.append(membership)
    commission = commission_setup(
        basin=basin, by=manager, organisations=organisations, delegates=delegates, cadence_weeks=6
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    meeting = Meeting.objects.create(
        commission=commission,
        starts_at=timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(14))),
        status=Meeting.Status.HELD,
        place="Maison de l'emploi",
        created_by=manager,
    )
    top_prescriber = prescribers[0]
    named = list(stages.filter(pathway__prescribing_organisation=top_prescriber).order_by("pk")[: CASES * 2 // 3])
    others = list(stages.exclude(pathway__prescribing_organisation=top_prescriber).order_by("pk")[: CASES - len(named)])
    kinds = [
        AgendaItem.Kind.RUPTURE,
        AgendaItem.Kind.ALERT,
        AgendaItem.Kind.SUSPENSION,
        AgendaItem.Kind.ENDING,
        AgendaItem.Kind.WAITING,
    ]
    items = AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, kind=kinds[i % len(kinds)], stage=stage, on=yesterday, proposed=True)
            for i, stage in enumerate([*named, *others])
        ]
    )
    owners = [m.user for m in delegates]
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                meeting=meeting,
                item=item,
                action="Proposer une place sur la prochaine session",
                owner=owners[i % len(owners)],
                due_on=yesterday + datetime.timedelta(days=14),
                created_by=manager,
            )
            for i, item in enumerate(items)
        ]
    )
    for decision in decisions[::3]:
        todo_set(
            source_key=decision.source_key,
            owner=decision.owner,
            title=decision.action,
            due_on=decision.due_on,
            by=manager,
            context=commission.name,
            url=meeting.get_absolute_url(),
        )
    MeetingAttendance.objects.bulk_create(
        [
            MeetingAttendance(meeting=meeting, organisation=m.organisation, user=m.user, present=i % 4 != 3)
            for i, m in enumerate(delegates)
        ]
    )
    log(f"commission built: {len(organisations)} members, {len(items)} cases ({len(named)} of the requester's)")
    return commission


def run() -> list[Metric]:
    from commissions.models import CommissionReport
    from dashboards.models import StageFact
    from dashboards.rollups import rebuild
    from pathways.models import Region

    started = time.monotonic()
    if ensure_scale_data(people=people(), seed=1, region=REGION):
        log(f"region generated in {time.monotonic() - started:.0f} s")
        with connection.cursor() as cursor:  # fresh statistics for the planner, as a running database has
            cursor.execute("ANALYZE")
    region = Region.objects.get(code=REGION)
    if not StageFact.objects.filter(region=region).exists():
        started = time.monotonic()
        rebuild(region)
        log(f"rollups rebuilt in {time.monotonic() - started:.1f} s")
    pathways, basin = largest_basin(region)
    commission = build_commission(region, basin)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    meeting = commission.meetings.get()
    cases = meeting.items.filter(stage__isnull=False).count()
    requester = commission.delegates.filter(organisation__kind="prescriber").order_by("pk").first().user
    CommissionReport.objects.filter(meeting=meeting).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE commissions_commissionreport")
    log(f"basin {basin.name}: {pathways} pathways, {cases} reviewed cases")

    # The generation leaves its documents (the signed charter copies) on the documents queue: the worker started
    # here would build them before the report. They stay pending in the database (a sweeper's work).
    from config.celery import app

    with app.connection_for_write() as broker:
        dropped = broker.default_channel.queue_purge(django_settings.CELERY_DOCUMENTS_QUEUE)
    if dropped:
        log(f"{dropped} document builds the generation queued dropped from the queue")

    client = Client()
    client.force_login(requester)
    url = reverse("commissions:report_request", args=[meeting.pk])
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as folder:
        worker = BenchWorker(folder, name="documents", queue=django_settings.CELERY_DOCUMENTS_QUEUE)
        worker.start()
        try:
            started = time.monotonic()
            response = client.post(url, {"version": "members", "language": "fr"})
            assert response.status_code == 302, response.status_code
            log(f"request answered in {time.monotonic() - started:.2f} s")
            report = CommissionReport.objects.get(meeting=meeting)
            deadline = started + 300
            while report.status == CommissionReport.Status.PENDING:
                if time.monotonic() > deadline:
                    log(worker.log.read_text()[-3000:])
                    raise RuntimeError("the report was not built within 300 s")
                time.sleep(0.02)
                report.refresh_from_db()
            seconds = time.monotonic() - started
            assert report.status == CommissionReport.Status.READY and report.file, report.error
            rss = worker.peak_rss_mb()
            size = (Path(folder) / "media" / report.file.name).stat().st_size
        finally:
            worker.stop()
            for line in worker.log.read_text().splitlines():
                if "build_report_task" in line or " ready." in line:
                    log(f"worker: {line.strip()}")
    log(f"members' report built in {seconds:.2f} s, {size / 1024:.0f} KiB; worker peak RSS {rss:.0f} MB")
    return [
        Metric.at_most("commission_pdf_seconds", round(seconds, 2), "s", SECONDS_TARGET),
        Metric.at_most("commission_pdf_peak_rss_mb", round(rss, 1), "MB", RSS_TARGET_MB),
    ]
