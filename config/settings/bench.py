"""Settings for `make bench` (`python -m bench`): PostgreSQL and Redis only, production-like request handling.

The runner (`bench/__main__.py`) points DATABASE_URL at a database of its own before Django starts; this module
only refuses to start without PostgreSQL and Redis, accepts the test client's host, and keeps the tasks the
benchmarks enqueue (the rule evaluation after each sheet save) away from any development worker.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import ALLOWED_HOSTS, DATABASES, LOGGING, REDIS_URL  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Benchmarks run on PostgreSQL: set DATABASE_URL (postgres://…).")
if not REDIS_URL:
    raise ImproperlyConfigured("Benchmarks run with Redis: set REDIS_URL (redis://…).")

DEBUG = False  # timings as in production (no query log except where a benchmark captures it)
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # django.test.Client
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT = None
LOGGING["root"]["level"] = "WARNING"

# Tasks are really published to Redis (that cost is part of a save), but on a queue of their own that no worker
# reads; the runner empties it after the benchmarks.
CELERY_TASK_DEFAULT_QUEUE = "sans_rupture_bench"
