"""Settings shared by every environment. Values come from the environment (django-environ) and fail loudly.

The embedded default (no variable set) is SQLite in var/, a Celery broker on the filesystem (kombu's
"filesystem" transport, no server) and e-mails printed to the console. Setting DATABASE_URL and REDIS_URL
switches to PostgreSQL and Redis.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.sentry import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("SANS_RUPTURE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
# The confidential notes of the speaking groups are encrypted at rest (speaking_groups.models.NoteField, Fernet): their
# key is derived from SECRET_KEY and this salt. A list (comma-separated) rotates it: the first encrypts, all decrypt.
# Changing SECRET_KEY needs the old one in SECRET_KEY_FALLBACKS, or the notes cannot be read.
SALT_KEY = env.list("NOTES_ENCRYPTION_SALT")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the site, for links in e-mails sent by workers (which have no request).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    # Django's admin, whose site lets in only administrators verified with their second factor (accounts.admin_site).
    "accounts.admin_apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "pathways",
    "notifications",
    "alerts",
    "attendance",
    "ruptures",
    "charter",
    "checklist",
    "speaking_groups",
    "dashboards",
    "api",
    "commissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.HealthzMiddleware",  # before host validation: the probe calls 127.0.0.1
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # Cache-Control: no-store on every answer to a logged-in user.
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last: turns a login refused for too many failures into the lockout page (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pathways.context_processors.memberships",
                "speaking_groups.context_processors.navigation",
                "dashboards.context_processors.navigation",
                "commissions.context_processors.navigation",
                "api.context_processors.navigation",
                "notifications.context_processors.inbox",
                "accounts.context_processors.session_expiry",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------


def postgresql(database: dict) -> dict:
    """A PostgreSQL database as we run it: connections kept CONN_MAX_AGE seconds and checked before reuse, and
    prepared statements (DATABASE_PREPARED_STATEMENTS, on by default): a statement run 5 times on a connection is
    prepared, so PostgreSQL no longer parses and plans it at each run. That took a third of a rupture declaration's
    time (bench/README.md). Turn it off behind a connection pooler in transaction mode (PgBouncer), which does not
    keep prepared statements from one transaction to the next."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL: PostgreSQL (postgres://…) or, outside production, SQLite.")
    database.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    database["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters sent apart from the statement (server-side binding), which prepared statements need.
        database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    return database


DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The web server and the Celery worker share the file: WAL lets readers and one writer work together.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    postgresql(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pathways:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Passwords after the ANSSI and CNIL recommendations: length first (12 characters at least, a passphrase is welcome),
# no forced mix of character kinds; common passwords and ones close to the person's name or address are refused.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
if PASSWORD_MIN_LENGTH < 12:
    raise ImproperlyConfigured("PASSWORD_MIN_LENGTH must be at least 12 (ANSSI and CNIL recommendations).")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout check (django-axes) comes first: it refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sessions end after SESSION_IDLE_SECONDS without activity (background polling is not activity:
# accounts.middleware.IdleSessionMiddleware) and when the browser closes. The page warns
# SESSION_WARNING_SECONDS before the end and offers to stay logged in.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=2 * 60)
# Activity is recorded at most once per this many seconds (a session save each request would cost a write).
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60
if SESSION_IDLE_SECONDS < 5 * 60:
    raise ImproperlyConfigured("SESSION_IDLE_SECONDS must be at least 300.")
if not 0 < SESSION_WARNING_SECONDS < SESSION_IDLE_SECONDS:
    raise ImproperlyConfigured("SESSION_WARNING_SECONDS must be positive and shorter than SESSION_IDLE_SECONDS.")
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Brute-force protection (django-axes, accounts.lockout): a client is locked out for LOGIN_COOLOFF_MINUTES after
# LOGIN_FAILURES_PER_USER_AND_IP failures on one account from one address, or LOGIN_FAILURES_PER_IP failures from
# one address whatever the accounts. Axes keeps only the attempts of the cool-off period; the account is stored as
# a keyed hash, never as the address typed; successful logins are not recorded.
LOGIN_FAILURES_PER_USER_AND_IP = env.int("LOGIN_FAILURES_PER_USER_AND_IP", default=5)
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=20)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
if min(LOGIN_FAILURES_PER_USER_AND_IP, LOGIN_FAILURES_PER_IP, LOGIN_COOLOFF_MINUTES) < 1:
    raise ImproperlyConfigured("LOGIN_FAILURES_PER_USER_AND_IP, LOGIN_FAILURES_PER_IP and LOGIN_COOLOFF_MINUTES >= 1.")
# The reverse proxies in front of the app (addresses or networks, comma-separated). Only a request coming from one
# of them has its client address read from X-Forwarded-For; otherwise the connection's address (REMOTE_ADDR) is the
# client's, and a forged header changes nothing.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_USER_AND_IP
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempt_username"
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address", "csrfmiddlewaretoken", "otp_token", "token"]

# Password reset: the request is recorded and answered at once; a worker sends the e-mail (accounts.tasks). At most
# PASSWORD_RESET_PER_IP_PER_HOUR requests from one address and PASSWORD_RESET_PER_EMAIL_PER_HOUR for one address
# are taken; past them the page answers the same and nothing is sent.
PASSWORD_RESET_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_PER_IP_PER_HOUR", default=10)
PASSWORD_RESET_PER_EMAIL_PER_HOUR = env.int("PASSWORD_RESET_PER_EMAIL_PER_HOUR", default=3)
# The sweeper sends requests still pending this many seconds after they were made (a broker outage).
PASSWORD_RESET_SWEEP_AFTER_SECONDS = env.int("PASSWORD_RESET_SWEEP_AFTER_SECONDS", default=60)
# Requests (address, time, status; no token) are deleted after this many days.
PASSWORD_RESET_KEEP_DAYS = 7
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Two-factor authentication (TOTP, django-otp; accounts.twofactor). A user with a confirmed device always gives a code
# after the password. It is mandatory (no page but enrolment until a device is set up) for administrators, regional
# staff, facilitators and the members of an organisation that asks for it. Only the embedded demo
# (config/settings/dev.py) turns the obligation off, so its printed logins work without an authenticator app; the
# production settings force it on.
TWO_FACTOR_ENFORCE_MANDATORY = True
# How many backup codes an enrolment (or a regeneration) gives; each works once.
TWO_FACTOR_BACKUP_CODES = 10
# The name authenticator apps show next to the codes.
OTP_TOTP_ISSUER = "Sans Rupture"

# --- ProConnect (OpenID Connect sign-in for professionals, accounts/proconnect.py) ---------------------------
# Off unless PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET and PROCONNECT_DOMAIN (or the five endpoints) are set:
# then the login page shows the ProConnect button and accounts.proconnect.ProConnectBackend matches the verified
# e-mail to an existing active account (never creates one). See docs/deployment.md, "ProConnect".
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
# The host given by ProConnect for the environment (e.g. fca.integ01.dev-agentconnect.fr for integration); every
# endpoint is under https://PROCONNECT_DOMAIN/api/v2/. A scheme may be given (http://127.0.0.1:8080 for a local
# provider).
PROCONNECT_DOMAIN = env.str("PROCONNECT_DOMAIN", default="")
_proconnect_base = ""
if PROCONNECT_DOMAIN:
    _proconnect_base = PROCONNECT_DOMAIN.rstrip("/")
    if "://" not in _proconnect_base:
        _proconnect_base = f"https://{_proconnect_base}"
    _proconnect_base += "/api/v2"


def _proconnect_endpoint(name: str, path: str) -> str:
    return env.str(f"PROCONNECT_{name}", default=f"{_proconnect_base}/{path}" if _proconnect_base else "")


# mozilla-django-oidc's settings, all derived from the PROCONNECT_* variables.
OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
OIDC_RP_CLIENT_SECRET = PROCONNECT_CLIENT_SECRET
OIDC_OP_AUTHORIZATION_ENDPOINT = _proconnect_endpoint("AUTHORIZATION_ENDPOINT", "authorize")
OIDC_OP_TOKEN_ENDPOINT = _proconnect_endpoint("TOKEN_ENDPOINT", "token")
OIDC_OP_USER_ENDPOINT = _proconnect_endpoint("USERINFO_ENDPOINT", "userinfo")
OIDC_OP_JWKS_ENDPOINT = _proconnect_endpoint("JWKS_ENDPOINT", "jwks")
# The provider's end_session_endpoint: logging out of Sans Rupture ends the ProConnect session too.
PROCONNECT_LOGOUT_ENDPOINT = _proconnect_endpoint("LOGOUT_ENDPOINT", "session/end")
# The id_token's `iss` must be this (ProConnect: https://PROCONNECT_DOMAIN/api/v2); empty: not checked.
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default=_proconnect_base)
PROCONNECT_ENABLED = bool(PROCONNECT_CLIENT_ID)
if PROCONNECT_ENABLED and not (
    PROCONNECT_CLIENT_SECRET
    and OIDC_OP_AUTHORIZATION_ENDPOINT
    and OIDC_OP_TOKEN_ENDPOINT
    and OIDC_OP_USER_ENDPOINT
    and OIDC_OP_JWKS_ENDPOINT
):
    raise ImproperlyConfigured(
        "PROCONNECT_CLIENT_ID is set: PROCONNECT_CLIENT_SECRET and PROCONNECT_DOMAIN (or the endpoints) are needed too."
    )
# ProConnect signs its tokens with RS256 or ES256 (keys published at the JWKS endpoint).
OIDC_RP_SIGN_ALGO = env.str("PROCONNECT_SIGN_ALGO", default="RS256")
if OIDC_RP_SIGN_ALGO not in ("RS256", "ES256"):
    raise ImproperlyConfigured("PROCONNECT_SIGN_ALGO: RS256 or ES256.")
OIDC_RP_SCOPES = "openid email given_name usual_name siret uid idp_id"
# eidas1 is ProConnect's basic level; the `amr` claim (how the person authenticated: pwd, totp, mfa…) comes in the
# id_token only when asked for, and is kept in the session (accounts.proconnect.SESSION_KEY).
PROCONNECT_ACR_VALUES = env.str("PROCONNECT_ACR_VALUES", default="eidas1")
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {
    **({"acr_values": PROCONNECT_ACR_VALUES} if PROCONNECT_ACR_VALUES else {}),
    "claims": '{"id_token":{"amr":{"essential":true},"auth_time":{"essential":true}}}',
}
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.float("PROCONNECT_TIMEOUT", default=10.0)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect_callback"
# (AUTHENTICATION_BACKENDS is set above, the lockout backend first.)
if PROCONNECT_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.proconnect.ProConnectBackend")

# --- Internationalisation ---------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day first (config/formats/en): "04/12/2026" is 4 December in both languages.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Forms and UI -----------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PAGINATE_BY = 25

# A strict policy from the first page: no inline script or style anywhere (docs/conventions.md, Templates).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if PROCONNECT_ENABLED:
    # The ProConnect button and the logout form are answered by a redirect to the provider, and browsers apply
    # form-action to the redirects that follow a form's submission.
    from urllib.parse import urlsplit

    for _endpoint in (OIDC_OP_AUTHORIZATION_ENDPOINT, PROCONNECT_LOGOUT_ENDPOINT):
        if _endpoint:
            _origin = "{0.scheme}://{0.netloc}".format(urlsplit(_endpoint))
            if _origin not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]:
                CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_origin)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- E-mail -----------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connection may block: a mail server that stops answering must not hold a worker (or the request of
# a page that sends) forever; the task fails, is retried, and its outbox row keeps the message.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sans Rupture <ne-pas-repondre@sans-rupture.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, with the fix that keeps a worker alive through a broker outage with tasks in flight
    # (core/broker/redis.py).
    CELERY_BROKER_TRANSPORT = "core.broker.redis:Transport"
    CELERY_RESULT_BACKEND = REDIS_URL
    # How long a task taken by a worker stays invisible before Redis hands it to another one.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    # A broker that needs no server: messages are files in var/celery/ shared by web, worker and beat.
    CELERY_BROKER_URL = "filesystem://localhost//"
    # kombu's filesystem transport, writing each message whole before any worker can see it
    # (core/broker/filesystem.py).
    CELERY_BROKER_TRANSPORT = "core.broker.filesystem:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # The worker looks for new message files this often (kombu's default, 1 s, would add up to a second to
        # each alert and slow the draining of the demo's backlog); listing a small folder costs next to nothing.
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    for folder in ("queue", "control", "results"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
# --- Partner API (api/, docs/api.md) ------------------------------------------------------------------------
# Requests per token (DRF's rate syntax: "600/hour", "20/minute"), counted in the cache API_THROTTLE_CACHE: Redis
# when REDIS_URL is set, so that every web process counts together; memory of the process otherwise.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/hour")
API_THROTTLE_CACHE = "api_throttle"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    API_THROTTLE_CACHE: (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "api"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-throttle"}
    ),
}
REST_FRAMEWORK = {
    # A token only (no session, so no CSRF): a partner's software, never a browser logged in.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sans Rupture — API partenaires",
    "DESCRIPTION": "Parcours, étapes, ruptures et alertes vus par la structure du jeton ; déclaration d'une rupture.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set (several models have a `kind`).
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "pathways.models.Organisation.Kind",
        "StageKindEnum": "pathways.models.Stage.Kind",
        "RuptureKindEnum": "ruptures.models.Rupture.Kind",
        "CauseEnum": "ruptures.models.Cause",
    },
}

# Document builds and their sweepers (core.tasks.DOCUMENT_BUILD): read by a worker of its own (docs/deployment.md).
CELERY_DOCUMENTS_QUEUE = "documents"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connections around every task unless this is set; it then closes them
# every this many tasks only, and config/celery.py applies CONN_MAX_AGE and the health checks around each task.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Notifications outbox: the sweeper period, how old a pending row must be before the sweeper takes it, and how
# long a worker holds a row it is delivering before another may take it over. They bound how long after a broker
# outage or a worker's death everything is delivered (`make bench ONLY=broker_outage`: 60/30/120 took 77 s after
# Redis was back; a sweep is one indexed query, a delivery stops starting sends after half its lease).
NOTIFICATIONS_SWEEP_SECONDS = env.int("NOTIFICATIONS_SWEEP_SECONDS", default=15)
NOTIFICATIONS_SWEEP_AFTER_SECONDS = env.int("NOTIFICATIONS_SWEEP_AFTER_SECONDS", default=15)
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env.int("NOTIFICATIONS_CLAIM_LEASE_SECONDS", default=60)
NOTIFICATIONS_SWEEP_BATCH = 500
# How long a worker keeps its SMTP session open after a delivery, for the next one (0: closed after each delivery).
NOTIFICATIONS_EMAIL_SESSION_SECONDS = env.int("NOTIFICATIONS_EMAIL_SESSION_SECONDS", default=5)
# Channels a person receives without having chosen (in-app is always on).
NOTIFICATIONS_DEFAULT_CHANNELS = {"email": True, "sms": False}
# SMS: console (development), file (tests) or the HTTP provider adapter (production); see notifications/sms.py.
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.ConsoleSmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl"))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="SansRupture")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
# Working days a rupture alert may stay unacknowledged before the prescribing organisation's managers and the
# funder are told (once).
ALERT_ESCALATION_WORKING_DAYS = env.int("ALERT_ESCALATION_WORKING_DAYS", default=2)

# The dashboards' rollups (dashboards.queue): the sweeper period (it also reads the attendance marks changed since
# its last run, so it bounds their lag), how old a pending refresh must be before the
# sweeper takes it, how long a worker holds the stages it refreshes, and how many stages a batch takes.
ROLLUPS_SWEEP_SECONDS = env.int("ROLLUPS_SWEEP_SECONDS", default=10)
ROLLUPS_SWEEP_AFTER_SECONDS = env.int("ROLLUPS_SWEEP_AFTER_SECONDS", default=0)
ROLLUPS_CLAIM_LEASE_SECONDS = env.int("ROLLUPS_CLAIM_LEASE_SECONDS", default=300)
ROLLUPS_BATCH = env.int("ROLLUPS_BATCH", default=2000)

CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "accounts.tasks.clear_expired_sessions_task", "schedule": 6 * 3600},
    # Retention (accounts.retention): notices 30 days ahead, then anonymisation of what expired; daily, at night.
    "accounts-retention": {"task": "accounts.tasks.retention_task", "schedule": crontab(hour=2, minute=15)},
    "accounts-sweep-password-resets": {"task": "accounts.tasks.sweep_password_resets_task", "schedule": 60},
    "pathways-sweep-invitations": {"task": "pathways.tasks.sweep_membership_invitations_task", "schedule": 5 * 60},
    # Import files left unconfirmed (issue 21): deleted two hours after their upload.
    "pathways-purge-import-files": {"task": "pathways.tasks.purge_import_files_task", "schedule": 15 * 60},
    "pathways-sweep-list-exports": {"task": "pathways.tasks.sweep_list_exports_task", "schedule": 60},
    "sweep-notifications": {
        "task": "notifications.tasks.sweep_notifications_task",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    },
    "attendance-escalate-drifts": {"task": "attendance.tasks.escalate_drifts_task", "schedule": 15 * 60},
    "attendance-evaluate-running-sessions": {
        "task": "attendance.tasks.evaluate_running_sessions_task",
        "schedule": 3600,
    },
    "alerts-escalate": {"task": "alerts.tasks.escalate_alerts_task", "schedule": 15 * 60},
    "ruptures-remind-resumptions": {"task": "ruptures.tasks.remind_resumptions_task", "schedule": 3600},
    "attendance-calendars-for-new-sessions": {
        "task": "attendance.tasks.calendars_for_new_sessions_task",
        "schedule": 15 * 60,
    },
    "attendance-sweep-statement-exports": {"task": "attendance.tasks.sweep_statement_exports_task", "schedule": 60},
    "ruptures-sweep-attestations": {"task": "ruptures.tasks.sweep_attestations_task", "schedule": 60},
    "accounts-sweep-rights-documents": {"task": "accounts.tasks.sweep_rights_documents_task", "schedule": 60},
    "charter-sweep-copies": {"task": "charter.tasks.sweep_copies_task", "schedule": 60},
    "charter-release-held-alerts": {"task": "charter.tasks.release_held_alerts_task", "schedule": 5 * 60},
    "notifications-remind-overdue-todos": {"task": "notifications.tasks.remind_overdue_todos_task", "schedule": 3600},
    "checklist-sweep-pdfs": {"task": "checklist.tasks.sweep_pdfs_task", "schedule": 60},
    "commissions-sweep-reports": {"task": "commissions.tasks.sweep_reports_task", "schedule": 60},
    # The day before a drop-in appointment (idempotent: each appointment is reminded once).
    "speaking-groups-remind-dropins": {"task": "speaking_groups.tasks.remind_dropins_task", "schedule": 3600},
    # The dashboards' rollups: pending refreshes the broker lost, and the nightly rebuild from scratch.
    "dashboards-sweep-rollup-queue": {
        "task": "dashboards.tasks.sweep_rollup_queue_task",
        "schedule": ROLLUPS_SWEEP_SECONDS,
    },
    "dashboards-rebuild-rollups": {
        "task": "dashboards.tasks.rollups_rebuild_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # The day before a commission meeting (idempotent: each meeting is reminded once).
    "commissions-remind-meetings": {"task": "commissions.tasks.remind_meetings_task", "schedule": 3600},
}

# --- Retention of personal data (accounts.retention) ---------------------------------------------------------
# Months each category is kept by default; a region may set its own (accounts.RetentionPolicy, in the admin).
# pathway: a person's named data after the last activity of their last closed pathway; facilitator_notes: after
# the case closes; access_log: the record-access log; transmission_files: the monthly attendance statements;
# documents: commission reports; exports: right-of-access exports.
RETENTION_DEFAULT_MONTHS = {
    "pathway": env.int("RETENTION_PATHWAY_MONTHS", default=24),
    "facilitator_notes": env.int("RETENTION_FACILITATOR_NOTES_MONTHS", default=12),
    "access_log": env.int("RETENTION_ACCESS_LOG_MONTHS", default=12),
    "transmission_files": env.int("RETENTION_TRANSMISSION_FILES_MONTHS", default=3),
    "documents": env.int("RETENTION_DOCUMENTS_MONTHS", default=12),
    "exports": env.int("RETENTION_EXPORTS_MONTHS", default=1),
}
if any(months < 1 for months in RETENTION_DEFAULT_MONTHS.values()):
    raise ImproperlyConfigured("Every RETENTION_*_MONTHS must be at least 1.")
# Days before a person's data expires when their referents are told.
RETENTION_NOTICE_DAYS = env.int("RETENTION_NOTICE_DAYS", default=30)

# --- Logging ----------------------------------------------------------------------------------------------
# No query string in any log line (a search by name would write the name): core/logging.py. gunicorn's access log
# has its own format (config/gunicorn.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_query_strings": {"()": "core.logging.DropQueryStrings"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["drop_query_strings"]},
        # The development server's request lines (`make run`), in Django's own format, without query strings.
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["drop_query_strings"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its DEBUG messages name the e-mail address of a refused ProConnect sign-in.
        "mozilla_django_oidc": {"level": "INFO"},
        # Django's own handlers (DEFAULT_LOGGING: a console in DEBUG, the e-mails to ADMINS) replaced by ours.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
# --- Legal pages (accounts/legal.py, templates/legal/) ---------------------------------------------------------
# Who publishes the service, who answers for it and who hosts it, shown on the legal notice, the personal-data page
# and the accessibility statement. Each deployment sets its own (docs/deployment.md).
LEGAL_PUBLISHER = env.str("LEGAL_PUBLISHER", default="Région (à renseigner : LEGAL_PUBLISHER)")
LEGAL_PUBLISHER_ADDRESS = env.str("LEGAL_PUBLISHER_ADDRESS", default="")
LEGAL_PUBLICATION_DIRECTOR = env.str(
    "LEGAL_PUBLICATION_DIRECTOR", default="Présidence de la Région (à renseigner : LEGAL_PUBLICATION_DIRECTOR)"
)
LEGAL_HOST = env.str("LEGAL_HOST", default="(à renseigner : LEGAL_HOST)")
LEGAL_HOST_ADDRESS = env.str("LEGAL_HOST_ADDRESS", default="")
LEGAL_CONTACT_EMAIL = env.str("LEGAL_CONTACT_EMAIL", default="contact@sans-rupture.localhost")
# The data-protection officer the people and the users write to (right of access, objection, erasure…): on the
# personal-data page and in every person's information notice. Empty (a development default), the notice sends the
# person to their referent and the page to LEGAL_CONTACT_EMAIL. `check --deploy` refuses the placeholders
# (accounts/checks.py).
DPO_CONTACT_EMAIL = env.str("DPO_CONTACT_EMAIL", default="")
# The accessibility statement: the date of the last audit (YYYY-MM-DD) and whom to write to (LEGAL_CONTACT_EMAIL
# when empty).
try:
    ACCESSIBILITY_AUDIT_DATE = datetime.date.fromisoformat(env.str("ACCESSIBILITY_AUDIT_DATE", default="2026-12-01"))
except ValueError as error:
    raise ImproperlyConfigured(f"ACCESSIBILITY_AUDIT_DATE: a date YYYY-MM-DD ({error}).") from error
ACCESSIBILITY_CONTACT_EMAIL = env.str("ACCESSIBILITY_CONTACT_EMAIL", default="")

# Errors to Sentry when SENTRY_DSN is set, personal data scrubbed (core/sentry.py, docs/deployment.md).
SENTRY_ENABLED = init_sentry(env)
# Django's error reports (debug page, e-mails to ADMINS) without query strings nor form values.
DEFAULT_EXCEPTION_REPORTER = "core.logging.PersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.PersonalDataExceptionReporterFilter"
SMALL_COUNT_THRESHOLD = 5
# At most this many duplicate checks (person creation) per user in any hour, counted from the access log so that
# the limit holds across processes: the check tells who follows a person, it must not become a directory.
DUPLICATE_CHECKS_PER_HOUR = env.int("DUPLICATE_CHECKS_PER_HOUR", default=30)
if DUPLICATE_CHECKS_PER_HOUR < 1:
    raise ImproperlyConfigured("DUPLICATE_CHECKS_PER_HOUR must be at least 1.")

# --- Attendance ---------------------------------------------------------------------------------------------
# Defaults of the absence rules; a programme, then a training action, may override each (attendance.AbsenceRules).
ATTENDANCE_DEFAULT_RULES = {
    "consecutive_unjustified": 2,  # K consecutive unjustified half-days
    "min_attendance_rate": 80,  # R %
    "window_days": 10,  # over W days
    "no_show_first_day": True,
    "reminders_before_presumed": 2,  # N reminders without answer → presumed rupture
    "drift_working_days": 3,  # or D working days open → presumed rupture
    "presumed_escalation_working_days": 2,  # C working days unconfirmed → the organisation manager is told
}
# Documents built by workers (core.documents: statements, attestations, charter copies, checklist PDFs): how old a
# pending request must be before the sweeper builds it, and how long a worker holds one it is building.
DOCUMENTS_SWEEP_AFTER_SECONDS = env.int("DOCUMENTS_SWEEP_AFTER_SECONDS", default=120)
DOCUMENTS_CLAIM_LEASE_SECONDS = env.int("DOCUMENTS_CLAIM_LEASE_SECONDS", default=600)
# Exports of lists (pathways.exports, issue 21): a list of more rows than this is built by a worker (documents queue)
# instead of in the request (its file is deleted with the retention category "exports", RETENTION_EXPORTS_MONTHS).
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=2000)
# Commission reports (commissions.report): the sweeper marks failed a report whose worker was lost mid-build and
# retries it itself, until its builds started this many times or its request is this old; then it stays failed,
# retryable from the meeting page.
COMMISSION_REPORT_MAX_ATTEMPTS = env.int("COMMISSION_REPORT_MAX_ATTEMPTS", default=3)
COMMISSION_REPORT_MAX_AGE_SECONDS = env.int("COMMISSION_REPORT_MAX_AGE_SECONDS", default=3600)
# A sheet older than this many days is locked for trainers; a pedagogical manager may still change it (recorded).
ATTENDANCE_LOCK_DAYS = env.int("ATTENDANCE_LOCK_DAYS", default=7)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/fichiers/"  # never served directly: downloads go through scoped views
