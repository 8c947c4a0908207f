"""The embedded default used by `make run`: everything local, nothing to install but Python packages."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-change-me-not-for-production-use-0123456789")
os.environ.setdefault("NOTES_ENCRYPTION_SALT", "dev-only-notes-salt-0123456789abcdef")

from config.settings.base import *  # noqa: E402,F403

# collectstatic is for production; in development and tests WhiteNoise and runserver read the app folders.
STATIC_ROOT = None

# The embedded demo only: nobody is obliged to set up a second factor, so the logins printed by `make run` work
# without an authenticator app (a user who sets one up is still asked for a code). Never in production.
TWO_FACTOR_ENFORCE_MANDATORY = False
