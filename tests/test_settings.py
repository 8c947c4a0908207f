"""The database settings every PostgreSQL deployment gets (`config.settings.base.postgresql`)."""

import pytest
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
