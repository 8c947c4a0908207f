from django import template

from accounts import proconnect

register = template.Library()


@register.inclusion_tag("accounts/includes/proconnect_button.html")
def proconnect_button(next_url=""):
    """The official "S'identifier avec ProConnect" button and its explanation link; nothing when ProConnect is off."""
    return {"enabled": proconnect.enabled(), "next": next_url}
