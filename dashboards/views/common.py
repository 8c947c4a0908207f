"""What every dashboard view shares: the period form read from the query string, and the downloads of its tables
(`?export=csv&table=causes` on the page's own URL: the same scope, period and cells as the page)."""

from django.utils import timezone

from core.exports import export_request
from dashboards.forms import PeriodForm


def period_form(request) -> PeriodForm:
    """The period selector bound to the query string (the period parameters only; the others are the page's)."""
    return PeriodForm(request.GET, today=timezone.localdate())


def export_or_none(request, tables: dict, filename: str):
    """The download of one of `tables` (name → `dashboards.tables.PageTable`) when the query asks for one
    (`export`, `table`), else None. An unknown format or table answers 404."""
    return export_request(request, {name: table.export for name, table in tables.items()}, filename=filename)
