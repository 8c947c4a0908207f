"""Generating a region of 100,000 people (`manage.py generate_scale`) into the bench database, timed.

The size comes from `BENCH_SCALE_PEOPLE` (default 100,000), the seed from `BENCH_SCALE_SEED` (default 1); the
region is `99`. The data is kept for the next benchmarks (the staff pages at scale), which call
`ensure_scale_data` (`pathways.management.commands.generate_scale`): it generates only when the region is missing
or holds another size or seed. This benchmark always generates (`--replace`), so it measures a whole run; the
deletion of the previous region is timed apart and not counted.
"""

import os
import sys
import time
from io import StringIO

from django.core.management import call_command
from django.db import connection

from bench import Metric
from pathways.management.commands.generate_scale import purge_region
from pathways.models import Region

TARGET_SECONDS = 300
REGION = "99"


def settings() -> tuple[int, int]:
    return int(os.environ.get("BENCH_SCALE_PEOPLE", "100000")), int(os.environ.get("BENCH_SCALE_SEED", "1"))


def run() -> list[Metric]:
    people, seed = settings()
    region = Region.objects.filter(code=REGION).first()
    if region is not None:
        from django.db import transaction

        started = time.monotonic()
        with transaction.atomic():
            purge_region(region)
        print(f"generate_scale: previous region deleted in {time.monotonic() - started:.1f} s", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE attendance_mark")
    out = StringIO()
    started = time.monotonic()
    call_command("generate_scale", beneficiaries=people, seed=seed, region=REGION, stdout=out)
    seconds = round(time.monotonic() - started, 1)
    print(out.getvalue(), file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    print(f"generate_scale: {people} people in {seconds} s; database {size / 2**20:.0f} MiB", file=sys.stderr)
    return [
        Metric.at_most("generate_scale_seconds", seconds, "s", TARGET_SECONDS),
        Metric.info("generate_scale_database_mib", round(size / 2**20), "MiB"),
    ]
