"""Form helpers shared by every app: a date picker and the way a service's errors reach a form."""

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """The browser's date picker (`<input type="date">`), which sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its fields when named, else to the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
