from django import forms
from django.utils.translation import gettext_lazy as _

from pathways.validators import format_phone, normalize_phone


class PreferencesForm(forms.Form):
    """How a person wants to be told beyond the in-app inbox (always on)."""

    email = forms.BooleanField(label=_("Recevoir les alertes par e-mail"), required=False)
    sms = forms.BooleanField(label=_("Recevoir les alertes par SMS"), required=False)
    # Typed with spaces, dots or +33; stored as 10 digits.
    phone = forms.CharField(
        label=_("Téléphone mobile"),
        max_length=30,
        required=False,
        help_text=_(
            "Facultatif. Ex. 06 12 34 56 78, ou +32 470 12 34 56 hors de France. Utilisé seulement pour les alertes "
            "par SMS."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, user, preferences: dict, **kwargs):
        super().__init__(*args, **kwargs)
        has_phone = bool(user.phone)
        self.fields["email"].initial = preferences["email"]
        self.fields["email"].help_text = _("Les messages disent seulement qu'une alerte vous attend, sans aucun nom.")
        self.fields["sms"].initial = preferences["sms"] and has_phone
        self.fields["phone"].initial = format_phone(user.phone)
        if has_phone:
            self.fields["sms"].help_text = _("Les SMS disent seulement qu'une alerte vous attend, sans aucun nom.")
        else:
            # Nothing to send to: the box cannot be ticked (and a posted value is ignored) until a number is saved.
            self.fields["sms"].disabled = True
            self.fields["sms"].help_text = _(
                "Indisponible : votre compte n'a pas de numéro de téléphone. Indiquez-le ci-dessous et enregistrez, "
                "puis cochez cette case."
            )

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sms") and "phone" in cleaned and not cleaned["phone"]:
            self.add_error("sms", _("Pour recevoir les alertes par SMS, indiquez votre numéro de téléphone."))
        return cleaned
