from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import NoticeHandover
from core.forms import DateInput, ModelMultipleChoiceField, apply_errors
from core.params import parse_id
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, text_field
from core.widgets import SearchSelect
from pathways import scoping
from pathways.models import (
    Basin,
    Beneficiary,
    Commune,
    Employer,
    Membership,
    Organisation,
    Pathway,
    Programme,
    Session,
    Stage,
    TrainingAction,
    Weekday,
)
from pathways.services.memberships import (
    REGIONAL_ROLES,
    check_grant,
    grantable_roles,
    may_set_legal_representative,
)
from pathways.services.offer import ACTION_FIELDS, SESSION_FIELDS
from pathways.validators import format_phone, normalize_phone, validate_siret

User = get_user_model()

MIN_AGE, MAX_AGE = 15, 100


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


def people_of(organisations, roles=scoping.PERSON_ROLES, also=None):
    """Active users holding a person-facing role in any of `organisations` (plus the user `also`, if given)."""
    members = Membership.objects.active().filter(organisation__in=organisations, role__in=list(roles))
    condition = Q(pk__in=members.values("user_id"))
    if also is not None:
        condition |= Q(pk=also.pk)
    return User.objects.filter(condition, is_active=True).order_by("last_name", "first_name")


class WeekdaysField(forms.TypedMultipleChoiceField):
    """Session weekdays as checkboxes, stored as a bit mask."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Weekday.choices)
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [day.value for day in Weekday if value & day.value]
        return value

    def clean(self, value):
        days = super().clean(value)
        mask = 0
        for day in days:
            mask |= day
        return mask


class SessionAdminForm(forms.ModelForm):
    weekdays = WeekdaysField(label=_("Jours de formation"))

    class Meta:
        model = Session
        fields = [
            "training_action",
            "label",
            "start_date",
            "end_date",
            "weekdays",
            "capacity",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "trainers",
        ]


# --------------------------------------------------------------------------------------------------------------
# People


class BeneficiaryForm(forms.ModelForm):
    # Typed with spaces, dots or a country code; stored in E.164 by clean_phone, shown the usual way.
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        help_text=_("Ex. 06 12 34 56 78, 0692 12 34 56, ou +32 470 12 34 56 hors de France."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    class Meta:
        model = Beneficiary
        fields = ["first_name", "last_name", "birth_date", "email", "phone", "commune"]
        widgets = {"birth_date": DateInput()}
        help_texts = {"email": _("Facultatif.")}

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = Commune.objects.select_related("basin").order_by("name")
        if region is not None:
            communes = communes.filter(basin__region=region)
        self.fields["commune"].queryset = communes
        self.fields["commune"].empty_label = _("— Non renseignée —")
        self.fields["commune"].widget = commune_picker()
        self.fields["commune"].widget.choices = self.fields["commune"].choices
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        if self.instance.phone and "phone" not in self.initial:
            self.initial["phone"] = format_phone(self.instance.phone)

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth_date > today - relativedelta(years=MIN_AGE):
            raise ValidationError(
                _("La personne doit avoir au moins %(age)s ans : vérifiez la date de naissance.") % {"age": MIN_AGE}
            )
        if birth_date < today - relativedelta(years=MAX_AGE):
            raise ValidationError(_("Cette date de naissance semble erronée : vérifiez l'année."))
        return birth_date

    def identity(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class PathwayPeopleMixin:
    """Referent, prescribing organisation and adviser fields, shared by opening and editing a pathway."""

    def setup_people_fields(self, *, region, referent_orgs, default_prescriber=None):
        self.fields["referent"] = UserChoiceField(
            label=_("Référent·e de parcours"),
            queryset=people_of(referent_orgs),
            help_text=_("Le fil rouge du parcours : suit la personne d'une étape à l'autre."),
        )
        self.fields["prescribing_organisation"] = forms.ModelChoiceField(
            label=_("Prescripteur"),
            queryset=Organisation.objects.filter(
                kind=Organisation.Kind.PRESCRIBER, region=region, is_active=True
            ).order_by("name"),
            required=False,
            empty_label=_("— Pas de prescripteur (inscription directe) —"),
            widget=organisation_picker(Organisation.Kind.PRESCRIBER),
        )
        self.fields["prescribing_organisation"].widget.attrs.update(
            {
                "hx-get": self.adviser_options_url,
                "hx-target": "#id_prescribing_adviser",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        # Advisers of the chosen prescriber only (htmx reloads the options when the prescriber changes).
        self.fields["prescribing_organisation"].initial = default_prescriber
        chosen = self.data.get(self.add_prefix("prescribing_organisation")) if self.is_bound else default_prescriber
        chosen = int(chosen) if str(chosen or "").isdigit() else None
        self.fields["prescribing_adviser"] = UserChoiceField(
            label=_("Conseiller·ère prescripteur·rice"),
            queryset=people_of(
                self.fields["prescribing_organisation"].queryset.filter(pk=chosen),
                roles={Membership.Role.PRESCRIBER_ADVISER},
            ),
            required=False,
            empty_label=_("— À préciser —"),
            error_messages={"invalid_choice": _("Ce·tte conseiller·ère n'appartient pas à ce prescripteur.")},
        )

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("prescribing_organisation")
        adviser = cleaned.get("prescribing_adviser")
        if adviser is not None and org is None:
            self.add_error("prescribing_organisation", _("Choisissez la structure du ou de la conseiller·ère."))
        elif (
            adviser is not None
            and not Membership.objects.active()
            .filter(user=adviser, organisation=org, role=Membership.Role.PRESCRIBER_ADVISER)
            .exists()
        ):
            self.add_error("prescribing_adviser", _("Ce·tte conseiller·ère n'appartient pas à ce prescripteur."))
        return cleaned


class BeneficiaryCreateForm(PathwayPeopleMixin, BeneficiaryForm):
    """A new person and their pathway, in one page."""

    opened_by = forms.ModelChoiceField(label=_("Au titre de"), queryset=Organisation.objects.none(), empty_label=None)
    confirm_other_person = forms.BooleanField(
        label=_("J'ai vérifié : il s'agit d'une autre personne que celle déjà suivie."), required=False
    )

    class Meta(BeneficiaryForm.Meta):
        fields = BeneficiaryForm.Meta.fields

    def __init__(self, *args, user, adviser_options_url, **kwargs):
        self.user = user
        self.adviser_options_url = adviser_options_url
        organisations = scoping.enrolling_organisations(user)
        region = organisations[0].region if organisations else None
        super().__init__(*args, region=region, **kwargs)
        self.fields["opened_by"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if organisations:
            self.fields["opened_by"].initial = organisations[0].pk
        prescribers = [o for o in organisations if o.kind == Organisation.Kind.PRESCRIBER]
        self.setup_people_fields(
            region=region, referent_orgs=organisations, default_prescriber=prescribers[0].pk if prescribers else None
        )
        self.fields["referent"].initial = user.pk
        if prescribers and Membership.Role.PRESCRIBER_ADVISER in scoping.roles_of(user):
            self.fields["prescribing_adviser"].initial = user.pk
        if len(organisations) <= 1:
            self.fields["opened_by"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        opened_by, referent = cleaned.get("opened_by"), cleaned.get("referent")
        if opened_by is not None and referent is not None:
            orgs = [opened_by] + (
                [cleaned["prescribing_organisation"]] if cleaned.get("prescribing_organisation") else []
            )
            if not people_of(orgs).filter(pk=referent.pk).exists():
                self.add_error(
                    "referent",
                    _("Le ou la référent·e doit être membre de votre structure ou du prescripteur."),
                )
        return cleaned


class PathwayOpenForm(PathwayPeopleMixin, forms.Form):
    """A new pathway for a person already known (all their pathways are closed)."""

    opened_by = forms.ModelChoiceField(label=_("Au titre de"), queryset=Organisation.objects.none(), empty_label=None)

    def __init__(self, *args, user, adviser_options_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.adviser_options_url = adviser_options_url
        organisations = scoping.enrolling_organisations(user)
        region = organisations[0].region if organisations else None
        self.fields["opened_by"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if organisations:
            self.fields["opened_by"].initial = organisations[0].pk
        if len(organisations) <= 1:
            self.fields["opened_by"].widget = forms.HiddenInput()
        prescribers = [o for o in organisations if o.kind == Organisation.Kind.PRESCRIBER]
        self.setup_people_fields(
            region=region, referent_orgs=organisations, default_prescriber=prescribers[0].pk if prescribers else None
        )
        self.fields["referent"].initial = user.pk


class PathwayForm(PathwayPeopleMixin, forms.Form):
    def __init__(self, *args, pathway: Pathway, organisations, adviser_options_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.adviser_options_url = adviser_options_url
        self.setup_people_fields(
            region=pathway.beneficiary.region,
            referent_orgs=organisations,
            default_prescriber=pathway.prescribing_organisation_id,
        )
        self.fields["referent"].queryset = people_of(organisations, also=pathway.referent)
        self.initial.update(
            referent=pathway.referent_id,
            prescribing_organisation=pathway.prescribing_organisation_id,
            prescribing_adviser=pathway.prescribing_adviser_id,
        )


class PathwayCloseForm(forms.Form):
    reason = text_field(
        label=_("Motif de la clôture"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Ex. : parcours achevé, emploi durable, déménagement hors région."),
    )


# --------------------------------------------------------------------------------------------------------------
# Stages


class StagePlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type d'étape"), choices=Stage.Kind.choices)
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("— Hors session —"),
        help_text=_("Pour une formation : la structure et le dispositif viennent de la session."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Structure"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— Choisir —"),
        help_text=_("Pour une étape hors session : la structure qui la tient ou la suit."),
    )
    programme = forms.ModelChoiceField(
        label=_("Dispositif"), queryset=Programme.objects.none(), required=False, empty_label=_("— Aucun —")
    )
    employer = forms.ModelChoiceField(
        label=_("Entreprise"), queryset=Employer.objects.none(), required=False, empty_label=_("— Choisir —")
    )
    new_employer_name = forms.CharField(
        label=_("… ou nouvelle entreprise : raison sociale"), max_length=200, required=False
    )
    new_employer_siret = forms.CharField(label=_("SIRET de la nouvelle entreprise"), max_length=20, required=False)
    planned_start = forms.DateField(label=_("Début prévu"), widget=DateInput())
    planned_end = forms.DateField(label=_("Fin prévue"), widget=DateInput(), required=False)

    def __init__(self, *args, region, stage: Stage | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.stage = stage
        today = timezone.localdate()
        self.fields["session"].queryset = (
            Session.objects.filter(training_action__training_body__region=region, end_date__gte=today)
            .select_related("training_action", "training_action__training_body")
            .order_by("training_action__title", "start_date")
        )
        self.fields["session"].label_from_instance = lambda s: (
            _("%(action)s · %(body)s · du %(start)s au %(end)s")
            % {
                "action": s.training_action.title,
                "body": s.training_action.training_body.name,
                "start": s.start_date.strftime("%d/%m/%Y"),
                "end": s.end_date.strftime("%d/%m/%Y"),
            }
        )
        self.fields["organisation"].queryset = Organisation.objects.filter(region=region, is_active=True).order_by(
            "name"
        )
        self.fields["organisation"].widget = organisation_picker()
        self.fields["organisation"].widget.choices = self.fields["organisation"].choices
        self.fields["programme"].queryset = Programme.objects.filter(is_active=True).order_by("name")
        self.fields["employer"].queryset = Employer.objects.filter(region=region).order_by("name")
        if stage is not None:
            enrolment = getattr(stage, "enrolment", None)
            if enrolment is not None:
                self.fields["session"].queryset = (
                    self.fields["session"].queryset | Session.objects.filter(pk=enrolment.session_id)
                ).distinct()
            if stage.programme_id:
                self.fields["programme"].queryset = (
                    self.fields["programme"].queryset | Programme.objects.filter(pk=stage.programme_id)
                ).distinct()
            self.initial.update(
                kind=stage.kind,
                session=enrolment.session_id if enrolment else None,
                organisation=stage.organisation_id,
                programme=stage.programme_id,
                employer=stage.employer_id,
                planned_start=stage.planned_start,
                planned_end=stage.planned_end,
            )
            self.fields["kind"].disabled = True
            if stage.status != Stage.Status.PLANNED:
                for name in ("session", "organisation", "programme", "employer", "planned_start"):
                    self.fields[name].disabled = True
                del self.fields["new_employer_name"], self.fields["new_employer_siret"]

    def clean_new_employer_siret(self):
        siret = self.cleaned_data["new_employer_siret"].replace(" ", "")
        if siret:
            validate_siret(siret)
        return siret

    def clean(self):
        cleaned = super().clean()
        session = cleaned.get("session")
        if session is not None:
            cleaned["organisation"] = session.training_action.training_body
        elif not cleaned.get("organisation") and "organisation" not in self.errors:
            self.add_error("organisation", _("Choisissez la structure, ou une session."))
        if cleaned.get("employer") and cleaned.get("new_employer_name"):
            self.add_error("new_employer_name", _("Choisissez une entreprise existante ou saisissez-en une nouvelle."))
        return cleaned


def _today():
    return timezone.localdate()


class StageStartForm(forms.Form):
    date = forms.DateField(label=_("Date de démarrage"), widget=DateInput(), initial=_today)
    comment = text_field(label=_("Commentaire"), max_length=REASON_MAX_LENGTH, rows=2, required=False)


class StageSuspendForm(forms.Form):
    date = forms.DateField(label=_("Suspendue à partir du"), widget=DateInput(), initial=_today)
    planned_resume = forms.DateField(label=_("Reprise prévue le"), widget=DateInput())
    reason = text_field(
        label=_("Motif"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Restez factuel·le : ce motif est visible des partenaires du parcours."),
    )


class StageResumeForm(forms.Form):
    date = forms.DateField(label=_("Date de reprise"), widget=DateInput(), initial=_today)
    comment = text_field(label=_("Commentaire"), max_length=REASON_MAX_LENGTH, rows=2, required=False)


class StageExitForm(forms.Form):
    status = forms.ChoiceField(label=_("Type de sortie"), widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date de sortie"), widget=DateInput(), initial=_today)
    destination = forms.ChoiceField(
        label=_("Pour une sortie positive : vers"),
        choices=[("", "—")] + list(Stage.ExitDestination.choices),
        required=False,
    )
    reason = text_field(
        label=_("Motif ou commentaire"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("Obligatoire pour un abandon ou une annulation."),
    )

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        from pathways.services.stages import EXITS_FROM

        allowed = EXITS_FROM.get(stage.status, set())
        self.fields["status"].choices = [(v, label) for v, label in Stage.Status.choices if v in allowed]


# --------------------------------------------------------------------------------------------------------------
# Join requests


class JoinRequestForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput(), max_length=4000)
    message = text_field(
        label=_("Message au ou à la référent·e"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        help_text=_("Expliquez pourquoi votre structure doit suivre ce parcours. Pas d'information de santé."),
    )


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Réponse"),
        choices=[("accept", _("Accepter")), ("refuse", _("Refuser"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez d'accepter ou de refuser la demande.")},
    )
    comment = text_field(label=_("Commentaire"), max_length=REASON_MAX_LENGTH, rows=2, required=False)


# --------------------------------------------------------------------------------------------------------------
# Members


class MemberAddForm(forms.Form):
    """Invite someone to a role: only the roles the table lets `user` grant are offered (the service is the guard).

    The managers of a region's scheme organisation also offer the regional roles in the region's other
    organisations: from their own organisation's page, the form then asks in which one.
    """

    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, help_text=_("Pour le compte créé si cette adresse n'en a pas encore.")
    )
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Structure"),
        queryset=Organisation.objects.none(),
        help_text=_("Les rôles régionaux s'attribuent dans toute structure de la région."),
    )
    role = forms.ChoiceField(label=_("Rôle"))
    is_legal_representative = forms.BooleanField(
        label=_("Représentant·e légal·e (signe la charte pour la structure)"), required=False
    )
    basin = forms.ModelChoiceField(
        label=_("Bassin coordonné"),
        queryset=Basin.objects.none(),
        required=False,
        help_text=_("Seulement pour un·e coordinateur·rice de bassin."),
    )

    def __init__(self, *args, organisation: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_organisation = organisation
        roles = set(grantable_roles(user, organisation))
        if organisation.region.scheme_organisation_id == organisation.pk and roles & REGIONAL_ROLES:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                region=organisation.region_id, is_active=True
            ).order_by("name")
            self.fields["organisation"].initial = organisation.pk
            roles |= REGIONAL_ROLES
        else:
            del self.fields["organisation"]
        self.fields["role"].choices = [(role.value, role.label) for role in Membership.Role if role in roles]
        if not may_set_legal_representative(user, organisation):
            del self.fields["is_legal_representative"]
        if Membership.Role.BASIN_COORDINATOR in roles:
            self.fields["basin"].queryset = Basin.objects.filter(region=organisation.region_id).order_by("name")
        else:
            del self.fields["basin"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def invitation(self) -> dict:
        """The service's arguments: the organisation chosen (the page's by default) and the role offered."""
        data = dict(self.cleaned_data)
        data["organisation"] = data.get("organisation") or self.page_organisation
        return data


class MembershipEditForm(forms.Form):
    is_legal_representative = forms.BooleanField(
        label=_("Représentant·e légal·e (signe la charte pour la structure)"), required=False
    )
    basin = forms.ModelChoiceField(label=_("Bassin coordonné"), queryset=Basin.objects.none(), required=False)

    def __init__(self, *args, membership: Membership, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update(is_legal_representative=membership.is_legal_representative, basin=membership.basin_id)
        if membership.role == Membership.Role.BASIN_COORDINATOR:
            self.fields["basin"].queryset = Basin.objects.filter(region=membership.organisation.region_id)
            self.fields["basin"].required = True
            if membership.role not in grantable_roles(user, membership.organisation):
                # Who coordinates which basin is the scheme organisation's decision: shown, not changed here.
                self.fields["basin"].disabled = True
                self.fields["basin"].help_text = _(
                    "Le bassin coordonné se change par la structure qui anime le dispositif dans la région."
                )
        else:
            del self.fields["basin"]


class MembershipAdminForm(forms.ModelForm):
    """A membership made or changed in the admin: granted along the table of roles, never to oneself. Its state
    (active or not) is changed by the deactivation service, not here."""

    # Who is granting: set by the admin for each request (`MembershipAdmin.get_form`).
    granting_user = None
    GRANT_FIELDS = frozenset({"user", "organisation", "role", "is_legal_representative", "basin"})

    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "is_legal_representative", "basin"]

    def clean(self):
        cleaned = super().clean()
        by = self.granting_user
        if by is None or (self.instance.pk is not None and not self.GRANT_FIELDS & set(self.changed_data)):
            return cleaned
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        role = cleaned.get("role") or self.instance.role
        if user is None or organisation is None or not role:
            return cleaned
        try:
            check_grant(
                by=by,
                organisation=organisation,
                role=role,
                user=user,
                is_legal_representative=bool(cleaned.get("is_legal_representative")),
            )
        except ValidationError as error:
            apply_errors(self, error)
        return cleaned


class OrganisationTwoFactorForm(forms.Form):
    """The organisation manager makes the second factor mandatory for the organisation's members, or optional again;
    the box confirms they read what it does."""

    required = forms.TypedChoiceField(
        choices=[("1", _("obligatoire")), ("0", _("facultative"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
        error_messages={"required": _("Choisissez si la double authentification est obligatoire ou non.")},
    )
    confirm = forms.BooleanField(
        label=_("Je confirme ce changement."),
        error_messages={"required": _("Cochez la case pour confirmer le changement.")},
    )


class MembershipDeactivateForm(forms.Form):
    """One successor per affected pathway, with a default that fills every row left empty."""

    def __init__(self, *args, affected, referent_candidates, adviser_candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.affected = affected
        if affected.as_referent:
            self.fields["referent_default"] = UserChoiceField(
                label=_("Nouveau·elle référent·e (pour tous les parcours ci-dessous)"),
                queryset=referent_candidates,
                required=False,
            )
            for pathway in affected.as_referent:
                self.fields[f"referent_{pathway.pk}"] = UserChoiceField(
                    label=_("Référent·e pour %(name)s") % {"name": pathway.beneficiary.full_name},
                    queryset=referent_candidates,
                    required=False,
                    empty_label=_("— Comme ci-dessus —"),
                )
        if affected.as_adviser:
            self.fields["adviser_default"] = UserChoiceField(
                label=_("Nouveau·elle conseiller·ère (pour tous les parcours ci-dessous)"),
                queryset=adviser_candidates,
                required=False,
            )
            for pathway in affected.as_adviser:
                self.fields[f"adviser_{pathway.pk}"] = UserChoiceField(
                    label=_("Conseiller·ère pour %(name)s") % {"name": pathway.beneficiary.full_name},
                    queryset=adviser_candidates,
                    required=False,
                    empty_label=_("— Comme ci-dessus —"),
                )

    def _collect(self, prefix, pathways):
        chosen = {}
        default = self.cleaned_data.get(f"{prefix}_default")
        for pathway in pathways:
            successor = self.cleaned_data.get(f"{prefix}_{pathway.pk}") or default
            if successor is None:
                self.add_error(f"{prefix}_{pathway.pk}", _("Choisissez qui reprend ce parcours."))
            chosen[pathway.pk] = successor
        return chosen

    def clean(self):
        cleaned = super().clean()
        self.referents = self._collect("referent", self.affected.as_referent)
        self.advisers = self._collect("adviser", self.affected.as_adviser)
        return cleaned

    def referent_rows(self):
        return [self[f"referent_{p.pk}"] for p in self.affected.as_referent]

    def adviser_rows(self):
        return [self[f"adviser_{p.pk}"] for p in self.affected.as_adviser]


# --------------------------------------------------------------------------------------------------------------
# Rights of the person (accounts' models, recorded from the person's page)


class SharingObjectionForm(forms.Form):
    """The person objects to an organisation of their region seeing their record. The organisations of their
    referents are not offered (`protected`): someone must hold the pathway."""

    organisation = forms.ModelChoiceField(
        label=_("Structure à laquelle la personne s'oppose"),
        queryset=Organisation.objects.none(),
        help_text=_(
            "Tous les membres de cette structure, quel que soit leur rôle, ne verront plus la personne ni son "
            "parcours. La structure du ou de la référent·e de parcours ne peut pas faire l'objet d'une opposition."
        ),
        error_messages={"required": _("Choisissez la structure."), "invalid_choice": _("Choisissez la structure.")},
    )
    reason = text_field(label=_("Motif (facultatif)"), max_length=REASON_MAX_LENGTH, rows=2, required=False)

    def __init__(self, *args, beneficiary, protected, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(region=beneficiary.region_id).exclude(pk__in=protected).order_by("name")
        )


class NoticeHandoverForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Comment la notice a-t-elle été remise ?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Dites comment la notice a été remise.")},
    )
    language = forms.ChoiceField(label=_("Langue de la notice"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = NoticeHandover.Method.choices
        self.fields["language"].choices = settings.LANGUAGES


def person_condition(text: str):
    """A condition on Beneficiary rows for a person typed in a search (None when empty): their number, or every word
    of it in the first or last name."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():  # a number: a person's id, or nobody (25 digits, '²')
        number = parse_id(text)
        return Q(pk=number) if number is not None else Q(pk__in=[])
    condition = Q()
    for word in text.split():
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return condition


class DpoPersonSearchForm(forms.Form):
    """A data-protection officer looks for a person of their remit who asked for their rights
    (`pathways.views.dpo`). Sent by POST: the name typed never lands in a URL, hence never in a server log."""

    person = forms.CharField(
        label=_("Personne"),
        max_length=100,
        help_text=_("Nom, prénom ou numéro de la personne."),
        error_messages={"required": _("Tapez le nom, le prénom ou le numéro de la personne.")},
    )

    def people_filter(self):
        return person_condition(self.cleaned_data["person"])


class AccessLogSearchForm(forms.Form):
    """The data-protection officer's search of the access log (`pathways.views.access_log`). Sent by POST: the names
    typed here never land in a URL, hence never in a server log."""

    person = forms.CharField(
        label=_("Personne"),
        required=False,
        max_length=100,
        help_text=_("Nom, prénom ou numéro de la personne."),
    )
    user = forms.CharField(
        label=_("Utilisateur·rice"), required=False, max_length=100, help_text=_("Nom ou adresse e-mail.")
    )
    organisation = forms.ModelChoiceField(
        label=_("Au titre de la structure"), queryset=Organisation.objects.none(), required=False
    )
    start = forms.DateField(label=_("Du"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Au"), required=False, widget=DateInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("La fin de la période précède son début."))
        return cleaned

    def people_filter(self):
        """A condition on Beneficiary rows for the `person` field (None when empty): `person_condition`."""
        return person_condition(self.cleaned_data.get("person", ""))

    def users_filter(self):
        text = self.cleaned_data.get("user", "").strip()
        if not text:
            return None
        if "@" in text:
            return Q(email__iexact=text)
        condition = Q()
        for word in text.split():
            condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return condition


# --------------------------------------------------------------------------------------------------------------
# Pickers that search as you type (`core.widgets.SearchSelect`): every choice of a commune or an organisation


def commune_picker():
    return SearchSelect(
        search_url=reverse_lazy("pathways:commune_options"),
        search_label=_("Rechercher une commune (nom ou code INSEE)"),
    )


def organisation_picker(kind: str = ""):
    url = reverse_lazy("pathways:organisation_options")
    return SearchSelect(
        search_url=format_lazy("{}?kind={}", url, kind) if kind else url,
        search_label=_("Rechercher une structure (nom ou SIRET)"),
    )


# --------------------------------------------------------------------------------------------------------------
# A training body's offer


class TrainingActionForm(forms.ModelForm):
    """A training action of `training_body`: funders, basins and programmes of its region only (the service refuses
    any other)."""

    class Meta:
        model = TrainingAction
        fields = list(ACTION_FIELDS)
        help_texts = {"formacode": _("Cinq chiffres, par exemple 42056 (facultatif).")}

    def __init__(self, *args, training_body: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from pathways.services.offer import basins_for, funders_for, programmes_for

        self.fields["funder"].queryset = funders_for(training_body)
        self.fields["funder"].required = True
        self.fields["funder"].empty_label = _("— Choisir le financeur —")
        self.fields["basin"].queryset = basins_for(training_body)
        self.fields["basin"].empty_label = _("— Choisir le bassin —")
        programmes = programmes_for(training_body)
        if self.instance.programme_id:
            programmes = programmes | Programme.objects.filter(pk=self.instance.programme_id)
        self.fields["programme"].queryset = programmes.distinct().order_by("name")
        self.fields["programme"].empty_label = _("— Aucun —")
        if self.instance.funder_id:
            self.fields["funder"].queryset = (
                (self.fields["funder"].queryset | Organisation.objects.filter(pk=self.instance.funder_id))
                .distinct()
                .order_by("name")
            )
        if self.instance.pk is None:
            del self.fields["is_active"]


class SessionForm(forms.ModelForm):
    """A session of a training action: its calendar is generated from these dates, days, place and hours."""

    weekdays = WeekdaysField(label=_("Jours de formation"))

    class Meta:
        model = Session
        fields = [*SESSION_FIELDS, "trainers"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "morning_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "morning_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "afternoon_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "afternoon_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "trainers": forms.CheckboxSelectMultiple,
        }
        help_texts = {"label": _("Facultatif, par exemple « Groupe du matin » ou « Promotion 2027 ».")}

    def __init__(self, *args, action: TrainingAction, **kwargs):
        super().__init__(*args, **kwargs)
        from pathways.services.offer import trainers_for

        region = action.training_body.region_id
        self.fields["commune"] = forms.ModelChoiceField(
            label=_("Lieu (commune)"),
            queryset=Commune.objects.filter(basin__region=region).order_by("name"),
            required=False,
            empty_label=_("— Non renseigné —"),
            widget=commune_picker(),
            help_text=Session._meta.get_field("commune").help_text,
            error_messages={"invalid_choice": _("Choisissez une commune de la région de l'organisme.")},
        )
        self.fields["trainers"] = ModelMultipleChoiceField(
            label=_("Formateur·rices"),
            queryset=trainers_for(action.training_body),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Les membres de l'organisme qui émargent cette session."),
        )
        self.fields["trainers"].label_from_instance = lambda user: user.get_full_name() or user.email
