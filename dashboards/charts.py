"""The chart module (issue 18, docs/design.md §8): every chart of the dashboards and the commission reports comes from
here, as server-side SVG drawn by pygal.

- **CSP**: pygal's SVG carries a `<style>` element (its look is CSS), which the page's strict Content-Security-Policy
  would refuse inline. So the page never inlines the SVG: it shows it as `<img src="data:image/svg+xml;base64,…">`
  (`img-src` allows `data:`); an SVG shown as an image runs no script and loads nothing, and its inner CSS is the
  image's own business. The SVG is drawn with `js=[]` and its scripts, comments (pygal dates them) and tooltip
  layer are removed, so the output is deterministic and holds no `<script>` nor `style=` attribute.
- **Accessible**: the SVG starts with `<title>` and `<desc>`; the page shows an `<img alt="title. description">`,
  a `<figcaption>`, and the data table alternative in a `<details>` (`templates/dashboards/includes/chart.html`,
  `{% load charts %}{% chart chart %}`). The palette keeps a contrast of at least 3:1 on white (RGAA 3.3, graphical
  objects; tested), lines are thick and carry dots, and the values are in the table anyway.
- **Language**: labels are given by the caller in the active language; numbers are written with `core.figures`
  (French "7,1 %", "1 234"), on the axes and in the table alike.
- **PDF**: WeasyPrint draws the same `data:` image (DejaVu Sans, the PDF's font, is the chart's first font), so the
  commission report reuses the include.
- **Values**: a number, None (no value: a gap in the chart, "—" in the table) or a string that a figure rule
  already produced ("< 5" from `core.figures.shown_count`): drawn as no value, written as is in the table, so a
  suppressed small count never reaches the drawing.
- **Cost**: a few milliseconds per chart (measured in the report of issue 18), nothing for a chart drawn again with
  the same data (an in-process cache of the last 128); pygal is imported on first use.
"""

import base64
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.exports import Table
from core.figures import DASH, NBSP, number, percent_text

Value = int | float | Decimal | str | None

# Colours of the series, in this order: each has a contrast of at least 3:1 against white (tested), and neighbours
# differ in hue and lightness (blue, orange, green, purple, brown, teal, red, grey).
PALETTE = ("#000091", "#B34000", "#18753C", "#6E445A", "#7D4E00", "#006A6F", "#CE0500", "#3A3A3A")
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 720, 360


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: str
    headers: tuple[str, ...]  # the data table: the label column, then one column per series
    rows: tuple[tuple[str, ...], ...]  # each row: its label, then the values as written
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")

    @property
    def alt(self) -> str:
        """The image's text alternative: the title, then the description."""
        title = self.title.rstrip(". ")
        return f"{title}. {self.description}" if self.description else title

    def table(self) -> Table:
        """The chart's data table as a download (`core.exports`): its cells as the chart's table writes them."""
        return Table(title=self.title, headers=self.headers, rows=self.rows)


def month_label(day) -> str:
    """A month as an axis label in the active language ("fév. 2026", "Feb. 2026"): `day` is any date of it."""
    from django.utils.dateformat import format as date_format

    return date_format(day, "N Y")


def format_value(value: Value, unit: str = "") -> str:
    """A value as the table and the axes write it: "—" for None, a string as is, "7,1 %" for a percentage (one
    decimal), "1 234" for a count, "12,5 j" with another unit."""
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    if unit == "%":
        return percent_text(value)
    if float(value).is_integer():
        text = number(int(value))
    else:
        text = number(value, decimals=1)
    return f"{text}{NBSP}{unit}" if unit else text


def _drawn(value: Value) -> float | None:
    return None if value is None or isinstance(value, str) else float(value)


def _style():
    from pygal.style import Style

    return Style(
        font_family=FONT,
        background="white",
        plot_background="white",
        foreground="#161616",
        foreground_strong="#161616",
        foreground_subtle="#666666",
        colors=PALETTE,
        opacity="1",
        opacity_hover="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        stroke_width="3",
        stroke_width_hover="3",
        guide_stroke_dasharray="2,4",
        major_guide_stroke_dasharray="2,4",
        guide_stroke_color="#929292",
        major_guide_stroke_color="#929292",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=12,
        no_data_font_size=20,
        transition="0ms",
    )


def _finisher(title: str, description: str):
    """An xml filter for pygal: the SVG's own title and description first, and nothing that varies between two
    renderings or that a strict page would refuse (scripts, comments, the tooltip layer and its style attribute,
    the per-point titles and descriptions pygal writes for its JavaScript tooltips)."""
    import xml.etree.ElementTree as ET

    def finish(root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            if element is root:
                continue
            tag = element.tag if isinstance(element.tag, str) else ""
            local = tag.rsplit("}", 1)[-1]
            drop = (
                not tag  # comments and processing instructions
                or local == "script"
                or "tooltip-overlay" in element.get("class", "")
                or (local in ("title", "desc") and parents[element] is not root)
            )
            if drop:
                parents[element].remove(element)
        for element in list(root):
            if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in ("title", "desc"):
                root.remove(element)
        if not root.get("id"):
            root.attrib.pop("id", None)
        root.set("role", "img")
        title_element = ET.Element("title")
        title_element.text = title
        desc_element = ET.Element("desc")
        desc_element.text = description
        root.insert(0, desc_element)
        root.insert(0, title_element)
        return root

    return finish


def _pygal():
    """pygal, imported on first use. Its import appends a finder to `sys.meta_path` (for its `pygal.maps.*`
    plugins, which we do not use) that lacks `find_spec`: from then on every import of a missing module raises an
    ImportWarning (an error under our tests' `filterwarnings = error`). It is taken out again. pygal is also held to
    the standard library's ElementTree (it would switch to lxml were lxml ever installed), so the output and our xml
    filter do not depend on what else is installed."""
    import pygal
    from pygal.etree import etree

    etree.to_etree()
    sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]
    return pygal


def _render(kind: str, *, title, description, labels, series, unit, **options) -> Chart:
    """Check the data, then draw it, or take the same chart from the cache (same data, same language)."""
    labels = tuple(str(label) for label in labels)
    series = tuple((str(name), tuple(values)) for name, values in series.items())
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(f"Series {name!r} has {len(values)} values for {len(labels)} labels")
    language = get_language() or settings.LANGUAGE_CODE
    options = tuple(sorted(options.items()))
    return _draw(kind, str(title), str(description), labels, series, unit, options, language)


# A chart is a pure function of its data and the language: the last ones drawn are kept (about 20 KiB each), so a
# dashboard shown again with the same figures costs nothing.
@functools.lru_cache(maxsize=128)
def _draw(kind, title, description, labels, series, unit, options, language) -> Chart:
    pygal = _pygal()
    series = dict(series)

    chart_class = {
        "bar": pygal.Bar,
        "horizontal_bar": pygal.HorizontalBar,
        "line": pygal.Line,
        "stacked_bar": pygal.StackedBar,
    }[kind]
    # Horizontal bars (one line per organisation) grow with their number of labels; legends get as many columns as
    # their longest name leaves room for (about 8 px a character at 13 px, plus the colour box).
    height = max(HEIGHT, 80 + 30 * len(labels)) if kind == "horizontal_bar" else HEIGHT
    longest = max((len(name) for name in series), default=1)
    columns = max(1, min(len(series), (WIDTH - 40) // (longest * 8 + 40)))
    graph = chart_class(
        js=[],
        style=_style(),
        width=WIDTH,
        height=height,
        explicit_size=True,
        disable_xml_declaration=True,
        no_prefix=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=columns,
        truncate_legend=-1,
        truncate_label=-1 if len(labels) <= 12 else 12,
        x_label_rotation=0 if len(labels) <= 8 or kind == "horizontal_bar" else 30,
        value_formatter=lambda value: format_value(value, unit),
        no_data_text=_("Aucune donnée"),
        include_x_axis=True,
        print_values=False,
        show_minor_y_labels=True,
        **dict(options),
    )
    # pygal draws horizontal bars from the bottom up: reversed, the first label is at the top, as in the table.
    order = slice(None, None, -1) if kind == "horizontal_bar" else slice(None)
    graph.x_labels = labels[order]
    for name, values in series.items():
        graph.add(name, [_drawn(value) for value in values[order]])
    graph.add_xml_filter(_finisher(title, description))
    svg = graph.render(is_unicode=True)

    headers = (_("Libellé"), *series) if kind != "stacked_bar" else (_("Libellé"), *series, _("Total"))
    rows = []
    for index, label in enumerate(labels):
        values = [series[name][index] for name in series]
        cells = [format_value(value, unit) for value in values]
        if kind == "stacked_bar":
            numbers = [value for value in values if value is not None and not isinstance(value, str)]
            hidden = any(isinstance(value, str) for value in values)
            # A total next to a hidden count would give it back: the total is left out then.
            cells.append(DASH if hidden else format_value(sum(numbers), unit))
        rows.append((label, *cells))
    return Chart(
        title=title, description=description, svg=svg, headers=headers, rows=tuple(rows), width=WIDTH, height=height
    )


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Value]],
    unit: str = "",
    horizontal: bool = False,
) -> Chart:
    """Bars, one group per label and one colour per series (figures by training body, by basin…); `horizontal`
    for long labels such as organisation names."""
    kind = "horizontal_bar" if horizontal else "bar"
    return _render(kind, title=title, description=description, labels=labels, series=series, unit=unit)


def line_chart(
    *, title: str, description: str, labels: Sequence[str], series: dict[str, Sequence[Value]], unit: str = "%"
) -> Chart:
    """Lines over time (rates by month): a missing value interrupts the line rather than draw a false zero."""
    return _render(
        "line",
        title=title,
        description=description,
        labels=labels,
        series=series,
        unit=unit,
        allow_interruptions=True,
        dots_size=4,
    )


def stacked_bar_chart(
    *, title: str, description: str, labels: Sequence[str], series: dict[str, Sequence[Value]], unit: str = ""
) -> Chart:
    """Stacked bars (ruptures by cause family, by month): the table adds each label's total."""
    return _render("stacked_bar", title=title, description=description, labels=labels, series=series, unit=unit)
