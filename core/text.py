"""Free text typed by people (comments, reasons, notes, messages…): each has a maximum length, shown by its form
(the `maxlength` attribute of the textarea), refused on the field itself with the input kept, and held by the
model's validation, hence by every service that calls `full_clean()`.

- a model's free text is a `BoundedTextField(max_length=…)`: Django's TextField only hands `max_length` to its form
  field; this one also validates it (a ModelForm then shows and enforces it without more);
- a plain form's free text is `text_field(max_length=…)`, a textarea with its maximum;
- a service storing a text it validates no other way calls `check_length(text, max_length=…, field=…)`, whose
  error is on `field` (`core.forms.apply_errors` puts it on the form's field of that name).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

# The maximum lengths, by what the text is. A length is a promise to the readers: a screen or two, not a book.
# A reason or a short comment: why a stage was suspended or a pathway closed, how a reminder went, an answer.
REASON_MAX_LENGTH = 1000
# A comment or a note the partners of the pathway read: a rupture's comment, a checklist comment, a message.
COMMENT_MAX_LENGTH = 2000
# An institutional text written once and read by everyone: the preamble of a charter.
DOCUMENT_MAX_LENGTH = 10_000


class BoundedTextField(models.TextField):
    """A TextField whose `max_length` (required) is validated by `full_clean()` like a CharField's; the database
    column stays a text (no length in the schema)."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


def text_field(*, max_length: int, rows: int = 3, **kwargs) -> forms.CharField:
    """A form's free text: a textarea of `rows` lines whose `maxlength` the browser holds and the form checks."""
    return forms.CharField(max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def check_length(text: str, *, max_length: int, field: str) -> str:
    """`text` if it is at most `max_length` characters long; else a ValidationError on `field` saying so (Django's
    translated message, with the current length)."""
    try:
        MaxLengthValidator(max_length)(text)
    except ValidationError as error:
        raise ValidationError({field: error}) from None
    return text
