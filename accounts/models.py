from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Category as RetentionCategory
from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from core.text import REASON_MAX_LENGTH, BoundedTextField


class EmailUserManager(UserManager):
    """Users log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    language = models.CharField(
        _("langue"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Langue des pages et des messages envoyés à cette personne."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email


class AccessLog(models.Model):
    """One row each time someone reads or changes a person's record (docs/design.md §6).

    Written by the scoping layer (`pathways.scoping.get_for_user_or_404`), the person services and the pages that
    list named people (`accounts.access_log.record_many`), never by hand in a view. Kept apart from the audit of
    field changes: this answers "who looked at whom, when, as whom".

    Append-only: database triggers refuse any UPDATE and any DELETE of a row (migration
    `0007_accesslog_append_only`), but for the retention job's `accounts.access_log.purge`. Never deleted with the
    person: `beneficiary` keeps the person's id without a database constraint, so deleting a person keeps the rows.

    `region` is the region of the person (or, for a duplicate check that found nobody, of the acting organisation):
    the region's data-protection officer reads the rows of their region, including reads made without an acting
    organisation (a funder's officer, a referent).

    A duplicate check at person creation writes one row too (`DUPLICATE_CHECK`): one per person it found by name
    and birth date, or one without a person when it found nobody. Those rows also bound how many checks a user may
    run in an hour (`pathways.services.people.duplicate_check`).
    """

    class Action(models.TextChoices):
        READ = "read", _("consultation")
        CHANGE = "change", _("modification")
        CREATE = "create", _("création")
        DUPLICATE_CHECK = "duplicate", _("recherche de doublon")
        EXPORT = "export", _("export")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_logs", verbose_name=_("qui")
    )
    # No database constraint and nothing done on deletion: the rows outlive the person (their id stays).
    beneficiary = models.ForeignKey(
        "pathways.Beneficiary",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("personne"),
        help_text=_("Vide pour une recherche de doublon qui n'a trouvé personne."),
    )
    acting_organisation = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("au titre de"),
        help_text=_("Structure au titre de laquelle l'accès a eu lieu ; vide pour le seul référent de parcours."),
    )
    region = models.ForeignKey(
        "pathways.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("région"),
        help_text=_("Région de la personne : son ou sa délégué·e à la protection des données lit la ligne."),
    )
    view_name = models.CharField(_("page"), max_length=100)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.READ)

    class Meta:
        verbose_name = _("accès à un dossier")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at"]
        indexes = [
            # "who read this person's record" (DPO, rights of the person)
            models.Index(fields=["beneficiary", "-at"], name="accesslog_person_at_idx"),
            # the DPO's list of accesses made on behalf of their organisation
            models.Index(fields=["acting_organisation", "-at"], name="accesslog_org_at_idx"),
            # a user's duplicate checks of the last hour (their rate limit)
            models.Index(fields=["user", "action", "-at"], name="accesslog_user_action_at_idx"),
            # the region's DPO's list of accesses to the region's people
            models.Index(fields=["region", "-at"], name="accesslog_region_at_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_action_display()} · {self.view_name}"

    @property
    def view_label(self) -> str:
        """The page in words (« Fiche de la personne »), for advisers and DPOs; `view_name` stays the technical
        name."""
        from accounts.access_log import view_label

        return view_label(self.view_name)


class RetentionPolicy(models.Model):
    """How many months a region keeps one category of personal data (accounts.retention); without a row, the
    default of `settings.RETENTION_DEFAULT_MONTHS`."""

    region = models.ForeignKey(
        "pathways.Region", on_delete=models.CASCADE, related_name="retention_policies", verbose_name=_("région")
    )
    category = models.CharField(_("catégorie"), max_length=30, choices=RetentionCategory.choices)
    months = models.PositiveSmallIntegerField(
        _("durée de conservation (mois)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        verbose_name = _("durée de conservation")
        verbose_name_plural = _("durées de conservation")
        ordering = ["region", "category"]
        constraints = [
            UniqueConstraint(
                fields=["region", "category"],
                name="retention_policy_region_category_unique",
                violation_error_message=_("Cette région a déjà une durée pour cette catégorie de données."),
                field="category",
            )
        ]

    def __str__(self):
        return f"{self.region} · {self.get_category_display()} · {self.months}"

    # The access log is the trace of who read the records: a region may keep it longer or shorter than the default,
    # never under the CNIL's floor for access traces (six months), so that no one can make it vanish at once.
    ACCESS_LOG_MIN_MONTHS = 6

    def clean(self):
        if (
            self.category == RetentionCategory.ACCESS_LOG
            and self.months is not None
            and self.months < self.ACCESS_LOG_MIN_MONTHS
        ):
            raise ValidationError({"months": access_log_floor_message()})


def access_log_floor_message() -> str:
    return _(
        "Le journal des accès se conserve au moins %(months)d mois : c'est la trace de qui a consulté les dossiers."
    ) % {"months": RetentionPolicy.ACCESS_LOG_MIN_MONTHS}


class PersonRetention(models.Model):
    """Where a person stands in the retention job: the notice given to their referents before their named data
    expires, and the anonymisation (by the job when due, or as an erasure asked by an administrator or a DPO).
    A person anonymised (`anonymised_at`) is never processed again."""

    class Reason(models.TextChoices):
        EXPIRED = "expired", _("durée de conservation écoulée")
        ERASURE = "erasure", _("effacement demandé")

    beneficiary = models.OneToOneField(
        "pathways.Beneficiary", on_delete=models.CASCADE, related_name="retention", verbose_name=_("personne")
    )
    notice_due_on = models.DateField(_("expiration annoncée pour le"), null=True, blank=True)
    notified_at = models.DateTimeField(_("préavis envoyé le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, db_index=True)
    reason = models.CharField(_("motif"), max_length=10, choices=Reason.choices, blank=True)
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
        help_text=_("Vide quand la tâche de conservation l'a fait."),
    )

    class Meta:
        verbose_name = _("conservation des données d'une personne")
        verbose_name_plural = _("conservation des données des personnes")

    def __str__(self):
        return f"{self.beneficiary_id} · {self.anonymised_at or self.notice_due_on}"


# --------------------------------------------------------------------------------------------------------------
# Rights of the person (docs/design.md §6, issue 20): the information notice handed over, objections to a sharing.


class NoticeHandover(models.Model):
    """The information notice (what is recorded, why, who sees it, for how long, the person's rights and whom to
    ask) was handed over to the person: who did it, when, how, in which language. Recorded by
    `accounts.services.notice_handover_record`; the person's page shows the last one, or asks for it."""

    class Method(models.TextChoices):
        PAPER = "paper", _("remise en main propre sur papier")
        SENT = "sent", _("envoyée (courrier ou e-mail)")

    beneficiary = models.ForeignKey(
        "pathways.Beneficiary",
        on_delete=models.PROTECT,
        related_name="notice_handovers",
        verbose_name=_("personne"),
    )
    method = models.CharField(_("comment"), max_length=10, choices=Method.choices)
    language = models.CharField(_("langue de la notice"), max_length=8, choices=settings.LANGUAGES, default="fr")
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("remise par")
    )
    handed_at = models.DateTimeField(_("remise le"), default=timezone.now)

    class Meta:
        verbose_name = _("remise de la notice d'information")
        verbose_name_plural = _("remises de la notice d'information")
        ordering = ["-handed_at", "-pk"]
        indexes = [
            # the person's page: "notice handed over on …" (the last one)
            models.Index(fields=["beneficiary", "-handed_at"], name="noticehandover_person_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} · {self.handed_at:%Y-%m-%d}"


class SharingObjectionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class SharingObjection(models.Model):
    """The person objects to an organisation seeing their record (a funder by name, a second training body, a
    prescriber). While it is active (not withdrawn), the scoping layer (`pathways.scoping`) takes the person, their
    pathways, stages and everything about them out of the scope of every member of that organisation, whatever
    their role. Withdrawing keeps the row (the history of the person's choices)."""

    beneficiary = models.ForeignKey(
        "pathways.Beneficiary",
        on_delete=models.PROTECT,
        related_name="sharing_objections",
        verbose_name=_("personne"),
    )
    organisation = models.ForeignKey(
        "pathways.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("structure")
    )
    reason = BoundedTextField(
        _("motif"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Facultatif. Peut contenir des informations sensibles : couvert par la durée de conservation."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enregistrée par")
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retirée par"),
    )
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)

    objects = SharingObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("opposition à un partage")
        verbose_name_plural = _("oppositions à un partage")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            UniqueConstraint(
                fields=["beneficiary", "organisation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="sharingobjection_one_active_per_organisation",
                violation_error_message=_("La personne s'oppose déjà au partage avec cette structure."),
                field="organisation",
            ),
            CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="sharingobjection_withdrawn_whole",
                violation_error_message=_("Un retrait d'opposition dit qui l'a retirée et quand."),
            ),
        ]
        indexes = [
            # the scoping layer: the people who objected to the user's organisations (active objections only)
            models.Index(
                fields=["organisation", "beneficiary"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="sharingobjection_active_idx",
            ),
            # the person's page: their objections, newest first
            models.Index(fields=["beneficiary", "-recorded_at"], name="sharingobjection_person_idx"),
        ]

    def __str__(self):
        return str(self.organisation)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class RightsDocument(Document):
    """A document of the rights of the person, built by a worker (`accounts.rights`): the information notice as PDF,
    or the right-of-access export (JSON or PDF: what the app holds about the person, and the organisations that saw
    the record). An access export includes the facilitators' notes only in the version released by their structure
    (`include_confidential`), and is downloaded by its requester only."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("notice d'information")
        ACCESS = "access", _("export du droit d'accès")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    UPLOAD_FOLDER = "droits"

    beneficiary = models.ForeignKey(
        "pathways.Beneficiary", on_delete=models.PROTECT, related_name="rights_documents", verbose_name=_("personne")
    )
    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("demandé par")
    )
    released_by = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version remise par"),
    )
    include_confidential = models.BooleanField(
        _("avec les notes des animateur·rices"),
        default=False,
        help_text=_("Seulement dans la version remise par la structure qui les a écrites."),
    )

    class Meta(Document.Meta):
        verbose_name = _("document des droits de la personne")
        verbose_name_plural = _("documents des droits de la personne")
        indexes = [
            # the sweeper: pending documents by age
            models.Index(fields=["status", "requested_at"], name="rightsdocument_sweep_idx"),
            # the person's page: their documents, newest first
            models.Index(fields=["beneficiary", "-requested_at"], name="rightsdocument_person_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_format_display()})"


class PasswordResetRequestQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(requested_at__gte=moment)


class PasswordResetRequest(models.Model):
    """A "mot de passe oublié" request, recorded by the page and sent by a worker (`accounts.tasks`).

    The page answers the same, at about the same speed, whether an account exists for the address or not: it only
    writes this row. The worker builds the link and sends it if an active account has this address. No token is
    stored (the link's token is built when sending). Rows also bound how many requests an address or a client may
    make in an hour, and are deleted after `PASSWORD_RESET_KEEP_DAYS`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("à traiter")
        SENT = "sent", _("envoyée")
        NO_ACCOUNT = "no_account", _("aucun compte actif")
        LIMITED = "limited", _("refusée (trop de demandes)")

    email = models.EmailField(_("adresse e-mail"))
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    requested_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    processed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    objects = PasswordResetRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de nouveau mot de passe")
        verbose_name_plural = _("demandes de nouveau mot de passe")
        ordering = ["-requested_at"]
        indexes = [
            # the requests for one address in the last hour (its rate limit)
            models.Index(fields=["email", "requested_at"], name="pwreset_email_at_idx"),
            # the requests from one client in the last hour (its rate limit)
            models.Index(fields=["ip_address", "requested_at"], name="pwreset_ip_at_idx"),
            # the sweeper's pending requests, oldest first
            models.Index(fields=["requested_at"], name="pwreset_pending_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.get_status_display()} · {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def message_id(self) -> str:
        """The e-mail's fixed Message-ID: a retried send shows once in the mailbox."""
        return f"<password-reset-{self.pk}@sans-rupture>"
