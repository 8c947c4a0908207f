"""The tables of the dashboard pages, built once for the page and its CSV/XLSX downloads (the same cells, already
through the figure rules of `core.figures`: a small count is "< 5" in the page and in the file alike).

A `PageTable` is a caption, column headers and rows; each row starts with its header cell (`<th scope="row">`).
A cell may carry a link (drill-down to the list behind the figure).
"""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.exports import Table
from core.figures import DASH, count_cell, is_small, number, shown_count, shown_rate


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    level: int = 0  # indentation of a row header (a sub-cause under its family)
    value: object = None  # what a spreadsheet gets when it is not the text: a count as a number (or "< 5")


@dataclass
class PageTable:
    name: str  # the `table` parameter of its download
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    footer: list[Cell] | None = None
    note: str = ""

    def export_rows(self) -> list[list]:
        rows = [*self.rows, self.footer] if self.footer else self.rows
        return [[cell.text if cell.value is None else cell.value for cell in row] for row in rows]

    def export(self) -> Table:
        """The table as `core.exports` writes it: the same cells as the page, counts typed."""
        return Table(title=self.title, headers=self.headers, rows=self.export_rows())


def cell(text) -> Cell:
    return Cell(str(text))


def count(value, *, owner: bool, href: str = "") -> Cell:
    """A count through the small-count rule; linked to its list only when there is something behind it."""
    return Cell(shown_count(value, owner=owner), href if value else "", value=count_cell(value, owner=owner))


def rate(numerator, denominator, *, owner: bool, empty: str | None = None) -> Cell:
    return Cell(shown_rate(numerator, denominator, owner=owner, empty=empty))


def median(value, base: int, *, owner: bool, unit: str = "") -> Cell:
    """A median of `base` values: not shown outside the owner when `base` is a small count (it would be one
    person's figure)."""
    if value is None or (not owner and is_small(base)):
        return Cell(DASH)
    text = number(round(value, 1), decimals=1 if value != int(value) else 0)
    return Cell(f"{text}\u00a0{unit}" if unit else text)


@functools.lru_cache(maxsize=64)
def _drilldown_path(figure: str, urlconf, script_prefix: str, language) -> str:
    return reverse("dashboards:drilldown", args=[figure], urlconf=urlconf)


def drill_url(figure: str, query: dict, **extra) -> str:
    """A figure's drill-down URL. A page links a thousand cells to a handful of figures: each figure's path is
    reversed once (per URL configuration, script prefix and language)."""
    params = {**query, **{key: value for key, value in extra.items() if value not in (None, "")}}
    path = _drilldown_path(figure, get_urlconf(), get_script_prefix(), get_language())
    return f"{path}?{urlencode(params)}"


def rupture_rows(rate_of, *, owner: bool, link=None) -> list[tuple[str, Cell]]:
    """The rupture figures of one cohort (a `RuptureRate`), as (label, cell) pairs; `link(figure)` gives the
    drill-down URL of a count."""
    link = link or (lambda _figure: "")
    return [
        (_("Entrées"), count(rate_of.entrants, owner=owner, href=link("entrees"))),
        (_("Ruptures comptées"), count(rate_of.ruptures, owner=owner, href=link("ruptures"))),
        (_("Taux de rupture"), rate(rate_of.ruptures, rate_of.entrants, owner=owner)),
        (_("Interruptions (à part)"), count(rate_of.interruptions, owner=owner, href=link("interruptions"))),
        (
            _("Sorties anticipées positives (à part)"),
            count(rate_of.positive_exits, owner=owner, href=link("sorties-positives")),
        ),
        (
            _("Ruptures de contrat suivies d'un nouveau contrat (à part)"),
            count(rate_of.contract_breaks_followed, owner=owner, href=link("ruptures-suivies")),
        ),
    ]


def breakdown_table(name, title, first_header, rows, *, owner: bool, link=None) -> PageTable:
    """Rupture rates per training action, organisation or month (`figures.breakdown` rows); `link(row, figure)`
    gives a row's drill-down URL."""
    link = link or (lambda _row, _figure: "")
    table = PageTable(
        name=name,
        title=title,
        headers=[
            first_header,
            _("Entrées"),
            _("Ruptures comptées"),
            _("Taux de rupture"),
            _("Interruptions"),
            _("Sorties positives"),
        ],
    )
    for row in rows:
        r = row.rate
        table.rows.append(
            [
                cell(row.label),
                count(r.entrants, owner=owner, href=link(row, "entrees")),
                count(r.ruptures, owner=owner, href=link(row, "ruptures")),
                rate(r.ruptures, r.entrants, owner=owner),
                count(r.interruptions, owner=owner, href=link(row, "interruptions")),
                count(r.positive_exits, owner=owner, href=link(row, "sorties-positives")),
            ]
        )
    return table
