"""Creating and revoking the partner API's tokens (docs/api.md)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import tokens
from api.models import ApiToken
from pathways import scoping
from pathways.models import Organisation


@transaction.atomic
def token_create(
    *, organisation: Organisation, name: str, by, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of `organisation`, made by one of its managers: the row and its technical user, and the token
    itself, shown once (only its hash is kept)."""
    if not scoping.can_manage_members(by, organisation):
        raise ValidationError(_("Seule la direction de la structure crée ses jetons d'API."))
    if organisation.kind not in tokens.ROLE_BY_KIND:
        raise ValidationError(_("Cette structure ne peut pas avoir de jeton d'API."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("La date d'expiration doit être dans le futur.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au jeton.")})
    prefix, secret, secret_hash = tokens.new_secret()
    # The technical user: it cannot log in (no password, an address nobody receives at) and holds no membership
    # row, so no member list, picker or notification finds it; the token gives it its role for each request.
    user = get_user_model().objects.create_user(
        email=f"api-{prefix}@jetons-api.invalid", password=None, first_name="API", last_name=name[:150]
    )
    token = ApiToken(
        organisation=organisation,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash,
        user=user,
        created_by=by,
        expires_at=expires_at,
    )
    token.full_clean(exclude=["user", "created_by", "organisation"])
    token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> bool:
    """Revoke `token` at once (its technical user is deactivated too). False when it already was."""
    if not scoping.can_manage_members(by, token.organisation):
        raise ValidationError(_("Seule la direction de la structure révoque ses jetons d'API."))
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now(), revoked_by=by)
    get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
    token.refresh_from_db()
    return bool(revoked)
