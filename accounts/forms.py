from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie (les majuscules comptent)."
        ),
        "inactive": _("Ce compte est désactivé. Contactez le ou la responsable de votre structure."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Adresse e-mail")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self.fields["password"].label = _("Mot de passe")


def password_rule() -> str:
    """The password rule as the forms say it (ANSSI and CNIL recommendations: length first)."""
    return _(
        "Au moins %(length)d caractères. Une phrase de passe de plusieurs mots est à la fois plus sûre et plus "
        "facile à retenir ; aucun mélange de majuscules, chiffres ou symboles n'est imposé. Les mots de passe "
        "courants ou proches de votre nom ou de votre adresse e-mail sont refusés."
    ) % {"length": settings.PASSWORD_MIN_LENGTH}


class NewPasswordForm(SetPasswordForm):
    """Choosing a password from a reset link, with the rule said in words. The link proves the person holds the
    account's mailbox: the account's lockout after failed logins is lifted (as the lockout page promises), so they log
    in with the new password at once; an address locked for its failures on many accounts stays locked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_rule()

    def save(self, commit=True):
        from accounts.lockout import login_unlock

        user = super().save(commit=commit)
        if commit:
            login_unlock(email=user.email)
        return user


class ChangePasswordForm(PasswordChangeForm):
    """Changing one's password, with the rule said in words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_rule()


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class TwoFactorCodeForm(forms.Form):
    """A code of the authenticator app (6 digits) or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip().lower()


class RetentionSettingsForm(forms.Form):
    """A region's retention durations: one field per category a region sets (`accounts.retention.region_categories`),
    in months; left empty, the category follows the default."""

    MIN_MONTHS = 1
    MAX_MONTHS = 120

    def __init__(self, *args, current: dict[str, int], defaults: dict[str, int], **kwargs):
        from accounts import retention
        from accounts.models import RetentionPolicy, access_log_floor_message
        from accounts.personal_data import Category

        super().__init__(*args, initial=current, **kwargs)
        message = _("Indiquez un nombre entier de mois entre %(min)d et %(max)d, ou laissez vide.") % {
            "min": self.MIN_MONTHS,
            "max": self.MAX_MONTHS,
        }
        for category in retention.region_categories():
            minimum, too_short = self.MIN_MONTHS, message
            if category == Category.ACCESS_LOG:  # the trace of who read the records: a floor (RetentionPolicy.clean)
                minimum, too_short = RetentionPolicy.ACCESS_LOG_MIN_MONTHS, access_log_floor_message()
            self.fields[category] = forms.IntegerField(
                label=Category(category).label,
                required=False,
                min_value=minimum,
                max_value=self.MAX_MONTHS,
                error_messages={"invalid": message, "min_value": too_short, "max_value": message},
                widget=forms.NumberInput(
                    attrs={"placeholder": defaults[category], "inputmode": "numeric", "class": "form-control"}
                ),
            )

    def months(self) -> dict[str, int | None]:
        return {name: self.cleaned_data[name] for name in self.fields}
