"""The pages staff open all day, at the size of a region of 100,000 people (`manage.py generate_scale`): the alerts
inbox, the people list, the pathway list and the home page, for a trainer, a pedagogical manager and the manager of
the largest training body, the busiest adviser and the manager of the largest prescriber, and a regional officer.

Each page is requested through Django's test client, logged in as the user (as a browser would after login): 5
warm-up requests, then TIMED ones; the p95 of each page is reported on stderr and the worst one is the metric. One
more request per page counts its SQL statements. The data comes from `ensure_scale_data`: generated only when the
bench database does not already hold the region at this size and seed (`BENCH_SCALE_PEOPLE`, `BENCH_SCALE_SEED`).
PostgreSQL runs on its default configuration; no planner option is set by the application.
"""

import sys
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import Metric, percentile
from bench._staff import page_urls, staff_of_largest
from bench.generate_scale import REGION, settings
from pathways.management.commands.generate_scale import ensure_scale_data
from pathways.models import Region

WARM_UP = 5
TIMED = 30
P95_TARGET_MS = 300
QUERIES_TARGET = 15


def run() -> list[Metric]:
    people, seed = settings()
    started = time.monotonic()
    if ensure_scale_data(people=people, seed=seed, region=REGION):
        print(f"staff_lists: region generated in {time.monotonic() - started:.0f} s", file=sys.stderr)
    staff = staff_of_largest(Region.objects.get(code=REGION))
    urls = page_urls()
    worst_p95, most_queries = 0.0, 0
    for role, user in staff.items():
        client = Client()
        client.force_login(user)
        for page, url in urls.items():
            for _ in range(WARM_UP):
                assert client.get(url).status_code == 200, (role, page)
            timings = []
            for _ in range(TIMED):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (role, page, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            p95 = percentile(timings, 0.95)
            worst_p95, most_queries = max(worst_p95, p95), max(most_queries, len(queries))
            print(
                f"staff_lists: {role:22} {page:13} p50 {percentile(timings, 0.5):6.1f} ms  p95 {p95:6.1f} ms  "
                f"{len(queries):2} queries",
                file=sys.stderr,
            )
    return [
        Metric.at_most("staff_lists_p95_ms", round(worst_p95, 1), "ms", P95_TARGET_MS),
        Metric.at_most("staff_lists_queries", most_queries, "queries", QUERIES_TARGET),
    ]
