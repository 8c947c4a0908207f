import datetime

from django import template
from django.utils import formats, timezone
from django.utils.http import urlencode

from core.figures import shown_count

register = template.Library()


@register.filter
def small_count(value):
    """Hide counts under the threshold in aggregates shown outside the owning organisation (docs/design.md §6): the
    rule of `core.figures.shown_count` for a reader who is not the owner (`{% load figures %}` has the others)."""
    return shown_count(value, owner=False)


@register.filter
def readable(value):
    """A value of a data export (ISO dates and times, as its JSON keeps them) written for a reader: a date or a
    date-time in the active language's short format (local time); anything else unchanged."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:
            return formats.date_format(moment.date(), "SHORT_DATE_FORMAT")
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.datetime):
        return formats.date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT"
        )
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("includes/filter_tabs.html")
def filter_tabs(parameter, current, *choices):
    """Tabs filtering a list by one query parameter: `choices` are value, label pairs; the tab whose value is
    `current` is marked as the current page. `{% filter_tabs "filtre" show "a-faire" _("À faire") … %}`"""
    if len(choices) % 2:
        raise template.TemplateSyntaxError("filter_tabs takes value, label pairs")
    return {
        "tabs": [
            {"href": "?" + urlencode({parameter: value}), "label": label, "current": value == current}
            for value, label in zip(choices[::2], choices[1::2], strict=True)
        ]
    }


STATUS_CLASSES = {
    "planned": "text-bg-light border",
    "in_progress": "text-bg-primary",
    "suspended": "text-bg-warning",
    "completed": "text-bg-success",
    "positive_exit": "text-bg-success",
    "abandoned": "text-bg-danger",
    "cancelled": "text-bg-secondary",
    "open": "text-bg-primary",
    "closed": "text-bg-secondary",
    "pending": "text-bg-warning",
    "accepted": "text-bg-success",
    "refused": "text-bg-secondary",
}


@register.filter
def status_class(status):
    return STATUS_CLASSES.get(str(status), "text-bg-light border")


@register.filter
def has_required_fields(form) -> bool:
    """Whether a form asks for at least one field (its label then carries the asterisk the page must explain)."""
    fields = getattr(form, "fields", None) or {}
    return any(field.required and not field.disabled for field in fields.values())
