"""The pre-entry checklist (seed 000, ANTICIPATION): a template of sections and items (data, versioned), the
checklist a training body fills with each person before their stage starts, its answers, the revisions it was
submitted as, the person's agreement to share it, and its PDF.

A checklist keeps the template version it was filled with. The answers are the working copy, saved section by
section; each submission freezes them into a revision (the one the prescriber is alerted from, the one the
statistics read). Editing after a submission and submitting again makes a new revision; the old ones stay.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.languages import localized
from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from core.text import COMMENT_MAX_LENGTH, BoundedTextField
from pathways import scoping
from pathways.models import ScopedQuerySet


class TemplateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current(self):
        """The version new checklists are filled with: the last one published."""
        return self.published().order_by("-version").first()


class ChecklistTemplate(models.Model):
    """A version of the checklist's sections and items. Published, it no longer changes (the admin copies it into
    a new draft version)."""

    version = models.PositiveSmallIntegerField(_("version"), unique=True)
    title_fr = models.CharField(
        _("titre (français)"), max_length=200, default="Check-list de sécurisation des parcours"
    )
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("modèle de check-list")
        verbose_name_plural = _("modèles de check-list")
        ordering = ["-version"]
        constraints = [
            CheckConstraint(
                condition=Q(version__gt=0),
                name="checklisttemplate_version_positive",
                violation_error_message=_("Les versions de la check-list sont numérotées à partir de 1."),
                field="version",
            )
        ]

    def __str__(self):
        return _("%(title)s, version %(version)s") % {"title": self.title, "version": self.version}

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ChecklistSection(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="sections", verbose_name=_("modèle")
    )
    position = models.PositiveSmallIntegerField(_("rang"))
    code = models.SlugField(_("code"), max_length=40)
    title_fr = models.CharField(_("intitulé (français)"), max_length=150)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("rubrique de check-list")
        verbose_name_plural = _("rubriques de check-list")
        ordering = ["template", "position"]
        constraints = [
            UniqueConstraint(
                fields=["template", "position"],
                name="checklistsection_one_per_position",
                violation_error_message=_("Une autre rubrique de cette version occupe déjà cette place."),
                field="position",
            ),
            UniqueConstraint(
                fields=["template", "code"],
                name="checklistsection_one_per_code",
                violation_error_message=_("Une autre rubrique de cette version a déjà ce code."),
                field="code",
            ),
        ]

    def __str__(self):
        return self.title_fr

    @property
    def title(self) -> str:
        return localized(self, "title")


class ChecklistItem(models.Model):
    """One point to check with the person. Its `code` is stable across template versions, so statistics compare
    like with like."""

    section = models.ForeignKey(
        ChecklistSection, on_delete=models.CASCADE, related_name="items", verbose_name=_("rubrique")
    )
    position = models.PositiveSmallIntegerField(_("rang"))
    code = models.SlugField(_("code"), max_length=40)
    label_fr = models.CharField(_("libellé (français)"), max_length=200)
    label_en = models.CharField(_("libellé (anglais)"), max_length=200, blank=True)
    sensitive = models.BooleanField(
        _("donnée de santé"),
        default=False,
        help_text=_(
            "Le commentaire n'est lu que par la structure qui remplit la check-list et le ou la référent·e ; les "
            "autres voient seulement la réponse."
        ),
    )

    class Meta:
        verbose_name = _("point de check-list")
        verbose_name_plural = _("points de check-list")
        ordering = ["section__position", "position"]
        constraints = [
            UniqueConstraint(
                fields=["section", "position"],
                name="checklistitem_one_per_position",
                violation_error_message=_("Un autre point de cette rubrique occupe déjà cette place."),
                field="position",
            ),
            UniqueConstraint(
                fields=["section", "code"],
                name="checklistitem_one_per_code",
                violation_error_message=_("Un autre point de cette rubrique a déjà ce code."),
                field="code",
            ),
        ]

    def __str__(self):
        return self.label_fr

    @property
    def label(self) -> str:
        return localized(self, "label")


class Answer(models.TextChoices):
    OK = "ok", _("OK")
    WATCH = "watch", _("À surveiller")
    RISK = "risk", _("À risque")
    NOT_APPLICABLE = "na", _("Non applicable")


class ChecklistQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope (registered in `ChecklistConfig.ready`): the training body that filled it; the pathway's
        prescriber (its adviser, the people of its organisation) and its referent only if the person agreed to share
        it with them (docs/design.md §6)."""
        if not scoping.active_memberships(user):
            return self.none()
        scope = Checklist.ConsentScope
        with_prescriber = Q(consent=True, consent_scope__in=[scope.BOTH, scope.PRESCRIBER])
        with_referent = Q(consent=True, consent_scope__in=[scope.BOTH, scope.REFERENT])
        prescribers = scoping.org_ids(user, roles=scoping.PERSON_ROLES)
        return self.filter(
            Q(organisation__in=scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES))
            | (
                with_prescriber
                & (
                    Q(stage__pathway__prescribing_adviser=user)
                    | Q(stage__pathway__prescribing_organisation__in=prescribers)
                )
            )
            | (with_referent & Q(stage__pathway__referent=user))
        )


class Checklist(models.Model):
    """The checklist of one stage, filled by its training body with the person before the stage starts."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("En cours de saisie")
        SUBMITTED = "submitted", _("Transmise")

    class ConsentScope(models.TextChoices):
        BOTH = "both", _("Le prescripteur et le ou la référent·e")
        PRESCRIBER = "prescriber", _("Le prescripteur seulement")
        REFERENT = "referent", _("Le ou la référent·e seulement")

    stage = models.ForeignKey("pathways.Stage", on_delete=models.PROTECT, related_name="checklists")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="checklists")
    organisation = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.PROTECT,
        related_name="checklists",
        verbose_name=_("remplie par"),
        help_text=_("L'organisme de formation qui mène la check-list avec la personne."),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The person's agreement to share the checklist with the prescriber and the referent (docs/design.md §6: the
    # scoping layer honours it). None: not asked yet.
    consent = models.BooleanField(_("accord de la personne pour le partage"), null=True, blank=True)
    consent_scope = models.CharField(_("partage avec"), max_length=10, choices=ConsentScope.choices, blank=True)
    consent_on = models.DateField(_("accord recueilli le"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-list")
        verbose_name_plural = _("check-lists")
        ordering = ["-created_at", "-pk"]
        constraints = [
            UniqueConstraint(
                fields=["stage", "template"],
                name="checklist_one_per_stage_and_template",
                violation_error_message=_("Cette étape a déjà une check-list de cette version."),
            ),
            CheckConstraint(
                condition=Q(consent__isnull=True, consent_on__isnull=True, consent_scope="")
                | Q(consent=False, consent_on__isnull=False, consent_scope="")
                | (Q(consent=True, consent_on__isnull=False) & ~Q(consent_scope="")),
                name="checklist_consent_recorded_whole",
                violation_error_message=_(
                    "Notez la réponse de la personne et sa date, et, si elle accepte, avec qui elle partage la "
                    "check-list."
                ),
                field="consent_scope",
            ),
        ]

    def __str__(self):
        return f"{self.stage} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("checklist:detail", args=[self.pk])

    @property
    def shared_with_prescriber(self) -> bool:
        return bool(self.consent) and self.consent_scope in (self.ConsentScope.BOTH, self.ConsentScope.PRESCRIBER)

    @property
    def shared_with_referent(self) -> bool:
        return bool(self.consent) and self.consent_scope in (self.ConsentScope.BOTH, self.ConsentScope.REFERENT)


class ChecklistAnswer(models.Model):
    """The working answer to one item (saved section by section), with its follow-up action when not OK."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("réponse"), max_length=10, choices=Answer.choices)
    comment = BoundedTextField(
        _("commentaire"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Factuel, ce dont le parcours a besoin (peut contenir une donnée de santé : couvert par la rétention)."
        ),
    )
    action = models.CharField(_("action de suivi"), max_length=300, blank=True)
    action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("qui"),
    )
    action_due = models.DateField(_("pour le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("réponse de check-list")
        verbose_name_plural = _("réponses de check-list")
        constraints = [
            UniqueConstraint(
                fields=["checklist", "item"],
                name="checklistanswer_one_per_item",
                violation_error_message=_("Ce point a déjà une réponse dans cette check-list."),
            ),
            CheckConstraint(
                condition=Q(action="", action_owner__isnull=True, action_due__isnull=True)
                | (~Q(action="") & Q(action_owner__isnull=False, action_due__isnull=False)),
                name="checklistanswer_action_whole",
                violation_error_message=_("Une action de suivi dit quoi faire, qui s'en charge et pour quand."),
                field="action",
            ),
        ]

    def __str__(self):
        return f"{self.item.code}: {self.answer}"


class ChecklistRevision(models.Model):
    """A submission of a checklist: its answers frozen as they were sent (and alerted from). Never changed."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("révision"))
    submitted_at = models.DateTimeField(_("transmise le"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # {item code: {"answer", "comment", "action", "owner", "due", "sensitive", "label_fr", "section"}}
    answers = models.JSONField(
        _("réponses"), help_text=_("Les réponses transmises (peuvent contenir une donnée de santé : rétention).")
    )
    risk_items = models.JSONField(_("points à risque"), default=list)
    new_risk_items = models.JSONField(
        _("points devenus à risque"), default=list, help_text=_("Ceux qui ne l'étaient pas à la révision précédente.")
    )
    alert = models.OneToOneField(
        "alerts.Alert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_revision",
        verbose_name=_("alerte"),
        help_text=_("L'alerte émise pour les points devenus à risque, s'il y en a."),
    )

    class Meta:
        verbose_name = _("transmission de check-list")
        verbose_name_plural = _("transmissions de check-list")
        ordering = ["checklist", "number"]
        constraints = [
            UniqueConstraint(
                fields=["checklist", "number"],
                name="checklistrevision_one_per_number",
                violation_error_message=_("Cette révision de la check-list existe déjà."),
            ),
        ]
        indexes = [
            # the rupture rate's split and the coverage: "a revision of this checklist submitted before the start"
            models.Index(fields=["checklist", "submitted_at"], name="checklistrev_submitted_idx"),
        ]

    def __str__(self):
        return f"{self.checklist_id} · r{self.number}"


class ChecklistPdf(Document):
    """The completed checklist as PDF, to give to the person; built by a worker (`core.documents`)."""

    revision = models.ForeignKey(ChecklistRevision, on_delete=models.PROTECT, related_name="pdfs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    UPLOAD_FOLDER = "checklists"

    class Meta(Document.Meta):
        verbose_name = _("PDF de check-list")
        verbose_name_plural = _("PDF de check-list")
        indexes = [
            # the sweeper: "pending documents, oldest first"
            models.Index(fields=["status", "requested_at"], name="checklistpdf_pending_idx"),
        ]

    def __str__(self):
        return f"{self.revision} · {self.get_status_display()}"
