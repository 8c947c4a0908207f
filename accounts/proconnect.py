"""Sign-in with ProConnect, the French public sector's identity federation for professionals (OpenID Connect).

Off unless configured (`PROCONNECT_*` settings, docs/deployment.md): then the login page shows the ProConnect button,
`accounts.views.proconnect_login` sends the browser to the provider (with a `state` and a `nonce` kept in the session
by mozilla-django-oidc), and `accounts.views.proconnect_callback` comes back with a code that `ProConnectBackend`
exchanges for an id_token signed by the provider (RS256 or ES256, keys from its JWKS endpoint).

The backend never creates an account: it matches the e-mail address the provider vouches for (case-insensitive) to an
existing active account, and refuses unknown addresses, inactive accounts and addresses the claims say are not
verified, telling the callback view why (`request.proconnect_refusal`, one of `REFUSALS`).

What the session records after a ProConnect sign-in (for the two-factor rules and the logout):
- `SESSION_KEY` ("proconnect"): `{"amr": [...], "acr": "eidas1" or None, "auth_time": int or None, "idp_id": "…"}`:
  how the person authenticated at their identity provider (`amr` values such as "pwd", "totp", "mfa"; empty when
  the provider did not say). It marks nothing as verified by our own second factor.
- `ID_TOKEN_SESSION_KEY` ("proconnect_id_token"): the id_token, sent back as `id_token_hint` when logging out, so that
  the ProConnect session ends too (`logout_url`).
"""

import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)

SESSION_KEY = "proconnect"
ID_TOKEN_SESSION_KEY = "proconnect_id_token"

REFUSALS = {
    "unknown": _(
        "Aucun compte Sans Rupture n'a l'adresse e-mail de votre identité ProConnect. Demandez à votre organisation "
        "de vous inviter avec cette adresse, ou connectez-vous avec votre mot de passe."
    ),
    "inactive": _("Votre compte Sans Rupture est désactivé. Adressez-vous à votre organisation."),
    "unverified": _(
        "ProConnect n'a pas vérifié votre adresse e-mail : la connexion est refusée. Vérifiez votre adresse auprès "
        "de votre fournisseur d'identité."
    ),
    "error": _("La connexion avec ProConnect a échoué. Réessayez, ou connectez-vous avec votre mot de passe."),
}


def enabled() -> bool:
    """Whether ProConnect is configured (PROCONNECT_CLIENT_ID and the provider's endpoints)."""
    return bool(getattr(settings, "PROCONNECT_ENABLED", False))


def refuse(request, reason: str) -> None:
    """Tell the callback view why the sign-in was refused (the first reason given wins)."""
    if request is not None and not hasattr(request, "proconnect_refusal"):
        request.proconnect_refusal = reason


def _claims_say_unverified(claims: dict) -> bool:
    """ProConnect vouches for the e-mail addresses it sends and sends no `email_verified`; a provider that does send
    it must say true."""
    if "email_verified" not in claims:
        return False
    return claims["email_verified"] not in (True, "true", "True")


class ProConnectBackend(OIDCAuthenticationBackend):
    """Matches the e-mail address vouched for by ProConnect to an existing active account; never creates one."""

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password login never starts a code exchange.
        if request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the id_token (the userinfo JWT is verified without a nonce)
            if "exp" not in payload:  # PyJWT checks an expiry only when there is one
                raise SuspiciousOperation("The id_token has no expiry.")
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The id_token is meant for another client.")
            issuer = getattr(settings, "PROCONNECT_ISSUER", "")
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("The id_token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo and the id_token are about different people.")
        return claims

    def verify_claims(self, claims):
        if not claims.get("email"):
            refuse(self.request, "error")
            return False
        if _claims_say_unverified(claims):
            refuse(self.request, "unverified")
            return False
        return True

    def filter_users_by_claims(self, claims):
        # Active or not: an inactive account is refused with its own message (get_or_create_user).
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def get_or_create_user(self, access_token, id_token, payload):
        try:
            user = super().get_or_create_user(access_token, id_token, payload)
        except SuspiciousOperation:
            refuse(self.request, "error")
            raise
        if user is None:
            refuse(self.request, "unknown")
            return None
        if not user.is_active:
            refuse(self.request, "inactive")
            return None
        amr = payload.get("amr") or []
        self.request.proconnect_login = {
            "amr": [str(value) for value in amr] if isinstance(amr, list) else [str(amr)],
            "acr": payload.get("acr"),
            "auth_time": payload.get("auth_time"),
            "idp_id": payload.get("idp_id") or "",
            "id_token": id_token,
        }
        return user

    def get_user(self, user_id):
        # Django's rule (an inactive account's session ends), not the library's.
        return ModelBackend.get_user(self, user_id)


def record_login(request) -> None:
    """After `auth.login`: what the session keeps of a ProConnect sign-in (see the module's docstring)."""
    info = dict(getattr(request, "proconnect_login", {}))
    request.session[ID_TOKEN_SESSION_KEY] = info.pop("id_token", "")
    request.session[SESSION_KEY] = info


def logout_url(request) -> str:
    """The provider's end-session address for a session opened with ProConnect ("" otherwise): the browser goes
    there after our logout, and ProConnect sends it back to our login page."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    endpoint = getattr(settings, "PROCONNECT_LOGOUT_ENDPOINT", "")
    if not (enabled() and id_token and endpoint):
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": secrets.token_urlsafe(24),
            "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
        }
    )
    return f"{endpoint}?{query}"
