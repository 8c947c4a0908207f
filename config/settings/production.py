"""Production: PostgreSQL, Redis, SMTP; everything comes from the environment and is required."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    OIDC_OP_AUTHORIZATION_ENDPOINT,
    OIDC_OP_JWKS_ENDPOINT,
    OIDC_OP_TOKEN_ENDPOINT,
    OIDC_OP_USER_ENDPOINT,
    PROCONNECT_ENABLED,
    PROCONNECT_LOGOUT_ENDPOINT,
    REDIS_URL,
    env,
    postgresql,
)

DEBUG = False
DATABASES = {"default": postgresql(env.db("DATABASE_URL"))}

# The public address of the site, required: links in e-mails, meeting invitations and the charter's verification
# link are written by workers, which have no request to take the host from.
SITE_URL = env.str("SITE_URL")

if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production.")

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

# Two-factor authentication is mandatory for the roles that need it: never turned off in production.
TWO_FACTOR_ENFORCE_MANDATORY = True

# ProConnect (when configured) is reached over https only: the client secret and the tokens travel on these calls.
if PROCONNECT_ENABLED and not all(
    endpoint.startswith("https://")
    for endpoint in (
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
        PROCONNECT_LOGOUT_ENDPOINT,
    )
):
    raise ImproperlyConfigured("PROCONNECT_DOMAIN and the ProConnect endpoints must be https:// addresses.")
