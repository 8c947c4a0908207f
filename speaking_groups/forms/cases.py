from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.text import text_field
from speaking_groups.models import NOTE_MAX_LENGTH, CaseEntry, PostRuptureCase


class CaseEntryForm(forms.Form):
    """A step of the solution search: a contact or a proposal, dated, with its confidential detail."""

    kind = forms.ChoiceField(label=_("Type"), choices=CaseEntry.Kind.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    text = text_field(
        label=_("Détail (confidentiel)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_("Lu par les intervenant·es de votre structure seulement."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())


class CaseOutcomeForm(forms.Form):
    """The outcome and its date; the referent is told the outcome, not the notes."""

    outcome = forms.ChoiceField(label=_("Issue"), choices=[("", "—"), *PostRuptureCase.Outcome.choices])
    outcome_on = forms.DateField(label=_("Date de l'issue"), widget=DateInput(), required=False)
