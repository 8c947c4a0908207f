"""Settings for `make test`: the embedded default, or PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("NOTES_ENCRYPTION_SALT", "test-only-notes-salt-0123456789abcdef")
# Each test run gets its own broker folder so a stale message of an earlier run is never consumed; the process
# that made it removes it at exit (worker subprocesses inherit the variable and leave it alone).
if "SANS_RUPTURE_VAR_DIR" not in os.environ:
    os.environ["SANS_RUPTURE_VAR_DIR"] = tempfile.mkdtemp(prefix="sans-rupture-test-")
    atexit.register(shutil.rmtree, os.environ["SANS_RUPTURE_VAR_DIR"], ignore_errors=True)

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# collectstatic is for production; tests serve static files from the app folders.
STATIC_ROOT = None
