"""Every list a user sees downloads as CSV and XLSX (issue 21): people, pathways, sessions, alerts, to-dos,
checklists, the charter's overview, the attendance watch list.

- **One queryset**: a list's page and its export call the same function (`ListExport.rows(user, params)`), with the
  page's filters (the query string) and through the scoping layer; the export holds every page, not just the current
  one. What the page hides from a role is hidden in the file too (the row function writes only the page's columns).
- **The access log**: an export that names people writes one row per person (action "export"), in the transaction
  that makes the file (`scoping.log_people`).
- **Large lists by a worker**: above `EXPORT_SYNC_MAX_ROWS` rows the request writes a `ListExportDocument` built by a
  worker on the documents queue (`pathways.export_documents`), with a progress page and a download for its requester
  only, the scope applied again when it is built.
- **Escaping**: `core.exports` writes the file (formula-like texts inert, dates typed in XLSX, phone numbers texts).

A list registers its `ListExport` from its app's `AppConfig.ready()` (`register`); its view answers `?export=csv|xlsx`
with `respond(request, name, rows)`, and its template includes `includes/list_exports.html`.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import AccessLog
from core.exports import CONTENT_TYPES, Cell, Table, export_response
from pathways import scoping

# A column: its header (translatable) and the function giving its cell from one row object.
Column = tuple[str, Callable[[object], Cell]]


@dataclass(frozen=True)
class ListExport:
    name: str  # the registry key, also the file's name and the worker's reference
    title: str  # the sheet's title (translatable)
    columns: Sequence[Column]
    rows: Callable[[object, object], Iterable]  # (user, query parameters) → the page's rows, filtered, ordered
    # (row) → [(person, candidate acting organisation ids)…] for the access log; None: the list names nobody
    people: Callable[[object], Iterable] | None = None
    view_name: str = ""  # the page's URL name, written in the access log

    def table(self, objects) -> Table:
        return Table(
            title=str(self.title),
            headers=[str(header) for header, _cell in self.columns],
            rows=[[cell(obj) for _header, cell in self.columns] for obj in objects],
        )

    def filename(self) -> str:
        return f"{self.name}-{timezone.localdate():%Y-%m-%d}"


def local_date(moment):
    """A moment as its date in the current time zone (a typed date cell), None when empty."""
    return timezone.localtime(moment).date() if moment else None


_LISTS: dict[str, ListExport] = {}


def register(*specs: ListExport) -> None:
    for spec in specs:
        _LISTS[spec.name] = spec


def get(name: str) -> ListExport:
    try:
        return _LISTS[name]
    except KeyError:
        raise Http404("Unknown list export") from None


def requested_format(request: HttpRequest) -> str | None:
    """The format asked for by `?export=` (None: the page itself); 404 for an unknown one."""
    fmt = request.GET.get("export")
    if not fmt:
        return None
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown export format")
    return fmt


def log_exported(spec: ListExport, user, objects, *, view_name: str = "") -> int:
    """One access-log row (action "export") per person the exported rows name; the caller holds the transaction."""
    if spec.people is None:
        return 0
    entries = [entry for obj in objects for entry in spec.people(obj)]
    return scoping.log_people(user, entries, view_name=view_name or spec.view_name, action=AccessLog.Action.EXPORT)


def respond(request: HttpRequest, name: str, rows) -> HttpResponse | None:
    """The answer to `?export=csv|xlsx` on a list page (None for the page itself): the file of every row of `rows`
    (the page's own queryset, unpaginated) when they are few, else a worker's export and its progress page."""
    fmt = requested_format(request)
    if fmt is None:
        return None
    spec = get(name)
    limit = settings.EXPORT_SYNC_MAX_ROWS
    objects = list(rows[: limit + 1]) if hasattr(rows, "query") else list(rows)
    if len(objects) > limit:
        from pathways import export_documents

        return export_documents.request_export(request, spec, fmt)
    view_name = request.resolver_match.view_name if request.resolver_match else spec.view_name
    with transaction.atomic():
        table = spec.table(objects)
        log_exported(spec, request.user, objects, view_name=view_name)
        return export_response(table, fmt, spec.filename())
