from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklist.models import Answer, Checklist, ChecklistAnswer
from core.forms import DateInput
from core.text import COMMENT_MAX_LENGTH


class OwnerChoiceField(forms.ChoiceField):
    """One of the people a follow-up action may go to, from `owners` (already read): no query per item, whether
    the field is rendered or cleaned. Cleans to the user, or None."""

    def __init__(self, *, owners, **kwargs):
        self.owners = {str(user.pk): user for user in owners}
        choices = [("", "---------"), *((pk, user.get_full_name() or user.email) for pk, user in self.owners.items())]
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _(
                    "Choisissez dans la liste : l'équipe de l'organisme, ou qui la personne a accepté de partager "
                    "la check-list."
                )
            },
        )
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.owners.get(value) if value else None


class SectionForm(forms.Form):
    """The answers of one section: per item, an answer, a comment and (when not OK) a follow-up action.

    Field names are `<item code>-answer`, `-comment`, `-action`, `-action_owner`, `-action_due`; `rows` groups
    them per item for the template and the service.
    """

    def __init__(self, *args, section, items, answers, owners, **kwargs):
        """`owners`: who the actions may go to (`checklist.services.action_owners`), per item."""
        super().__init__(*args, **kwargs)
        self.section = section
        self.items = items
        for item in items:
            answer = answers.get(item.pk)
            prefix = item.code
            self.fields[f"{prefix}-answer"] = forms.ChoiceField(
                label=item.label,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=answer.answer if answer else None,
            )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label=_("Commentaire"),
                widget=forms.Textarea,
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                initial=answer.comment if answer else "",
                help_text=_("Réservé à l'organisme et au ou à la référent·e (donnée de santé).")
                if item.sensitive
                else "",
            )
            self.fields[f"{prefix}-action"] = forms.CharField(
                label=_("Action de suivi"),
                required=False,
                max_length=ChecklistAnswer._meta.get_field("action").max_length,
                initial=answer.action if answer else "",
                help_text=_("Si le point n'est pas OK : quoi faire."),
            )
            self.fields[f"{prefix}-action_owner"] = OwnerChoiceField(
                label=_("Qui"),
                owners=sorted(owners.for_item(item), key=lambda user: (user.last_name, user.pk)),
                required=False,
                initial=answer.action_owner_id if answer else None,
            )
            self.fields[f"{prefix}-action_due"] = forms.DateField(
                label=_("Pour le"),
                widget=DateInput,
                required=False,
                initial=answer.action_due if answer else None,
            )

    def rows(self):
        """[(item, {part: bound field})] for the template."""
        parts = ("answer", "comment", "action", "action_owner", "action_due")
        return [(item, {p: self[f"{item.code}-{p}"] for p in parts}) for item in self.items]

    def service_rows(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "item": item,
                "answer": data.get(f"{item.code}-answer") or "",
                "comment": data.get(f"{item.code}-comment") or "",
                "action": data.get(f"{item.code}-action") or "",
                "action_owner": data.get(f"{item.code}-action_owner"),
                "action_due": data.get(f"{item.code}-action_due"),
            }
            for item in self.items
        ]


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        label=_("La personne accepte-t-elle que la check-list soit partagée ?"),
        choices=[("yes", _("Oui")), ("no", _("Non"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Notez la réponse de la personne.")},
    )
    consent_scope = forms.ChoiceField(
        label=_("Avec qui"),
        choices=[("", "—"), *Checklist.ConsentScope.choices],
        required=False,
        help_text=_("Sans accord, ni le prescripteur ni le ou la référent·e ne voient la check-list."),
    )
    consent_on = forms.DateField(label=_("Recueilli le"), widget=DateInput(), initial=timezone.localdate)


class StatusFilterForm(forms.Form):
    STATES = [
        ("", _("Toutes")),
        ("missing", _("Sans check-list transmise")),
        ("draft", _("En cours de saisie")),
        ("submitted", _("Transmises")),
        ("risk", _("Avec des points à risque")),
    ]
    etat = forms.ChoiceField(label=_("Check-list"), choices=STATES, required=False)
    q = forms.CharField(label=_("Nom"), required=False, max_length=100)
