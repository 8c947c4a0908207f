"""What other apps show on the pages of `pathways` (`pathways.panels`)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from pathways.panels import badge_templates
from pathways.validators import format_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_badges(context, organisation):
    """The registered badges of `organisation` (attached beforehand with `pathways.panels.attach_badges`)."""
    if organisation is None:
        return ""
    request = context.get("request")
    return mark_safe(
        "".join(render_to_string(name, {"organisation": organisation}, request=request) for name in badge_templates())
    )


@register.filter
def phone(value):
    """A stored phone number (E.164) as people write it: "06 12 34 56 78", "0692 12 34 56", "+44 20 7946 0958"."""
    return format_phone(value)
