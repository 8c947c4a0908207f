from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import COMMENT_MAX_LENGTH, text_field
from speaking_groups.models import FeedbackItem


class FeedbackForm(forms.Form):
    theme = forms.ChoiceField(label=_("Thème"), choices=FeedbackItem.Theme.choices)
    text = text_field(
        max_length=COMMENT_MAX_LENGTH,
        rows=6,
        label=_("Retour pour l'organisme de formation"),
        help_text=_(
            "Écrit pour l'organisme de formation : aucun nom, rien de ce qu'une personne a confié. "
            "Il sera lu par ses responsables pédagogiques et de structure."
        ),
    )


class ReplyForm(forms.Form):
    text = text_field(max_length=COMMENT_MAX_LENGTH, rows=3, label=_("Votre réponse : ce que vous avez changé"))
