"""Login, password reset, language, error pages and the health check."""

import shutil

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tests.accounts.factories import UserFactory
from tests.conftest import require_service


@pytest.fixture
def user(db):
    return UserFactory(email="lea.roux@example.org")


def test_login_with_email_ignores_its_case(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": "Lea.Roux@Example.org", "password": "motdepasse-de-test"}
    )
    assert response.status_code == 302 and response.url == reverse("pathways:home")


def test_a_wrong_password_is_explained_in_french(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "faux"})
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()


def test_logout_is_a_post(client, user):
    client.force_login(user)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("pathways:home")).status_code == 302


def test_password_reset_sends_a_link_in_text_and_html(client, user):
    from accounts.models import PasswordResetRequest
    from accounts.tasks import password_reset_send_task

    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    password_reset_send_task(PasswordResetRequest.objects.get().pk)  # the worker's part (test_password_reset.py)
    message = mail.outbox[0]
    assert "/compte/mot-de-passe/nouveau/" in message.body
    assert message.alternatives and "Choisir mon mot de passe" in message.alternatives[0][0]


def test_pages_are_french_by_default(client, user):
    client.force_login(user)
    response = client.get(reverse("pathways:home"))
    assert '<html lang="fr">' in response.content.decode()


def english_catalogue_available():
    return shutil.which("msgfmt") is not None


def test_the_language_switch_is_saved_on_the_account(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert '<html lang="en">' in client.get(reverse("pathways:home")).content.decode()


def test_english_pages_and_messages_are_translated(client, user):
    require_service(english_catalogue_available(), "gettext (msgfmt) is missing: the English catalogue is not compiled")
    from django.core.management import call_command

    call_command("compilemessages", "--ignore=.venv", "--ignore=.tools", verbosity=0)
    translation.trans_real._translations = {}  # reload catalogues compiled just now
    user.language = "en"
    user.save()
    client.force_login(user)
    content = client.get(reverse("pathways:home")).content.decode()
    assert "Log out" in content or "Sign out" in content
    response = client.post(
        reverse("accounts:login"), {"username": "x@example.org", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Adresse e-mail ou mot de passe incorrect" not in response.content.decode()


def test_the_404_page_has_the_app_look(client, user):
    client.force_login(user)
    response = client.get("/parcours/999999/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page introuvable" in content and "Sans Rupture" in content


def test_the_500_page_renders_without_context(db):
    from django.template.loader import render_to_string

    assert "Une erreur est survenue" in render_to_string("500.html")


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_answers_the_container_probe_whatever_the_allowed_hosts(client, db, settings):
    """docker-compose.yml's probe calls http://127.0.0.1:8000/healthz from inside the container, while a real
    deployment's ALLOWED_HOSTS names its public domain only (issue 21: the probe got 400)."""
    settings.ALLOWED_HOSTS = ["sans-rupture.example.org"]
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    # Every other page still validates the host.
    assert client.get(reverse("accounts:login"), HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get(reverse("accounts:login"), HTTP_HOST="sans-rupture.example.org").status_code == 200


def test_healthz_answers_503_when_the_broker_is_unreachable(client, db, settings):
    from config.celery import app

    original = app.conf.broker_url, app.conf.broker_transport
    # A Redis broker nobody listens to (the embedded default names its transport class: cleared here).
    app.conf.broker_url, app.conf.broker_transport = "redis://127.0.0.1:1/0", None
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url, app.conf.broker_transport = original
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
