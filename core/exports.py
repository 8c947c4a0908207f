"""Tables downloaded as CSV and XLSX (dashboards' figures since issue 18, every list of people since issue 21), from
one `Table`. Floor 0: no domain; the figures' tables live in `dashboards`, the lists' in their apps.

- **CSV** (`to_csv`): UTF-8 with a byte-order mark and `;` between cells, lines ended by CRLF: what French Excel
  opens directly, accents included (the attendance statements do the same). Numbers are written without grouping,
  with the active language's decimal separator (a comma in French), so that the spreadsheet reads them as numbers.
- **XLSX** (`to_xlsx`): openpyxl; the title names the sheet, the header row is bold and frozen, numbers and dates
  are typed cells, every text is a text cell.
- **Formulas never run**: a text starting with `=`, `+`, `-`, `@`, a tab or a carriage return (a name typed as
  `=HYPERLINK(…)`) gets a leading apostrophe in the CSV (OWASP's advice), and is a text cell with Excel's "quote
  prefix" in the XLSX (shown as typed, kept a text when edited). Numbers are typed, never escaped.
- **Small counts**: the cells a figure rule already wrote ("< 5", "— (< 5 / 353, petit effectif)") are texts and
  stay texts in both formats; a view builds its tables from the same shown figures as its page.
- **In views**: `export_request(request, {"ruptures": build_table, …}, filename=…)` answers
  `?export=csv|xlsx&table=<name>` (the links of `templates/dashboards/includes/exports.html`) and returns None for
  any other request; only the requested table is built. An unknown table or format is a 404.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats
from django.utils.http import content_disposition_header
from django.utils.text import slugify

Cell = str | int | float | Decimal | datetime.date | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def is_formula_like(text: str) -> bool:
    return text[:1] in FORMULA_STARTS


def csv_cell(value: Cell) -> str:
    """A cell as the CSV writes it: formula-like texts escaped, numbers with the language's decimal separator."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float | Decimal):
        return str(value).replace(".", formats.get_format("DECIMAL_SEPARATOR"))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if is_formula_like(text) else text


def to_csv(table: Table) -> bytes:
    """The table as CSV for a French spreadsheet: BOM, `;`, CRLF, formula-like texts escaped (module docstring)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(str(header)) for header in table.headers])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    """A worksheet's name: at most 31 characters, none of `[]:*?/\\` (Excel's rules)."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip() or "Données"
    return cleaned[:31]


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet (module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(table.title)
    bold = Font(bold=True)

    def put(row: int, column: int, value: Cell):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones
        if isinstance(value, int | float | Decimal | datetime.date) and not isinstance(value, bool):
            return sheet.cell(row=row, column=column, value=value)
        text = "" if value is None else str(value)
        cell = sheet.cell(row=row, column=column)
        cell.value = text
        cell.data_type = "s"  # openpyxl would make a formula of a text starting with "="
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell

    for column, header in enumerate(table.headers, start=1):
        put(1, column, str(header)).font = bold
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            put(row_number, column, value)
    sheet.freeze_panes = "A2"
    for column, header in enumerate(table.headers, start=1):
        width = max([len(str(header))] + [len(csv_cell(row[column - 1])) for row in table.rows if len(row) >= column])
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(max(width + 2, 8), 60)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_filename(name: str, fmt: str) -> str:
    """`name` as a file name every system takes: ASCII letters, digits and dashes, then the format's extension."""
    stem = slugify(name)[:80].strip("-") or "export"
    return f"{stem}.{fmt}"


def export_response(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The download of `table` in `fmt` ("csv" or "xlsx"), as an attachment named after `filename`."""
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown export format")
    content = to_csv(table) if fmt == "csv" else to_xlsx(table)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(filename, fmt))
    response["Cache-Control"] = "private, no-store"  # figures of a region or an organisation: no shared cache
    return response


def export_request(
    request: HttpRequest, tables: Mapping[str, Table | Callable[[], Table]], *, filename: str
) -> HttpResponse | None:
    """The answer to `?export=csv|xlsx&table=<name>` when the request asks for one, else None (the view renders its
    page). `tables` maps each name to its Table or to a function building it (only the asked one is built); the file
    is named `<filename>-<name>.<ext>`. An unknown table or format is a 404."""
    fmt = request.GET.get("export")
    if not fmt:
        return None
    name = request.GET.get("table", "")
    if fmt not in CONTENT_TYPES or name not in tables:
        raise Http404("Unknown export")
    table = tables[name]
    if callable(table):
        table = table()
    return export_response(table, fmt, f"{filename}-{name}")
