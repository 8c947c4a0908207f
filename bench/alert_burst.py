"""A burst of alerts: 1,000 ruptures declared one after the other as fast as the service allows, then delivered.

The same world as `alert_latency` (bench/_alerts.py): 7 deliveries per rupture (3 people in-app and by e-mail, the
adviser by SMS), by a real worker, to a local SMTP server and SMS provider. 10 ruptures warm the worker up first.
Measured: the time from the first commit to the last delivery of the last alert, the deliveries lost (not done
within the timeout), and the duplicates (a recipient receiving a second, distinct copy on a channel).
"""

import time

from bench import Metric
from bench._alerts import (
    DELIVERY_TIMEOUT,
    breakdown,
    build,
    clean,
    declare,
    fresh_stages,
    log,
    report,
    services,
    settle,
    wait_for_deliveries,
)

WARM_UP = 10
RUPTURES = 1000
SECONDS_TARGET = 60


def run() -> list[Metric]:
    world = build()
    clean(world)
    stages = fresh_stages(world, WARM_UP + RUPTURES)
    settle()
    warm_up, timed = stages[:WARM_UP], stages[WARM_UP:]

    with services() as running:
        running.warm_up(world, warm_up)

        commits = {}
        started = time.perf_counter()
        for stage in timed:
            cause, committed = declare(world, stage)
            commits[cause] = committed
        declaring = time.perf_counter() - started
        wait_for_deliveries(world, commits, running)
        waited_until = time.time()
        result = report(world, commits, running)

    first = min(commits.values())
    # With an alert lost, "all delivered" never came: the burst lasted until the benchmark stopped waiting.
    last = max(result.delivered_at.values()) if not result.lost_alerts else waited_until
    seconds = round(last - first, 2)
    log(
        f"alert_burst: {RUPTURES} ruptures declared in {declaring:.1f} s ({RUPTURES / declaring:.0f}/s); "
        f"all delivered {seconds:.1f} s after the first commit ({last - max(commits.values()):.1f} s after the last); "
        f"{result.lost} deliveries lost ({result.lost_alerts} alerts not delivered within {DELIVERY_TIMEOUT} s), "
        f"{result.duplicates} duplicates, {result.resends} resends under the same key"
    )
    log(f"alert_burst: {breakdown(result)}")
    for detail in result.details:
        log(f"alert_burst: {detail}")
    return [
        Metric.at_most("alert_burst_seconds", seconds, "s", SECONDS_TARGET),
        Metric.at_most("alert_burst_lost", result.lost, "deliveries", 0),
        Metric.at_most("alert_burst_duplicates", result.duplicates, "copies", 0),
    ]
