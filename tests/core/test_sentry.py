"""Errors go to Sentry only when SENTRY_DSN is set, and leave without personal data (core/sentry.py)."""

import json
import os
import subprocess
import sys

import environ
import pytest
from django.conf import settings

from core import sentry


def crafted_event():
    """An error event as sentry-sdk's Django integration builds it for a search by name that failed."""
    return {
        "message": "Search failed for GET /personnes/?q=Lef%C3%A8vre",
        "transaction": "/personnes/?q=Lefèvre",
        "request": {
            "method": "GET",
            "url": "https://sans-rupture.example.org/personnes/?q=Lefèvre",
            "query_string": "q=Lef%C3%A8vre",
            "cookies": {"sessionid": "abc", "csrftoken": "def"},
            "data": {"last_name": "Lefèvre", "phone": "0611223344"},
            "headers": {"Cookie": "sessionid=abc", "Referer": "/personnes/?q=Lefèvre", "Accept": "text/html"},
            "env": {"REMOTE_ADDR": "10.0.0.1", "SERVER_NAME": "web"},
        },
        "user": {"id": "12", "email": "adviser@mission-locale.example.org", "username": "adviser", "ip_address": "1"},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "no pathway for /personnes/?q=Lefèvre",
                    "stacktrace": {
                        "frames": [
                            {"function": "search", "vars": {"q": "'Lefèvre'", "person": "<Beneficiary: Inès LEFÈVRE>"}}
                        ]
                    },
                }
            ]
        },
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "run", "vars": {"name": "'Inès'"}}]}}]},
        "extra": {"celery-job": {"args": ["Inès Lefèvre"], "kwargs": {}}},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT … WHERE last_name = %s", "data": {"params": ["Lefèvre"]}},
                {"category": "httplib", "message": "GET https://api.example.org/?name=Lefèvre", "data": {"x": "y"}},
            ]
        },
    }


def test_before_send_scrubs_request_query_strings_cookies_user_email_and_frame_variables():
    event = sentry.before_send(crafted_event(), {})
    flat = repr(event)
    for marker in ("Lefèvre", "Lef%C3%A8vre", "0611223344", "Inès", "adviser@", "sessionid", "10.0.0.1", "csrftoken"):
        assert marker not in flat, marker
    assert event["request"] == {
        "method": "GET",
        "url": "https://sans-rupture.example.org/personnes/",
        "headers": {"Accept": "text/html"},
    }
    assert event["user"] == {"id": "12"}
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "search"}]
    assert event["breadcrumbs"]["values"][0] == {"category": "query", "message": "SELECT … WHERE last_name = %s"}


def test_sentry_is_not_started_without_a_dsn(monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert sentry.init_sentry(environ.Env()) is False
    assert calls == []
    assert settings.SENTRY_ENABLED is False


def test_sentry_starts_with_the_dsn_without_personal_data(monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    monkeypatch.setenv("SENTRY_DSN", "https://public@sentry.example.org/1")
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "recette")
    monkeypatch.setenv("SENTRY_RELEASE", "sans-rupture@1.4.0")
    assert sentry.init_sentry(environ.Env()) is True
    [options] = calls
    assert options["dsn"] == "https://public@sentry.example.org/1"
    assert (options["environment"], options["release"]) == ("recette", "sans-rupture@1.4.0")
    assert options["send_default_pii"] is False and options["include_local_variables"] is False
    assert options["before_send"] is sentry.before_send
    assert {type(i).__name__ for i in options["integrations"]} == {"DjangoIntegration", "CeleryIntegration"}


@pytest.mark.parametrize(("dsn", "active"), [("", "False"), ("https://public@sentry.example.org/1", "True")])
def test_the_settings_start_sentry_only_when_the_dsn_is_set(dsn, active):
    """The real settings, in a fresh process: the client is active exactly when SENTRY_DSN is set."""
    code = (
        "import django, sentry_sdk; django.setup(); from django.conf import settings; "
        "c = sentry_sdk.get_client(); print(settings.SENTRY_ENABLED, c.is_active(), c.options.get('send_default_pii'))"
    )
    env = {**os.environ, "SENTRY_DSN": dsn, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    enabled, is_active, pii = result.stdout.split()
    assert (enabled, is_active) == (active, active)
    if active == "True":
        assert pii == "False"


def test_a_real_failing_request_reaches_sentry_without_personal_data():
    """The real settings, the real WSGI application and sentry-sdk's Django integration, in a fresh process
    (tests/core/sentry_request.py): a page that fails, asked with a name and an e-mail in its query string, its
    referrer and its user agent. The event Sentry would send keeps the method, the path and the error, and nothing
    of the person, the session or the address."""
    env = {
        **os.environ,
        "SENTRY_DSN": "https://public@sentry.example.org/1",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.core.sentry_request"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["statuses"] == ["500 Internal Server Error"]
    [event] = answer["events"]
    assert event["request"] == {"method": "GET", "url": "http://localhost/informations/aide/", "headers": {}}
    assert [value["value"] for value in event["exception"]["values"]] == ["no pathway for /personnes/"]
    flat = json.dumps(event, ensure_ascii=False)
    for marker in ("Lefèvre", "Lef%C3%A8vre", "ines.lefevre", "cookie-secret-42", "10.1.2.3", "Mozilla"):
        assert marker not in flat, marker
