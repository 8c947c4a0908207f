"""Tokens of the partner API (docs/api.md): one per partner system of an organisation, created and revoked by the
organisation's managers. Only a hash of the secret is stored; its prefix identifies it in lists and logs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathways import scoping
from pathways.models import Membership, Organisation, ScopedQuerySet


class ApiTokenQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope (registered in `ApiConfig.ready`): the tokens of the organisations `user` manages."""
        return self.filter(organisation__in=scoping.org_ids(user, roles={Membership.Role.ORG_MANAGER}))

    def usable(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at=None).filter(Q(expires_at=None) | Q(expires_at__gt=timezone.now()))


class ApiToken(models.Model):
    """A partner system's access to the API for one organisation. It acts through its own technical user (`user`:
    no password, no membership row) holding, for the time of a request, the organisation's role given by
    `api.tokens.ROLE_BY_KIND`: what it reads is what the scoping layer gives that role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("structure")
    )
    name = models.CharField(
        _("nom"), max_length=100, help_text=_("Le logiciel ou le partenaire qui l'utilise, pour le reconnaître.")
    )
    prefix = models.CharField(_("préfixe"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_token",
        editable=False,
        verbose_name=_("utilisateur technique"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué par"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the managers' list: "the organisation's tokens, newest first"
            models.Index(fields=["organisation", "-created_at"], name="apitoken_org_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
