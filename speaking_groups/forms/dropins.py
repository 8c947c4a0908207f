from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from speaking_groups.forms.groups import NotesForm
from speaking_groups.models import DropInBooking, DropInSlot

__all__ = ["BookingForm", "NotesForm", "SlotForm", "StatusForm"]


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Jour"), choices=DropInSlot.Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=5, max_value=480, initial=30)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=50, initial=4)
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    video_link = forms.URLField(label=_("Lien de visioconférence"), required=False, assume_scheme="https")
    starts_on = forms.DateField(label=_("À partir du"), widget=DateInput())
    ends_on = forms.DateField(label=_("Jusqu'au"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("video_link") and not self.has_error("video_link"):
            self.add_error("place", _("Indiquez un lieu ou un lien de visioconférence."))
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("La permanence doit finir après son premier jour."))
        return data


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.pathway.beneficiary.full_name


class BookingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    stage = _PersonChoice(label=_("Personne"), queryset=None)
    requested_via = forms.ChoiceField(label=_("Demande"), choices=DropInBooking.RequestedVia.choices)
    agreement_recorded = forms.BooleanField(
        label=_("La personne est d'accord pour ce rendez-vous"),
        error_messages={"required": _("Un rendez-vous se prend avec l'accord de la personne.")},
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"),
        choices=[(value, label) for value, label in DropInBooking.Status.choices if value != "booked"],
    )
