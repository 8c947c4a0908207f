from django import forms

from alerts.models import AlertAction, AlertRouting


class AlertActionForm(forms.ModelForm):
    class Meta:
        model = AlertAction
        fields = ["kind", "note"]
        widgets = {"kind": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AlertAction.Kind.choices


class AlertRoutingForm(forms.ModelForm):
    class Meta:
        model = AlertRouting
        fields = ["all_advisers", "managers", "shared_mailbox"]
