"""SMS backends, chosen by settings.SMS_BACKEND (a dotted path; instantiated without arguments).

The contract of a backend: `send(*, to, body, idempotency_key)` where `to` is a French number as stored on the
account (10 digits, 0XXXXXXXXX), `body` the text (no personal data: see `notifications.channels`) and
`idempotency_key` the notification's stable key (`Notification.idempotency_key`), the same on every attempt.

- It returns when the SMS is accepted (or was already accepted earlier under the same key).
- It raises `SmsRetryableError` when trying again later may succeed (provider overloaded or down, rate limit,
  network error, timeout): the delivery task retries with backoff and the row stays pending for the sweeper.
- It raises `SmsPermanentError` when the same request will never succeed (refused number, bad credentials, bad
  configuration), with the provider's explanation.

Delivery is at-least-once: a worker that dies after the provider accepted the SMS but before the row is marked
delivered sends it again with the same key. Only the provider can turn that into "one SMS on the phone", which
providers that support idempotent sends do with the `Idempotency-Key` header: `HttpSmsBackend` sends it and takes
the provider's "duplicate" answer (409) as a success. Backends do not de-duplicate by themselves.

- `ConsoleSmsBackend` (development): writes the SMS to the worker's log.
- `FileSmsBackend` (tests, bench): appends one JSON line per send to settings.SMS_FILE_PATH:
  `{"to", "body", "idempotency_key", "at"}`. Every send is recorded, resends included, so a test can count them and
  check that they carry the same key.
- `HttpSmsBackend` (production): POSTs JSON `{"to": "+33…" (E.164; overseas numbers get their own country code),
  "text", "sender"}` to settings.SMS_HTTP_URL with
  `Authorization: Bearer <SMS_HTTP_TOKEN>` and `Idempotency-Key: <key>`, within SMS_HTTP_TIMEOUT seconds.
  2xx: sent. 409 whose answer says "duplicate" (or "already sent/processed"): already sent, a success. 408, 409
  otherwise (a request with the same key still in progress), 429, 5xx, network errors and timeouts:
  `SmsRetryableError`.
  Other answers (4xx, and 3xx: redirects are not followed, a POST must not turn into a GET): `SmsPermanentError`.
  Each thread keeps its connection to the provider open between two SMS (HTTP keep-alive), unless the provider
  closes it; through a proxy of the environment (`https_proxy`…), each SMS opens its own.
"""

import http.client
import json
import logging
import select
import threading
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathways.validators import normalize_phone

logger = logging.getLogger(__name__)

# How much of a provider's answer is read, and kept in an error message.
MAX_ANSWER_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 500


class SmsError(Exception):
    """An SMS was not sent."""


class SmsRetryableError(SmsError):
    """Trying again later may succeed. `retry_after`: seconds the provider asked to wait (Retry-After), if any."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class SmsPermanentError(SmsError):
    """The same request will never succeed (refused by the provider, or misconfigured)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def to_e164(phone: str) -> str:
    """A number as stored or typed, in E.164: "06 12 34 56 78" → "+33612345678", "0692 12 34 56" → "+262692123456"
    (the validation's own reading, `pathways.validators.normalize_phone`)."""
    try:
        return normalize_phone(phone)
    except ValidationError as error:
        raise SmsPermanentError("Not a phone number in use") from error


class ConsoleSmsBackend:
    """Development: the SMS is printed in the worker's log."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> None:
        logger.warning("SMS to %s [%s]: %s", to, idempotency_key, body)


class FileSmsBackend:
    """Tests and bench: one JSON line per send in settings.SMS_FILE_PATH (every send, resends included)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, body: str, idempotency_key: str) -> None:
        line = json.dumps(
            {"to": to, "body": body, "idempotency_key": idempotency_key, "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line in append mode: lines from concurrent workers do not interleave.
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")

    def sent(self) -> list[dict]:
        """What the file holds, oldest first (for tests and the bench)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as file:
            return [json.loads(line) for line in file if line.strip()]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


# The connection each thread keeps to the SMS provider between two SMS (a worker process sends from one thread):
# (scheme, host, port, timeout) and the connection. See `HttpSmsBackend._post`.
_kept = threading.local()


def _through_proxy(parts) -> bool:
    """Whether the environment sends requests to this address through a proxy (then `urllib` takes them there)."""
    return parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(parts.hostname)


def _kept_connection(key) -> tuple[http.client.HTTPConnection | None, bool]:
    """(the connection this thread kept for `key`, True), or (None, False) if there is none still open."""
    kept, _kept.connection = getattr(_kept, "connection", None), None
    if kept is None:
        return None, False
    kept_key, connection = kept
    if kept_key == key and _still_open(connection):
        return connection, True
    connection.close()
    return None, False


def _keep_connection(key, connection) -> None:
    close_kept_sms_connection()
    _kept.connection = (key, connection)


def _still_open(connection) -> bool:
    return connection.sock is not None and idle_socket_open(connection.sock)


def idle_socket_open(sock) -> bool:
    """Whether an idle connection kept for the next message is still open: False once the other end has closed it
    (its goodbye, or the end of the stream, is readable)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def close_kept_sms_connection() -> None:
    """Close the connection this thread keeps to the SMS provider, if any (worker shutdown, tests)."""
    kept, _kept.connection = getattr(_kept, "connection", None), None
    if kept is not None:
        kept[1].close()


class HttpSmsBackend:
    """Production: an HTTP SMS provider that supports idempotent sends (see the module docstring for the contract)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
    ):
        self.url = url if url is not None else settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.sender = sender if sender is not None else settings.SMS_SENDER
        self.timeout = timeout if timeout is not None else settings.SMS_HTTP_TIMEOUT

    def send(self, *, to: str, body: str, idempotency_key: str) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SmsPermanentError("SMS_HTTP_URL must be an http(s) address")
        if not idempotency_key:
            raise SmsPermanentError("An SMS needs an idempotency key")
        payload = json.dumps({"to": to_e164(to), "text": body, "sender": self.sender}).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": idempotency_key,
            "User-Agent": "sans-rupture",
        }
        try:
            if _through_proxy(parts):
                status, answer, retry_after = self._post_through_proxy(payload, headers)
            else:
                status, answer, retry_after = self._post(parts, payload, headers)
        except TimeoutError as error:
            raise SmsRetryableError(f"SMS provider: no answer within {self.timeout} s") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise SmsRetryableError(f"SMS provider: no answer within {self.timeout} s") from error
            raise SmsRetryableError(f"SMS provider unreachable: {error.reason}") from error
        except (OSError, http.client.HTTPException) as error:  # connection refused or reset, garbled answer…
            raise SmsRetryableError(f"SMS provider unreachable: {error}") from error
        self._check(status, answer, retry_after, idempotency_key)

    def _post(self, parts, payload: bytes, headers: dict) -> tuple[int, bytes, float | None]:
        """POST over the connection this thread keeps to the provider (HTTP keep-alive: no new TCP connection and
        TLS handshake per SMS), or a new one. A kept connection the provider closed while it was idle fails before
        any answer: the SMS goes again once over a new connection, under the same key (the provider de-duplicates)."""
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (parts.scheme, parts.hostname, parts.port, self.timeout)
        while True:
            connection, kept = _kept_connection(key)
            if connection is None:
                connection_class = (
                    http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                )
                connection = connection_class(parts.hostname, parts.port, timeout=self.timeout)
            try:
                connection.request("POST", path, body=payload, headers=headers)
                response = connection.getresponse()
                answer = response.read(MAX_ANSWER_BYTES)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                if kept:
                    continue  # closed by the provider while idle: once more over a new connection
                raise
            except BaseException:
                connection.close()
                raise
            if response.isclosed() and not response.will_close:
                _keep_connection(key, connection)  # answer read whole, and the provider keeps the connection open
            else:
                connection.close()
            return response.status, answer, _retry_after(response.getheader("Retry-After"))

    def _post_through_proxy(self, payload: bytes, headers: dict) -> tuple[int, bytes, float | None]:
        """POST through the proxy of the environment (http_proxy, https_proxy…), one connection per SMS."""
        request = urllib.request.Request(self.url, data=payload, method="POST", headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read(MAX_ANSWER_BYTES), None
        except urllib.error.HTTPError as error:
            try:
                return error.code, error.read(MAX_ANSWER_BYTES), _retry_after(error.headers.get("Retry-After"))
            finally:
                error.close()

    def _check(self, status: int, answer: bytes, retry_after: float | None, idempotency_key: str) -> None:
        if 200 <= status < 300:
            logger.info("SMS accepted by the provider [%s]", idempotency_key)
            return
        message = _provider_message(answer)
        if status == 409 and _says_duplicate(answer):
            logger.info("SMS already accepted by the provider [%s]: %s", idempotency_key, message)
            return
        if status in (408, 409, 429) or status >= 500:
            raise SmsRetryableError(
                f"SMS provider answered {status}: {message}", status=status, retry_after=retry_after
            )
        raise SmsPermanentError(f"SMS provider refused the SMS ({status}): {message}", status=status)


def _provider_message(answer: bytes) -> str:
    """The provider's explanation: a JSON answer's message/error/detail, or its text, shortened."""
    text = answer.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error_description", "detail", "error", "code"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("code")
            if value:
                text = str(value)
                break
    return " ".join(text.split())[:MAX_MESSAGE_CHARS] or "(no message)"


DUPLICATE_WORDS = ("duplicate", "already sent", "already_sent", "already processed", "already_processed")
IN_PROGRESS_WORDS = ("in progress", "in_progress", "in-progress")


def _says_duplicate(answer: bytes) -> bool:
    """A 409 that means "sent earlier under this key", not "a request with this key is still being processed"."""
    text = answer.decode("utf-8", errors="replace").lower()
    return any(word in text for word in DUPLICATE_WORDS) and not any(word in text for word in IN_PROGRESS_WORDS)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())
