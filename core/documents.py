"""Documents built by a worker and stored (attendance statements, skills attestations, signed charter copies,
checklist PDFs, later the commission reports): the one way to claim a requested document, render it, store its file
and mark it ready or failed, the sweep that builds what stayed pending (broker down, worker lost), and the download
of a built one.

A document model inherits `core.models.Document`: `status` (`Status.PENDING`, `READY`, `FAILED`), `requested_at`,
`claimed_until`, `file`, `finished_at` and `error`. The row is claimed for a lease (DOCUMENTS_CLAIM_LEASE_SECONDS)
by a conditional UPDATE, like the notification outbox: a second worker finds it taken, a worker lost mid-build
leaves it to the sweeper once the lease ends. The document is rendered outside any transaction; the row turns ready
together with its file, so nobody ever sees a ready document without one. A build that fails is recorded as failed
with its error; a database error is raised instead, so the task retries.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils import timezone

from core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100


def document_enqueue(task_path: str, pk: int) -> None:
    """Once the request's transaction commits, hand document `pk` to its build task (`task_path`, on the documents
    queue). If the broker is down, the row stays pending, left to the sweeper; the request never fails for it."""
    enqueue_on_commit(task_path, pk, catch_up="the sweeper will build it")


def claimable(model, now):
    """The documents of `model` pending and held by no worker at `now` (never claimed, or their lease ended)."""
    return model.objects.filter(status=model.Status.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def document_build(
    model,
    pk: int,
    *,
    related: tuple[str, ...],
    render: Callable[[object], bytes],
    filename: Callable[[object], str],
    retry_failures: bool = False,
) -> bool:
    """Build the document `pk` of `model` and store its file; False when there is nothing to do (already built,
    failed, or held by another worker). `render(document)` gives the file's bytes, `filename(document)` its name.

    With `retry_failures`, a document whose content cannot fail (a signed copy: its text is fixed) is never marked
    failed: the error is recorded, the row stays pending and the error is raised, so the task retries with backoff
    and the sweeper takes it again after that."""
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.DOCUMENTS_CLAIM_LEASE_SECONDS)
    if not claimable(model, now).filter(pk=pk).update(claimed_until=now + lease):
        return False
    pending = model.objects.filter(pk=pk, status=model.Status.PENDING)
    storage = model._meta.get_field("file").storage
    stored = None
    try:
        document = model.objects.select_related(*related).get(pk=pk)
        content = render(document)
        stored = storage.save(document.file.field.generate_filename(document, filename(document)), ContentFile(content))
        finished = pending.update(
            status=model.Status.READY, file=stored, finished_at=timezone.now(), claimed_until=None, error=""
        )
    except DatabaseError:
        _discard(storage, stored)
        raise
    except Exception as error:
        _discard(storage, stored)
        logger.exception("Building %s %s failed", model._meta.verbose_name, pk)
        if retry_failures:
            pending.update(error=f"{type(error).__name__}: {error}"[:2000], claimed_until=None)
            raise
        pending.update(
            status=model.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
            claimed_until=None,
        )
        return False
    if not finished:  # another worker finished it after this one's lease ran out
        _discard(storage, stored)
    return bool(finished)


def _discard(storage, name: str | None) -> None:
    if name:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not remove the partial file %s", name)


def document_sweep(model, build: Callable[[int], bool], *, now: datetime.datetime | None = None) -> int:
    """Build the documents of `model` still pending a while (DOCUMENTS_SWEEP_AFTER_SECONDS) after their request,
    with `build(pk)`. Returns how many were built; one failing document does not stop the others."""
    now = now or timezone.now()
    older_than = now - datetime.timedelta(seconds=settings.DOCUMENTS_SWEEP_AFTER_SECONDS)
    ids = list(
        claimable(model, now)
        .filter(requested_at__lt=older_than)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    built = 0
    for pk in ids:
        try:
            built += build(pk)
        except Exception:  # left pending for the next sweep
            logger.exception("Sweeper could not build %s %s", model._meta.verbose_name, pk)
    return built


def document_response(document, *, filename: str, content_type: str = "application/pdf") -> FileResponse:
    """The file of a ready document, as an attachment named `filename`; 404 while it is not ready, or when its file
    is gone from the storage. The caller has checked that the user may see it."""
    if document is None or document.status != document.Status.READY or not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
