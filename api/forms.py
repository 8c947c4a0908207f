import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from core.forms import DateInput


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=ApiToken._meta.get_field("name").help_text,
    )
    expires_on = forms.DateField(
        label=_("Expire le"),
        required=False,
        widget=DateInput(),
        help_text=_("Facultatif : le jeton cesse de fonctionner ce jour-là à minuit."),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            raise forms.ValidationError(_("La date d'expiration doit être dans le futur."))
        return expires_on

    def expires_at(self) -> datetime.datetime | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))
