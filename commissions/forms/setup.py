from django import forms
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission
from core.forms import ModelMultipleChoiceField
from pathways.models import Membership, Organisation


class MembershipChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.get_full_name() or obj.user.email} · {obj.organisation.name} ({obj.get_role_display()})"


class CommissionForm(forms.ModelForm):
    organisations = ModelMultipleChoiceField(
        label=_("Structures membres"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    delegates = MembershipChoiceField(
        label=_("Délégué·es"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Des membres en activité des structures membres : ils et elles reçoivent les invitations."),
    )

    class Meta:
        model = Commission
        fields = ["name", "cadence_weeks", "usual_place", "video_link", "waiting_threshold_days"]

    video_link = forms.URLField(label=_("Lien de visioconférence"), required=False, assume_scheme="https")

    def __init__(self, *args, basin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["organisations"].queryset = Organisation.objects.filter(
            region=basin.region_id, is_active=True
        ).order_by("name")
        self.fields["delegates"].queryset = (
            Membership.objects.active()
            .filter(organisation__region=basin.region_id, user__is_active=True)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__last_name", "user__first_name", "pk")
        )
        # The delegates listed under their organisation (one group each), rather than hundreds of lines in a row.
        groups: dict[str, list] = {}
        for membership in self.fields["delegates"].queryset:
            name = membership.user.get_full_name() or membership.user.email
            groups.setdefault(membership.organisation.name, []).append(
                (membership.pk, f"{name} ({membership.get_role_display()})")
            )
        self.fields["delegates"].choices = list(groups.items())
        if self.instance.pk:
            self.fields["organisations"].initial = list(self.instance.organisations.values_list("pk", flat=True))
            delegates = {(d.organisation_id, d.user_id) for d in self.instance.delegates.all()}
            self.fields["delegates"].initial = [
                m.pk for m in self.fields["delegates"].queryset if (m.organisation_id, m.user_id) in delegates
            ]
