from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import AlertAction, AlertRouting


class AlertActionForm(forms.ModelForm):
    class Meta:
        model = AlertAction
        fields = ["kind", "note"]
        widgets = {"kind": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AlertAction.Kind.choices

    def clean(self):
        """ "No action" needs its reason: said on the note itself (the constraint holds it in the database)."""
        data = super().clean()
        if data.get("kind") == AlertAction.Kind.NO_ACTION and not data.get("note"):
            self.add_error("note", _("Dites pourquoi aucune action n'est engagée."))
        return data


class AlertRoutingForm(forms.ModelForm):
    class Meta:
        model = AlertRouting
        fields = ["all_advisers", "managers", "shared_mailbox"]
