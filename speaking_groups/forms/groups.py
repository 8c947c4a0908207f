from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, ModelMultipleChoiceField
from core.text import text_field
from pathways.models import Organisation, Session
from speaking_groups.models import NOTE_MAX_LENGTH
from speaking_groups.services.groups import co_facilitator_choices, facilitator_choices

User = get_user_model()


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class _UsersChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class _SessionsChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.training_action.title} · {obj.label or ''} ({obj.start_date:%d/%m/%Y} – {obj.end_date:%d/%m/%Y})"


class GroupForm(forms.Form):
    """A group: its structure (when the facilitator has several), its training body, its sessions and who runs it.
    The training body is chosen first (a GET parameter of the page), then its sessions and pedagogical managers."""

    name = forms.CharField(label=_("Nom du groupe"), max_length=200)
    sessions = _SessionsChoice(
        label=_("Sessions"), queryset=Session.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    facilitators = _UsersChoice(
        label=_("Intervenant·es"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    co_facilitator = _UserChoice(
        label=_("Co-animateur·rice pédagogique"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Un·e responsable pédagogique de l'organisme, qui co-anime les ateliers collectifs."),
    )

    def __init__(self, *args, support: Organisation, training_body: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = (
            Session.objects.filter(training_action__training_body=training_body)
            .select_related("training_action")
            .order_by("-start_date", "pk")
        )
        self.fields["facilitators"].queryset = User.objects.filter(
            pk__in=facilitator_choices(support).values("user_id")
        ).order_by("last_name", "first_name")
        self.fields["co_facilitator"].queryset = User.objects.filter(
            pk__in=co_facilitator_choices(training_body).values("user_id")
        ).order_by("last_name", "first_name")


class WorkshopForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    theme = forms.CharField(label=_("Thème"), max_length=200)
    co_facilitator = _UserChoice(label=_("Co-animateur·rice pédagogique"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = group.sessions.select_related("training_action").order_by("-start_date")
        self.fields["session"].label_from_instance = _SessionsChoice.label_from_instance.__get__(self.fields["session"])
        self.fields["co_facilitator"].queryset = User.objects.filter(
            pk__in=co_facilitator_choices(group.training_body).values("user_id")
        )
        if group.co_facilitator_id and not self.is_bound:
            self.initial.setdefault("co_facilitator", group.co_facilitator_id)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("L'atelier doit finir après son début."))
        return data


class NotesForm(forms.Form):
    notes = text_field(
        label=_("Notes (confidentielles)"),
        max_length=NOTE_MAX_LENGTH,
        rows=5,
        required=False,
        help_text=_("Lisibles par les seul·es intervenant·es de votre structure, chiffrées en base."),
    )


class _PeopleChoice(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.pathway.beneficiary.full_name


class AttendanceForm(forms.Form):
    stages = _PeopleChoice(label=_("Présent·es"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].queryset = stages
