"""From a declared rupture to its alert delivered everywhere: 200 ruptures, one every 50 ms, through the service.

Each rupture alerts 3 people (the prescribing adviser, the pathway's referent, the funder's regional officer) in-app
and by e-mail, and the adviser by SMS: 7 outbox rows, delivered by a real worker (bench/_alerts.py). An alert is
delivered when its 7 rows are marked delivered in the outbox and its 3 e-mails and its SMS have reached the local
SMTP server and SMS provider; its latency runs from the commit of the declaration to the last of these. 20 ruptures
warm the worker up first (not timed), then the no-op task's round trip is measured on the same worker, as the
baseline the latency is read against.
"""

import time

from bench import Metric, percentile
from bench._alerts import (
    DELIVERY_TIMEOUT,
    breakdown,
    build,
    clean,
    declare,
    fresh_stages,
    log,
    noop_round_trips,
    processor_time,
    processor_time_per_alert,
    report,
    services,
    settle,
    summary,
    wait_for_deliveries,
)

WARM_UP = 20
RUPTURES = 200
INTERVAL = 0.050  # seconds between two declarations (start to start)
P95_TARGET_MS = 2000
RATIO_TARGET = 10


def run() -> list[Metric]:
    world = build()
    clean(world)
    stages = fresh_stages(world, WARM_UP + RUPTURES)
    settle()
    warm_up, timed = stages[:WARM_UP], stages[WARM_UP:]

    with services() as running:
        running.warm_up(world, warm_up)
        noop = noop_round_trips()

        commits = {}
        cpu_before = processor_time(running)
        started = time.perf_counter()
        for n, stage in enumerate(timed):
            delay = started + n * INTERVAL - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            cause, committed = declare(world, stage)
            commits[cause] = committed
        declaring = time.perf_counter() - started
        wait_for_deliveries(world, commits, running)
        cpu = processor_time_per_alert(cpu_before, processor_time(running), RUPTURES)
        result = report(world, commits, running)

    # An alert not delivered within the timeout counts as the timeout.
    latencies_ms = [
        (latency if latency is not None else DELIVERY_TIMEOUT) * 1000 for latency in result.latencies.values()
    ]
    p50, p95, noop_p50 = percentile(latencies_ms, 0.50), percentile(latencies_ms, 0.95), percentile(noop, 0.50)
    log(
        f"alert_latency: {RUPTURES} ruptures declared in {declaring:.1f} s (one every {INTERVAL * 1000:.0f} ms); "
        f"{summary('commit → last channel delivered', latencies_ms)}; {summary('no-op round trip', noop)}; "
        f"{result.lost_alerts} alerts not delivered within {DELIVERY_TIMEOUT} s ({result.lost} deliveries), "
        f"{result.duplicates} duplicates, {result.resends} resends under the same key"
    )
    log(f"alert_latency: {breakdown(result)}")
    log(f"alert_latency: {cpu}")
    for detail in result.details:
        log(f"alert_latency: {detail}")
    return [
        Metric.info("alert_latency_p50_ms", round(p50, 1), "ms"),
        Metric.at_most("alert_latency_p95_ms", round(p95, 1), "ms", P95_TARGET_MS),
        Metric.info("alert_noop_p50_ms", round(noop_p50, 2), "ms"),
        Metric.at_most("alert_latency_ratio", round(p95 / noop_p50, 1), "×", RATIO_TARGET),
    ]
