"""A choice among thousands (the communes of a region, its organisations) that searches as you type.

`SearchSelect` renders a search box and, under it, a real `<select>` holding only the option chosen. Typing in the
box asks `search_url` (htmx, after a short pause) for the matching options, which replace the select's; the user then
picks in the select, with the keyboard or the mouse. No script of ours, nothing inline (strict CSP), and the form
sends the select's value as ever: the field stays a `ModelChoiceField` validated against its queryset on the server,
so an id outside it is refused whatever the page offered.

The endpoint receives `q` (the words typed), `field` (the select's name) and the select's current value under that
name; it answers `<option>`s (`templates/core/search_select_options.html`), the current one kept.
"""

import re

from django import forms
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class SearchSelect(forms.Select):
    template_name = "core/search_select.html"

    def __init__(self, *, search_url: str, search_label=None, search_help=None, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url
        self.search_label = search_label or _("Rechercher")
        self.search_help = search_help or ""

    def optgroups(self, name, value, attrs=None):
        """The empty choice and the chosen one(s) only: never the whole queryset."""
        chosen = [str(v) for v in value if v not in (None, "")]
        options = []
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        field = getattr(iterator, "field", None)
        if field is not None and field.empty_label is not None:
            options.append(self.create_option(name, "", field.empty_label, not chosen, 0, attrs=attrs))
        if queryset is not None and chosen:
            numbers = [v for v in chosen if v.isdigit()]
            for index, obj in enumerate(queryset.filter(pk__in=numbers), start=1):
                options.append(
                    self.create_option(name, str(obj.pk), field.label_from_instance(obj), True, index, attrs=attrs)
                )
        elif queryset is None:
            return super().optgroups(name, value, attrs)
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            search_url=self.search_url, search_label=self.search_label, search_help=self.search_help
        )
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's templates (not the form renderer's own set), like every other template of the app.
        return mark_safe(render_to_string(template_name, context))


SEARCH_LIMIT = 20
_TARGET = re.compile(r"^[A-Za-z][\w-]{0,80}$")


def search_select_options(request, *, options, current=None, status: str, placeholder: str):
    """The answer of a `SearchSelect` endpoint: `options` ((value, label) pairs, at most SEARCH_LIMIT), the select's
    current choice kept first (`current`: a (value, label) pair, or None) and `status` said to screen readers."""
    target = request.GET.get("target", "")
    current_value = str(current[0]) if current else None
    return render(
        request,
        "core/search_select_options.html",
        {
            "options": [(value, label) for value, label in options if str(value) != current_value],
            "current": current,
            "status": status,
            "placeholder": placeholder,
            "target": target if _TARGET.match(target) else "",
        },
    )


def current_choice(request) -> str:
    """The select's current value sent along with the search (under the field's own name), or ""."""
    field = request.GET.get("field", "")
    value = request.GET.get(field, "") if field and field not in ("q", "field", "target") else ""
    return value if value.isdigit() and len(value) < 19 else ""
