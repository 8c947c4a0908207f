"""Long list exports built by a worker (`pathways.exports`, issue 21), with the pattern of `core.documents`: the
request writes a `ListExportDocument` row (the outbox) and enqueues its build on commit; the task is idempotent
and retried; the sweeper builds what stayed pending. The worker runs the list's own rows function again for the
requester (their scope as it is then), writes the access log and stores the people it named, so that the download
(requester only) checks again that they still see each of them."""

from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect

from core.documents import document_build, document_enqueue, document_response, document_sweep
from core.exports import CONTENT_TYPES, safe_filename, to_csv, to_xlsx
from pathways import exports, scoping
from pathways.models import Beneficiary, ListExportDocument

BUILD_TASK = "pathways.tasks.build_list_export_task"


def request_export(request, spec: exports.ListExport, fmt: str) -> HttpResponse:
    """Record the request (filters without the format and the page) and go to its progress page."""
    params = request.GET.copy()
    for key in ("export", "page"):
        params.pop(key, None)
    regions = sorted(scoping.region_ids(request.user))
    with transaction.atomic():
        document = ListExportDocument.objects.create(
            list_name=spec.name,
            params=params.urlencode(),
            format=fmt,
            requested_by=request.user,
            region_id=regions[0] if regions else None,
        )
        document_enqueue(BUILD_TASK, document.pk)
    return redirect(document)


def _render(document: ListExportDocument) -> bytes:
    spec = exports.get(document.list_name)
    user = document.requested_by
    with transaction.atomic():
        objects = list(spec.rows(user, QueryDict(document.params)))
        table = spec.table(objects)
        people = sorted(
            {
                person if isinstance(person, int) else person.pk
                for obj in objects
                for person, _orgs in (spec.people(obj) if spec.people else [])
            }
        )
        exports.log_exported(spec, user, objects)
        ListExportDocument.objects.filter(pk=document.pk).update(row_count=len(objects), people=people)
    return to_csv(table) if document.format == "csv" else to_xlsx(table)


def filename(document: ListExportDocument) -> str:
    return safe_filename(f"{document.list_name}-{document.requested_at:%Y-%m-%d}", document.format)


def list_export_build(pk: int) -> bool:
    return document_build(ListExportDocument, pk, related=("requested_by",), render=_render, filename=filename)


def list_export_sweep() -> int:
    return document_sweep(ListExportDocument, list_export_build)


def still_in_scope(document: ListExportDocument, user) -> bool:
    """The requester still sees every person the file names (a membership ended, an objection recorded: no)."""
    if not document.people:
        return bool(scoping.active_memberships(user)) or user.is_superuser
    visible = Beneficiary.objects.for_user(user).filter(pk__in=document.people).count()
    return visible == len(document.people)


def download(document: ListExportDocument):
    return document_response(document, filename=filename(document), content_type=CONTENT_TYPES[document.format])
