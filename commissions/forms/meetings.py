import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Date et heure"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    duration_minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=15, max_value=600, initial=120)
    place = forms.CharField(label=_("Lieu"), max_length=250, required=False)
    video_link = forms.URLField(label=_("Lien de visioconférence"), required=False, assume_scheme="https")

    # How far from today a meeting may be dated (beyond, a typing error).
    REACH = datetime.timedelta(days=2 * 366)

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        today = timezone.localdate()
        if not today - self.REACH <= starts_at.date() <= today + self.REACH:
            raise forms.ValidationError(_("Choisissez une date dans les deux ans, avant ou après aujourd'hui."))
        return starts_at


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Point à ajouter"), max_length=200, help_text=_("Son objet, sans nom de personne."))


class DecisionForm(forms.Form):
    action = forms.CharField(
        label=_("Action décidée"), max_length=300, help_text=_("Sans nom ni information de santé.")
    )
    owner = forms.ChoiceField(label=_("Qui"))
    due_on = forms.DateField(label=_("Pour le"), widget=DateInput())

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {str(user.pk): user for user in owners}
        self.fields["owner"].choices = [(str(user.pk), user.get_full_name() or user.email) for user in owners]

    def clean_owner(self):
        return self.owners[self.cleaned_data["owner"]]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        max_length=300,
        required=False,
        help_text=_("Envoyé aux délégué·es avec l'annulation : sans nom de personne ni information de santé."),
    )
