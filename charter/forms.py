from django import forms
from django.utils.translation import gettext_lazy as _

from charter.models import CODE_LENGTH, normalize_code
from charter.services import MAX_GRACE_DAYS
from core.text import COMMENT_MAX_LENGTH, DOCUMENT_MAX_LENGTH, text_field


class SignForm(forms.Form):
    signatory_name = forms.CharField(
        label=_("Votre nom"), max_length=200, help_text=_("Tel qu'il figurera sur la copie signée.")
    )
    signatory_function = forms.CharField(
        label=_("Votre fonction"), max_length=200, help_text=_("Par exemple : directrice, président.")
    )
    consent = forms.BooleanField(
        label=_(
            "J'ai lu la charte des bonnes pratiques et j'engage la structure que je représente à respecter ses "
            "engagements."
        ),
        error_messages={"required": _("Cochez la case pour engager votre structure.")},
    )
    # What the signatory read: if a newer version or another text is in force when they confirm, nothing is signed.
    version = forms.IntegerField(widget=forms.HiddenInput)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReasonForm(forms.Form):
    reason = text_field(
        label=_("Motif"),
        rows=4,
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": _("Indiquez le motif.")},
    )

    def __init__(self, *args, label=None, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


class DraftForm(forms.Form):
    title_fr = forms.CharField(label=_("Titre (français)"), max_length=200)
    title_en = forms.CharField(label=_("Titre (anglais)"), max_length=200, required=False)
    preamble_fr = text_field(label=_("Préambule (français)"), rows=4, max_length=DOCUMENT_MAX_LENGTH, required=False)
    preamble_en = text_field(label=_("Préambule (anglais)"), rows=4, max_length=DOCUMENT_MAX_LENGTH, required=False)


class CommitmentForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title_fr = forms.CharField(label=_("Intitulé (français)"), max_length=100, required=False)
    text_fr = text_field(label=_("Engagement (français)"), max_length=COMMENT_MAX_LENGTH, required=False)
    title_en = forms.CharField(label=_("Intitulé (anglais)"), max_length=100, required=False)
    text_en = text_field(label=_("Engagement (anglais)"), max_length=COMMENT_MAX_LENGTH, required=False)

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        if bool((data.get("title_fr") or "").strip()) != bool((data.get("text_fr") or "").strip()):
            raise forms.ValidationError(_("Un engagement a un intitulé et un texte en français, ou aucun des deux."))
        return data


CommitmentFormSet = forms.formset_factory(CommitmentForm, extra=1, can_delete=True, max_num=30, validate_max=True)


class PublishForm(forms.Form):
    renewal_grace_days = forms.IntegerField(
        label=_("Délai de renouvellement (jours)"),
        min_value=1,
        max_value=MAX_GRACE_DAYS,
        initial=90,
        help_text=_(
            "Pendant ce délai, les signatures de la version précédente restent valables, avec le statut "
            "« à renouveler »."
        ),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=CODE_LENGTH + 6,
        help_text=_("Il figure sous le QR code de la copie signée, par exemple ABCDE-FGHJK."),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("Un code de vérification compte %(n)s lettres et chiffres.") % {"n": CODE_LENGTH}
            )
        return code
