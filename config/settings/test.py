"""Settings for `make test`: the embedded default, or PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("NOTES_ENCRYPTION_SALT", "test-only-notes-salt-0123456789abcdef")
# Each test run gets its own broker folder so a stale message of an earlier run is never consumed; the process
# that made it removes it at exit (worker subprocesses inherit the variable and leave it alone). Under pytest-xdist
# (`make test` runs the tests in parallel processes), each test process has a folder of its own too.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if "SANS_RUPTURE_VAR_DIR" not in os.environ or os.environ.get("SANS_RUPTURE_TEST_PROCESS") != _XDIST_WORKER:
    os.environ["SANS_RUPTURE_VAR_DIR"] = tempfile.mkdtemp(prefix="sans-rupture-test-")
    os.environ["SANS_RUPTURE_TEST_PROCESS"] = _XDIST_WORKER
    atexit.register(shutil.rmtree, os.environ["SANS_RUPTURE_VAR_DIR"], ignore_errors=True)
# Each test process has a Redis database of its own (the one of REDIS_URL, then the next ones: gw0 uses it, gw1 the
# next), as it has a test database of its own (pytest-django's test_<name>_gw<n>).
if _XDIST_WORKER.startswith("gw") and os.environ.get("REDIS_URL") and not os.environ.get("SANS_RUPTURE_REDIS_SHIFTED"):
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(os.environ["REDIS_URL"])
    _db = int(_url.path.strip("/") or 0) + int(_XDIST_WORKER[2:])
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db % 16}"))
    os.environ["SANS_RUPTURE_REDIS_SHIFTED"] = "1"

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# collectstatic is for production; tests serve static files from the app folders.
STATIC_ROOT = None

# Most tests log users in with `client.force_login` and no second factor; the two-factor tests
# (tests/accounts/test_twofactor.py) switch the obligation on and go through the real middleware.
TWO_FACTOR_ENFORCE_MANDATORY = False
