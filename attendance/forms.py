from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import CompanyPeriod, FollowUpAttempt, StatementExport
from core.forms import DateInput
from core.text import REASON_MAX_LENGTH, text_field
from pathways import scoping
from pathways.models import Stage


class SlotCancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=200, help_text=_("Ex. : fermeture, grève, jour de pont."))


class CompanyPeriodForm(forms.ModelForm):
    class Meta:
        model = CompanyPeriod
        fields = ["kind", "stage", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, session, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(enrolment__session=session)
        if user is not None:  # not the people who objected to the user's organisation
            stages = scoping.without_objected(stages, user, "pathway__beneficiary")
        self.fields["stage"].queryset = (
            stages.exclude(status=Stage.Status.CANCELLED)
            .select_related("pathway__beneficiary")
            .order_by("pathway__beneficiary__last_name")
        )
        self.fields["stage"].label_from_instance = lambda stage: stage.pathway.beneficiary.full_name
        self.fields["stage"].empty_label = _("— Tout le groupe —")


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUpAttempt
        fields = ["channel", "outcome", "comment"]
        widgets = {
            "channel": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons without the empty "---------" choice.
        self.fields["channel"].choices = FollowUpAttempt.Channel.choices
        self.fields["outcome"].choices = FollowUpAttempt.Outcome.choices


class DriftDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("confirm", _("Confirmer la rupture présumée")),
            ("dismiss", _("Écarter : la personne n'est pas en rupture")),
        ],
        widget=forms.RadioSelect,
    )
    note = text_field(
        label=_("Commentaire"),
        max_length=REASON_MAX_LENGTH,
        rows=2,
        required=False,
        help_text=_("Obligatoire pour écarter. Factuel, sans information de santé."),
    )


class StatementRequestForm(forms.Form):
    month = forms.DateField(
        label=_("Mois"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    format = forms.ChoiceField(label=_("Format"), choices=StatementExport.Format.choices, initial="pdf")
    stage = forms.ModelChoiceField(
        label=_("Personne"), queryset=Stage.objects.none(), required=False, empty_label=_("— Toute la session —")
    )

    def __init__(self, *args, session, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(enrolment__session=session)
        if user is not None:  # not the people who objected to the user's organisation
            stages = scoping.without_objected(stages, user, "pathway__beneficiary")
        self.fields["stage"].queryset = (
            stages.exclude(status=Stage.Status.CANCELLED)
            .select_related("pathway__beneficiary")
            .order_by("pathway__beneficiary__last_name")
        )
        self.fields["stage"].label_from_instance = lambda stage: stage.pathway.beneficiary.full_name

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)
