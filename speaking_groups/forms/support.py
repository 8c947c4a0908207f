from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, text_field
from speaking_groups.models import NOTE_MAX_LENGTH, CauseFamily, HotlineCall, NetworkContact, SpeakingGroup
from speaking_groups.services.support import HOTLINE_MAX_MINUTES

NOTES_HELP = _("Lisibles par les seul·es intervenant·es de votre structure, chiffrées en base.")


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.pathway.beneficiary.full_name


class HotlineCallForm(forms.Form):
    """The 30-second form: only the duration, the topic and the outcome are required; the call is dated now when
    the time is left empty, anonymous unless a person is chosen."""

    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        widget=forms.NumberInput(attrs={"autofocus": True, "min": 1, "max": HOTLINE_MAX_MINUTES}),
    )
    topic = forms.ChoiceField(label=_("Sujet"), choices=CauseFamily.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=_("Urgence"), choices=HotlineCall.Urgency.choices, initial=HotlineCall.Urgency.LOW, required=False
    )
    outcome = forms.ChoiceField(label=_("Suite donnée"), choices=HotlineCall.Outcome.choices, widget=forms.RadioSelect)
    called_at = forms.DateTimeField(
        label=_("Appel reçu le"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Maintenant si vide."),
    )
    stage = _PersonChoice(
        label=_("Personne connue (facultatif)"),
        queryset=None,
        required=False,
        empty_label=_("Appel anonyme"),
    )
    group = forms.ModelChoiceField(
        label=_("Groupe (facultatif)"), queryset=SpeakingGroup.objects.none(), required=False
    )
    notes = text_field(
        label=_("Notes (confidentielles)"), max_length=NOTE_MAX_LENGTH, rows=2, required=False, help_text=NOTES_HELP
    )

    def __init__(self, *args, people, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = people
        self.fields["group"].queryset = groups
        if not self.is_bound:
            self.initial.setdefault("called_at", timezone.localtime().replace(second=0, microsecond=0))


class NetworkContactForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=NetworkContact.Service.choices)
    service_name = forms.CharField(label=_("Structure contactée"), max_length=200)
    contacted_on = forms.DateField(label=_("Contacté le"), widget=DateInput())
    notes = text_field(
        label=_("Notes (confidentielles)"), max_length=NOTE_MAX_LENGTH, rows=3, required=False, help_text=NOTES_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("contacted_on", timezone.localdate())


class ShareForm(forms.Form):
    summary = text_field(
        label=_("Synthèse pour le ou la référent·e"),
        max_length=COMMENT_MAX_LENGTH,
        rows=6,
        help_text=_("Écrite pour être lue par le ou la référent·e : n'y mettez que ce que la personne accepte."),
    )
    consent_given = forms.BooleanField(label=_("La personne a donné son accord pour ce partage"), required=False)
    consent_on = forms.DateField(label=_("Accord recueilli le"), widget=DateInput(), required=False)
    consent_scope = text_field(
        label=_("Ce que la personne accepte de partager"), max_length=REASON_MAX_LENGTH, rows=2, required=False
    )
