"""What the alert benchmarks (`alert_latency`, `alert_burst`) share: their data, a real worker, the local servers that
stand for the outside world, and the accounting of what was delivered.

- **Data.** A region of its own, a prescriber whose adviser gets alerts in-app, by e-mail and by SMS, a referent
  and the regional officer of the funder of the session's training action (in-app and e-mail), and a training body
  whose trainer declares. The prescriber has no shared alert mailbox and a routing that adds nobody: each rupture
  gives exactly 7 outbox rows (3 people × in-app and e-mail, plus the adviser's SMS). The people whose stages are
  declared are made afresh at each run (a stage has one ending rupture at most), after the previous runs' ones are
  removed, so the database does not grow from run to run.
- **Outside world.** An SMTP server and an HTTP server imitating the SMS provider, on 127.0.0.1 in a process of
  their own (bench/_sinks.py), record every arrival with its wall-clock time.
- **Worker.** A real `celery worker` process on the bench settings and database, reading only the queue the bench
  settings route deliveries and the no-op probe to (`BENCH_WORKER_QUEUE`), sending e-mail to the SMTP server and
  SMS to the HTTP server. It is stopped (then killed if need be) when the benchmark ends, whatever happens.
"""

import datetime
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, AlertRouting
from bench import percentile
from bench._sinks import Sinks
from config.celery import app, ping
from notifications.channels import message_id
from notifications.models import ChannelPreference, Notification
from notifications.sms import to_e164
from pathways.models import (
    Basin,
    Beneficiary,
    Enrolment,
    Membership,
    Organisation,
    Pathway,
    Programme,
    Region,
    Session,
    Stage,
    TrainingAction,
)
from pathways.services.people import name_key
from ruptures.models import Rupture
from ruptures.services import rupture_declare

BASE_DIR = Path(settings.BASE_DIR)
Channel = Notification.Channel

# The worker's pool and concurrency (see bench/README.md for the choice); the variables are for trying others.
WORKER_POOL = os.environ.get("BENCH_WORKER_POOL", "prefork")
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "3"))
WORKER_START_TIMEOUT = 90  # seconds for the worker to answer its first ping
# An alert not delivered this long after its commit is lost.
DELIVERY_TIMEOUT = 120
NOOP_WARM_UP = 10
NOOP_TIMED = 50
ADVISER_PHONE = "0612345678"
REGION_CODE = "BAL"
LAST_NAME_PREFIX = "Alerte-banc"
FIRST_NAMES = ["Inès", "Karim", "Zoé", "Lucas", "Aïcha", "Hugo", "Léa", "Mamadou", "Chloé", "Yanis"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class World:
    declarer: User
    adviser: User
    referent: User
    officer: User
    region: Region
    training_body: Organisation
    prescriber: Organisation
    programme: Programme
    session: Session

    @property
    def recipients(self) -> list[User]:
        return [self.adviser, self.referent, self.officer]

    def expected(self) -> set[tuple[int, str]]:
        """(recipient, channel) of the outbox rows one rupture must give."""
        rows = {(user.pk, channel) for user in self.recipients for channel in (Channel.IN_APP, Channel.EMAIL)}
        return rows | {(self.adviser.pk, Channel.SMS)}


def _user(email_address: str, first_name: str, last_name: str, phone: str = "") -> User:
    user = User.objects.filter(email=email_address).first()
    if user is None:
        user = User.objects.create_user(
            email=email_address, first_name=first_name, last_name=last_name, language="fr", phone=phone
        )
    elif user.phone != phone or not user.is_active:
        user.phone, user.is_active = phone, True
        user.save(update_fields=["phone", "is_active"])
    return user


def _member(user: User, organisation: Organisation, role: str) -> None:
    membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])


@transaction.atomic
def build() -> World:
    """The organisations, people and session of the alert benchmarks. Idempotent: what exists is reused and put
    back as the benchmarks need it (channel choices, no shared mailbox, a routing that adds nobody)."""
    today = timezone.localdate()
    region, _ = Region.objects.get_or_create(code=REGION_CODE, defaults={"name": "Région du banc d'essai des alertes"})
    basin, _ = Basin.objects.get_or_create(
        code="BAL1", defaults={"region": region, "name": "Bassin du banc d'essai des alertes"}
    )
    body, _ = Organisation.objects.get_or_create(
        name="Organisme du banc d'essai des alertes", kind=Organisation.Kind.TRAINING_BODY, defaults={"region": region}
    )
    prescriber, _ = Organisation.objects.get_or_create(
        name="Prescripteur du banc d'essai des alertes",
        kind=Organisation.Kind.PRESCRIBER,
        defaults={"region": region, "prescriber_kind": Organisation.PrescriberKind.MISSION_LOCALE},
    )
    if prescriber.alert_inbox_email:  # no shared mailbox: 7 rows per rupture, no eighth e-mail
        prescriber.alert_inbox_email = ""
        prescriber.save(update_fields=["alert_inbox_email"])
    AlertRouting.objects.update_or_create(
        organisation=prescriber, defaults={"all_advisers": False, "managers": False, "shared_mailbox": False}
    )
    funder, _ = Organisation.objects.get_or_create(
        name="Financeur du banc d'essai des alertes", kind=Organisation.Kind.FUNDER, defaults={"region": region}
    )
    funder.basins.add(basin)
    programme, _ = Programme.objects.get_or_create(
        code="banc-essai-alertes", defaults={"name": "Dispositif du banc d'essai des alertes"}
    )

    declarer = _user("formateur-alertes@banc-essai.invalid", "Claude", "Formateur")
    _member(declarer, body, Membership.Role.TRAINER)
    adviser = _user("conseillere-alertes@banc-essai.invalid", "Dominique", "Conseillère", phone=ADVISER_PHONE)
    _member(adviser, prescriber, Membership.Role.PRESCRIBER_ADVISER)
    referent = _user("referent-alertes@banc-essai.invalid", "Sacha", "Référent")
    _member(referent, prescriber, Membership.Role.PRESCRIBER_ADVISER)
    officer = _user("charge-mission-alertes@banc-essai.invalid", "Alix", "Chargée de mission")
    _member(officer, funder, Membership.Role.REGIONAL_OFFICER)
    for user, sms in ((adviser, True), (referent, False), (officer, False)):
        for channel, enabled in ((Channel.EMAIL, True), (Channel.SMS, sms)):
            ChannelPreference.objects.update_or_create(user=user, channel=channel, defaults={"enabled": enabled})

    action, _ = TrainingAction.objects.get_or_create(
        training_body=body,
        title="Banc d'essai — alertes de rupture",
        defaults={"basin": basin, "programme": programme, "funder": funder},
    )
    if action.funder_id != funder.pk:  # an action built before actions had their funder: its officer is alerted
        action.funder = funder
        action.save(update_fields=["funder"])
    start, end = today - datetime.timedelta(days=60), today + datetime.timedelta(days=365)
    session = action.sessions.order_by("pk").first()
    if session is None:
        session = Session.objects.create(
            training_action=action, start_date=start, end_date=end, weekdays=0b0011111, capacity=30
        )
    elif session.start_date > today - datetime.timedelta(days=30) or session.end_date < today:
        session.start_date, session.end_date = min(session.start_date, start), max(session.end_date, end)
        session.save(update_fields=["start_date", "end_date"])
    return World(
        declarer=declarer,
        adviser=adviser,
        referent=referent,
        officer=officer,
        region=region,
        training_body=body,
        prescriber=prescriber,
        programme=programme,
        session=session,
    )


def clean(world: World) -> None:
    """Remove what earlier runs left: the people of the benchmark's region, their pathways, stages, ruptures and
    alerts, the notifications of its three recipients (without writing audit entries for the removal)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    started = time.perf_counter()
    with disable_auditlog(), transaction.atomic():
        Notification.objects.filter(recipient__in=world.recipients).delete()
        ruptures = Rupture.objects.filter(stage__pathway__beneficiary__region=world.region)
        alerts = Alert.objects.filter(stage__pathway__beneficiary__region=world.region)
        stages = Stage.objects.filter(pathway__beneficiary__region=world.region)
        pathways = Pathway.objects.filter(beneficiary__region=world.region)
        beneficiaries = Beneficiary.objects.filter(region=world.region)
        logged = [
            (Rupture, list(ruptures.values_list("pk", flat=True))),
            (Stage, list(stages.values_list("pk", flat=True))),
            (Pathway, list(pathways.values_list("pk", flat=True))),
            (Beneficiary, list(beneficiaries.values_list("pk", flat=True))),
        ]
        for model, ids in logged:
            if ids:
                content_type = ContentType.objects.get_for_model(model)
                LogEntry.objects.filter(content_type=content_type, object_id__in=ids).delete()
        # A rupture points to its alert, an alert to its stage: ruptures first, then alerts, then stages.
        removed = sum(rows.delete()[0] for rows in (ruptures, alerts, stages, pathways, beneficiaries))
    if removed:
        log(f"alerts: {removed} rows of earlier runs removed in {time.perf_counter() - started:.1f} s")


def settle() -> None:
    """Vacuum and analyse the bench database once its rows for the run are in place: the work the removal of the
    last run's rows (thousands after a burst) leaves to autovacuum is done now, not while the alerts are timed, and
    the planner knows the new rows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"alerts: database vacuumed and analysed in {time.perf_counter() - started:.1f} s")


def fresh_stages(world: World, count: int) -> list[Stage]:
    """`count` people each in a qualifying training in progress in the benchmark's session: declarable once each."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    tag = secrets.token_hex(3)
    with transaction.atomic():
        beneficiaries = Beneficiary.objects.bulk_create(
            Beneficiary(
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=f"{LAST_NAME_PREFIX}-{tag}-{n:04d}",
                birth_date=datetime.date(2002, 3, 14),
                region=world.region,
                name_key=name_key(FIRST_NAMES[n % len(FIRST_NAMES)], f"{LAST_NAME_PREFIX}-{tag}-{n:04d}"),
            )
            for n in range(count)
        )
        pathways = Pathway.objects.bulk_create(
            Pathway(
                beneficiary=beneficiary,
                referent=world.referent,
                opened_by=world.prescriber,
                prescribing_organisation=world.prescriber,
                prescribing_adviser=world.adviser,
            )
            for beneficiary in beneficiaries
        )
        stages = Stage.objects.bulk_create(
            Stage(
                pathway=pathway,
                kind=Stage.Kind.QUALIFYING_TRAINING,
                organisation=world.training_body,
                programme=world.programme,
                planned_start=start,
                planned_end=world.session.end_date,
                status=Stage.Status.IN_PROGRESS,
                actual_start=start,
            )
            for pathway in pathways
        )
        Enrolment.objects.bulk_create(Enrolment(stage=stage, session=world.session) for stage in stages)
    return stages


def declare(world: World, stage: Stage) -> tuple[str, float]:
    """Declare an abandon on `stage` through the service; (cause key of its alert, wall-clock time of the commit).

    The commit time is taken by the first on-commit callback, registered before the service's own (which enqueues
    the delivery), so it is the moment the rows become visible to the worker.
    """
    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))
        rupture = rupture_declare(
            stage=stage,
            by=world.declarer,
            kind=Rupture.Kind.ABANDON,
            main_cause="conditions.transport",
            causes=["conditions.housing"],
            identified_by=Rupture.IdentifiedBy.TRAINER,
            occurred_on=timezone.localdate(),
            no_reminder_reason="Plus de nouvelles depuis dix jours, téléphone hors service.",
        )
    return f"alert:{rupture.alert.pk}", committed[0]


# --------------------------------------------------------------------------------------------------------------
# The outside world


class Worker:
    """A `celery worker` process on the bench settings, reading the bench worker queue only."""

    def __init__(self, *, sinks: Sinks):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DATABASE_URL": os.environ["DATABASE_URL"],  # the bench database (set by the runner)
            "BENCH_EMAIL_URL": f"smtp://127.0.0.1:{sinks.smtp_port}",
            "BENCH_SMS_BACKEND": "notifications.sms.HttpSmsBackend",
            "BENCH_SMS_HTTP_URL": sinks.sms_url,
            "BENCH_SMS_HTTP_TOKEN": sinks.token,
        }
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--pool={WORKER_POOL}",
            f"--concurrency={WORKER_CONCURRENCY}",
            "-Q",
            settings.BENCH_WORKER_QUEUE,
            "-n",
            f"bench-alerts-{secrets.token_hex(3)}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ]
        self.process: subprocess.Popen | None = None
        self.log_file = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self) -> None:
        log(f"alerts: starting a worker ({WORKER_POOL}, concurrency {WORKER_CONCURRENCY}), log {self.log_file.name}")
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the pool's children are stopped with it
        )
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker stopped at start (exit code {self.process.returncode}):\n{self.tail()}")
            try:
                ping.delay().get(timeout=2)
                return
            except Exception as error:  # noqa: BLE001 (not up yet: the probe stays queued or times out)
                if time.monotonic() > deadline:
                    message = f"The worker did not answer within {WORKER_START_TIMEOUT} s:\n{self.tail()}"
                    raise RuntimeError(message) from error

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"The worker died during the benchmark:\n{self.tail()}")

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to the whole process group if it takes too long."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log_file.close()
        text = Path(self.log_file.name).read_text(encoding="utf-8", errors="replace")
        if any(word in text for word in ("ERROR", "CRITICAL", "Traceback")):
            log(f"alerts: the worker logged errors (whole log in {self.log_file.name}):\n{self.tail(30)}")
        else:
            Path(self.log_file.name).unlink(missing_ok=True)

    def tail(self, lines: int = 40) -> str:
        text = Path(self.log_file.name).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def purge_worker_queue() -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.BENCH_WORKER_QUEUE)


@dataclass
class Services:
    sinks: Sinks
    worker: Worker

    def warm_up(self, world: World, stages: list[Stage]) -> None:
        """Declare on `stages` and wait for their alerts (the worker's processes and connections get going), check
        they were delivered, then forget what the servers received."""
        commits = dict(declare(world, stage) for stage in stages)
        wait_for_deliveries(world, commits, self)
        if report(world, commits, self).lost:
            raise RuntimeError("The warm-up alerts were not all delivered: the worker is not working.")
        self.sinks.forget()


@contextmanager
def services():
    """The SMTP sink, the SMS provider and a worker wired to both, up for the duration of the `with` block."""
    sinks = Sinks()
    worker = None
    try:
        sinks.start()
        purge_worker_queue()  # nothing left from an interrupted run
        worker = Worker(sinks=sinks)
        worker.start()
        yield Services(sinks, worker)
    finally:
        try:
            if worker is not None:
                worker.stop()
        finally:
            sinks.stop()
            purge_worker_queue()


def noop_round_trips() -> list[float]:
    """Round trips (ms) of the no-op task, `.delay().get()`, after a warm-up: what the broker, the worker and the
    result backend cost with no work at all."""
    for _ in range(NOOP_WARM_UP):
        ping.delay().get(timeout=30)
    timings = []
    for _ in range(NOOP_TIMED):
        started = time.perf_counter()
        ping.delay().get(timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# --------------------------------------------------------------------------------------------------------------
# Processor time


def processor_time(running: Services) -> dict[str, float]:
    """Processor seconds used so far by each part of the benchmark on this machine (Linux `/proc`; empty elsewhere):
    the bench process (it declares), the worker's process group, the local servers, PostgreSQL and Redis (their
    processes on this machine, found by name; none if they run elsewhere)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    parts = {"declaring": 0.0, "PostgreSQL": 0.0, "worker": 0.0, "local servers": 0.0, "Redis": 0.0}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process has ended meanwhile
            continue
        # "pid (name) state ppid pgrp … utime stime …": the name may hold spaces and parentheses.
        pid, name, fields = (
            int(text.split(" ", 1)[0]),
            text[text.index("(") + 1 : text.rindex(")")],
            text[text.rindex(")") + 2 :].split(),
        )
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        if pid == os.getpid():
            parts["declaring"] += seconds
        elif int(fields[2]) == running.worker.process.pid:  # process group
            parts["worker"] += seconds
        elif pid == running.sinks.process.pid:
            parts["local servers"] += seconds
        elif name in ("postgres", "postmaster"):
            parts["PostgreSQL"] += seconds
        elif name == "redis-server":
            parts["Redis"] += seconds
    return parts


def processor_time_per_alert(before: dict[str, float], after: dict[str, float], alerts: int) -> str:
    if not before:
        return "processor time: not measured (no /proc)"
    spent = ", ".join(f"{name} {(after[name] - before[name]) * 1000 / alerts:.1f}" for name in before)
    return f"processor time per alert (ms): {spent}"


# --------------------------------------------------------------------------------------------------------------
# What was delivered


@dataclass
class Report:
    """The deliveries of a set of alerts, as the outbox and the local servers saw them."""

    latencies: dict[str, float | None]  # cause key → seconds from commit to its last delivery (None: lost)
    waits: dict[str, float]  # cause key → seconds from commit to its first row marked delivered (the queue's part)
    delivered_at: dict[str, float]  # cause key → wall-clock time of its last delivery (delivered alerts only)
    lost: int  # expected (alert, recipient, channel) deliveries not done within the timeout
    duplicates: int  # distinct copies received by a recipient on one channel beyond the first
    resends: int  # copies received again under the same key (at-least-once, recognisable by the receiver)
    details: list[str] = field(default_factory=list)

    @property
    def lost_alerts(self) -> int:
        return sum(latency is None for latency in self.latencies.values())


def _alert_link_pattern() -> re.Pattern:
    example = settings.SITE_URL.rstrip("/") + reverse("alerts:alert_detail", args=[987654321])
    return re.compile(re.escape(example).replace("987654321", r"(\d+)"))


def wait_for_deliveries(world: World, commits: dict[str, float], running: Services) -> None:
    """Wait until every expected row is delivered and every e-mail and SMS has arrived, or the timeout is over."""
    deadline = max(commits.values()) + DELIVERY_TIMEOUT
    keys = list(commits)
    emails_expected, sms_expected = 3 * len(keys), len(keys)
    while True:
        pending = Notification.objects.filter(cause_key__in=keys).exclude(status=Notification.Status.DELIVERED)
        emails, sms = running.sinks.counts()
        if not pending.exists() and emails >= emails_expected and sms >= sms_expected:
            return
        if time.time() > deadline:
            log(f"alerts: still undelivered after {DELIVERY_TIMEOUT} s: {pending.count()} rows")
            return
        running.worker.check_alive()
        time.sleep(0.2)


def report(world: World, commits: dict[str, float], running: Services) -> Report:
    """Match every expected delivery with its outbox row and, for e-mail and SMS, with what the servers received."""
    addresses = {user.pk: user.email.lower() for user in world.recipients}
    number = to_e164(world.adviser.phone)
    expected = world.expected()
    link = _alert_link_pattern()
    details = []

    rows = defaultdict(list)
    for row in Notification.objects.filter(cause_key__in=list(commits)).only(
        "cause_key", "recipient_id", "recipient_key", "channel", "status", "delivered_at", "organisation_id"
    ):
        rows[(row.cause_key, row.recipient_id, row.channel)].append(row)

    def rows_of(cause):
        return [rows.get((cause, user_id, channel), []) for user_id, channel in expected]

    unexpected = {(cause, user, channel) for cause, user, channel in rows if (user, channel) not in expected}
    if unexpected:
        raise RuntimeError(f"Outbox rows for recipients or channels the benchmark did not set up: {sorted(unexpected)}")
    row_copies = sum(len(found) - 1 for found in rows.values())

    # What arrived, by (alert, address or number): the keys seen and the first arrival of each.
    received = defaultdict(dict)
    resends = 0
    arrivals, refused_duplicates, rejected = running.sinks.arrivals()
    for arrival in arrivals:
        match = link.search(arrival.text)
        cause = f"alert:{match.group(1)}" if match else f"unknown:{arrival.key}"
        copies = received[(cause, arrival.channel, arrival.to)]
        if arrival.key in copies:
            resends += 1
            copies[arrival.key] = min(copies[arrival.key], arrival.at)
        else:
            copies[arrival.key] = arrival.at
    strays = [key for key in received if key[0] not in commits]
    if strays:
        details.append(f"{len(strays)} messages for no alert of this run: {strays[:3]}")
    duplicates = row_copies + sum(len(copies) - 1 for key, copies in received.items() if key[0] in commits)
    resends += refused_duplicates
    if rejected:
        details.append(f"{len(rejected)} SMS requests refused: {rejected[:3]}")

    latencies, waits, delivered_at, lost = {}, {}, {}, 0
    for cause, committed in commits.items():
        last, missing = committed, 0
        marked = [row.delivered_at.timestamp() for found in rows_of(cause) for row in found if row.delivered_at]
        if marked:
            waits[cause] = min(marked) - committed
        for user_id, channel in sorted(expected):
            found = [row for row in rows.get((cause, user_id, channel), []) if row.delivered_at is not None]
            if not found:
                missing += 1
                continue
            row = found[0]
            done = row.delivered_at.timestamp()
            if channel != Channel.IN_APP:
                key = message_id(row) if channel == Channel.EMAIL else row.idempotency_key
                to = addresses[user_id] if channel == Channel.EMAIL else number
                arrived = received.get((cause, channel, to), {}).get(key)
                if arrived is None:
                    missing += 1
                    continue
                done = max(done, arrived)
            if done - committed > DELIVERY_TIMEOUT:
                missing += 1
                continue
            last = max(last, done)
        lost += missing
        latencies[cause] = None if missing else last - committed
        if not missing:
            delivered_at[cause] = last
    return Report(latencies, waits, delivered_at, lost, duplicates, resends, details)


def breakdown(result: Report) -> str:
    """Where the time goes: waiting for the worker (commit → first row marked delivered), then delivering."""
    waits = [seconds * 1000 for seconds in result.waits.values()]
    spans = [(result.latencies[cause] - wait) * 1000 for cause, wait in result.waits.items() if result.latencies[cause]]
    return f"{summary('commit → first row delivered', waits)}; {summary('first → last delivery', spans)}"


def summary(name: str, values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    if not ordered:
        return f"{name}: none"
    return (
        f"{name}: min {ordered[0]:.0f}, p50 {percentile(ordered, 0.5):.0f}, p95 {percentile(ordered, 0.95):.0f}, "
        f"max {ordered[-1]:.0f} ms"
    )
