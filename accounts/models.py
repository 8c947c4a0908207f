from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    """One row each time someone reads or changes a person's record (DESIGN.md §6).

    Written by the scoping layer (`pathways.scoping.get_for_user_or_404`) and the person services, never by hand
    in a view. Kept apart from the audit of field changes: this answers "who looked at whom, when, as whom".

    A duplicate check at person creation writes one row too (`DUPLICATE_CHECK`): one per person it found by name
    and birth date, or one without a person when it found nobody. Those rows also bound how many checks a user may
    run in an hour (`pathways.services.people.duplicate_check`).
    """

    class Action(models.TextChoices):
        READ = "read", _("consultation")
        CHANGE = "change", _("modification")
        CREATE = "create", _("création")
        DUPLICATE_CHECK = "duplicate", _("recherche de doublon")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_logs", verbose_name=_("qui")
    )
    beneficiary = models.ForeignKey(
        "pathways.Beneficiary",
        on_delete=models.CASCADE,
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
        ]

    def __str__(self):
        return f"{self.user} · {self.get_action_display()} · {self.view_name}"


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
