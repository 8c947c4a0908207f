"""Alerts through a broker outage: 300 ruptures declared one every 200 ms to a stack of two workers and beat, Redis
stopped for 20 s in the middle of the burst and started again, and one worker killed (SIGKILL) before that.

The stack is the benchmark's own and runs as a deployment does: a redis-server on a spare port of 127.0.0.1 (that
saves its data when stopped, as the compose stack's does), two `celery worker` (prefork, 2 processes each) and
`celery beat`, each started through `manage.py supervise`, the supervisor `make run` uses (docker-compose and
systemd restart theirs the same way: docs/deployment.md). The benchmark restarts no process itself: the killed worker
must come back through its supervisor, and the workers must get through the outage by themselves. The bench
process's tasks go to that Redis for the duration (the same world as the alert benchmarks: bench/_alerts.py).

Measured: deliveries lost, duplicates (distinct copies for one alert, recipient and channel), the time from Redis
being back to the last delivery, the declarations that failed, and the workers' exits other than the one killed.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
from django.conf import settings

from bench import Metric, percentile
from bench._alerts import (
    BASE_DIR,
    DELIVERY_TIMEOUT,
    build,
    clean,
    declare,
    fresh_stages,
    log,
    report,
    settle,
    wait_for_deliveries,
)
from bench._redis import RedisServer
from bench._sinks import Sinks
from config.celery import app

WARM_UP = 6
RUPTURES = 300
SPACING = 0.2  # seconds from one declaration's start to the next
KILL_AT = 10.0  # seconds after the first declaration: one worker's main process gets SIGKILL
OUTAGE_AT = 20.0  # Redis stopped then,
OUTAGE_SECONDS = 20.0  # and started again this long after
DRAIN_TARGET = 60
WORKERS = 2
CONCURRENCY = 2
START_TIMEOUT = 90


class Supervised:
    """A command run through `manage.py supervise NAME -- COMMAND`, its output (the supervisor's and the
    command's) in a log file."""

    def __init__(self, name: str, command: list[str], env: dict, folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "supervise", name, "--", *command],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a group of its own: stopped with everything it started
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def child_pid(self) -> int | None:
        started = re.findall(rf"supervise: {re.escape(self.name)} started \(pid (\d+)\)", self.text())
        return int(started[-1]) if started else None

    def exits(self) -> list[str]:
        return re.findall(rf"supervise: {re.escape(self.name)} exited \(code (-?\d+)\)", self.text())

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"The supervisor of {self.name} stopped:\n{self.text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # forwarded to the command: a warm shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


class Stack:
    """The sinks, and the supervised workers and beat (what `wait_for_deliveries` and `report` look at)."""

    def __init__(self, sinks: Sinks, workers: list[Supervised], beat: Supervised):
        self.sinks, self.workers, self.beat = sinks, workers, beat
        self.worker = self  # wait_for_deliveries calls running.worker.check_alive()

    def check_alive(self) -> None:
        for process in [*self.workers, self.beat]:
            process.check_alive()


@contextmanager
def publishing_to(url: str):
    """The bench process's tasks go to `url` (broker and results) for the `with` block; kombu's pools and Celery's
    producers and backend made for the other address are dropped on the way in and out."""
    saved = app.conf.broker_url, app.conf.result_backend

    def reset():
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    reset()
    app.conf.broker_url = app.conf.result_backend = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url, app.conf.result_backend = saved


def environment(redis_url: str, sinks: Sinks, folder: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "DATABASE_URL": os.environ["DATABASE_URL"],  # the bench database (set by the runner)
        "REDIS_URL": redis_url,
        "SANS_RUPTURE_VAR_DIR": str(folder),
        "PYTHONUNBUFFERED": "1",
        "BENCH_EMAIL_URL": f"smtp://127.0.0.1:{sinks.smtp_port}",
        "BENCH_SMS_BACKEND": "notifications.sms.HttpSmsBackend",
        "BENCH_SMS_HTTP_URL": sinks.sms_url,
        "BENCH_SMS_HTTP_TOKEN": sinks.token,
    }


def start_stack(redis_url: str, sinks: Sinks, folder: Path) -> Stack:
    env = environment(redis_url, sinks, folder)
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    workers = [
        Supervised(
            f"worker-{number}",
            [*celery, "worker", "--pool=prefork", f"--concurrency={CONCURRENCY}", "--loglevel=INFO"]
            + ["-Q", settings.BENCH_WORKER_QUEUE, "-n", f"bench-outage-{number}@%h"],
            env,
            folder,
        )
        for number in (1, 2)
    ]
    beat = Supervised("beat", [*celery, "beat", "--loglevel=INFO", "--schedule", str(folder / "beat")], env, folder)
    stack = Stack(sinks, workers, beat)
    deadline = time.monotonic() + START_TIMEOUT
    while not all(" ready." in worker.text() for worker in workers):
        stack.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError("The workers did not start:\n" + "\n".join(w.text()[-2000:] for w in workers))
        time.sleep(0.2)
    return stack


def run() -> list[Metric]:
    world = build()
    clean(world)
    stages = fresh_stages(world, WARM_UP + RUPTURES)
    settle()
    warm_up, timed = stages[:WARM_UP], stages[WARM_UP:]
    folder = Path(tempfile.mkdtemp(prefix="bench-broker-outage-"))
    log(f"broker_outage: logs of the workers and beat in {folder}")
    redis_server = RedisServer(folder / "redis", persist=True)
    sinks = Sinks()
    stack = None
    try:
        redis_server.start()
        sinks.start()
        with publishing_to(redis_server.url):
            stack = start_stack(redis_server.url, sinks, folder)
            commits = dict(declare(world, stage) for stage in warm_up)
            wait_for_deliveries(world, commits, stack)
            if report(world, commits, stack).lost:
                raise RuntimeError("The warm-up alerts were not all delivered: the stack is not working.")
            sinks.forget()

            commits, timings, caller_errors = {}, [], 0
            killed = stopped_at = back_at = None
            started = time.monotonic()
            for number, stage in enumerate(timed):
                while (now := time.monotonic() - started) < number * SPACING:
                    time.sleep(min(0.01, number * SPACING - now))
                if killed is None and now >= KILL_AT:
                    killed = stack.workers[0].child_pid()
                    os.kill(killed, signal.SIGKILL)
                    log(f"broker_outage: {now:.1f} s: worker-1 (pid {killed}) killed")
                if stopped_at is None and now >= OUTAGE_AT:
                    redis_server.stop()
                    stopped_at = time.monotonic() - started
                    log(f"broker_outage: {stopped_at:.1f} s: Redis stopped")
                if back_at is None and stopped_at is not None and now >= stopped_at + OUTAGE_SECONDS:
                    redis_server.start()
                    back_at = time.time()
                    log(f"broker_outage: {time.monotonic() - started:.1f} s: Redis back")
                began = time.perf_counter()
                try:
                    cause, committed = declare(world, stage)
                    commits[cause] = committed
                except Exception:  # noqa: BLE001 (counted: a declaration must never fail for the broker)
                    caller_errors += 1
                    if caller_errors == 1:
                        log(f"broker_outage: a declaration failed:\n{traceback.format_exc()}")
                timings.append((time.perf_counter() - began) * 1000)
            log(f"broker_outage: {len(timed)} declared in {time.monotonic() - started:.1f} s")
            wait_for_deliveries(world, commits, stack)
            waited_until = time.time()
            result = report(world, commits, stack)
            exits = {process.name: process.exits() for process in [*stack.workers, stack.beat]}
    finally:
        if stack is not None:
            for process in [*stack.workers, stack.beat]:
                process.stop()
        sinks.stop()
        redis_server.stop()

    last = max(result.delivered_at.values()) if not result.lost_alerts else waited_until
    drain = round(last - back_at, 1)
    # The killed worker exits once (code -9); any other exit of a worker or of beat is a crash.
    restarted = exits["worker-1"][:1] == ["-9"]
    crashes = sum(len(codes) for codes in exits.values()) - restarted
    log(
        f"broker_outage: {len(commits)} alerts; {result.lost} deliveries lost ({result.lost_alerts} alerts not "
        f"delivered within {DELIVERY_TIMEOUT} s), {result.duplicates} duplicates, {result.resends} resends under the "
        f"same key; all delivered {drain} s after Redis was back; declarations p50 {percentile(timings, 0.5):.0f} ms, "
        f"max {max(timings):.0f} ms, {caller_errors} failed; exits {exits}; killed worker restarted: {restarted}"
    )
    for detail in result.details:
        log(f"broker_outage: {detail}")
    return [
        Metric.at_most("broker_outage_lost", result.lost, "deliveries", 0),
        Metric.at_most("broker_outage_duplicates", result.duplicates, "copies", 0),
        Metric.at_most("broker_outage_drain_seconds", drain, "s", DRAIN_TARGET),
        Metric.at_most("broker_outage_caller_errors", caller_errors, "declarations", 0),
        Metric.at_most("broker_outage_crashes", crashes, "exits", 0),
        Metric.info("broker_outage_declare_max_ms", round(max(timings)), "ms"),
    ]
