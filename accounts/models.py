from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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
    """One row each time someone reads or changes a person's record (docs/design.md §6).

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
