"""Settings for `make bench` (`python -m bench`): PostgreSQL and Redis only, production-like request handling.

The runner (`bench/__main__.py`) points DATABASE_URL at a database of its own before Django starts; this module
only refuses to start without PostgreSQL and Redis, accepts the test client's host, and keeps the tasks the
benchmarks enqueue away from any development worker: on a queue no worker reads (the rule evaluation after each
sheet save), or on the queue of the worker the alert benchmarks start themselves (`bench/_alerts.py`), which uses
these settings too.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("NOTES_ENCRYPTION_SALT", "bench-only-notes-salt-0123456789abcdef")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import ALLOWED_HOSTS, DATABASES, LOGGING, REDIS_URL, env  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Benchmarks run on PostgreSQL: set DATABASE_URL (postgres://…).")
if not REDIS_URL:
    raise ImproperlyConfigured("Benchmarks run with Redis: set REDIS_URL (redis://…).")

DEBUG = False  # timings as in production (no query log except where a benchmark captures it)
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # django.test.Client
# E-mails stay in memory, except in the alert benchmarks' worker, which sends them to the local SMTP sink of the
# benchmark (BENCH_EMAIL_URL, set by bench/_alerts.py). A developer's EMAIL_URL is never used by a benchmark.
vars().update(env.email_url("BENCH_EMAIL_URL", default="memorymail://"))
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_TIMEOUT = 10
# SMS likewise: written to the log, except in that worker, which posts them to the benchmark's imitation of an HTTP
# provider (notifications.sms.HttpSmsBackend).
SMS_BACKEND = env.str("BENCH_SMS_BACKEND", default="notifications.sms.ConsoleSmsBackend")
SMS_HTTP_URL = env.str("BENCH_SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("BENCH_SMS_HTTP_TOKEN", default="")
STATIC_ROOT = None
LOGGING["root"]["level"] = "WARNING"

# Tasks are really published to Redis (that cost is part of a save), but on a queue of their own that no worker
# reads; the runner empties it before and after the benchmarks.
CELERY_TASK_DEFAULT_QUEUE = "sans_rupture_bench"
# Except the notification deliveries and the no-op probe: they go to the queue of the worker that the alert
# benchmarks start for their own run (and stop after it); the runner empties that queue too.
BENCH_WORKER_QUEUE = "sans_rupture_bench_worker"
# The dashboards' rollups refresh: read by the worker `bench/dashboard_basin.py` starts for its lag measure.
BENCH_ROLLUPS_QUEUE = "sans_rupture_bench_rollups"
CELERY_TASK_ROUTES = {
    "dashboards.tasks.*": {"queue": BENCH_ROLLUPS_QUEUE},
    "notifications.tasks.*": {"queue": BENCH_WORKER_QUEUE},
    "sans_rupture.ping": {"queue": BENCH_WORKER_QUEUE},
}
# The document builds (core.tasks.DOCUMENTS_QUEUE) also get a queue of the bench's own, emptied by the runner.
CELERY_DOCUMENTS_QUEUE = "sans_rupture_bench_documents"

# The benchmarks log users in with `client.force_login`, without a second factor. A verified session costs one query
# more per request (django-otp reads the session's device), which the benchmarks do not count.
TWO_FACTOR_ENFORCE_MANDATORY = False
