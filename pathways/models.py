"""The backbone: territories, organisations and their members, people, pathways and their stages, sessions.

Reads live in QuerySet methods (`for_user` is the scoping layer, see `pathways.scoping`); writes that matter
live in `pathways.services`.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.calendar import subdivision
from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, BoundedTextField
from pathways.validators import validate_formacode, validate_siret


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rows `user` may see: the one scoping layer, `pathways.scoping`."""
        from pathways.scoping import scope

        return scope(self, user)


# --------------------------------------------------------------------------------------------------------------
# Territories


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    charter_required_for_alerts = models.BooleanField(
        _("charte exigée pour les alertes nominatives"),
        default=False,
        help_text=_(
            "Les alertes adressées à une structure sans signature valable de la charte en vigueur sont retenues "
            "jusqu'à sa signature ; le financeur les reçoit toujours."
        ),
    )
    checklist_required_to_start = models.BooleanField(
        _("check-list exigée au démarrage"),
        default=False,
        help_text=_(
            "Une étape suivie dans une session ne démarre qu'une fois sa check-list de sécurisation transmise."
        ),
    )
    scheme_organisation = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "funder"},
        verbose_name=_("structure qui anime le dispositif"),
        help_text=_(
            "Le financeur qui porte le dispositif dans la région (en général la Région) : il valide les signatures "
            "de la charte et attribue les rôles régionaux."
        ),
    )

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        organisation = self.scheme_organisation
        if organisation is not None and (organisation.kind != "funder" or organisation.region_id != self.pk):
            raise ValidationError(
                {"scheme_organisation": _("Choisissez un financeur de cette région.")}, code="scheme_organisation"
            )


class Basin(models.Model):
    """An employment basin: one INSEE "zone d'emploi" (part of it inside one region)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="basins", verbose_name=_("région"))
    code = models.CharField(_("code de zone d'emploi"), max_length=7, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("bassin d'emploi")
        verbose_name_plural = _("bassins d'emploi")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    code = models.CharField(_("code commune INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    department = models.CharField(_("département"), max_length=3)
    basin = models.ForeignKey(Basin, on_delete=models.PROTECT, related_name="communes", verbose_name=_("bassin"))

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.department})"


# --------------------------------------------------------------------------------------------------------------
# Reference data


class Programme(models.Model):
    """A funding scheme of stages, with its duration limits (seed 001: 24 months, suspensions up to 6 months)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("région"),
        help_text=_("Vide pour un dispositif national."),
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("durée maximale (mois)"),
        default=24,
        help_text=_("Durée maximale d'un parcours dans ce dispositif, hors suspensions."),
    )
    max_suspension_months = models.PositiveSmallIntegerField(_("durée maximale d'une suspension (mois)"), default=6)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("dispositif")
        verbose_name_plural = _("dispositifs")
        ordering = ["name"]
        constraints = [
            CheckConstraint(
                condition=Q(max_duration_months__gt=0),
                name="programme_max_duration_positive",
                violation_error_message=_("Un dispositif dure au moins un mois."),
                field="max_duration_months",
            ),
            CheckConstraint(
                condition=Q(max_suspension_months__gt=0),
                name="programme_max_suspension_positive",
                violation_error_message=_("Une suspension peut durer au moins un mois."),
                field="max_suspension_months",
            ),
        ]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        TRAINING_BODY = "training_body", _("Organisme de formation")
        PRESCRIBER = "prescriber", _("Prescripteur")
        FUNDER = "funder", _("Financeur")
        SUPPORT = "support", _("Structure d'accompagnement")

    class PrescriberKind(models.TextChoices):
        FRANCE_TRAVAIL = "france_travail", "France Travail"
        MISSION_LOCALE = "mission_locale", "Mission Locale"
        CAP_EMPLOI = "cap_emploi", "Cap emploi"
        PLIE = "plie", "PLIE"
        DEPARTEMENT = "departement", _("Département")
        OTHER = "other", _("Autre prescripteur")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    prescriber_kind = models.CharField(
        _("type de prescripteur"), max_length=20, choices=PrescriberKind.choices, blank=True
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("région"))
    basins = models.ManyToManyField(
        Basin, blank=True, related_name="organisations", verbose_name=_("bassins desservis")
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    alert_inbox_email = models.EmailField(
        _("adresse de la boîte d'alertes"),
        blank=True,
        help_text=_("Boîte partagée où arrivent les alertes de la structure, en plus de la boîte dans l'application."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    two_factor_required = models.BooleanField(
        _("double authentification obligatoire"),
        default=False,
        help_text=_(
            "Oblige chaque membre actif de la structure à se connecter avec un second facteur (application "
            "d'authentification). Elle l'est déjà pour les équipes régionales, les intervenant·es et les "
            "administrateur·rices."
        ),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            CheckConstraint(
                condition=(Q(kind="prescriber") & ~Q(prescriber_kind=""))
                | (~Q(kind="prescriber") & Q(prescriber_kind="")),
                name="organisation_prescriber_kind_iff_prescriber",
                violation_error_message=_(
                    "Le type de prescripteur est obligatoire pour un prescripteur, et seulement pour lui."
                ),
                field="prescriber_kind",
            ),
            UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="organisation_siret_unique",
                violation_error_message=_("Une structure avec ce SIRET existe déjà."),
                field="siret",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pathways:membership_list", args=[self.pk])


class MembershipQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True, organisation__is_active=True)


class Membership(models.Model):
    """A user's role in an organisation. A user may hold several; only active ones grant anything."""

    class Role(models.TextChoices):
        TRAINER = "trainer", _("Formateur·rice")
        PEDAGOGICAL_MANAGER = "pedagogical_manager", _("Responsable pédagogique")
        ORG_MANAGER = "org_manager", _("Responsable de structure")
        PRESCRIBER_ADVISER = "prescriber_adviser", _("Conseiller·ère prescripteur·rice")
        FACILITATOR = "facilitator", _("Intervenant·e groupes de parole")
        REGIONAL_OFFICER = "regional_officer", _("Chargé·e de mission Région / financeur")
        BASIN_COORDINATOR = "basin_coordinator", _("Coordinateur·rice de bassin")
        DPO = "dpo", _("Délégué·e à la protection des données")

    class Granter(models.TextChoices):
        """Who grants a role in an organisation (besides a platform administrator, who grants any)."""

        ORGANISATION_MANAGER = "organisation_manager", _("la direction de la structure")
        SCHEME_ORGANISATION = (
            "scheme_organisation",
            _("la direction de la structure qui anime le dispositif dans la région"),
        )

    # The table of roles (docs/design.md §6): in which organisation kinds each role exists, and who grants it there. The
    # regional roles are granted by the managers of the region's scheme organisation (`Region.scheme_organisation`)
    # or a platform administrator; the others by the organisation's own managers. Nobody grants themselves a role.
    # Read by the member forms, the services (`pathways.services.memberships`, the guard) and the admin.
    ROLE_GRANTS = {
        Role.TRAINER: ({Organisation.Kind.TRAINING_BODY}, {Granter.ORGANISATION_MANAGER}),
        Role.PEDAGOGICAL_MANAGER: ({Organisation.Kind.TRAINING_BODY}, {Granter.ORGANISATION_MANAGER}),
        Role.ORG_MANAGER: (set(Organisation.Kind), {Granter.ORGANISATION_MANAGER}),
        Role.PRESCRIBER_ADVISER: ({Organisation.Kind.PRESCRIBER}, {Granter.ORGANISATION_MANAGER}),
        Role.FACILITATOR: ({Organisation.Kind.SUPPORT}, {Granter.ORGANISATION_MANAGER}),
        Role.REGIONAL_OFFICER: ({Organisation.Kind.FUNDER}, {Granter.SCHEME_ORGANISATION}),
        Role.BASIN_COORDINATOR: (set(Organisation.Kind), {Granter.SCHEME_ORGANISATION}),
        Role.DPO: (set(Organisation.Kind), {Granter.SCHEME_ORGANISATION}),
    }
    # The legal representative flag (signs the charter for the organisation) is the organisation's own decision.
    LEGAL_REPRESENTATIVE_GRANTED_BY = {Granter.ORGANISATION_MANAGER}
    # Which organisation kinds each role belongs to (validated in forms and services).
    ROLE_KINDS = {role: kinds for role, (kinds, _granters) in ROLE_GRANTS.items()}
    ROLE_GRANTERS = {role: granters for role, (_kinds, granters) in ROLE_GRANTS.items()}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("personne"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("structure")
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    is_legal_representative = models.BooleanField(
        _("représentant·e légal·e"),
        default=False,
        help_text=_("Peut signer la charte au nom de la structure."),
    )
    basin = models.ForeignKey(
        Basin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
        verbose_name=_("bassin coordonné"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("désactivée le"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("désactivée par"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        ordering = ["organisation__name", "user__last_name", "user__first_name"]
        constraints = [
            UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role",
                violation_error_message=_("Cette personne a déjà ce rôle dans cette structure."),
                field="role",
            ),
            CheckConstraint(
                condition=Q(role="basin_coordinator", basin__isnull=False)
                | (~Q(role="basin_coordinator") & Q(basin__isnull=True)),
                name="membership_basin_iff_coordinator",
                violation_error_message=_("Un·e coordinateur·rice de bassin doit avoir un bassin, et seulement lui."),
                field="basin",
            ),
            CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True)
                | Q(is_active=False, deactivated_at__isnull=False),
                name="membership_deactivated_at_iff_inactive",
                violation_error_message=_("Un rôle désactivé a une date de désactivation, et lui seul."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    def clean(self):
        """The role exists in this kind of organisation; a coordinator's basin lies in its region."""
        if self.organisation_id is None or self.role not in Membership.ROLE_KINDS:
            return  # the field errors say what is missing
        organisation = self.organisation
        if organisation.kind not in Membership.ROLE_KINDS[self.role]:
            raise ValidationError(
                {
                    "role": _("Le rôle « %(role)s » n'existe pas dans une structure de type « %(kind)s ».")
                    % {"role": Membership.Role(self.role).label, "kind": organisation.get_kind_display()}
                }
            )
        if self.role == Membership.Role.BASIN_COORDINATOR and self.basin is None:
            raise ValidationError({"basin": _("Choisissez le bassin coordonné.")})
        if self.basin is not None and self.basin.region_id != organisation.region_id:
            raise ValidationError({"basin": _("Ce bassin n'est pas dans la région de la structure.")})


class MembershipInvitationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The invitations addressed to `user`; those of their organisations (their managers answer for them); and,
        for a manager of a region's scheme organisation, the regional roles it offered in that region."""
        from pathways import scoping
        from pathways.services.memberships import REGIONAL_ROLES, scheme_regions

        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(
            Q(user=user)
            | Q(organisation__in=scoping.org_ids(user))
            | Q(role__in=REGIONAL_ROLES, organisation__region__in=scheme_regions(user))
        )

    def pending(self):
        """Not answered yet (expired ones included: they may be sent again)."""
        return self.filter(status=MembershipInvitation.Status.PENDING)

    def open(self):
        """Waiting for an answer, and still valid."""
        return self.pending().filter(expires_at__gt=timezone.now())


class MembershipInvitation(models.Model):
    """A role offered to an account, which its owner accepts (the membership is then made) or declines.

    Whether the e-mail address had an account or not, the inviting manager sees only the address they typed and the
    state of the invitation, until it is accepted.
    """

    VALID_FOR = datetime.timedelta(days=14)

    class Status(models.TextChoices):
        PENDING = "pending", _("envoyée")
        ACCEPTED = "accepted", _("acceptée")
        DECLINED = "declined", _("refusée")
        CANCELLED = "cancelled", _("annulée")

    email = models.EmailField(_("adresse e-mail"), help_text=_("L'adresse saisie par la personne qui invite."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="membership_invitations",
        verbose_name=_("compte invité"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("structure")
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Membership.Role.choices)
    is_legal_representative = models.BooleanField(_("représentant·e légal·e"), default=False)
    basin = models.ForeignKey(
        Basin, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bassin coordonné")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invité·e par")
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    send_count = models.PositiveSmallIntegerField(
        _("envois"), default=1, help_text=_("Numéro de l'envoi en cours (un nouvel envoi l'augmente).")
    )
    send_requested_at = models.DateTimeField(_("envoi demandé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("e-mail envoyé le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse de"),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rattachement créé"),
    )

    objects = MembershipInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_role",
                violation_error_message=_("Une invitation à ce rôle est déjà en attente pour cette adresse."),
                field="role",
            ),
            CheckConstraint(
                condition=Q(role="basin_coordinator", basin__isnull=False)
                | (~Q(role="basin_coordinator") & Q(basin__isnull=True)),
                name="invitation_basin_iff_coordinator",
                violation_error_message=_("Un·e coordinateur·rice de bassin doit avoir un bassin, et seulement lui."),
                field="basin",
            ),
            CheckConstraint(
                condition=Q(status="pending", answered_at__isnull=True)
                | (~Q(status="pending") & Q(answered_at__isnull=False)),
                name="invitation_answered_at_iff_answered",
                violation_error_message=_(
                    "Une invitation a une date de réponse dès qu'elle a reçu une réponse, et seulement alors."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.email} · {self.get_role_display()} · {self.organisation}"

    def clean(self):
        if self.organisation_id is not None:
            Membership(organisation=self.organisation, role=self.role, basin=self.basin).clean()

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired

    def get_state_display(self) -> str:
        return _("expirée") if self.is_expired else self.get_status_display()


class Employer(models.Model):
    """The company of an immersion, apprenticeship or job stage. Not a login."""

    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="employers", verbose_name=_("région"))
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail du contact"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")
        ordering = ["name"]

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------------------------------------------
# Training offer


class TrainingActionQuerySet(ScopedQuerySet):
    def with_list_data(self):
        return self.select_related("funder", "basin", "programme", "training_body").annotate(
            session_count=models.Count("sessions", distinct=True)
        )


class TrainingAction(models.Model):
    training_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="training_actions",
        limit_choices_to={"kind": Organisation.Kind.TRAINING_BODY},
        verbose_name=_("organisme de formation"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    basin = models.ForeignKey(
        Basin, on_delete=models.PROTECT, related_name="training_actions", verbose_name=_("bassin")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_actions",
        verbose_name=_("dispositif"),
    )
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        related_name="funded_actions",
        limit_choices_to={"kind": Organisation.Kind.FUNDER},
        verbose_name=_("financeur"),
        help_text=_("Ses chargé·es de mission sont alerté·es des ruptures sur les étapes de cette action."),
    )
    formacode = models.CharField(_("FORMACODE"), max_length=5, blank=True, validators=[validate_formacode])
    hours = models.PositiveIntegerField(
        _("durée totale (heures)"),
        null=True,
        blank=True,
        help_text=_("Nombre total d'heures de l'action, en centre et en entreprise."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = TrainingActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action de formation")
        verbose_name_plural = _("actions de formation")
        ordering = ["title"]
        constraints = [
            CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0),
                name="trainingaction_hours_positive",
                violation_error_message=_("Une action de formation dure au moins une heure."),
                field="hours",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pathways:training_action_detail", args=[self.pk])

    def clean(self):
        """The funder is a funder of the training body's region; the basin lies in that region."""
        if self.training_body_id is None:
            return
        if self.basin_id is not None and self.basin.region_id != self.training_body.region_id:
            raise ValidationError({"basin": _("Le bassin doit être de la région de l'organisme de formation.")})
        funder = self.funder
        if funder is None:
            return
        if funder.kind != Organisation.Kind.FUNDER:
            raise ValidationError({"funder": _("Le financeur doit être une structure de type financeur.")})
        if funder.region_id != self.training_body.region_id:
            raise ValidationError({"funder": _("Le financeur doit être de la région de l'organisme de formation.")})


class Weekday(models.IntegerChoices):
    """Bits of `Session.weekdays`; the value is 1 << date.weekday()."""

    MONDAY = 1, _("lundi")
    TUESDAY = 2, _("mardi")
    WEDNESDAY = 4, _("mercredi")
    THURSDAY = 8, _("jeudi")
    FRIDAY = 16, _("vendredi")
    SATURDAY = 32, _("samedi")
    SUNDAY = 64, _("dimanche")


class SessionQuerySet(ScopedQuerySet):
    def with_list_data(self):
        active_statuses = Stage.ACTIVE_STATUSES
        return self.select_related("training_action__training_body", "training_action__basin").annotate(
            enrolled_count=models.Count(
                "enrolments", filter=Q(enrolments__stage__status__in=active_statuses), distinct=True
            )
        )


def default_morning_start():
    return datetime.time(9, 0)


def default_morning_end():
    return datetime.time(12, 30)


def default_afternoon_start():
    return datetime.time(13, 30)


def default_afternoon_end():
    return datetime.time(17, 0)


class Session(models.Model):
    """One dated run of a training action."""

    training_action = models.ForeignKey(
        TrainingAction,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("action de formation"),
    )
    label = models.CharField(_("libellé"), max_length=150, blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    weekdays = models.PositiveSmallIntegerField(
        _("jours de formation"),
        default=Weekday.MONDAY | Weekday.TUESDAY | Weekday.WEDNESDAY | Weekday.THURSDAY | Weekday.FRIDAY,
        help_text=_("Jours de la semaine où la session a lieu."),
    )
    capacity = models.PositiveSmallIntegerField(_("places"))
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lieu"),
        help_text=_(
            "Commune où la session a lieu. Ses jours fériés sont ceux du calendrier de la session (Alsace-Moselle et "
            "outre-mer en ont de propres)."
        ),
    )
    # Hours of the two half-days, copied onto each attendance slot when the calendar is generated.
    # The defaults are callables: Django's system check warns about a fixed time default (fields.W161)
    # whenever it runs within seconds of that time of day, which would fail `check --deploy` at 12:30.
    morning_start = models.TimeField(_("début de matinée"), default=default_morning_start)
    morning_end = models.TimeField(_("fin de matinée"), default=default_morning_end)
    afternoon_start = models.TimeField(_("début d'après-midi"), default=default_afternoon_start)
    afternoon_end = models.TimeField(_("fin d'après-midi"), default=default_afternoon_end)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trained_sessions",
        verbose_name=_("formateur·rices"),
        help_text=_("Les formateur·rices qui émargent cette session (leur page « Aujourd'hui » la montre en premier)."),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-start_date", "training_action__title"]
        constraints = [
            CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="session_end_after_start",
                violation_error_message=_("La fin de la session ne peut pas précéder son début."),
                field="end_date",
            ),
            CheckConstraint(
                condition=Q(capacity__gt=0),
                name="session_capacity_positive",
                violation_error_message=_("Une session a au moins une place."),
                field="capacity",
            ),
            CheckConstraint(
                condition=Q(weekdays__gt=0, weekdays__lt=128),
                name="session_weekdays_valid",
                violation_error_message=_("Choisissez au moins un jour de la semaine."),
                field="weekdays",
            ),
            CheckConstraint(
                condition=Q(morning_end__gt=models.F("morning_start"))
                & Q(afternoon_start__gte=models.F("morning_end"))
                & Q(afternoon_end__gt=models.F("afternoon_start")),
                name="session_half_day_hours_ordered",
                violation_error_message=_("Les horaires doivent se suivre : matinée, puis après-midi."),
            ),
        ]
        indexes = [
            # session lists: "current and upcoming sessions of this training body", newest first
            models.Index(fields=["training_action", "-start_date"], name="session_action_start_idx"),
        ]

    def __str__(self):
        period = f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"
        return f"{self.training_action.title} · {self.label or period}"

    def get_absolute_url(self):
        return reverse("pathways:session_detail", args=[self.pk])

    @property
    def holiday_subdivision(self) -> str | None:
        """The `holidays` subdivision of the session's place (None: metropolitan France's public holidays)."""
        return subdivision(self.commune.department) if self.commune_id else None

    @property
    def weekday_list(self):
        return [day for day in Weekday if self.weekdays & day.value]

    def runs_on(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date and bool(self.weekdays & (1 << day.weekday()))


# --------------------------------------------------------------------------------------------------------------
# People and pathways


class BeneficiaryQuerySet(ScopedQuerySet):
    pass


class Beneficiary(models.Model):
    """The person in a pathway. Minimal identity only: no social-security number (NIR)."""

    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=16, blank=True, help_text=_("Au format international (E.164)."))
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune de résidence"),
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="beneficiaries", verbose_name=_("région"))
    # Accent- and case-free copies of the names, kept by `pathways.services` for duplicate detection.
    name_key = models.CharField(max_length=210, editable=False, db_index=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("bénéficiaire")
        verbose_name_plural = _("bénéficiaires")
        ordering = ["last_name", "first_name"]
        indexes = [
            # duplicate detection: same name and birth date within a region
            models.Index(fields=["region", "name_key", "birth_date"], name="beneficiary_dup_name_idx"),
            # duplicate detection: same e-mail / phone within a region
            models.Index(fields=["region", "email"], name="beneficiary_dup_email_idx"),
            models.Index(fields=["region", "phone"], name="beneficiary_dup_phone_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("pathways:beneficiary_detail", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name.upper()}"


class PathwayQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=Pathway.Status.OPEN)

    def with_list_data(self):
        return self.select_related(
            "beneficiary", "referent", "prescribing_organisation", "prescribing_adviser", "opened_by"
        ).annotate(
            current_stage_kind=models.Subquery(
                Stage.objects.filter(pathway=models.OuterRef("pk"), status__in=Stage.ACTIVE_STATUSES)
                .order_by("-planned_start")
                .values("kind")[:1]
            ),
        )


class Pathway(models.Model):
    """The person's chained stages across organisations, held together by one referent."""

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        CLOSED = "closed", _("Clôturé")

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="pathways", verbose_name=_("bénéficiaire")
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referent_pathways",
        verbose_name=_("référent·e de parcours"),
    )
    opened_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="opened_pathways", verbose_name=_("ouvert par")
    )
    prescribing_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescribed_pathways",
        limit_choices_to={"kind": Organisation.Kind.PRESCRIBER},
        verbose_name=_("prescripteur"),
    )
    prescribing_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescribed_pathways",
        verbose_name=_("conseiller·ère prescripteur·rice"),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("ouvert le"), default=timezone.now)
    closed_at = models.DateTimeField(_("clôturé le"), null=True, blank=True)
    closure_reason = BoundedTextField(_("motif de clôture"), max_length=REASON_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["-opened_at"]
        constraints = [
            UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(status="open"),
                name="pathway_one_open_per_beneficiary",
                violation_error_message=_("Cette personne a déjà un parcours en cours."),
            ),
            CheckConstraint(
                condition=Q(prescribing_adviser__isnull=True) | Q(prescribing_organisation__isnull=False),
                name="pathway_adviser_needs_prescriber",
                violation_error_message=_("Un·e conseiller·ère suppose une structure prescriptrice."),
                field="prescribing_organisation",
            ),
            CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="pathway_closed_at_iff_closed",
                violation_error_message=_("Un parcours clôturé a une date de clôture, et lui seul."),
            ),
        ]
        indexes = [
            # home pages: "my pathways as referent / as adviser"
            models.Index(fields=["referent", "status"], name="pathway_referent_idx"),
            models.Index(fields=["prescribing_adviser", "status"], name="pathway_adviser_idx"),
        ]

    def __str__(self):
        return _("Parcours de %(name)s") % {"name": self.beneficiary.full_name}

    def get_absolute_url(self):
        return reverse("pathways:pathway_detail", args=[self.pk])

    @property
    def current_stage_label(self) -> str:
        """Label of the latest active stage, from the `with_list_data()` annotation."""
        kind = getattr(self, "current_stage_kind", None)
        return Stage.Kind(kind).label if kind else ""


class PathwayPartner(models.Model):
    """An organisation that joined a pathway (a join request accepted by the referent)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partner_pathways")
    added_at = models.DateTimeField(_("associée le"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("structure associée au parcours")
        verbose_name_plural = _("structures associées au parcours")
        constraints = [
            UniqueConstraint(
                fields=["pathway", "organisation"],
                name="pathway_partner_unique",
                violation_error_message=_("Cette structure est déjà associée à ce parcours."),
                field="organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.pathway_id}"


class JoinRequest(models.Model):
    """A request from an organisation to join a pathway it found through duplicate detection."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("structure")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("demandée par")
    )
    typed_name = models.CharField(
        _("personne saisie"),
        max_length=210,
        help_text=_("Le nom tel que la structure demandeuse l'a saisi : jamais celui du dossier existant."),
    )
    message = BoundedTextField(_("message"), max_length=COMMENT_MAX_LENGTH, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse de"),
    )
    decided_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    decision_comment = BoundedTextField(_("commentaire"), max_length=REASON_MAX_LENGTH, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de rattachement")
        verbose_name_plural = _("demandes de rattachement")
        ordering = ["-created_at"]
        constraints = [
            UniqueConstraint(
                fields=["pathway", "organisation"],
                condition=Q(status="pending"),
                name="joinrequest_one_pending_per_org",
                violation_error_message=_("Une demande est déjà en attente pour ce parcours."),
            ),
            CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="joinrequest_decided_at_iff_decided",
                violation_error_message=_(
                    "Une demande a une date de réponse dès qu'elle a reçu une réponse, et seulement alors."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.typed_name} ({self.get_status_display()})"


class StageQuerySet(ScopedQuerySet):
    def with_basin(self):
        """Annotate `basin_id_rule`: the one basin rule of every figure (issue 18). A stage belongs to its training
        action's basin; a stage outside a session (an apprenticeship at the employer, an immersion, a job) to its
        employer's commune's basin; else to the person's commune's basin."""
        return self.annotate(basin_id_rule=Stage.basin_expression())

    def in_basin(self, basin):
        """The stages the basin rule puts in `basin` (an instance or a primary key)."""
        return self.with_basin().filter(basin_id_rule=getattr(basin, "pk", basin))


class Stage(models.Model):
    """One step of a pathway, with its small state machine (see `pathways.services.stages`)."""

    class Kind(models.TextChoices):
        ORIENTATION = "orientation", _("Orientation")
        PRE_QUALIFICATION = "pre_qualification", _("Pré-qualification")
        QUALIFYING_TRAINING = "qualifying_training", _("Formation qualifiante")
        IMMERSION = "immersion", _("Immersion en entreprise (PMSMP)")
        APPRENTICESHIP = "apprenticeship", _("Contrat d'apprentissage")
        EMPLOYMENT = "employment", _("Emploi")
        FOLLOW_UP = "follow_up", _("Suivi après sortie")

    # Kinds that take place in a company.
    EMPLOYER_KINDS = {Kind.IMMERSION, Kind.APPRENTICESHIP, Kind.EMPLOYMENT}

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        IN_PROGRESS = "in_progress", _("En cours")
        SUSPENDED = "suspended", _("Suspendue")
        COMPLETED = "completed", _("Terminée")
        POSITIVE_EXIT = "positive_exit", _("Sortie positive")
        ABANDONED = "abandoned", _("Abandon")
        CANCELLED = "cancelled", _("Annulée")

    ACTIVE_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED)
    ENDED_STATUSES = (Status.COMPLETED, Status.POSITIVE_EXIT, Status.ABANDONED, Status.CANCELLED)

    class ExitDestination(models.TextChoices):
        JOB = "job", _("Emploi")
        TRAINING = "training", _("Autre formation")
        OTHER = "other", _("Autre solution")

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="stages", verbose_name=_("parcours"))
    kind = models.CharField(_("type d'étape"), max_length=30, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="stages", verbose_name=_("structure")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stages",
        verbose_name=_("dispositif"),
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stages",
        verbose_name=_("entreprise"),
    )
    planned_start = models.DateField(_("début prévu"))
    planned_end = models.DateField(_("fin prévue"), null=True, blank=True)
    actual_start = models.DateField(_("début effectif"), null=True, blank=True)
    actual_end = models.DateField(_("fin effective"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    exit_destination = models.CharField(
        _("après la sortie"), max_length=10, choices=ExitDestination.choices, blank=True
    )
    suspended_since = models.DateField(_("suspendue depuis"), null=True, blank=True)
    planned_resume = models.DateField(_("reprise prévue"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["planned_start", "pk"]
        constraints = [
            CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=models.F("planned_start")),
                name="stage_planned_end_after_start",
                violation_error_message=_("La fin prévue ne peut pas précéder le début prévu."),
                field="planned_end",
            ),
            CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="stage_actual_end_after_start",
                violation_error_message=_("La sortie ne peut pas précéder le début effectif."),
                field="actual_end",
            ),
            CheckConstraint(
                condition=Q(status="planned", actual_start__isnull=True, actual_end__isnull=True)
                | Q(
                    status__in=["in_progress", "suspended"],
                    actual_start__isnull=False,
                    actual_end__isnull=True,
                )
                | Q(
                    status__in=["completed", "positive_exit", "abandoned"],
                    actual_start__isnull=False,
                    actual_end__isnull=False,
                )
                | Q(status="cancelled", actual_end__isnull=False),
                name="stage_dates_match_status",
                violation_error_message=_("Les dates de début et de fin de l'étape ne correspondent pas à son statut."),
            ),
            CheckConstraint(
                condition=Q(status="suspended", suspended_since__isnull=False, planned_resume__isnull=False)
                | (~Q(status="suspended") & Q(suspended_since__isnull=True, planned_resume__isnull=True)),
                name="stage_suspension_dates_iff_suspended",
                violation_error_message=_(
                    "Une étape suspendue a une date de suspension et une reprise prévue, et elle seule."
                ),
            ),
            CheckConstraint(
                condition=Q(status="positive_exit") & ~Q(exit_destination="")
                | ~Q(status="positive_exit") & Q(exit_destination=""),
                name="stage_destination_iff_positive_exit",
                violation_error_message=_(
                    "Une sortie positive précise vers quoi (emploi, formation, autre solution), et elle seule."
                ),
                field="exit_destination",
            ),
        ]
        indexes = [
            # scoping: "stages held by my organisation" (training-body staff see those people)
            models.Index(fields=["organisation", "status"], name="stage_org_status_idx"),
            # the rupture rate's cohort: "stages started in the period"
            models.Index(fields=["actual_start"], name="stage_actual_start_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.organisation}"

    def get_absolute_url(self):
        return reverse("pathways:pathway_detail", args=[self.pathway_id]) + f"#etape-{self.pk}"

    @staticmethod
    def basin_expression():
        """The basin rule as an expression on Stage rows (see `StageQuerySet.with_basin`)."""
        return Coalesce(
            "enrolment__session__training_action__basin",
            "employer__commune__basin",
            "pathway__beneficiary__commune__basin",
        )

    @property
    def is_active(self):
        return self.status in Stage.ACTIVE_STATUSES

    @property
    def start(self):
        return self.actual_start or self.planned_start

    @property
    def end(self):
        """The stage's end as best known: actual, else planned."""
        return self.actual_end or self.planned_end


class StageTransition(models.Model):
    """One event of a stage's life: who moved it from which status to which, when, and why."""

    class Action(models.TextChoices):
        PLAN = "plan", _("Étape prévue")
        START = "start", _("Démarrage")
        SUSPEND = "suspend", _("Suspension")
        RESUME = "resume", _("Reprise")
        EXIT = "exit", _("Sortie")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("statut avant"), max_length=20, choices=Stage.Status.choices, blank=True)
    to_status = models.CharField(_("statut après"), max_length=20, choices=Stage.Status.choices)
    effective_date = models.DateField(_("date d'effet"))
    reason = BoundedTextField(
        _("motif"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Peut contenir des informations sensibles : restez factuel·le."),
    )
    planned_resume = models.DateField(_("reprise prévue"), null=True, blank=True)
    at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("transition d'étape")
        verbose_name_plural = _("transitions d'étape")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.effective_date:%d/%m/%Y})"


class Enrolment(models.Model):
    """A stage taken in a training session."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="enrolment", verbose_name=_("étape"))
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("session"))
    created_at = models.DateTimeField(_("inscrite le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrite par"),
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")

    def __str__(self):
        return f"{self.session} · {self.stage_id}"


# --------------------------------------------------------------------------------------------------------------
# Imports (issue 21): the uploaded file kept between its preview and its confirmation


class ImportFile(models.Model):
    """A file a training body's manager uploaded to import (people with their enrolment, or LHÉO sessions).

    The file itself is kept here, owned by its uploader, between the preview and the confirmation: the confirmation
    parses it again (nothing parsed ever travels through the browser) and checks its SHA-256 against the one shown
    in the preview. Its content is emptied once confirmed, and rows older than `pathways.imports.MAX_AGE` are
    deleted at the next upload: it may hold personal data.
    """

    class Kind(models.TextChoices):
        PEOPLE = "people", _("Personnes et inscriptions (CSV, XLSX)")
        LHEO = "lheo", _("Sessions de l'offre de formation (LHÉO)")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de confirmation")
        DONE = "done", _("Importé")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisme de formation")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("déposé par")
    )
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content = models.BinaryField(_("contenu"), blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    summary = models.JSONField(_("bilan"), default=dict, blank=True)
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("importé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("fichier importé")
        verbose_name_plural = _("fichiers importés")
        indexes = [
            # the purge of expired uploads at each new upload
            models.Index(fields=["created_at"], name="importfile_created_idx"),
        ]

    def __str__(self):
        return self.filename


class ListExportDocument(Document):
    """The export of a long list (more than EXPORT_SYNC_MAX_ROWS rows), built by a worker (`pathways.export_documents`)
    for its requester alone: which list (`list_name`, a `pathways.exports` registration), with which filters
    (`params`, the page's query string), in which format. The file names people: it is deleted with the retention
    category "exports" (`pathways.personal_data`), and downloaded only while its requester still sees every person
    it names (`people`)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel (XLSX)")

    UPLOAD_FOLDER = "exports"

    list_name = models.CharField(_("liste"), max_length=40)
    params = models.TextField(_("filtres"), blank=True)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("demandé par")
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("région")
    )
    row_count = models.PositiveIntegerField(_("lignes"), null=True, blank=True)
    people = models.JSONField(_("personnes nommées"), default=list, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("export de liste")
        verbose_name_plural = _("exports de listes")
        indexes = [models.Index(fields=["status", "requested_at"], name="listexport_sweep_idx")]

    def __str__(self):
        return f"{self.list_name} ({self.get_format_display()})"

    def get_absolute_url(self):
        return reverse("pathways:list_export_detail", args=[self.pk])
