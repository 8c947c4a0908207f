"""Fault tests of alert delivery, with real processes: a Redis server of the test's own, real Celery workers (and
beat, for the sweeper), a local SMTP server and an SMS provider stand-in (`bench._sinks`, shared with the
benchmarks). Ruptures are declared through the page, as a trainer would.

- Redis stops while ruptures are declared: every declaration answers normally; once Redis is back, the sweeper
  delivers every alert, none twice on any channel.
- Redis stops while a worker delivers an alert: the worker gets through the outage by itself, every alert goes out.
- A worker is killed (SIGKILL) in the middle of a batch and another one starts: every alert is delivered, and any
  resend carries the same key (the e-mail's Message-ID, the SMS's Idempotency-Key), so each message counts once.

They need PostgreSQL (the workers share the test database, so the test commits for real) and `redis-server`.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from bench._redis import RedisServer
from bench._redis import available as redis_server_available
from bench._sinks import Sinks
from config.celery import app
from notifications.channels import message_id
from notifications.models import ChannelPreference, Notification
from pathways.models import Stage
from tests.conftest import require_service
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
DEADLINE = 60  # seconds to wait for a worker, a delivery, a restart
Channel = Notification.Channel


@pytest.fixture(autouse=True)
def services_available():
    require_service(connection.vendor == "postgresql", "the fault tests need PostgreSQL (DATABASE_URL)")
    require_service(redis_server_available(), "the fault tests need redis-server")


def wait_until(condition, what, timeout=DEADLINE, every=0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Still waiting after {timeout} s: {what}")
        time.sleep(every)


class Worker:
    """A `celery worker` process (pool solo: the process that delivers is the one a SIGKILL hits), on the test
    database and the test's Redis, sending e-mails and SMS to the sinks; with `beat`, the sweeper runs every
    second and takes what is pending after one second."""

    def __init__(self, *, name, redis_url, sinks, folder: Path, beat=False):
        db = connection.settings_dict
        database_url = (
            f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{quote(db['NAME'])}"
        )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SANS_RUPTURE_VAR_DIR": str(folder),
            "EMAIL_URL": f"smtp://127.0.0.1:{sinks.smtp_port}",
            "SMS_BACKEND": "notifications.sms.HttpSmsBackend",
            "SMS_HTTP_URL": sinks.sms_url,
            "SMS_HTTP_TOKEN": sinks.token,
            "NOTIFICATIONS_SWEEP_SECONDS": "1",
            "NOTIFICATIONS_SWEEP_AFTER_SECONDS": "1",
            "NOTIFICATIONS_CLAIM_LEASE_SECONDS": "3",
            "CELERY_VISIBILITY_TIMEOUT": "5",
        }
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
        ]
        if beat:
            self.command += ["--beat", "--schedule", str(folder / f"{name}-beat-schedule")]
        self.log = folder / f"{name}.log"
        self.log_file = None
        self.process = None

    def start(self):
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(lambda: " ready." in self.output() or self.process.poll() is not None, "the worker to start")
        assert self.process.poll() is None, self.output()

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log_file is not None:
            self.log_file.close()


class SupervisedWorker(Worker):
    """A worker as deployments run it, started through `manage.py supervise` (what `make run` uses; compose and
    systemd restart theirs likewise): prefork, remote control, gossip and mingle on. 3 processes: with one
    delivering and one running the embedded beat's sweep, one is still free, so the worker waits for more work."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        worker = self.command[: self.command.index("--pool=solo")]
        worker += ["--pool=prefork", "--concurrency=3", "--loglevel=INFO", *self.command[self.command.index("-n") :]]
        self.command = [sys.executable, "manage.py", "supervise", "worker", "--", *worker]


@pytest.fixture
def folder(tmp_path):
    return tmp_path


@pytest.fixture
def redis_server(folder):
    server = RedisServer(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server):
    """The test process (the web side) enqueues on the test's Redis, then goes back to the configured broker."""
    saved = app.conf.broker_url, app.conf.result_backend

    def reset():
        """Forget the connections made with the other settings: the broker's pool and producers, and the result
        backend (a Redis backend subscribes to results as soon as a task is sent). kombu keeps its pools in a
        registry keyed by broker URL: it is emptied too, or the next test on the configured broker would get back
        the pool closed here."""
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    reset()
    app.conf.broker_url = app.conf.result_backend = redis_server.url
    yield redis_server
    reset()
    app.conf.broker_url, app.conf.result_backend = saved


@pytest.fixture
def workers(folder, redis_server):
    started = []

    def start(name, sinks, beat=False, supervised=False):
        kind = SupervisedWorker if supervised else Worker
        worker = kind(name=name, redis_url=redis_server.url, sinks=sinks, folder=folder, beat=beat)
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()


def open_sinks(smtp_delay=0.0):
    sinks = Sinks(smtp_delay=smtp_delay)
    sinks.start()
    return sinks


@pytest.fixture
def stages(world):
    """Stages in progress at the world's training body, each on a pathway of its own prescribed by the world's
    adviser, who wants SMS too; the referent is the pedagogical manager, and the funder's regional officer is told:
    each alert goes to 3 people in the inbox and by e-mail, and by SMS to the adviser."""
    adviser = world.user("prescriber_adviser")
    adviser.phone = "0612345678"
    adviser.save(update_fields=["phone"])
    ChannelPreference.objects.create(user=adviser, channel=Channel.SMS, enabled=True)

    def make(count):
        made = []
        for _ in range(count):
            pathway = PathwayFactory(
                beneficiary=BeneficiaryFactory(region=world.region),
                referent=world.user("pedagogical_manager"),
                opened_by=world.prescriber,
                prescribing_organisation=world.prescriber,
                prescribing_adviser=adviser,
            )
            stage = StageFactory(
                pathway=pathway, organisation=world.training_body, programme=world.stage.programme, in_progress=True
            )
            EnrolmentFactory(stage=stage, session=world.session)
            made.append(stage)
        return made

    return make


def declare(client, stage: Stage) -> float:
    """Declare an abandon through the page; returns how long the answer took (s)."""
    started = time.monotonic()
    response = client.post(
        reverse("ruptures:rupture_create", args=[stage.pk]),
        {
            "kind": "abandon",
            "occurred_on": timezone.localdate().isoformat(),
            "main_cause": "conditions.transport",
            "causes": ["conditions.housing"],
            "identified_by": "trainer",
            "no_reminder_reason": "Injoignable depuis dix jours.",
        },
    )
    took = time.monotonic() - started
    alert = Alert.objects.get(rupture__stage=stage)
    assert response.status_code == 302 and response.url == alert.get_absolute_url()
    return took


def rows_of(stages):
    return Notification.objects.filter(
        cause_key__in=[
            f"alert:{pk}" for pk in Alert.objects.filter(rupture__stage__in=stages).values_list("pk", flat=True)
        ]
    )


def all_delivered(stages, per_alert=7):
    rows = rows_of(stages)
    return rows.count() == per_alert * len(stages) and not rows.exclude(status=Notification.Status.DELIVERED).exists()


def check_each_message_counts_once(stages, sinks, *, resends_allowed):
    """Every e-mail and SMS row reached its recipient with its own stable key; without `resends_allowed`, exactly
    once. Returns the number of e-mail copies beyond the first (a resend after a crash: the same Message-ID)."""
    rows = list(rows_of(stages).select_related("recipient"))
    assert Counter(row.channel for row in rows) == {
        Channel.IN_APP: 3 * len(stages),
        Channel.EMAIL: 3 * len(stages),
        Channel.SMS: len(stages),
    }
    arrivals, refused_duplicates, rejected = sinks.arrivals()
    assert not rejected
    expected = {
        (Channel.EMAIL, message_id(row), row.recipient.email.lower()) for row in rows if row.channel == Channel.EMAIL
    } | {(Channel.SMS, row.idempotency_key, "+33612345678") for row in rows if row.channel == Channel.SMS}
    received = Counter((arrival.channel, arrival.key, arrival.to) for arrival in arrivals)
    assert set(received) == expected  # every message arrived, and nothing else: every copy carries its own key
    assert all(received[key] == 1 for key in expected if key[0] == Channel.SMS)  # the provider de-duplicates
    extra_emails = sum(count - 1 for key, count in received.items() if key[0] == Channel.EMAIL)
    if not resends_allowed:
        assert extra_emails == 0 and refused_duplicates == 0, (received, refused_duplicates)
    return extra_emails, refused_duplicates


def test_a_redis_outage_delays_alerts_but_loses_none(world, stages, broker, workers, client_for):
    sinks = open_sinks()
    try:
        workers("faults-outage", sinks, beat=True)
        client = client_for(world.user("trainer"))
        before, during = stages(1), stages(4)

        # Redis up: delivered at once.
        declare(client, before[0])
        wait_until(lambda: all_delivered(before), "the first alert to be delivered")

        # Redis down: each declaration answers normally (the rows wait in the outbox) and nothing goes out.
        broker.stop()
        timings = [declare(client, stage) for stage in during]
        assert max(timings) < 5, timings
        assert rows_of(during).count() == 7 * len(during)
        assert not rows_of(during).filter(status=Notification.Status.DELIVERED).exists()

        # Redis back: the worker reconnects, beat's sweeper finds the pending rows and delivers each once.
        broker.start()
        wait_until(lambda: all_delivered(during), "the alerts declared during the outage to be delivered")
        check_each_message_counts_once(before + during, sinks, resends_allowed=False)
    finally:
        sinks.stop()


def test_a_worker_killed_mid_batch_is_relieved_and_each_message_counts_once(world, stages, broker, workers, client_for):
    sinks = open_sinks(smtp_delay=0.2)  # a slow mail server: the batch takes seconds, the kill lands in it
    try:
        client = client_for(world.user("trainer"))
        batch = stages(6)
        for stage in batch:  # queued in Redis: no worker yet
            declare(client, stage)

        first = workers("faults-first", sinks)
        wait_until(lambda: sinks.counts()[0] >= 4, "the first worker to send a few e-mails")
        first.kill()
        delivered = rows_of(batch).filter(status=Notification.Status.DELIVERED).count()
        assert delivered < 7 * len(batch), "the batch was over before the kill: nothing was tested"

        # Another worker (with the sweeper): the task lost with the first comes back after the visibility timeout,
        # the rows it had claimed after their lease; what was sent but not marked goes again with the same key.
        workers("faults-second", sinks, beat=True)
        wait_until(lambda: all_delivered(batch), "the second worker to deliver the whole batch")
        extra_emails, refused_duplicates = check_each_message_counts_once(batch, sinks, resends_allowed=True)
        # At most the messages of the alert in flight at the kill (its 3 e-mails and its SMS, marked together).
        assert extra_emails <= 3 and refused_duplicates <= 1
    finally:
        sinks.stop()


def test_a_redis_outage_with_a_delivery_in_flight_needs_nobody(world, stages, broker, workers, client_for):
    """Redis stops while a worker sends an alert's e-mails and waits for more work (the case that made kombu 5.7.0's
    transport stop workers for good: core/broker/redis.py); it comes back 5 s later. The worker gets through by
    itself (or its supervisor starts it again), and every alert, the one in flight and those declared meanwhile, is
    delivered once."""
    sinks = open_sinks(smtp_delay=1.0)  # an alert's 3 e-mails take 3 s: the outage starts in the middle
    try:
        worker = workers("faults-in-flight", sinks, beat=True, supervised=True)
        client = client_for(world.user("trainer"))
        in_flight, during = stages(1), stages(3)

        declare(client, in_flight[0])
        wait_until(lambda: sinks.counts()[0] >= 1, "the first e-mail of the alert in flight")
        broker.stop()
        for stage in during:
            declare(client, stage)
        time.sleep(5)
        broker.start()

        wait_until(lambda: all_delivered(in_flight + during), "every alert to be delivered after the outage")
        check_each_message_counts_once(in_flight + during, sinks, resends_allowed=False)
        assert worker.process.poll() is None, worker.output()  # the supervisor, still on duty
        assert "Unrecoverable error" not in worker.output(), worker.output()
    finally:
        sinks.stop()
