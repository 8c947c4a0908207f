"""E-mail and SMS: the HTTP provider adapter against a real local HTTP server, delivery through the outbox with stable
idempotency keys (a resend after a crash is the same message), no personal data in what leaves the platform, the
reader's language, and who gets which channel."""

import datetime
import json
import shutil
import smtplib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from bench._sinks import SmtpSink
from notifications import channels, services
from notifications import sms as sms_adapter
from notifications.channels import message_id
from notifications.models import ChannelPreference, Notification
from notifications.services import LeaseRunningOut, claim, deliver, notify, wanted_channels
from notifications.sms import FileSmsBackend, HttpSmsBackend, SmsPermanentError, SmsRetryableError, to_e164
from notifications.tasks import deliver_cause_task
from tests.accounts.factories import UserFactory
from tests.conftest import require_service
from tests.pathways.factories import OrganisationFactory

Channel = Notification.Channel
ALL_CHANNELS = [Channel.IN_APP, Channel.EMAIL, Channel.SMS]
SITE_URL = "https://sans-rupture.example.org"
ALERT_URL = "/alertes/7/"
LINK = SITE_URL + ALERT_URL
# What a rupture alert's row holds: a person's name and the facts, for the in-app inbox only.
PARAMS = {"person": "Zoé MARTIN", "rupture_kind": "abandon", "date": "2026-03-02"}
PERSONAL = ["Zoé", "MARTIN", "Martin", "abandon", "Abandon", "2026-03-02", "02/03/2026"]


# ---------------------------------------------------------------------------------------------------------------
# A fake SMS provider: a real HTTP server on 127.0.0.1 that de-duplicates by Idempotency-Key, like real providers.


class FakeProvider(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for the handlers: nothing is left running after a test

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.lock = threading.Lock()
        self.requests = []  # every request received: {"path", "headers" (lower-case names), "body"}
        self.delivered = {}  # Idempotency-Key → body: the SMS that reached a phone
        self.answers = []  # forced answers for the next requests: (status, JSON body[, headers])
        self.stall_next = False  # record the next request, then answer only after `release` (or 5 s)
        self.release = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/v1/sms"

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a stalled answer: writing to it fails, as it would in real life


class ProviderHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        key = self.headers.get("Idempotency-Key")
        with server.lock:
            server.requests.append(
                {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            )
            stall, server.stall_next = server.stall_next, False
            if server.answers:
                status, answer, *extra = server.answers.pop(0)
                headers = extra[0] if extra else {}
            elif key in server.delivered:
                status, answer, headers = 409, {"error": "duplicate", "message": "Already sent with this key"}, {}
            else:
                server.delivered[key] = body
                status, answer, headers = 201, {"id": f"sms-{len(server.delivered)}", "status": "queued"}, {}
        if stall:
            server.release.wait(5)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def provider(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = FakeProvider()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def backend(provider, timeout=5.0):
    return HttpSmsBackend(url=provider.url, token="secret-token", sender="SansRupture", timeout=timeout)


def test_the_adapter_posts_json_in_e164_with_the_token_and_the_idempotency_key(provider):
    backend(provider).send(to="0612345678", body="Sans Rupture : une alerte vous attend.", idempotency_key="k:1")
    (request,) = provider.requests
    assert request["path"] == "/v1/sms"
    assert request["body"] == {
        "to": "+33612345678",
        "text": "Sans Rupture : une alerte vous attend.",
        "sender": "SansRupture",
    }
    assert request["headers"]["authorization"] == "Bearer secret-token"
    assert request["headers"]["idempotency-key"] == "k:1"
    assert request["headers"]["content-type"] == "application/json"


def test_a_second_send_with_the_same_key_is_answered_409_and_taken_as_sent(provider):
    sms = backend(provider)
    sms.send(to="0612345678", body="Alerte", idempotency_key="k:1")
    sms.send(to="0612345678", body="Alerte", idempotency_key="k:1")  # no exception: already sent
    sms.send(to="0612345678", body="Alerte", idempotency_key="k:2")
    assert len(provider.requests) == 3
    assert list(provider.delivered) == ["k:1", "k:2"]


@pytest.mark.parametrize(
    "typed, e164",
    [
        ("0612345678", "+33612345678"),
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0145678901", "+33145678901"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0639 01 23 45", "+262639012345"),  # Mayotte
        ("0690 00 12 34", "+590690001234"),  # Guadeloupe
        ("0694 20 12 34", "+594694201234"),  # Guyane
        ("0696 20 12 34", "+596696201234"),  # Martinique
        ("+262 692 12 34 56", "+262692123456"),  # as stored
        ("+44 20 7946 0958", "+442079460958"),  # abroad
    ],
)
def test_numbers_are_converted_to_e164(typed, e164):
    assert to_e164(typed) == e164


@pytest.mark.parametrize("phone", ["", "12345", "0012345678", "+44 20"])
def test_a_number_not_in_use_is_a_permanent_error(phone, provider):
    with pytest.raises(SmsPermanentError):
        backend(provider).send(to=phone, body="Alerte", idempotency_key="k:1")
    assert provider.requests == []


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
def test_an_overloaded_or_failing_provider_is_a_retryable_error(provider, status):
    provider.answers.append((status, {"message": "Try later"}))
    with pytest.raises(SmsRetryableError) as raised:
        backend(provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    assert raised.value.status == status
    assert "Try later" in str(raised.value)


def test_retry_after_is_kept_for_the_retry(provider):
    provider.answers.append((429, {"message": "Rate limited"}, {"Retry-After": "7"}))
    with pytest.raises(SmsRetryableError) as raised:
        backend(provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    assert raised.value.retry_after == 7


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_a_refused_request_is_a_permanent_error_with_the_providers_message(provider, status):
    provider.answers.append((status, {"error": "invalid_request", "message": "Numéro non joignable"}))
    with pytest.raises(SmsPermanentError) as raised:
        backend(provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    assert raised.value.status == status
    assert "Numéro non joignable" in str(raised.value)
    assert "secret-token" not in str(raised.value)


@pytest.mark.parametrize(
    "answer",
    [
        {"error": "idempotency_key_in_use", "message": "Request in progress"},
        {"error": "conflict", "message": "A request with this key is already in progress"},
    ],
)
def test_a_409_that_is_not_a_duplicate_is_retried(provider, answer):
    # Some providers answer 409 while a request with the same key is still being processed.
    provider.answers.append((409, answer))
    with pytest.raises(SmsRetryableError):
        backend(provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")


def test_a_redirect_is_not_followed(provider):
    provider.answers.append((302, {}, {"Location": "/elsewhere"}))
    with pytest.raises(SmsPermanentError):
        backend(provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    assert len(provider.requests) == 1


def test_a_timeout_raises_and_the_resend_is_recognised_by_the_provider(provider):
    provider.stall_next = True  # the provider takes the SMS but answers too late
    with pytest.raises(SmsRetryableError, match="no answer"):
        backend(provider, timeout=0.3).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    provider.release.set()
    backend(provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    assert len(provider.requests) == 2
    assert list(provider.delivered) == ["k:1"]  # one SMS on the phone


def test_an_unreachable_provider_is_a_retryable_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sms = HttpSmsBackend(url=f"http://127.0.0.1:{port}/v1/sms", token="t", sender="S", timeout=2)
    with pytest.raises(SmsRetryableError, match="unreachable"):
        sms.send(to="0612345678", body="Alerte", idempotency_key="k:1")


class KeepAliveHandler(ProviderHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open after each answer, as providers do

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1


@pytest.fixture
def keep_alive_provider(provider):
    """The fake provider answering in HTTP/1.1 keep-alive, counting the connections it accepts."""
    provider.RequestHandlerClass = KeepAliveHandler
    provider.connections = 0
    yield provider
    sms_adapter.close_kept_sms_connection()


def test_sms_one_after_another_go_over_one_connection(keep_alive_provider):
    for n in range(3):
        backend(keep_alive_provider).send(to="0612345678", body="Alerte", idempotency_key=f"k:{n}")
    assert list(keep_alive_provider.delivered) == ["k:0", "k:1", "k:2"]
    assert keep_alive_provider.connections == 1


def test_a_connection_the_provider_closed_meanwhile_is_not_reused(keep_alive_provider):
    backend(keep_alive_provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    _, connection = sms_adapter._kept.connection
    connection.sock.shutdown(socket.SHUT_RDWR)  # as if the provider had ended the idle connection
    backend(keep_alive_provider).send(to="0612345678", body="Alerte", idempotency_key="k:2")
    assert list(keep_alive_provider.delivered) == ["k:1", "k:2"]
    assert keep_alive_provider.connections == 2


def test_a_kept_connection_lost_before_the_answer_sends_the_sms_again_once_under_its_key(
    keep_alive_provider, monkeypatch
):
    backend(keep_alive_provider).send(to="0612345678", body="Alerte", idempotency_key="k:1")
    monkeypatch.setattr(sms_adapter, "_still_open", lambda connection: True)  # the close is not seen before the request
    _, connection = sms_adapter._kept.connection
    connection.sock.shutdown(socket.SHUT_RDWR)
    backend(keep_alive_provider).send(to="0612345678", body="Alerte", idempotency_key="k:2")
    assert list(keep_alive_provider.delivered) == ["k:1", "k:2"]
    assert keep_alive_provider.connections == 2


def test_a_provider_that_closes_each_connection_gets_a_new_one_per_sms(provider):
    for n in range(2):
        backend(provider).send(to="0612345678", body="Alerte", idempotency_key=f"k:{n}")  # HTTP/1.0: closed
    assert getattr(sms_adapter._kept, "connection", None) is None
    assert list(provider.delivered) == ["k:0", "k:1"]


def test_through_a_proxy_of_the_environment_the_sms_goes_to_the_proxy(provider, monkeypatch):
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{provider.server_address[1]}")
    monkeypatch.setenv("no_proxy", "")
    HttpSmsBackend(url="http://sms.example.org/v1/sms", token="t", sender="S", timeout=5).send(
        to="0612345678", body="Alerte", idempotency_key="k:1"
    )
    (request,) = provider.requests  # the fake provider played the proxy: it got the absolute address
    assert request["path"] == "http://sms.example.org/v1/sms"
    assert request["headers"]["idempotency-key"] == "k:1"


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://example.org/sms"])
def test_a_missing_or_non_http_url_is_a_permanent_error(url):
    with pytest.raises(SmsPermanentError):
        HttpSmsBackend(url=url, token="t", sender="S", timeout=1).send(
            to="0612345678", body="Alerte", idempotency_key="k:1"
        )


# ---------------------------------------------------------------------------------------------------------------
# Through the outbox


@pytest.fixture
def sms_file(settings, tmp_path):
    """SMS go to a JSON-lines file; links point to SITE_URL."""
    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.SITE_URL = SITE_URL
    return FileSmsBackend(tmp_path / "sms.jsonl")


@pytest.fixture
def alice(db):
    """A person with a phone who asked for SMS (and keeps the default e-mail)."""
    user = UserFactory(email="alice@example.org", phone="0612345678")
    ChannelPreference.objects.create(user=user, channel=Channel.SMS, enabled=True)
    return user


def alert(recipients, cause="alert:7", **extra):
    notify(
        recipients=recipients,
        kind="rupture_alert",
        cause_key=cause,
        url=ALERT_URL,
        params=PARAMS,
        channels=extra.pop("channels", ALL_CHANNELS),
        **extra,
    )


def html_of(email):
    (alternative,) = email.alternatives
    assert alternative[1] == "text/html"
    return alternative[0]


def test_an_alert_goes_out_once_on_each_channel_with_its_stable_keys(alice, sms_file, mailoutbox):
    alert([alice])
    assert deliver_cause_task("alert:7") == 3
    rows = {row.channel: row for row in Notification.objects.filter(cause_key="alert:7")}
    assert set(rows) == {Channel.IN_APP, Channel.EMAIL, Channel.SMS}
    assert {row.status for row in rows.values()} == {Notification.Status.DELIVERED}

    (email,) = mailoutbox
    assert email.to == ["alice@example.org"]
    assert email.extra_headers["Message-ID"] == message_id(rows[Channel.EMAIL])
    assert email.message()["Message-ID"] == message_id(rows[Channel.EMAIL])
    assert LINK in email.body and LINK in html_of(email)

    (sms,) = sms_file.sent()
    assert sms["to"] == "0612345678"
    assert sms["idempotency_key"] == rows[Channel.SMS].idempotency_key == f"alert:7:user:{alice.pk}:sms"
    assert LINK in sms["body"]

    # Delivering again sends nothing more.
    assert deliver_cause_task("alert:7") == 0
    assert len(mailoutbox) == 1 and len(sms_file.sent()) == 1


def test_a_resend_after_a_crash_carries_the_same_message_id_and_key(alice, sms_file, mailoutbox):
    alert([alice])
    for row in Notification.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS]):
        assert claim(row.pk)
        deliver(row)  # sent… and the worker dies before marking the row delivered
    assert Notification.objects.filter(channel=Channel.SMS, status=Notification.Status.PENDING).exists()
    assert deliver_cause_task("alert:7") == 1  # the lease still holds: only the in-app row

    Notification.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))  # the lease ends
    assert deliver_cause_task("alert:7") == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.DELIVERED}
    email_row = Notification.objects.get(channel=Channel.EMAIL)
    assert email_row.attempts == 2

    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == message_id(email_row)
    first, second = sms_file.sent()
    assert first["idempotency_key"] == second["idempotency_key"] == f"alert:7:user:{alice.pk}:sms"


def test_a_resend_after_a_crash_reaches_the_phone_once_with_a_real_provider(alice, provider, settings):
    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = provider.url
    settings.SMS_HTTP_TOKEN = "secret-token"
    alert([alice], channels=[Channel.SMS])
    row = Notification.objects.get(channel=Channel.SMS)
    assert claim(row.pk)
    deliver(row)  # the worker dies here
    Notification.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert deliver_cause_task("alert:7") == 1
    assert [r["headers"]["idempotency-key"] for r in provider.requests] == [row.idempotency_key] * 2
    assert list(provider.delivered) == [row.idempotency_key]


def test_a_provider_outage_leaves_the_sms_pending_for_a_retry(alice, provider, settings, mailoutbox):
    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = provider.url
    alert([alice])
    provider.answers.append((503, {"message": "Maintenance"}))
    with pytest.raises(SmsRetryableError):  # the task's autoretry takes it from here
        while deliver_cause_task("alert:7"):
            pass
    row = Notification.objects.get(channel=Channel.SMS)
    assert row.status == Notification.Status.PENDING and row.claimed_until is None
    assert "Maintenance" in row.last_error
    while deliver_cause_task("alert:7"):  # the retry
        pass
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.DELIVERED}
    assert list(provider.delivered) == [row.idempotency_key]
    assert len(mailoutbox) == 1


class SessionCountingBackend(locmem.EmailBackend):
    """In-memory e-mail that counts the sessions it opens (as the SMTP backend does: `open` is a no-op while one is
    open) and loses the session on the sends numbered in `failing_sends`."""

    sessions = 0
    closed = 0
    sends = 0
    failing_sends: set[int] = set()

    def open(self):
        if getattr(self, "session_open", False):
            return False
        self.session_open = True
        type(self).sessions += 1
        return True

    def close(self):
        if getattr(self, "session_open", False):
            type(self).closed += 1
        self.session_open = False

    def send_messages(self, messages):
        opened = self.open()
        try:
            type(self).sends += 1
            if type(self).sends in self.failing_sends:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return super().send_messages(messages)
        finally:
            if opened:
                self.close()


@pytest.fixture
def counted_sessions(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SessionCountingBackend"
    SessionCountingBackend.sessions, SessionCountingBackend.sends, SessionCountingBackend.failing_sends = 0, 0, set()
    SessionCountingBackend.closed = 0
    return SessionCountingBackend


def test_the_emails_of_one_cause_go_out_over_one_session(db, counted_sessions, mailoutbox):
    people = [UserFactory() for _ in range(3)]
    alert(people)
    assert deliver_cause_task("alert:7") == 6  # 3 in-app, 3 e-mails
    assert counted_sessions.sessions == 1
    assert sorted(email.to[0] for email in mailoutbox) == sorted(person.email for person in people)


def test_the_next_alert_goes_out_over_the_session_of_the_previous_one(db, counted_sessions, mailoutbox):
    people = [UserFactory() for _ in range(3)]
    alert(people, cause="alert:7")
    alert(people, cause="alert:8")
    assert deliver_cause_task("alert:7") == deliver_cause_task("alert:8") == 6
    assert len(mailoutbox) == 6
    assert counted_sessions.sessions == 1 and counted_sessions.closed == 0  # still open for the next alert


def test_a_session_idle_for_too_long_is_closed_and_a_new_one_opened(db, counted_sessions, mailoutbox, monkeypatch):
    monkeypatch.setattr(channels, "_clock", lambda: 1000.0)
    alert([UserFactory()], cause="alert:7")
    alert([UserFactory()], cause="alert:8")
    deliver_cause_task("alert:7")
    monkeypatch.setattr(channels, "_clock", lambda: 1000.0 + 5.1)  # NOTIFICATIONS_EMAIL_SESSION_SECONDS = 5
    deliver_cause_task("alert:8")
    assert counted_sessions.sessions == 2 and counted_sessions.closed == 1
    assert len(mailoutbox) == 2


def test_without_session_time_the_session_ends_with_each_delivery(db, counted_sessions, mailoutbox, settings):
    settings.NOTIFICATIONS_EMAIL_SESSION_SECONDS = 0
    alert([UserFactory()], cause="alert:7")
    alert([UserFactory()], cause="alert:8")
    deliver_cause_task("alert:7")
    deliver_cause_task("alert:8")
    assert counted_sessions.sessions == counted_sessions.closed == 2


class GreetingCountingSink(SmtpSink):
    """The benchmarks' SMTP server, counting the sessions opened (one EHLO each)."""

    sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 (aiosmtpd's hook)
        session.host_name = hostname
        self.sessions += 1
        return responses


@pytest.fixture
def smtp_server(settings):
    server = GreetingCountingSink()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    channels.close_kept_email_connection()
    server.controller.stop()


def test_alerts_one_after_another_go_out_over_one_smtp_session(db, smtp_server):
    people = [UserFactory() for _ in range(2)]
    for cause in ("alert:7", "alert:8", "alert:9"):
        alert(people, cause=cause)
        deliver_cause_task(cause)
    assert len(smtp_server.arrivals()) == 6
    assert smtp_server.sessions == 1


def test_a_session_the_server_has_ended_meanwhile_is_not_reused(db, smtp_server):
    smtp_server.controller.SMTP_kwargs["timeout"] = 0.2  # the server ends a session idle for 0.2 s (421, then closes)
    people = [UserFactory()]
    alert(people, cause="alert:7")
    deliver_cause_task("alert:7")
    kept = channels._kept.session[0]
    deadline = time.monotonic() + 10
    while channels._still_open(kept):  # the server's goodbye has arrived
        assert time.monotonic() < deadline, "the SMTP server never ended the idle session"
        time.sleep(0.05)
    alert(people, cause="alert:8")
    assert deliver_cause_task("alert:8") == 2  # sent over a new session, not lost on the old one
    assert len(smtp_server.arrivals()) == 2 and smtp_server.sessions == 2


def test_a_lost_session_is_opened_again_for_the_next_email_and_the_failed_one_is_retried(
    db, counted_sessions, mailoutbox
):
    counted_sessions.failing_sends = {1}
    people = [UserFactory() for _ in range(3)]
    alert(people)
    with pytest.raises(smtplib.SMTPServerDisconnected):  # the task's autoretry takes it from here
        deliver_cause_task("alert:7")
    assert len(mailoutbox) == 2 and counted_sessions.sessions == 2
    failed = Notification.objects.get(channel=Channel.EMAIL, status=Notification.Status.PENDING)
    assert failed.claimed_until is None and "unexpectedly closed" in failed.last_error
    assert deliver_cause_task("alert:7") == 1  # the retry
    assert len(mailoutbox) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.DELIVERED}


def test_a_failing_sms_holds_back_neither_the_inbox_nor_the_email(alice, provider, settings, mailoutbox):
    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = provider.url
    alert([alice])
    provider.answers.append((503, {"message": "Maintenance"}))
    with pytest.raises(SmsRetryableError):
        deliver_cause_task("alert:7")
    status = dict(Notification.objects.values_list("channel", "status"))
    assert status == {
        Channel.IN_APP: Notification.Status.DELIVERED,
        Channel.EMAIL: Notification.Status.DELIVERED,
        Channel.SMS: Notification.Status.PENDING,
    }
    assert len(mailoutbox) == 1


def test_a_failing_email_holds_back_neither_the_sms_nor_the_other_emails(alice, sms_file, counted_sessions, mailoutbox):
    counted_sessions.failing_sends = {1}
    others = [UserFactory(), UserFactory()]
    alert([alice, *others])
    with pytest.raises(smtplib.SMTPServerDisconnected):
        deliver_cause_task("alert:7")
    assert len(sms_file.sent()) == 1 and len(mailoutbox) == 2
    pending = Notification.objects.exclude(status=Notification.Status.DELIVERED)
    assert [(row.channel, row.claimed_until) for row in pending] == [(Channel.EMAIL, None)]
    assert deliver_cause_task("alert:7") == 1  # the retry sends the failed e-mail only
    assert len(sms_file.sent()) == 1 and len(mailoutbox) == 3


@pytest.mark.parametrize("people", [1, 3, 6])
def test_an_alert_takes_two_statements_whatever_its_recipients(
    people, alice, sms_file, mailoutbox, django_assert_num_queries
):
    """One statement delivers the inbox rows and takes the others with their addresses and languages; the SMS and
    e-mails are sent, then marked delivered together by one more."""
    alert([alice, *(UserFactory() for _ in range(people - 1))])  # each in the inbox and by e-mail, alice by SMS
    with django_assert_num_queries(2):
        assert deliver_cause_task("alert:7") == 2 * people + 1
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.DELIVERED}
    assert len(mailoutbox) == people and len(sms_file.sent()) == 1


def test_a_crash_before_the_mark_resends_the_alerts_messages_under_their_keys(alice, sms_file, mailoutbox, monkeypatch):
    """The messages of a cause are marked together once sent: a worker lost before that mark leaves them claimed;
    once the lease ends, the retry sends them again with the same Message-ID and Idempotency-Key."""
    bob = UserFactory()
    alert([alice, bob])

    def lost(ids):
        raise SystemExit("the worker is lost before marking what it sent")

    monkeypatch.setattr(services, "_mark_delivered", lost)
    with pytest.raises(SystemExit):
        deliver_cause_task("alert:7")
    monkeypatch.undo()
    assert len(mailoutbox) == 2 and len(sms_file.sent()) == 1
    sent = Notification.objects.exclude(channel=Channel.IN_APP)
    assert {(row.status, row.claimed_until > timezone.now()) for row in sent} == {(Notification.Status.PENDING, True)}
    assert deliver_cause_task("alert:7") == 0  # the lease still holds

    Notification.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))  # the lease ends
    assert deliver_cause_task("alert:7") == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.DELIVERED}
    by_address = {}
    for email in mailoutbox:
        by_address.setdefault(email.to[0], set()).add(email.extra_headers["Message-ID"])
    assert by_address == {
        person.email: {message_id(Notification.objects.get(recipient=person, channel=Channel.EMAIL))}
        for person in (alice, bob)
    }
    assert len(mailoutbox) == 4  # each e-mail twice, under its one Message-ID
    assert {sms["idempotency_key"] for sms in sms_file.sent()} == {f"alert:7:user:{alice.pk}:sms"}


def test_a_slow_batch_hands_back_the_rows_it_has_not_sent_before_their_lease_runs_out(
    alice, sms_file, mailoutbox, monkeypatch, settings
):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 120
    alert([alice])
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        slow_send = FileSmsBackend.send

        def sms_taking_a_minute(self, **message):
            slow_send(self, **message)
            traveller.shift(datetime.timedelta(seconds=61))  # past half the lease

        monkeypatch.setattr(FileSmsBackend, "send", sms_taking_a_minute)
        with pytest.raises(LeaseRunningOut):  # the task's autoretry takes it from here
            deliver_cause_task("alert:7")
    status = {row.channel: (row.status, row.claimed_until) for row in Notification.objects.all()}
    assert status == {
        Channel.IN_APP: (Notification.Status.DELIVERED, None),
        Channel.SMS: (Notification.Status.DELIVERED, None),
        Channel.EMAIL: (Notification.Status.PENDING, None),  # not sent on a lease about to end: handed back
    }
    assert mailoutbox == []
    monkeypatch.setattr(FileSmsBackend, "send", slow_send)
    assert deliver_cause_task("alert:7") == 1  # the retry
    assert len(mailoutbox) == 1 and len(sms_file.sent()) == 1


# ---------------------------------------------------------------------------------------------------------------
# Nothing personal leaves the platform


def test_no_name_nor_any_parameter_in_the_email_or_the_sms(alice, sms_file, mailoutbox):
    org = OrganisationFactory(alert_inbox_email="alertes@of.example.org")
    alert([alice], inboxes=[org])
    deliver_cause_task("alert:7")
    assert len(mailoutbox) == 2  # alice and the organisation's mailbox
    (sms,) = sms_file.sent()
    texts = [sms["body"]]
    for email in mailoutbox:
        texts += [email.subject, email.body, html_of(email)]
    for text in texts:
        for value in PERSONAL:
            assert value not in text, (value, text)
    assert LINK in sms["body"]
    for email in mailoutbox:
        assert LINK in email.body and LINK in html_of(email)


# ---------------------------------------------------------------------------------------------------------------
# The reader's language


def test_an_english_reader_gets_the_email_and_the_sms_in_english(db, sms_file, mailoutbox):
    require_service(
        shutil.which("msgfmt") is not None, "gettext (msgfmt) is missing: the English catalogue is not compiled"
    )
    call_command("compilemessages", "--ignore=.venv", "--ignore=.tools", verbosity=0)
    translation.trans_real._translations = {}  # reload catalogues compiled just now
    reader = UserFactory(language="en", phone="0612345678")
    ChannelPreference.objects.create(user=reader, channel=Channel.SMS, enabled=True)
    french = UserFactory(language="fr")
    alert([reader, french])
    deliver_cause_task("alert:7")
    emails = {email.to[0]: email for email in mailoutbox}
    english, in_french = emails[reader.email], emails[french.email]
    assert "Hello," in english.body and "Bonjour" not in english.body
    assert "Hello," in html_of(english) and "Bonjour" not in html_of(english)
    assert "Bonjour," in in_french.body
    with translation.override("en"):
        assert english.subject == gettext("Sans Rupture : une alerte vous attend")
        expected_sms = gettext("Sans Rupture : une alerte vous attend. %(link)s") % {"link": LINK}
    assert sms_file.sent()[0]["body"] == expected_sms
    assert in_french.subject == "Sans Rupture : une alerte vous attend"


# ---------------------------------------------------------------------------------------------------------------
# Who gets which channel


def channels_of(user, cause="alert:7"):
    return set(Notification.objects.filter(recipient=user, cause_key=cause).values_list("channel", flat=True))


def test_by_default_email_is_on_and_sms_off(db):
    user = UserFactory(phone="0612345678")
    alert([user])
    assert channels_of(user) == {Channel.IN_APP, Channel.EMAIL}


def test_sms_needs_a_phone_number(db):
    with_phone, without_phone = UserFactory(phone="0612345678"), UserFactory(phone="")
    for user in (with_phone, without_phone):
        ChannelPreference.objects.create(user=user, channel=Channel.SMS, enabled=True)
    alert([with_phone, without_phone])
    assert channels_of(with_phone) == {Channel.IN_APP, Channel.EMAIL, Channel.SMS}
    assert channels_of(without_phone) == {Channel.IN_APP, Channel.EMAIL}


def test_a_disabled_email_preference_stops_emails_and_in_app_is_always_there(db, mailoutbox):
    user = UserFactory()
    ChannelPreference.objects.create(user=user, channel=Channel.EMAIL, enabled=False)
    ChannelPreference.objects.create(user=user, channel=Channel.SMS, enabled=False)
    alert([user])
    assert channels_of(user) == {Channel.IN_APP}
    deliver_cause_task("alert:7")
    assert mailoutbox == []
    assert wanted_channels([user], ALL_CHANNELS) == {user.pk: {Channel.IN_APP}}


def test_the_organisation_mailbox_gets_an_email_row_of_its_own(db, sms_file, mailoutbox):
    org = OrganisationFactory(alert_inbox_email="alertes@of.example.org")
    without_mailbox = OrganisationFactory(alert_inbox_email="")
    alert([], inboxes=[org, without_mailbox, None])
    row = Notification.objects.get()
    assert (row.recipient, row.organisation, row.channel) == (None, org, Channel.EMAIL)
    assert row.recipient_key == f"inbox:{org.pk}"
    assert row.idempotency_key == f"alert:7:inbox:{org.pk}:email"
    assert deliver_cause_task("alert:7") == 1
    (email,) = mailoutbox
    assert email.to == ["alertes@of.example.org"]
    assert email.extra_headers["Message-ID"] == message_id(row)


def test_the_organisation_mailbox_gets_nothing_when_email_is_not_a_channel(db):
    org = OrganisationFactory(alert_inbox_email="alertes@of.example.org")
    alert([UserFactory()], inboxes=[org], channels=[Channel.IN_APP])
    assert not Notification.objects.filter(organisation=org).exists()
