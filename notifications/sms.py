"""SMS backends (settings.SMS_BACKEND). Each `send(to, body, idempotency_key)` raises on failure so the task retries.

Placeholder module: the console backend is enough for the embedded default; see the HTTP adapter below.
"""

import logging

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Development: the SMS is printed in the worker's log."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> None:
        logger.warning("SMS to %s [%s]: %s", to, idempotency_key, body)
