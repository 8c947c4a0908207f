"""Ruptures (docs/design.md §4), their alerts to the partners, the actions taken, and skills attestations.

The data keeps apart what seed 001 says differ: an interruption (a pause), a positive early exit, an abandon, an
apprenticeship contract break, an exclusion. Writes live in `ruptures.services`; the rupture rate in
`ruptures.rates`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attendance.models import Drift, FollowUpAttempt
from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, BoundedTextField
from pathways import scoping
from pathways.models import Organisation, ScopedQuerySet, Stage


class Cause(models.TextChoices):
    """The four families of causes of seed 000, with their sub-causes; the family is the code's prefix."""

    PROJECT_ORIENTATION = "project.orientation", _("Erreur d'orientation")
    PROJECT_NOT_VALIDATED = "project.not_validated", _("Projet professionnel non validé")
    PROJECT_NO_IMMERSION = "project.no_immersion", _("Pas d'immersion en entreprise avant l'entrée")
    CONTENT_PEDAGOGY = "content.pedagogy", _("Pédagogie, rythme de la formation")
    CONTENT_LEVEL = "content.level", _("Niveau attendu trop élevé ou trop faible")
    CONTENT_GROUP = "content.group", _("Relations dans le groupe")
    CONDITIONS_HOUSING = "conditions.housing", _("Logement")
    CONDITIONS_TRANSPORT = "conditions.transport", _("Transport, mobilité")
    CONDITIONS_CHILDCARE = "conditions.childcare", _("Garde d'enfants")
    CONDITIONS_REMUNERATION = "conditions.remuneration", _("Rémunération, ressources")
    CONDITIONS_HEALTH = "conditions.health", _("Santé")
    CONDITIONS_ADMINISTRATIVE = "conditions.administrative", _("Situation administrative")
    UNFORESEEN = "unforeseen.event", _("Événement imprévu (contexte personnel ou familial)")

    @classmethod
    def family_of(cls, code: str) -> str:
        return code.split(".", 1)[0]


CAUSE_FAMILIES = {
    "project": _("Construction du projet"),
    "content": _("Contenu de la formation"),
    "conditions": _("Conditions de participation"),
    "unforeseen": _("Impondérables"),
}


class RuptureQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope (registered in `RupturesConfig.ready`): the ruptures of the pathways `user` sees."""
        if not scoping.active_memberships(user):
            return self.none()
        return self.filter(stage__pathway__in=scoping.visible_pathway_ids(user))


class Rupture(models.Model):
    class Kind(models.TextChoices):
        INTERRUPTION = "interruption", _("Interruption (suspension avec reprise prévue)")
        POSITIVE_EXIT = "positive_exit", _("Sortie anticipée positive (emploi, autre formation)")
        ABANDON = "abandon", _("Abandon (perte de contact)")
        CONTRACT_BREAK = "contract_break", _("Rupture du contrat d'apprentissage")
        EXCLUSION = "exclusion", _("Exclusion")

    class Initiative(models.TextChoices):
        EMPLOYER = "employer", _("À l'initiative de l'employeur")
        APPRENTICE = "apprentice", _("À l'initiative de l'apprenti·e")
        MUTUAL = "mutual", _("D'un commun accord")

    class IdentifiedBy(models.TextChoices):
        TRAINER = "trainer", _("Le formateur ou la formatrice")
        PERSON = "person", _("La personne elle-même")
        PRESCRIBER = "prescriber", _("Le prescripteur")
        FACILITATOR = "facilitator", _("L'intervenant·e des groupes de parole")

    # Kinds counted in the rupture rate (an apprenticeship contract break only when no new stage follows it).
    RATE_KINDS = (Kind.ABANDON, Kind.EXCLUSION)

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="ruptures", verbose_name=_("étape"))
    drift = models.OneToOneField(
        Drift,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rupture",
        verbose_name=_("rupture présumée d'origine"),
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date de la rupture"))
    last_presence = models.DateField(_("dernière présence"), null=True, blank=True)
    main_cause = models.CharField(_("cause principale"), max_length=40, choices=Cause.choices)
    identified_by = models.CharField(_("repérée par"), max_length=20, choices=IdentifiedBy.choices)
    contract_initiative = models.CharField(
        _("initiative de la rupture du contrat"), max_length=12, choices=Initiative.choices, blank=True
    )
    during_trial_period = models.BooleanField(_("pendant la période d'essai"), null=True, blank=True)
    planned_resume = models.DateField(_("reprise prévue"), null=True, blank=True)
    exit_destination = models.CharField(
        _("sortie vers"), max_length=10, choices=Stage.ExitDestination.choices, blank=True
    )
    comment = BoundedTextField(
        _("commentaire"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("Factuel : pas de détail médical ni de vie privée inutile."),
    )
    no_reminder_reason = BoundedTextField(
        _("pourquoi aucune relance"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Obligatoire pour un abandon déclaré sans relance."),
    )
    reminders = models.ManyToManyField(
        FollowUpAttempt, blank=True, related_name="ruptures", verbose_name=_("relances effectuées")
    )
    declared_at = models.DateTimeField(_("déclarée le"), auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("déclarée par")
    )
    declaring_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declared_ruptures",
        verbose_name=_("au titre de"),
    )
    alert = models.OneToOneField(
        "alerts.Alert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rupture",
        verbose_name=_("alerte"),
        help_text=_("L'alerte émise à la déclaration."),
    )

    objects = RuptureQuerySet.as_manager()

    class Meta:
        verbose_name = _("rupture")
        verbose_name_plural = _("ruptures")
        ordering = ["-declared_at"]
        constraints = [
            # A stage ends in one rupture at most; interruptions (pauses) before it may be several.
            UniqueConstraint(
                fields=["stage"],
                condition=~Q(kind="interruption"),
                name="rupture_one_ending_per_stage",
                violation_error_message=_("Une rupture est déjà déclarée pour cette étape."),
            ),
            CheckConstraint(
                condition=Q(kind="contract_break", contract_initiative__gt="", during_trial_period__isnull=False)
                | (~Q(kind="contract_break") & Q(contract_initiative="", during_trial_period__isnull=True)),
                name="rupture_contract_details_iff_contract_break",
                violation_error_message=_(
                    "Une rupture de contrat d'apprentissage dit qui en a pris l'initiative et si elle a eu lieu "
                    "pendant la période d'essai ; les autres ruptures, non."
                ),
                field="contract_initiative",
            ),
            CheckConstraint(
                condition=Q(kind="interruption", planned_resume__isnull=False)
                | (~Q(kind="interruption") & Q(planned_resume__isnull=True)),
                name="rupture_resume_iff_interruption",
                violation_error_message=_("Une interruption se déclare avec sa date de reprise prévue, et elle seule."),
                field="planned_resume",
            ),
            CheckConstraint(
                condition=Q(kind="positive_exit", exit_destination__gt="")
                | (~Q(kind="positive_exit") & Q(exit_destination="")),
                name="rupture_destination_iff_positive_exit",
                violation_error_message=_("Une sortie anticipée positive précise vers quoi, et elle seule."),
                field="exit_destination",
            ),
        ]
        indexes = [
            # dashboards and the rate: "ruptures of this kind, by date"
            models.Index(fields=["kind", "occurred_on"], name="rupture_kind_date_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.occurred_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("ruptures:alert_detail", args=[self.alert.pk]) if hasattr(self, "alert") else "/"


class RuptureCause(models.Model):
    """One of the causes of a rupture (several allowed); the main one is also on the rupture."""

    rupture = models.ForeignKey(Rupture, on_delete=models.CASCADE, related_name="causes")
    cause = models.CharField(_("cause"), max_length=40, choices=Cause.choices)
    family = models.CharField(_("famille"), max_length=20)

    class Meta:
        verbose_name = _("cause de rupture")
        verbose_name_plural = _("causes de rupture")
        constraints = [
            UniqueConstraint(
                fields=["rupture", "cause"],
                name="rupturecause_unique",
                violation_error_message=_("Cette cause est déjà notée pour cette rupture."),
                field="cause",
            )
        ]
        indexes = [
            # dashboards: "ruptures by cause family"
            models.Index(fields=["family", "cause"], name="rupturecause_family_idx"),
        ]

    def __str__(self):
        return self.get_cause_display()


# The skills of an attestation as typed: at most 60 lines of 300 characters (`ruptures.attestations`), and some room
# for the blank lines and spaces the form tidies away.
SKILLS_MAX_LENGTH = 20_000


class SkillsAttestation(Document):
    """A PDF of what a person achieved before a rupture (portefeuille de compétences), built by a worker."""

    rupture = models.ForeignKey(
        Rupture, on_delete=models.CASCADE, related_name="attestations", verbose_name=_("rupture")
    )
    skills = BoundedTextField(
        _("modules et compétences validés"),
        max_length=SKILLS_MAX_LENGTH,
        help_text=_("Un par ligne, tels que l'organisme les a validés."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("demandée par")
    )

    UPLOAD_FOLDER = "attestations"

    class Meta(Document.Meta):
        verbose_name = _("attestation de compétences")
        verbose_name_plural = _("attestations de compétences")
        indexes = [
            # the sweeper: "pending documents, oldest first"
            models.Index(fields=["status", "requested_at"], name="skillsattestation_pending_idx"),
        ]

    def __str__(self):
        return f"{self.rupture} · {self.get_status_display()}"
