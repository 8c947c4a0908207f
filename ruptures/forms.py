from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import FollowUpAttempt
from core.forms import DateInput, ModelMultipleChoiceField
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, text_field
from pathways.models import Stage
from ruptures import declarers
from ruptures.models import CAUSE_FAMILIES, Cause, Rupture


def grouped_causes():
    """The causes as <optgroup>s by family, for selects and checkbox lists."""
    return [
        (label, [(c.value, c.label) for c in Cause if Cause.family_of(c.value) == family])
        for family, label in CAUSE_FAMILIES.items()
    ]


class RuptureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nature de la rupture"), choices=Rupture.Kind.choices, widget=forms.RadioSelect)
    occurred_on = forms.DateField(label=_("Date de la rupture"), widget=DateInput())
    last_presence = forms.DateField(label=_("Dernière présence"), widget=DateInput(), required=False)
    main_cause = forms.ChoiceField(label=_("Cause principale"))
    causes = forms.MultipleChoiceField(label=_("Autres causes"), widget=forms.CheckboxSelectMultiple, required=False)
    identified_by = forms.ChoiceField(label=_("Repérée par"), choices=Rupture.IdentifiedBy.choices)
    planned_resume = forms.DateField(
        label=_("Reprise prévue le"), widget=DateInput(), required=False, help_text=_("Pour une interruption.")
    )
    exit_destination = forms.ChoiceField(
        label=_("Sortie vers"),
        choices=[("", "—"), *Stage.ExitDestination.choices],
        required=False,
        help_text=_("Pour une sortie anticipée positive."),
    )
    contract_initiative = forms.ChoiceField(
        label=_("Initiative de la rupture du contrat"),
        choices=[("", "—"), *Rupture.Initiative.choices],
        required=False,
        help_text=_("Pour une rupture de contrat d'apprentissage."),
    )
    during_trial_period = forms.TypedChoiceField(
        label=_("Pendant la période d'essai ?"),
        choices=[("", "—"), ("yes", _("Oui")), ("no", _("Non"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    reminders = ModelMultipleChoiceField(
        label=_("Relances effectuées"),
        queryset=FollowUpAttempt.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    no_reminder_reason = text_field(
        label=_("Pourquoi aucune relance ?"),
        max_length=REASON_MAX_LENGTH,
        rows=2,
        required=False,
        help_text=_("Obligatoire pour déclarer un abandon sans aucune relance."),
    )
    comment = text_field(
        label=_("Commentaire"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        help_text=_("Factuel, sans détail médical : il est lu par les partenaires du parcours."),
    )

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main_cause"].choices = [("", "—"), *grouped_causes()]
        self.fields["causes"].choices = grouped_causes()
        attempts = FollowUpAttempt.objects.filter(drift__stage=stage).select_related("by").order_by("at")
        self.fields["reminders"].queryset = attempts
        self.fields["reminders"].label_from_instance = lambda attempt: " · ".join(
            [
                timezone.localtime(attempt.at).strftime("%d/%m/%Y"),
                str(attempt.get_channel_display()),
                str(attempt.get_outcome_display()),
            ]
        )
        self.initial.setdefault("occurred_on", timezone.localdate())
        self.initial.setdefault("reminders", [a.pk for a in attempts])
        # Fields the declaration add-ons offer on this stage (`ruptures.declarers`), e.g. "the person asked for help".
        self.addon_fields = {}
        for addon in declarers.addons():
            fields = addon.fields(stage)
            self.fields.update(fields)
            self.addon_fields[addon.code] = list(fields)

    def addon_bound_fields(self):
        return [self[name] for names in self.addon_fields.values() for name in names]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "occurred_on": data["occurred_on"],
            "last_presence": data["last_presence"],
            "main_cause": data["main_cause"],
            "causes": data["causes"],
            "identified_by": data["identified_by"],
            "planned_resume": data["planned_resume"],
            "exit_destination": data["exit_destination"],
            "contract_initiative": data["contract_initiative"],
            "during_trial_period": data["during_trial_period"],
            "reminders": list(data["reminders"]),
            "no_reminder_reason": data["no_reminder_reason"],
            "comment": data["comment"],
            "extras": {code: {name: data.get(name) for name in names} for code, names in self.addon_fields.items()},
        }
