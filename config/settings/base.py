"""Settings shared by every environment. Values come from the environment (django-environ) and fail loudly.

The embedded default (no variable set) is SQLite in var/, a Celery broker on the filesystem (kombu's
"filesystem" transport, no server) and e-mails printed to the console. Setting DATABASE_URL and REDIS_URL
switches to PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    "django.contrib.admin",
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
    "csp",
    "auditlog",
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
    "commissions",
]

MIDDLEWARE = [
    "config.middleware.HealthzMiddleware",  # before host validation: the probe calls 127.0.0.1
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
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
                "notifications.context_processors.inbox",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

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
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- E-mail -----------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
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
    "pathways-sweep-invitations": {"task": "pathways.tasks.sweep_membership_invitations_task", "schedule": 5 * 60},
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

# --- Logging ----------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
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
# Commission reports (commissions.report): the sweeper marks failed (retryable by the user) a report whose builds
# started this many times, or requested this long ago, without finishing.
COMMISSION_REPORT_MAX_ATTEMPTS = env.int("COMMISSION_REPORT_MAX_ATTEMPTS", default=3)
COMMISSION_REPORT_MAX_AGE_SECONDS = env.int("COMMISSION_REPORT_MAX_AGE_SECONDS", default=3600)
# A sheet older than this many days is locked for trainers; a pedagogical manager may still change it (recorded).
ATTENDANCE_LOCK_DAYS = env.int("ATTENDANCE_LOCK_DAYS", default=7)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/fichiers/"  # never served directly: downloads go through scoped views
