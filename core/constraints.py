"""Database constraints that speak to people: each says what is wrong in a translated sentence (never "La contrainte
« name » n'est pas respectée") and, given a `field`, says it on that field, so that a form shows it next to the input
to correct, the input kept: a ModelForm (which validates the constraints) and a service's `full_clean()` followed by
`core.forms.apply_errors` both put it there.

    from core import constraints

    constraints.CheckConstraint(
        condition=Q(end_date__gte=F("start_date")),
        name="session_end_after_start",
        violation_error_message=_("La fin de la session ne peut pas précéder son début."),
        field="end_date",
    )

`violation_error_message` is required; `violation_error_code` defaults to the constraint's name. The field is no
business of the database: these constraints deconstruct as Django's own, so migrations hold them as such and a new
message or field is an `AlterConstraint` that touches no table.
"""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models


class _SaidOnField:
    django_class: type

    def __init__(self, *args, field: str | None = None, **kwargs):
        if not kwargs.get("violation_error_message"):
            raise TypeError(f"{kwargs.get('name')}: a constraint says what is wrong (violation_error_message)")
        kwargs.setdefault("violation_error_code", kwargs.get("name"))
        self.field = field
        super().__init__(*args, **kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            if self.field is None or hasattr(error, "error_dict") or self.field in (exclude or ()):
                raise
            raise ValidationError({self.field: error}) from None

    def clone(self):
        """Django copies the constraints of a model's Meta (through `deconstruct`, which leaves the field out)."""
        copy = super().clone()
        copy.field = self.field
        return copy

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return f"django.db.models.{self.django_class.__name__}", args, kwargs

    def __repr__(self):
        return f"{super().__repr__()[:-1]} field={self.field!r}>"


class CheckConstraint(_SaidOnField, models.CheckConstraint):
    """Django's CheckConstraint, with its message required and said on `field`."""

    django_class = models.CheckConstraint


class UniqueConstraint(_SaidOnField, models.UniqueConstraint):
    """Django's UniqueConstraint, with its message required and said on `field`."""

    django_class = models.UniqueConstraint
