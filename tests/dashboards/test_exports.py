"""Dashboard tables as CSV and XLSX (core.exports): content of both formats, formula escaping, small counts
kept as shown, the file name, the view helper and the download links."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from core.exports import Table, export_request, export_response, safe_filename, sheet_title, to_csv, to_xlsx
from core.figures import count_cell, rate_value, shown_count, shown_rate
from dashboards.charts import bar_chart


def ruptures_by_body(owner=False):
    """A dashboard table as a regional officer sees it: counts and rates through the figure rules."""
    rows = [("INSUP Cenon", 353, 25), ("AFPA Bègles", 41, 3), ('=HYPERLINK("http://x")', 9, 0)]
    return Table(
        title="Ruptures par organisme",
        headers=["Organisme", "Entrées", "Ruptures", "Taux de rupture"],
        rows=[
            [name, shown_count(entrants, owner=owner), shown_count(ruptures, owner=owner),
             shown_rate(ruptures, entrants, owner=owner)]
            for name, entrants, ruptures in rows
        ],
    )  # fmt: skip


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_the_csv_is_utf8_with_a_bom_semicolons_and_crlf():
    content = to_csv(Table(title="T", headers=["Bassin", "Entrées"], rows=[["Bègles", 353]]))

    assert content == "\ufeffBassin;Entrées\r\nBègles;353\r\n".encode()


def test_the_csv_writes_numbers_with_the_language_decimal_separator_and_dates_in_iso():
    row = [7.1, Decimal("12.5"), datetime.date(2026, 3, 1), None]
    table = Table(title="T", headers=["a", "b", "c", "d"], rows=[row])
    with translation.override("fr"):
        assert read_csv(to_csv(table))[1] == ["7,1", "12,5", "2026-03-01", ""]
    with translation.override("en"):
        assert read_csv(to_csv(table))[1] == ["7.1", "12.5", "2026-03-01", ""]


def test_both_formats_keep_the_small_counts_and_suppressed_rates_as_shown():
    with translation.override("fr"):
        table = ruptures_by_body(owner=False)
        rows = read_csv(to_csv(table))
        sheet = read_xlsx(to_xlsx(table))

    assert rows[0] == ["Organisme", "Entrées", "Ruptures", "Taux de rupture"]
    assert rows[1] == ["INSUP Cenon", "353", "25", "7,1\xa0%\xa0(25\xa0/\xa0353)"]
    assert rows[2] == ["AFPA Bègles", "41", "< 5", "—\xa0(< 5\xa0/\xa041, petit effectif)"]
    assert [cell.value for cell in sheet[3]] == rows[2]
    assert sheet["C3"].data_type == "s"
    assert "3" not in {cell.value for cell in sheet["C"]}  # the hidden count is nowhere


def test_the_owner_export_has_the_exact_counts():
    with translation.override("fr"):
        rows = read_csv(to_csv(ruptures_by_body(owner=True)))
    assert rows[2][:3] == ["AFPA Bègles", "41", "3"]


@pytest.mark.parametrize("text", ["=1+2", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_a_formula_like_text_is_escaped_in_the_csv(text):
    rows = read_csv(to_csv(Table(title="T", headers=["Nom"], rows=[[text]])))
    assert rows[1] == ["'" + text]


@pytest.mark.parametrize("text", ["=1+2", "+33 6 12", "-2", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_a_formula_like_text_is_a_quoted_text_cell_in_the_xlsx(text):
    sheet = read_xlsx(to_xlsx(Table(title="T", headers=[text], rows=[[text]])))

    for cell in (sheet["A1"], sheet["A2"]):
        assert cell.value == text
        assert cell.data_type == "s"  # a text, not a formula
        assert cell.quotePrefix


def test_a_header_that_looks_like_a_formula_is_escaped_in_the_csv_too():
    assert read_csv(to_csv(Table(title="T", headers=["=cmd"], rows=[])))[0] == ["'=cmd"]


def test_numbers_are_never_escaped_and_stay_typed_in_the_xlsx():
    table = Table(title="T", headers=["n", "x", "d"], rows=[[-3, 7.1, datetime.date(2026, 3, 1)]])

    assert read_csv(to_csv(table))[1][0] == "-3"
    sheet = read_xlsx(to_xlsx(table))
    assert (sheet["A2"].value, sheet["B2"].value) == (-3, 7.1)
    assert sheet["A2"].data_type == "n" and sheet["C2"].is_date


def test_the_xlsx_names_its_sheet_after_the_table_and_bolds_the_headers():
    sheet = read_xlsx(to_xlsx(ruptures_by_body()))

    assert sheet.title == "Ruptures par organisme"
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.max_row == 4


def test_a_sheet_title_follows_the_spreadsheet_rules():
    assert sheet_title("Ruptures: causes [2026] / bassin de Bordeaux-Gironde") == "Ruptures  causes  2026    bassi"
    assert sheet_title("") == "Données"


def test_a_table_comes_from_a_chart_with_its_cells():
    with translation.override("fr"):
        chart = bar_chart(title="Entrées", description="d", labels=["Bègles"], series={"Entrées": ["< 5"]})
    table = chart.table()
    assert read_csv(to_csv(table)) == [["Libellé", "Entrées"], ["Bègles", "< 5"]]


@pytest.mark.parametrize(
    "name, fmt, expected",
    [
        ("bassin-Bordeaux", "csv", "bassin-bordeaux.csv"),
        ("Bassin d'Agen / Nérac", "xlsx", "bassin-dagen-nerac.xlsx"),
        ('../../etc/passwd"\r\nX: y', "csv", "etcpasswd-x-y.csv"),
        ("", "csv", "export.csv"),
    ],
)
def test_the_filename_is_safe(name, fmt, expected):
    assert safe_filename(name, fmt) == expected


def test_the_response_is_an_attachment_with_its_type_and_no_shared_cache():
    response = export_response(ruptures_by_body(), "xlsx", "Bassin de Bègles ruptures")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="bassin-de-begles-ruptures.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    assert read_xlsx(response.content)["A2"].value == "INSUP Cenon"

    response = export_response(ruptures_by_body(), "csv", "ruptures")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ruptures.csv"'


def test_an_unknown_format_is_a_404():
    with pytest.raises(Http404):
        export_response(ruptures_by_body(), "pdf", "x")


def test_the_view_helper_answers_an_export_request_and_builds_only_that_table():
    built = []

    def ruptures():
        built.append("ruptures")
        return ruptures_by_body()

    def entrants():
        built.append("entrants")
        return Table(title="Entrées", headers=["a"], rows=[])

    request = RequestFactory().get("/tableau/", {"periode": "2026", "export": "csv", "table": "ruptures"})
    response = export_request(request, {"ruptures": ruptures, "entrants": entrants}, filename="bassin-33")

    assert built == ["ruptures"]
    assert response["Content-Disposition"] == 'attachment; filename="bassin-33-ruptures.csv"'
    assert read_csv(response.content)[1][0] == "INSUP Cenon"


def test_the_view_helper_lets_the_page_render_when_no_export_is_asked():
    request = RequestFactory().get("/tableau/", {"periode": "2026"})
    assert export_request(request, {"ruptures": ruptures_by_body()}, filename="x") is None


@pytest.mark.parametrize("query", [{"export": "csv", "table": "other"}, {"export": "pdf", "table": "ruptures"}])
def test_the_view_helper_gives_a_404_for_an_unknown_table_or_format(query):
    request = RequestFactory().get("/tableau/", query)
    with pytest.raises(Http404):
        export_request(request, {"ruptures": ruptures_by_body()}, filename="x")


def test_the_links_keep_the_current_filters():
    request = RequestFactory().get("/tableau/", {"periode": "2026-T1", "bassin": "33"})
    html = Template('{% include "dashboards/includes/exports.html" with table="ruptures" title="Ruptures" %}').render(
        Context({"request": request})
    )

    assert 'href="?periode=2026-T1&amp;bassin=33&amp;export=csv&amp;table=ruptures"' in html
    assert 'href="?periode=2026-T1&amp;bassin=33&amp;export=xlsx&amp;table=ruptures"' in html
    assert "— Ruptures" in html and "style=" not in html


def test_typed_cells_stay_numbers_and_hidden_ones_stay_the_shown_text_in_both_formats():
    with translation.override("fr"):
        table = Table(
            title="Ruptures",
            headers=["Organisme", "Entrées", "Ruptures", "Taux (%)"],
            rows=[
                [
                    "INSUP Cenon",
                    count_cell(353, owner=False),
                    count_cell(25, owner=False),
                    rate_value(25, 353, owner=False),
                ],
                [
                    "AFPA Bègles",
                    count_cell(41, owner=False),
                    count_cell(3, owner=False),
                    rate_value(3, 41, owner=False),
                ],
            ],
        )
        rows = read_csv(to_csv(table))
        sheet = read_xlsx(to_xlsx(table))

    assert rows[1:] == [
        ["INSUP Cenon", "353", "25", "7,1"],
        ["AFPA Bègles", "41", "< 5", "—\xa0(< 5\xa0/\xa041, petit effectif)"],
    ]
    assert [cell.value for cell in sheet[2]] == ["INSUP Cenon", 353, 25, 7.1]
    assert [cell.value for cell in sheet[3]] == ["AFPA Bègles", 41, "< 5", "—\xa0(< 5\xa0/\xa041, petit effectif)"]
