"""How figures are shown, defined once (docs/design.md §6, issue 18): small counts, percentages and rates. Every page,
chart, export and PDF that shows a count or a rate to a reader calls these functions (the `figures` template tags
included), so that the rule cannot differ from one screen to the next.

- **Percentages** (`percent`): `numerator / denominator` in percent, rounded half up to one decimal (12.25 → 12.3),
  None for a zero denominator. `ruptures.rates.percent` is this very function (core may not import ruptures).
- **Small counts** (`shown_count`): a count seen outside the organisation that owns the data is "< 5" when it is
  1 to 4 (`settings.SMALL_COUNT_THRESHOLD`); the owner sees it exactly. **Zero stays "0"**: a zero names nobody
  (there is no person behind it to recognise) and the seed's own headline, "0 ruptures among speaking-group
  participants", is a zero; hiding it would also make "< 5" ambiguous (is it 0 or 3?).
- **Rates** (`shown_rate`, `rate_figure`): one display rule, a percentage to one decimal with its counts beside it,
  localized: "7,1 % (25 / 353)" in French, "7.1% (25 / 353)" in English. Inside a figure every space is a
  no-break space (U+00A0, the thousands separator Django's French formats use too), so a figure never wraps
  across lines. No denominator (no entrants) gives "—" with a note ("aucune entrée" by default).
- **Derived rates are suppressed with their counts**: outside the owner, a rate whose numerator or denominator is
  a small count is not shown ("—", the small count as "< 5", and the note "petit effectif"), since a percentage
  and its denominator would give the hidden numerator back. Zeros are shown, as above. The complement (entrants
  minus ruptures) is not suppressed: it is not a figure we display, and a caller who shows one passes it through
  `shown_count` like any other count.
"""

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Between the parts of one figure (before "%", around "/", before the counts): never a line break.
NBSP = "\u00a0"
DASH = "—"


def percent(numerator: int, denominator: int) -> float | None:
    """`numerator / denominator` in percent, rounded half up to one decimal (12.25 → 12.3); None for 0 / 0.

    Every figure shown next to the rupture rate rounds the same way.
    """
    if not denominator:
        return None
    value = Decimal(numerator * 100) / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def threshold() -> int:
    return getattr(settings, "SMALL_COUNT_THRESHOLD", 5)


def is_small(value: int | None) -> bool:
    """A count of 1 to 4 people (under the threshold, zero excluded: a zero names nobody)."""
    return bool(value) and 0 < value < threshold()


def small_label() -> str:
    return _("< %(n)s") % {"n": threshold()}


@functools.lru_cache(maxsize=32)
def _separators(language: str) -> tuple[str, str]:
    """The decimal and thousands separators of `language` (Django's formats), a space-like one as a no-break space."""
    decimal = formats.get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True)
    thousands = formats.get_format("THOUSAND_SEPARATOR", lang=language, use_l10n=True)
    return decimal, NBSP if not thousands.strip() else thousands


def number(value: int | float | Decimal, *, decimals: int | None = None) -> str:
    """A number in the active language: thousands grouped, the language's decimal separator (1 234,5 / 1,234.5),
    with no-break spaces; `decimals` rounds half up to that many places (Django's own formatting would round half
    to even). Charts call it for every value and label, so it avoids Django's slower `number_format`."""
    decimal, thousands = _separators(get_language() or settings.LANGUAGE_CODE)
    if decimals is None:
        text = f"{value:,}"
    else:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def shown_count(value: int | None, *, owner: bool) -> str:
    """A count as shown to a reader: exact for the owning organisation; for anyone else "< 5" when it is 1 to 4;
    None and 0 are "0" (see the module docstring for why a zero is shown)."""
    value = value or 0
    if not owner and is_small(value):
        return small_label()
    return number(value)


def count_cell(value: int | None, *, owner: bool) -> int | str:
    """A count for a chart or a spreadsheet cell: the number itself (typed, so a spreadsheet can add it up), or
    "< 5" where `shown_count` hides it."""
    value = value or 0
    return small_label() if not owner and is_small(value) else value


def percent_text(value: float | Decimal) -> str:
    """A percentage already rounded by `percent`, to one decimal, with the language's sign: "7,1 %" in French
    (a no-break space before the sign, as French typography wants), "7.1%" in English."""
    sign = f"{NBSP}%" if (get_language() or settings.LANGUAGE_CODE).startswith("fr") else "%"
    return number(value, decimals=1) + sign


@dataclass(frozen=True)
class RateFigure:
    """A rate as a reader sees it: `percent` ("7,1 %", or "—" when not shown), `counts` ("25 / 353", small counts
    as "< 5", empty when there is no denominator) and a `note` (why the percentage is missing, or "")."""

    percent: str
    counts: str
    note: str
    shown: bool  # whether the percentage is shown

    def __str__(self) -> str:
        inside = ", ".join(part for part in (self.counts, self.note) if part)
        return f"{self.percent}{NBSP}({inside})" if inside else self.percent


def rate_figure(numerator: int | None, denominator: int | None, *, owner: bool, empty: str | None = None) -> RateFigure:
    """The one display rule for a rate (module docstring). `empty` is the note for no denominator (default
    "aucune entrée"; "aucune rupture" for a share of the ruptures, for instance)."""
    numerator, denominator = numerator or 0, denominator or 0
    if not denominator:
        return RateFigure(percent=DASH, counts="", note=empty if empty is not None else _("aucune entrée"), shown=False)
    counts = f"{shown_count(numerator, owner=owner)}{NBSP}/{NBSP}{shown_count(denominator, owner=owner)}"
    if not owner and (is_small(numerator) or is_small(denominator)):
        return RateFigure(percent=DASH, counts=counts, note=_("petit effectif"), shown=False)
    return RateFigure(percent=percent_text(percent(numerator, denominator)), counts=counts, note="", shown=True)


def rate_value(numerator: int | None, denominator: int | None, *, owner: bool) -> float | str | None:
    """A rate for a chart or a spreadsheet cell: the percentage (a number, one decimal) when it is shown, None
    without a denominator, and the shown text ("— (< 5 / 353, petit effectif)") when it is suppressed."""
    figure = rate_figure(numerator, denominator, owner=owner)
    if figure.shown:
        return percent(numerator or 0, denominator)
    return None if not denominator else str(figure)


def shown_rate(numerator: int | None, denominator: int | None, *, owner: bool, empty: str | None = None) -> str:
    """`rate_figure` as one string: "7,1 % (25 / 353)", "— (< 5 / 353, petit effectif)", "— (aucune entrée)"."""
    return str(rate_figure(numerator, denominator, owner=owner, empty=empty))
