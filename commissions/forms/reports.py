from django import forms
from django.utils.translation import gettext_lazy as _

from commissions.models import CommissionReport


class ReportForm(forms.Form):
    version = forms.ChoiceField(
        label=_("Version"),
        choices=CommissionReport.Version.choices,
        initial=CommissionReport.Version.MEMBERS,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Langue"), choices=CommissionReport.Language.choices, initial=CommissionReport.Language.FR
    )
