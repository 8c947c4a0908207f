"""Ruptures (DESIGN.md §4), their alerts to the partners, the actions taken, and skills attestations.

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
from core.models import Document
from pathways.models import Organisation, Stage


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


class RuptureQuerySet(models.QuerySet):
    def for_user(self, user):
        from pathways.scoping import scope

        return scope(self, user)


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
    comment = models.TextField(
        _("commentaire"), blank=True, help_text=_("Factuel : pas de détail médical ni de vie privée inutile.")
    )
    no_reminder_reason = models.TextField(
        _("pourquoi aucune relance"), blank=True, help_text=_("Obligatoire pour un abandon déclaré sans relance.")
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

    objects = RuptureQuerySet.as_manager()

    class Meta:
        verbose_name = _("rupture")
        verbose_name_plural = _("ruptures")
        ordering = ["-declared_at"]
        constraints = [
            # A stage ends in one rupture at most; interruptions (pauses) before it may be several.
            models.UniqueConstraint(
                fields=["stage"], condition=~Q(kind="interruption"), name="rupture_one_ending_per_stage"
            ),
            models.CheckConstraint(
                condition=Q(kind="contract_break", contract_initiative__gt="", during_trial_period__isnull=False)
                | (~Q(kind="contract_break") & Q(contract_initiative="", during_trial_period__isnull=True)),
                name="rupture_contract_details_iff_contract_break",
            ),
            models.CheckConstraint(
                condition=Q(kind="interruption", planned_resume__isnull=False)
                | (~Q(kind="interruption") & Q(planned_resume__isnull=True)),
                name="rupture_resume_iff_interruption",
            ),
            models.CheckConstraint(
                condition=Q(kind="positive_exit", exit_destination__gt="")
                | (~Q(kind="positive_exit") & Q(exit_destination="")),
                name="rupture_destination_iff_positive_exit",
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
        constraints = [models.UniqueConstraint(fields=["rupture", "cause"], name="rupturecause_unique")]
        indexes = [
            # dashboards: "ruptures by cause family"
            models.Index(fields=["family", "cause"], name="rupturecause_family_idx"),
        ]

    def __str__(self):
        return self.get_cause_display()


class AlertQuerySet(models.QuerySet):
    def for_user(self, user):
        from pathways.scoping import scope

        return scope(self, user)


class Alert(models.Model):
    """The signal sent to the partners about a stage (a rupture, or risks found by the pre-entry checklist); the
    prescriber acknowledges it and records what they did."""

    class Kind(models.TextChoices):
        RUPTURE = "rupture", _("Rupture")
        CHECKLIST_RISK = "checklist_risk", _("Risque avant l'entrée")

    class Status(models.TextChoices):
        NEW = "new", _("Nouvelle")
        ACKNOWLEDGED = "acknowledged", _("Prise en compte")
        ACTED = "acted", _("Action engagée")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.RUPTURE)
    stage = models.ForeignKey(
        "pathways.Stage", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("étape")
    )
    rupture = models.OneToOneField(
        Rupture, on_delete=models.CASCADE, null=True, blank=True, related_name="alert", verbose_name=_("rupture")
    )
    checklist_revision = models.OneToOneField(
        "checklist.ChecklistRevision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alert",
        verbose_name=_("transmission de check-list"),
    )
    inbox = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("boîte d'alertes"),
        help_text=_("Le prescripteur du parcours, ou à défaut l'organisme de formation."),
    )
    status = models.CharField(_("statut"), max_length=15, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("émise le"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("prise en compte le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("signalée aux responsables le"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new", acknowledged_at__isnull=True)
                | (~Q(status="new") & Q(acknowledged_at__isnull=False)),
                name="alert_acknowledged_at_iff_acknowledged",
            ),
            models.CheckConstraint(
                condition=Q(kind="rupture", rupture__isnull=False, checklist_revision__isnull=True)
                | Q(kind="checklist_risk", rupture__isnull=True, checklist_revision__isnull=False),
                name="alert_from_a_rupture_or_a_checklist",
            ),
        ]
        indexes = [
            # the prescriber inbox: "my organisation's alerts, newest first"; the escalation job: "still new"
            models.Index(fields=["inbox", "status", "-created_at"], name="alert_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.rupture or self.get_kind_display()} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("ruptures:alert_detail", args=[self.pk])

    @property
    def tells_funder(self) -> bool:
        """The funder's regional officers hear of ruptures (declared and escalated), not of a checklist's risks,
        which stay between the partners who follow the person."""
        return self.kind == self.Kind.RUPTURE

    @property
    def summary(self) -> str:
        """What the alert is about, for lists: the rupture's kind, or the checklist's risks."""
        return self.rupture.get_kind_display() if self.rupture_id else str(self.Kind.CHECKLIST_RISK.label)


class AlertAction(models.Model):
    """What the prescriber did about an alert."""

    class Kind(models.TextChoices):
        CALLED = "called", _("Personne appelée")
        MEETING = "meeting", _("Rendez-vous planifié")
        SOLUTION = "solution", _("Solution proposée")
        REORIENTATION = "reorientation", _("Réorientation")
        SUSPENSION = "suspension", _("Suspension convenue")
        NO_ACTION = "no_action", _("Pas d'action")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions", verbose_name=_("alerte"))
    kind = models.CharField(_("action"), max_length=15, choices=Kind.choices)
    note = models.TextField(
        _("précisions"), blank=True, help_text=_("Obligatoire pour « pas d'action ». Factuel, sans donnée de santé.")
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("action sur une alerte")
        verbose_name_plural = _("actions sur les alertes")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="no_action") | Q(note__gt=""), name="alertaction_no_action_has_a_reason"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class AlertRouting(models.Model):
    """How an organisation receives its alerts, set by its manager."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="alert_routing", verbose_name=_("structure")
    )
    all_advisers = models.BooleanField(
        _("prévenir tous les conseiller·ères"),
        default=False,
        help_text=_("Sinon, seul·e le ou la conseiller·ère du parcours est prévenu·e (et la boîte commune)."),
    )
    managers = models.BooleanField(_("prévenir aussi les responsables de la structure"), default=False)
    shared_mailbox = models.BooleanField(
        _("envoyer aussi un e-mail à la boîte d'alertes de la structure"),
        default=True,
        help_text=_("L'adresse est celle de la fiche de la structure."),
    )

    class Meta:
        verbose_name = _("acheminement des alertes")
        verbose_name_plural = _("acheminements des alertes")

    def __str__(self):
        return str(self.organisation)


class SkillsAttestation(Document):
    """A PDF of what a person achieved before a rupture (portefeuille de compétences), built by a worker."""

    rupture = models.ForeignKey(
        Rupture, on_delete=models.CASCADE, related_name="attestations", verbose_name=_("rupture")
    )
    skills = models.TextField(
        _("modules et compétences validés"), help_text=_("Un par ligne, tels que l'organisme les a validés.")
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
