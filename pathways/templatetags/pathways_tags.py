"""What other apps show on the pages of `pathways` (`pathways.panels`)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from pathways.panels import badge_templates

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
