"""The figure rules of `core.figures` in templates: `{% load figures %}`.

- `{{ value|shown_count:owner }}`: a count, "< 5" under five unless `owner` is true.
- `{% rate numerator denominator owner %}`: "7,1 % (25 / 353)"; `empty="aucune rupture"` names the missing
  denominator (default "aucune entrée").
- `{% rate_figure numerator denominator owner as figure %}`: the parts, for markup of one's own
  (`figure.percent`, `figure.counts`, `figure.note`, `figure.shown`).
- `{{ value|percent_text }}`: a percentage already computed by `percent` ("7,1 %").
"""

from django import template

from core import figures

register = template.Library()


@register.filter
def shown_count(value, owner=False):
    return figures.shown_count(value, owner=bool(owner))


@register.simple_tag
def rate(numerator, denominator, owner=False, empty=None):
    return figures.shown_rate(numerator, denominator, owner=bool(owner), empty=empty)


@register.simple_tag
def rate_figure(numerator, denominator, owner=False, empty=None):
    return figures.rate_figure(numerator, denominator, owner=bool(owner), empty=empty)


@register.filter
def percent_text(value):
    return figures.DASH if value is None else figures.percent_text(value)
