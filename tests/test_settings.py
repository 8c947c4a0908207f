"""The settings every deployment gets: the database's (`config.settings.base.postgresql`) and the production ones."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.settings.base import postgresql
from tests.conftest import require_service

URL_CONFIG = {"ENGINE": "django.db.backends.postgresql", "NAME": "sans_rupture", "HOST": "127.0.0.1"}


def test_postgresql_prepares_statements_and_keeps_checked_connections(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    database = postgresql(dict(URL_CONFIG))
    assert database["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    database = postgresql({**URL_CONFIG, "OPTIONS": {"sslmode": "require"}})
    assert database["OPTIONS"] == {"sslmode": "require"}  # the URL's own options are kept


def test_another_database_engine_is_refused():
    with pytest.raises(ImproperlyConfigured):
        postgresql({"ENGINE": "django.db.backends.mysql", "NAME": "x"})


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_test_database_connection_prepares_statements_on_postgresql():
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    for _ in range(6):  # the 5th run prepares it
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_user WHERE is_active = %s", [True])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1


PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "test-only-0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop",
    "NOTES_ENCRYPTION_SALT": "test-only",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "sans-rupture.example.org",
}


def _production_site_url(**environment):
    """SITE_URL as the production settings read it, in a fresh interpreter (settings are read once per process)."""
    env = {"PATH": os.environ["PATH"], **PRODUCTION_ENVIRONMENT, **environment}
    return subprocess.run(
        [sys.executable, "-c", "from config.settings import production; print(production.SITE_URL)"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_production_requires_the_public_address_of_the_site():
    """The charter's verification link said http://localhost:8000 whatever host served the app (issue 21)."""
    missing = _production_site_url()
    assert missing.returncode != 0
    assert "SITE_URL" in missing.stderr
    given = _production_site_url(SITE_URL="https://sans-rupture.example.org")
    assert given.returncode == 0, given.stderr
    assert given.stdout.strip() == "https://sans-rupture.example.org"
