"""The basin dashboard at the size of a region of 100,000 people (`manage.py generate_scale`), and how fresh its
figures stay under a burst of changes.

- **Page.** The full basin dashboard (`dashboards:basin`) through the real view, for a regional officer of the
  region, over one-year periods (`period=year&year=…`), no page cache. The (basin, period) pair varies between
  requests: the three largest basins × the current and the previous year, the largest basin first. 5 warm-up
  requests, then TIMED ones; p50 and p95 of the timed ones; one more request of the largest basin over the current
  year counts its SQL statements.
- **Lag.** A real Celery worker reads the rollups' queue (`config/settings/bench.py` routes `dashboards.tasks.*` to
  it). A burst of 1,000 attendance saves (`attendance.services.sheet_save`, one mark each, on the largest basin's
  sessions) and 100 ruptures (`ruptures.services.rupture_declare`, abandons of stages in progress in that basin) is
  made through the services; the metric is the time from the end of the burst until the figures include them (the
  basin's counted ruptures grew by 100, the beat sweep has read every mark change and no refresh is pending). The
  worker runs beat, whose sweep (`ROLLUPS_SWEEP_SECONDS`, 10 s by default) queues the marks the sheets wrote in bulk.
"""

import sys
import tempfile
import time

from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance.models import MarkChange
from bench import Metric, percentile
from bench._staff import staff_of_largest
from bench._worker import BenchWorker
from bench.generate_scale import REGION, settings
from dashboards.models import MonthlyRollup, RollupCursor, RollupQueue, StageFact
from dashboards.queue import MARKS_CURSOR, sweep_mark_changes
from dashboards.rollups import rebuild
from pathways.management.commands.generate_scale import ensure_scale_data
from pathways.models import Basin, Region, Stage

WARM_UP = 5
TIMED = 30
P95_TARGET_MS = 300
QUERIES_TARGET = 15
LAG_TARGET_S = 60
MARKS = 1000
RUPTURES = 100


def log(message: str) -> None:
    print(f"dashboard_basin: {message}", file=sys.stderr)


def largest_basins(region: Region, year: int, count: int = 3) -> list[Basin]:
    totals = (
        MonthlyRollup.objects.filter(region=region, month__year=year, basin__isnull=False)
        .values("basin")
        .annotate(n=Sum("entrants"))
        .order_by("-n", "basin")
        .values_list("basin", flat=True)[:count]
    )
    basins = Basin.objects.in_bulk(list(totals))
    return [basins[pk] for pk in totals]


def page(client: Client, basin: Basin, year: int):
    return client.get(f"{reverse('dashboards:basin', args=[basin.pk])}?period=year&year={year}")


def measure_page(officer, basins: list[Basin], year: int) -> tuple[list[float], int]:
    client = Client()
    client.force_login(officer)
    pairs = [(basin, y) for y in (year, year - 1) for basin in basins]
    for index in range(WARM_UP):
        basin, y = pairs[index % len(pairs)]
        assert page(client, basin, y).status_code == 200
    timings = []
    for index in range(TIMED):
        basin, y = pairs[index % len(pairs)]
        started = time.perf_counter()
        response = page(client, basin, y)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        assert page(client, basins[0], year).status_code == 200
    return timings, len(queries)


def burst(basin: Basin, officer) -> int:
    """1,000 attendance saves and 100 ruptures through the services; returns the ruptures declared."""
    from attendance.models import Mark
    from attendance.services import Entry, sheet_save
    from ruptures.models import Cause, Rupture
    from ruptures.services import rupture_declare

    today = timezone.localdate()
    marks = list(
        Mark.objects.filter(
            slot__session__training_action__basin=basin,
            stage__status=Stage.Status.IN_PROGRESS,
            slot__date__lte=today,
        )
        .select_related("slot__session")
        .order_by("-slot__date", "pk")[:MARKS]
    )
    for mark in marks:
        status = Mark.Status.PRESENT if mark.status != Mark.Status.PRESENT else Mark.Status.ABSENT_UNJUSTIFIED
        sheet_save(
            session=mark.slot.session,
            day=mark.slot.date,
            by=officer,
            entries=[Entry(mark.stage_id, mark.slot_id, status, "", mark.version)],
            may_edit_locked=True,
        )
    stages = list(
        Stage.objects.in_basin(basin)
        .filter(status=Stage.Status.IN_PROGRESS, ruptures__isnull=True, actual_start__lt=today)
        .select_related("pathway")
        .order_by("pk")[:RUPTURES]
    )
    for stage in stages:
        rupture_declare(
            stage=stage,
            by=officer,
            kind=Rupture.Kind.ABANDON,
            main_cause=Cause.UNFORESEEN,
            causes=[],
            identified_by=Rupture.IdentifiedBy.TRAINER,
            occurred_on=today,
            no_reminder_reason="Benchmark",
        )
    log(f"burst: {len(marks)} attendance saves, {len(stages)} ruptures")
    return len(stages)


def measure_lag(basin: Basin, officer) -> float:
    RollupQueue.objects.all().delete()
    sweep_mark_changes()  # the watermark starts at the latest change
    RollupQueue.objects.all().delete()
    counted = StageFact.objects.filter(basin=basin, counted_rupture=True)
    before = counted.count()
    with tempfile.TemporaryDirectory(prefix="bench-rollups-") as folder:
        worker = BenchWorker(folder, name="rollups", queue=django_settings.BENCH_ROLLUPS_QUEUE, beat=True)
        worker.start()
        try:
            started = time.monotonic()
            declared = burst(basin, officer)
            ended = time.monotonic()
            log(f"burst took {ended - started:.1f} s")
            deadline = ended + 600
            last_change = MarkChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            marks_read = RollupCursor.objects.filter(name=MARKS_CURSOR, position__gte=last_change)
            while counted.count() < before + declared or RollupQueue.objects.exists() or not marks_read.exists():
                if time.monotonic() > deadline:
                    log(worker.log.read_text()[-3000:])
                    return float("inf")
                time.sleep(0.2)
            lag = time.monotonic() - ended
            total = time.monotonic() - started
            log(f"figures include the burst {lag:.1f} s after its end, {total:.1f} s after its start")
            return lag
        finally:
            worker.stop()


def run() -> list[Metric]:
    people, seed = settings()
    started = time.monotonic()
    if ensure_scale_data(people=people, seed=seed, region=REGION):
        log(f"region generated in {time.monotonic() - started:.0f} s")
    region = Region.objects.get(code=REGION)
    if not StageFact.objects.filter(region=region).exists():
        started = time.monotonic()
        rebuild(region)
        log(f"rollups rebuilt in {time.monotonic() - started:.1f} s")
    officer = staff_of_largest(region)["regional officer"]
    year = timezone.localdate().year
    basins = largest_basins(region, year)
    timings, queries = measure_page(officer, basins, year)
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    log(f"largest basin {basins[0].name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")
    lag = measure_lag(basins[0], officer)
    return [
        Metric.info("dashboard_basin_p50_ms", round(p50, 1), "ms"),
        Metric.at_most("dashboard_basin_p95_ms", round(p95, 1), "ms", P95_TARGET_MS),
        Metric.at_most("dashboard_basin_queries", queries, "queries", QUERIES_TARGET),
        Metric.at_most("dashboard_basin_rollup_lag_s", round(lag, 1), "s", LAG_TARGET_S),
    ]
