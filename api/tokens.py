"""The tokens' secrets and how a request's token is recognised (docs/api.md).

A token reads `sr_<prefix>_<secret>`: the prefix (12 hexadecimal characters) finds the row, the secret (32 random
bytes) is checked against its SHA-256 hash in constant time. A hash without salt or stretching is enough for a
secret of 256 random bits (no dictionary reaches it); it is what the managers' list can never show again.
"""

import hashlib
import hmac
import secrets

from django.utils import timezone

from api.models import ApiToken
from pathways import scoping
from pathways.models import Membership, Organisation

Role = Membership.Role

# The role a token's technical user holds in its organisation, by the organisation's kind: the one that gives the
# organisation's view of people and alerts in the scoping layer (docs/design.md §6). A support structure's people
# are those of its speaking groups, whose support is anonymous (NEUTRALITÉ): no token for them.
ROLE_BY_KIND = {
    Organisation.Kind.TRAINING_BODY: Role.TRAINER,
    Organisation.Kind.PRESCRIBER: Role.PRESCRIBER_ADVISER,
    Organisation.Kind.FUNDER: Role.REGIONAL_OFFICER,
}
# The organisation kinds whose tokens may declare a rupture (the training body, as on the page).
DECLARING_KINDS = frozenset({Organisation.Kind.TRAINING_BODY})
# How often `last_used_at` is written at most (one UPDATE per token and minute, not one per request).
LAST_USED_RESOLUTION_SECONDS = 60
PREFIX = "sr"


def new_secret() -> tuple[str, str, str]:
    """A new token: (prefix, the whole token as shown once, the hash stored)."""
    prefix = secrets.token_hex(6)
    token = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return prefix, token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find(token: str) -> ApiToken | None:
    """The usable token `token` names, with its technical user holding its organisation's role for this request;
    None for a malformed, unknown, revoked or expired token."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    found = ApiToken.objects.select_related("user", "organisation__region").filter(prefix=parts[1][:16]).first()
    if found is None or not hmac.compare_digest(found.secret_hash, digest(token)):
        return None
    # A deactivated organisation's members see nothing (`Membership.objects.active`): nor does its token.
    if not found.is_usable or not found.user.is_active or not found.organisation.is_active:
        return None
    if found.organisation.kind not in ROLE_BY_KIND:
        return None
    role = ROLE_BY_KIND[found.organisation.kind]
    scoping.hold_memberships(
        found.user, [Membership(user=found.user, organisation=found.organisation, role=role, is_active=True)]
    )
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found
