"""Form helpers shared by every app: a date picker and the way a service's errors reach a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class DateInput(forms.DateInput):
    """The browser's date picker (`<input type="date">`), which sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id no integer column can hold is an unknown choice like any other (Django's `IN` query would
    fail on it with a server error)."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        field = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
        if isinstance(field, models.IntegerField):
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # Django refuses it itself
                if not -(2**63) <= number < 2**63:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


def apply_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its fields when named, else to the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
