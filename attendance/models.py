"""Attendance: half-day slots of a session's calendar, marks per person, absence rules, drifts and reminders.

Reads live in QuerySet methods; writes in `attendance.services`; rule evaluation in `attendance.rules`, run by
Celery (`attendance.tasks`), never in a page load.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from core.text import REASON_MAX_LENGTH, BoundedTextField
from pathways import scoping
from pathways.models import Programme, ScopedQuerySet, Session, Stage, TrainingAction


class AbsenceRules(models.Model):
    """Absence and escalation rules of a programme, or the override of one training action.

    Every field left empty falls back: training action → programme → `settings.ATTENDANCE_DEFAULT_RULES`.
    """

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="absence_rules",
        verbose_name=_("dispositif"),
    )
    training_action = models.OneToOneField(
        TrainingAction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="absence_rules",
        verbose_name=_("action de formation"),
    )
    consecutive_unjustified = models.PositiveSmallIntegerField(
        _("demi-journées consécutives non justifiées"), null=True, blank=True, help_text=_("Par défaut : 2.")
    )
    min_attendance_rate = models.PositiveSmallIntegerField(
        _("assiduité minimale (%)"), null=True, blank=True, help_text=_("Par défaut : 80 %.")
    )
    window_days = models.PositiveSmallIntegerField(
        _("fenêtre de calcul de l'assiduité (jours)"), null=True, blank=True, help_text=_("Par défaut : 10 jours.")
    )
    no_show_first_day = models.BooleanField(_("signaler une absence au démarrage"), null=True, blank=True)
    reminders_before_presumed = models.PositiveSmallIntegerField(
        _("relances sans réponse avant rupture présumée"), null=True, blank=True, help_text=_("Par défaut : 2.")
    )
    drift_working_days = models.PositiveSmallIntegerField(
        _("jours ouvrés d'un décrochage avant rupture présumée"), null=True, blank=True, help_text=_("Par défaut : 3.")
    )
    presumed_escalation_working_days = models.PositiveSmallIntegerField(
        _("jours ouvrés avant de prévenir le ou la responsable"), null=True, blank=True, help_text=_("Par défaut : 2.")
    )

    class Meta:
        verbose_name = _("règles d'absence")
        verbose_name_plural = _("règles d'absence")
        constraints = [
            CheckConstraint(
                condition=Q(programme__isnull=False, training_action__isnull=True)
                | Q(programme__isnull=True, training_action__isnull=False),
                name="absencerules_programme_xor_action",
                violation_error_message=_("Des règles valent pour un dispositif ou pour une action, pas les deux."),
            ),
            CheckConstraint(
                condition=Q(min_attendance_rate__isnull=True) | Q(min_attendance_rate__lte=100),
                name="absencerules_rate_is_a_percentage",
                violation_error_message=_("Le taux de présence minimal est un pourcentage (100 au plus)."),
                field="min_attendance_rate",
            ),
        ]

    def __str__(self):
        return str(self.training_action or self.programme)


class SlotQuerySet(models.QuerySet):
    def held(self):
        """Slots that take place (not cancelled)."""
        return self.filter(cancelled=False)


class Slot(models.Model):
    """A half-day of a session's calendar, with its hours. A cancelled slot (closure) counts no absence."""

    class Period(models.TextChoices):
        MORNING = "am", _("Matin")
        AFTERNOON = "pm", _("Après-midi")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots", verbose_name=_("session"))
    date = models.DateField(_("date"))
    period = models.CharField(_("demi-journée"), max_length=2, choices=Period.choices)
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    cancelled = models.BooleanField(_("annulée"), default=False)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=200, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("demi-journée")
        verbose_name_plural = _("demi-journées")
        ordering = ["date", "period"]
        constraints = [
            UniqueConstraint(
                fields=["session", "date", "period"],
                name="slot_one_per_half_day",
                violation_error_message=_("Cette demi-journée existe déjà dans le calendrier de la session."),
                field="period",
            ),
            CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="slot_ends_after_start",
                violation_error_message=_("La fin de la demi-journée doit suivre son début."),
                field="ends_at",
            ),
        ]
        # (session, date, period) is unique, so its index also serves "the slots of this session on this day".

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_period_display()}"

    @property
    def hours(self) -> Decimal:
        start = datetime.datetime.combine(self.date, self.starts_at)
        end = datetime.datetime.combine(self.date, self.ends_at)
        return Decimal((end - start).total_seconds()) / Decimal(3600)


class CompanyPeriod(models.Model):
    """Days spent in a company (alternance, immersion): no attendance is expected in the session then.

    With no stage, the period applies to the whole group (an alternance rhythm); with a stage, to that person.
    """

    class Kind(models.TextChoices):
        ALTERNANCE = "alternance", _("Période en entreprise (alternance)")
        IMMERSION = "immersion", _("Immersion en entreprise (PMSMP)")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="company_periods", verbose_name=_("session")
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="company_periods",
        verbose_name=_("personne"),
        help_text=_("Vide : tout le groupe."),
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("période en entreprise")
        verbose_name_plural = _("périodes en entreprise")
        ordering = ["start_date"]
        constraints = [
            CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="companyperiod_end_after_start",
                violation_error_message=_("La fin de la période ne peut pas précéder son début."),
                field="end_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start_date:%d/%m} – {self.end_date:%d/%m}"

    def covers(self, stage_id: int, day: datetime.date) -> bool:
        return (self.stage_id is None or self.stage_id == stage_id) and self.start_date <= day <= self.end_date


class Mark(models.Model):
    """One person's attendance on one half-day. `version` detects two people editing the same sheet."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent·e")
        LATE = "late", _("En retard")
        ABSENT_JUSTIFIED = "absent_justified", _("Absence justifiée")
        ABSENT_UNJUSTIFIED = "absent_unjustified", _("Absence non justifiée")
        EXCUSED = "excused", _("Dispensé·e")

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("Maladie")
        APPOINTMENT = "appointment", _("Rendez-vous")
        JOB_INTERVIEW = "job_interview", _("Entretien d'embauche")
        FAMILY = "family", _("Raison familiale")
        OTHER = "other", _("Autre")

    # Statuses that count as attended.
    ATTENDED = (Status.PRESENT, Status.LATE)

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="marks", verbose_name=_("demi-journée"))
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="marks", verbose_name=_("étape"))
    status = models.CharField(_("présence"), max_length=20, choices=Status.choices)
    reason = models.CharField(
        _("motif"),
        max_length=20,
        choices=Reason.choices,
        blank=True,
        help_text=_("Pour une absence justifiée. Aucune précision de santé n'est demandée."),
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        constraints = [
            UniqueConstraint(
                fields=["slot", "stage"],
                name="mark_one_per_person_and_half_day",
                violation_error_message=_("Cette personne est déjà émargée pour cette demi-journée."),
            ),
            CheckConstraint(
                condition=Q(status="absent_justified", reason__gt="") | (~Q(status="absent_justified") & Q(reason="")),
                name="mark_reason_iff_justified",
                violation_error_message=_("Une absence justifiée a un motif, et seulement elle."),
                field="reason",
            ),
        ]
        indexes = [
            # rule evaluation and statements: "the marks of this stage, in calendar order"
            models.Index(fields=["stage", "slot"], name="mark_stage_slot_idx"),
            # the dashboards' facts (`dashboards.rollups`): "the first unjustified absence of these stages", a
            # grouped query over a batch's stages that otherwise reads every mark of each stage
            models.Index(
                fields=["stage", "slot"], condition=Q(status="absent_unjustified"), name="mark_stage_unjustified_idx"
            ),
        ]

    def __str__(self):
        return f"{self.slot} · {self.get_status_display()}"


class MarkChange(models.Model):
    """Every change of a mark: who, when, from what to what (and whether the sheet was already locked)."""

    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20, choices=Mark.Status.choices, blank=True)
    from_reason = models.CharField(max_length=20, choices=Mark.Reason.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Mark.Status.choices)
    to_reason = models.CharField(max_length=20, choices=Mark.Reason.choices, blank=True)
    after_lock = models.BooleanField(_("après verrouillage"), default=False)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("modification d'émargement")
        verbose_name_plural = _("modifications d'émargement")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class DriftQuerySet(ScopedQuerySet):
    def live(self):
        """Drifts still to handle: open or presumed rupture."""
        return self.filter(status__in=Drift.LIVE_STATUSES)

    def visible_to(self, user):
        """The scope (registered in `AttendanceConfig.ready`): drifts of the stages held by the training bodies
        where `user` is staff; opening one is reading a person."""
        return self.filter(stage__organisation__in=scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES))


class Drift(models.Model):
    """An early warning from the absence rules, before anyone speaks of rupture (décrochage)."""

    class Reason(models.TextChoices):
        CONSECUTIVE = "consecutive", _("Demi-journées consécutives non justifiées")
        LOW_RATE = "low_rate", _("Assiduité insuffisante")
        NO_SHOW = "no_show", _("Absence au démarrage")
        SIGNAL = "signal", _("Signalement de la personne")

    class Status(models.TextChoices):
        OPEN = "open", _("Décrochage")
        PRESUMED = "presumed_rupture", _("Rupture présumée")
        CLOSED = "closed", _("Clos")
        CONFIRMED = "confirmed", _("Rupture confirmée")

    class Closure(models.TextChoices):
        REACHED = "reached", _("Personne jointe")
        CAME_BACK = "came_back", _("Retour en formation")
        DISMISSED = "dismissed", _("Écarté par l'organisme")
        STAGE_ENDED = "stage_ended", _("Étape terminée")
        RESOLVED = "resolved", _("Ne s'applique plus (émargement corrigé)")

    LIVE_STATUSES = (Status.OPEN, Status.PRESUMED)
    # The reasons the absence rules find: `evaluate_session` opens, refreshes and closes them. A signal (the person
    # said they are about to drop out, e.g. to the speaking groups' hotline) stays until someone handles it.
    RULE_REASONS = (Reason.CONSECUTIVE, Reason.LOW_RATE, Reason.NO_SHOW)

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="drifts", verbose_name=_("étape"))
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.OPEN)
    detail = models.JSONField(_("constat"), default=dict)
    risk = models.PositiveSmallIntegerField(_("niveau de risque"), default=0)
    opened_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)
    presumed_at = models.DateTimeField(_("rupture présumée le"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("signalé au ou à la responsable le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    closure = models.CharField(_("issue"), max_length=20, choices=Closure.choices, blank=True)
    closing_note = BoundedTextField(
        _("commentaire"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Peut contenir des informations sensibles : restez factuel·le."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décision de"),
    )

    objects = DriftQuerySet.as_manager()

    class Meta:
        verbose_name = _("décrochage")
        verbose_name_plural = _("décrochages")
        ordering = ["-risk", "opened_at"]
        constraints = [
            UniqueConstraint(
                fields=["stage", "reason"],
                condition=Q(status__in=["open", "presumed_rupture"]),
                name="drift_one_live_per_stage_and_reason",
                violation_error_message=_("Un décrochage de ce motif est déjà ouvert pour cette étape."),
            ),
            CheckConstraint(
                condition=Q(status="presumed_rupture", presumed_at__isnull=False) | ~Q(status="presumed_rupture"),
                name="drift_presumed_at_when_presumed",
                violation_error_message=_("Une rupture présumée a une date de présomption."),
            ),
            CheckConstraint(
                condition=Q(status__in=["closed", "confirmed"], closed_at__isnull=False)
                | Q(status__in=["open", "presumed_rupture"], closed_at__isnull=True),
                name="drift_closed_at_iff_ended",
                violation_error_message=_("Un décrochage clos ou confirmé a une date de clôture, et lui seul."),
            ),
        ]
        indexes = [
            # the watch list and the escalation job: "live drifts, riskiest first"
            models.Index(fields=["status", "-risk"], name="drift_live_risk_idx"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("attendance:drift_detail", args=[self.pk])

    @property
    def explanation(self) -> str:
        from attendance.rules import explain

        return explain(self)


class FollowUpAttempt(models.Model):
    """A reminder (relance): an attempt to reach a drifting person, and what came of it."""

    class Channel(models.TextChoices):
        CALL = "call", _("Appel")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Courrier")
        VISIT = "visit", _("Visite")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Personne jointe")
        NO_ANSWER = "no_answer", _("Pas de réponse")
        CAME_BACK = "came_back", _("Revenue en formation")
        REFUSES = "refuses", _("Refuse de revenir")
        OTHER = "other", _("Autre")

    drift = models.ForeignKey(Drift, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("décrochage"))
    channel = models.CharField(_("moyen"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("résultat"), max_length=12, choices=Outcome.choices)
    comment = BoundedTextField(
        _("commentaire"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Factuel : pas d'information de santé ou de vie privée inutile."),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_outcome_display()}"


class StatementExport(Document):
    """A request for a monthly attendance statement (PDF or CSV), built by a worker: the outbox of exports."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="statement_exports", verbose_name=_("session")
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="statement_exports",
        verbose_name=_("personne"),
        help_text=_("Vide : toute la session."),
    )
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois."))
    format = models.CharField(_("format"), max_length=3, choices=Format.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("demandé par")
    )

    UPLOAD_FOLDER = "statements"

    class Meta(Document.Meta):
        verbose_name = _("état de présence")
        verbose_name_plural = _("états de présence")
        constraints = [
            CheckConstraint(
                condition=Q(month__day=1),
                name="statementexport_month_starts_on_the_1st",
                violation_error_message=_("Un état de présence porte sur un mois entier, à partir du 1er."),
                field="month",
            ),
        ]
        indexes = [
            # the sweeper: "pending exports, oldest first"
            models.Index(fields=["status", "requested_at"], name="statementexport_pending_idx"),
        ]

    def __str__(self):
        return f"{self.session} · {self.month:%m/%Y} · {self.get_format_display()}"
