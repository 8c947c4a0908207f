"""What every dashboard view shares: the period form read from the query string, and the downloads of its tables
(`?export=csv&table=causes` on the page's own URL: the same scope, period and cells as the page)."""

from django.http import Http404
from django.utils import timezone

from dashboards.forms import PeriodForm

FORMATS = ("csv", "xlsx")


def period_form(request) -> PeriodForm:
    """The period selector bound to the query string (the period parameters only; the others are the page's)."""
    return PeriodForm(request.GET, today=timezone.localdate())


def export_or_none(request, tables: dict, filename: str):
    """The download of one of `tables` (name → `dashboards.tables.PageTable`) when the query asks for one
    (`export`, `table`), else None. An unknown format or table answers 404."""
    fmt = request.GET.get("export")
    if not fmt:
        return None
    table = tables.get(request.GET.get("table", ""))
    if fmt not in FORMATS or table is None:
        raise Http404
    from dashboards import exports  # noqa: PLC0415  (lands with the dash-charts branch)

    content = exports.Table(title=table.title, headers=table.headers, rows=table.export_rows())
    return exports.export_response(content, fmt, f"{filename}-{table.name}")
