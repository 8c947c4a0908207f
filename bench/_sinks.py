"""Local stand-ins for the outside world of the alert benchmarks, in a process of their own: an SMTP server
(aiosmtpd) and an HTTP server imitating the SMS provider `notifications.sms.HttpSmsBackend` talks to.

They run in a separate process, not in threads of the bench process, so that they do not wait for the GIL while the
bench process declares ruptures: in production the mail server and the provider are other machines. Every arrival is
recorded with its wall-clock time (`time.time()`, the clock of `Notification.delivered_at`). The SMS server acts as
an idempotent provider: a second POST with an `Idempotency-Key` already seen gets 409 "duplicate" and does not reach
the phone. No Django here: `python -m bench._sinks` runs this module only.
"""

import asyncio
import email
import email.policy
import json
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SMS_PATH = "/v1/sms"
START_TIMEOUT = 30
ANSWER_TIMEOUT = 60


@dataclass(frozen=True)
class Arrival:
    """One message received: an e-mail (one per recipient address) or an SMS that reached the phone."""

    channel: str  # "email" or "sms" (the values of Notification.Channel)
    key: str  # the e-mail's Message-ID, the SMS's Idempotency-Key
    to: str  # e-mail address (lower case), or number in E.164
    text: str  # the text, to find the alert's link in it
    at: float  # time.time() on arrival


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message, parsed only when asked for (not while timing). With a
    `delay`, it takes that long to accept each message, like a slow mail server (the fault tests use it)."""

    def __init__(self, delay: float = 0.0):
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.port = free_port()
        self.received: list[tuple[list[str], bytes, float]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content, time.time()))
        return "250 Message accepted for delivery"

    def arrivals(self) -> list[Arrival]:
        found = []
        for recipients, content, at in list(self.received):
            message = email.message_from_bytes(content, policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            text = body.get_content() if body is not None else ""
            key = str(message.get("Message-ID", "")).strip()
            found += [Arrival("email", key, address.lower(), text, at) for address in recipients]
        return found


class SmsProvider:
    """An HTTP server on 127.0.0.1 following the contract of HttpSmsBackend, de-duplicating by Idempotency-Key."""

    def __init__(self, token: str):
        self.token = token
        self.sent: list[Arrival] = []  # what reached the phone: the first accepted POST of each key
        self.refused_duplicates = 0  # later POSTs with a key already sent (answered 409 "duplicate")
        self.rejected: list[str] = []  # requests not following the contract
        self.keys: set[str] = set()
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as providers do: a client may send many SMS over one connection. The answer's headers and
            # body are two writes: without TCP_NODELAY, Nagle holds the body until the client's delayed ACK (40 ms).
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802 (http.server's hook name)
                at = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key", "")
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                if self.path != SMS_PATH or self.headers.get("Authorization") != f"Bearer {provider.token}":
                    return self.answer(provider.reject(f"{self.path}: bad address or token"), HTTPStatus.UNAUTHORIZED)
                if not key or not isinstance(payload, dict) or not {"to", "text", "sender"} <= set(payload):
                    return self.answer(provider.reject(f"bad request: {body[:200]!r}"), HTTPStatus.BAD_REQUEST)
                with provider.lock:
                    duplicate = key in provider.keys
                    if duplicate:
                        provider.refused_duplicates += 1
                    else:
                        provider.keys.add(key)
                        provider.sent.append(Arrival("sms", key, payload["to"], payload["text"], at))
                if duplicate:
                    return self.answer({"error": "duplicate", "message": "already sent"}, HTTPStatus.CONFLICT)
                return self.answer({"id": key, "status": "accepted"}, HTTPStatus.OK)

            def answer(self, data, status):
                answer = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{SMS_PATH}"

    def reject(self, reason: str) -> dict:
        self.rejected.append(reason)
        return {"error": "invalid", "message": reason}


def main() -> None:
    """The sinks' process (`python -m bench._sinks TOKEN [SMTP_DELAY]`): start both servers, print their addresses,
    then answer the bench process's commands, one JSON line each way, until told to stop or stdin closes."""
    smtp, sms = SmtpSink(float(sys.argv[2]) if len(sys.argv) > 2 else 0.0), SmsProvider(sys.argv[1])
    smtp.controller.start()
    threading.Thread(target=sms.server.serve_forever, name="sms-provider", daemon=True).start()

    def say(value) -> None:
        sys.stdout.write(json.dumps(value) + "\n")
        sys.stdout.flush()

    say({"smtp_port": smtp.port, "sms_url": sms.url})
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "counts":
                say([len(smtp.received), len(sms.sent)])
            elif command == "arrivals":
                with sms.lock:
                    arrivals = smtp.arrivals() + list(sms.sent)
                    say([[asdict(arrival) for arrival in arrivals], sms.refused_duplicates, list(sms.rejected)])
            elif command == "forget":  # the keys stay known, as at a real provider
                smtp.received.clear()
                with sms.lock:
                    sms.sent.clear()
                    sms.refused_duplicates = 0
                say(True)
            elif command == "stop":
                break
    finally:
        sms.server.shutdown()
        sms.server.server_close()
        smtp.controller.stop()


class Sinks:
    """The sinks' process, seen from the bench process (or a fault test)."""

    def __init__(self, smtp_delay: float = 0.0):
        self.smtp_delay = smtp_delay
        self.token = secrets.token_urlsafe(16)
        self.process: subprocess.Popen | None = None
        self.smtp_port = 0
        self.sms_url = ""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench._sinks", self.token, str(self.smtp_delay)],
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        addresses = self._read(START_TIMEOUT, "start")
        self.smtp_port, self.sms_url = addresses["smtp_port"], addresses["sms_url"]

    def _read(self, timeout: float, what: str):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"The local SMTP and SMS servers did not answer ({what}).")
        return json.loads(line)

    def _ask(self, command: str):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._read(ANSWER_TIMEOUT, command)

    def counts(self) -> tuple[int, int]:
        """(e-mails received, SMS sent to a phone) so far."""
        emails, sms = self._ask("counts")
        return emails, sms

    def arrivals(self) -> tuple[list[Arrival], int, list[str]]:
        """(every e-mail and SMS received, POSTs refused as duplicates, requests refused as invalid)."""
        arrivals, refused_duplicates, rejected = self._ask("arrivals")
        return [Arrival(**arrival) for arrival in arrivals], refused_duplicates, rejected

    def forget(self) -> None:
        """Drop what arrived so far (the warm-up's messages)."""
        self._ask("forget")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.process.communicate("stop\n", timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.communicate()


if __name__ == "__main__":
    main()
