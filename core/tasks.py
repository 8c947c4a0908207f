"""What the project's Celery tasks share: their retry policy, the queue of the document builds, and the one way to
send a task once the current transaction commits.

A task is retried with exponential backoff (capped at 10 minutes) on any error, a few times; what must not be lost
is also in the database, for the beat sweepers.

Documents (attendance statements, skills attestations, signed charter copies, checklist PDFs, later the commission
reports and exports) are built on a queue of their own, `DOCUMENTS_QUEUE`, read by a worker of its own
(`Procfile.dev`, `docker-compose.yml`, docs/deployment.md): an alert's delivery never waits behind a PDF.
"""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}

DOCUMENTS_QUEUE = settings.CELERY_DOCUMENTS_QUEUE  # "documents"; the benchmarks use one of their own
# A task that builds a document, or sweeps the pending ones (the sweeper builds them itself).
DOCUMENT_BUILD = {**RETRY, "queue": DOCUMENTS_QUEUE}
DOCUMENT_SWEEP = {"queue": DOCUMENTS_QUEUE}

_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("held_enqueues", default=None)


def enqueue_on_commit(task_path: str, *args, catch_up: str) -> None:
    """Once the current transaction commits (at once outside one; never if it rolls back), send the task at
    `task_path` (a dotted path, imported then: task modules import the modules that call this) with `args`.

    The work is already recorded in the database, so a broker that is down fails nothing: the error is logged with
    `catch_up`, who does the work later (a sweeper, a periodic task, a person), and the request goes on.
    Inside `enqueues_held()`, the task is collected instead of sent."""
    held = _held.get()
    if held is not None:
        held.append((task_path, args))
        return

    # Once per transaction: a request whose saves ask for the same task many times (each change of a figure asks
    # for the rollups' refresh) sends it once, and waits once when the broker is down.
    key = (task_path, args)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        savepoints = set(connection.savepoint_ids)  # asked for again at the same depth of the same transaction
        if any(
            callback[0] == savepoints and getattr(callback[1], "enqueue_key", None) == key
            for callback in connection.run_on_commit
        ):
            return

    def send():
        try:
            import_string(task_path).delay(*args)
        except Exception:
            logger.exception("Could not enqueue %s%r; %s", task_path, args, catch_up)

    send.enqueue_key = key
    transaction.on_commit(send)


@contextlib.contextmanager
def enqueues_held():
    """Collect, instead of sending, the tasks `enqueue_on_commit` is asked for in this block: a bulk job that runs
    in one transaction and settles the work itself (the demo seed) then decides, once committed, what to send.
    Yields the list of `(task_path, args)`, in the order asked."""
    held = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def send_held(held, *, keep) -> int:
    """Send now, once each, the held tasks for which `keep(task)` is true; the others are dropped. Returns how many
    were sent."""
    sent = 0
    for task_path, args in dict.fromkeys(held):
        task = import_string(task_path)
        if keep(task):
            try:
                task.delay(*args)
                sent += 1
            except Exception:
                logger.exception("Could not enqueue %s%r; its sweeper will do it", task_path, args)
    return sent
