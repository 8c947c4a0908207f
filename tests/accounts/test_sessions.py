"""Sessions: idle expiry (background polling is not activity), the end at browser close, the warning and its "Rester
connecté", and a password change that ends the other sessions. Frozen clock throughout."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"
HOME = "pathways:home"


@pytest.fixture
def user(db):
    return UserFactory(email="lea.roux@example.org")


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0)


def login(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def at(start, minutes):
    return time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False)


def is_logged_in(client) -> bool:
    response = client.get(reverse(HOME))
    return response.status_code == 200


def test_the_default_idle_time_is_thirty_minutes_and_the_session_ends_at_browser_close():
    assert settings.SESSION_IDLE_SECONDS == 1800
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_the_session_cookie_has_no_lifetime_so_it_ends_with_the_browser(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_a_session_ends_after_thirty_minutes_without_activity(client, user, start):
    with at(start, 0):
        login(client, user)
    with at(start, 29):
        assert is_logged_in(client)
    with at(start, 29 + 29):
        assert is_logged_in(client)  # the page at 29 minutes was activity
    with at(start, 29 + 29 + 31):
        response = client.get(reverse(HOME))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        # and it stays ended
        assert not is_logged_in(client)


def test_the_idle_time_comes_from_the_settings(client, user, start, settings):
    settings.SESSION_IDLE_SECONDS = 10 * 60
    with at(start, 0):
        login(client, user)
    with at(start, 11):
        assert not is_logged_in(client)


def test_polling_does_not_keep_the_session_alive(client, user, start):
    with at(start, 0):
        login(client, user)
    for minute in range(5, 30, 5):
        with at(start, minute):
            response = client.get(reverse("alerts:alert_list"), HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            assert client.get(reverse("alerts:alert_badge")).status_code == 200
    with at(start, 31):
        assert not is_logged_in(client)


def test_a_poll_after_the_end_asks_the_page_to_reload(client, user, start):
    with at(start, 0):
        login(client, user)
    with at(start, 31):
        response = client.get(reverse("alerts:alert_badge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_an_htmx_post_is_activity(client, user, start):
    with at(start, 0):
        login(client, user)
    with at(start, 20):
        client.post(reverse("accounts:session_ping"), HTTP_HX_REQUEST="true")
    with at(start, 45):
        assert is_logged_in(client)


def test_the_session_row_expires_in_the_database_with_the_idle_time(client, user, start):
    with at(start, 0):
        login(client, user)
        session = Session.objects.get()
        assert session.expire_date == start + datetime.timedelta(minutes=30)
    with at(start, 10):
        client.get(reverse(HOME))
    assert Session.objects.get().expire_date == start + datetime.timedelta(minutes=40)


def test_activity_is_recorded_at_most_once_a_minute(client, user, start, django_assert_num_queries):
    with at(start, 0):
        login(client, user)
    with at(start, 0.5):
        before = Session.objects.get().expire_date
        client.get(reverse(HOME))
    assert Session.objects.get().expire_date == before


def test_the_page_carries_the_warning_with_the_time_left(client, user, start):
    with at(start, 0):
        login(client, user)
    with at(start, 10):
        content = client.get(reverse(HOME)).content.decode()
    assert 'id="session-warning"' in content
    assert 'data-seconds-left="1800"' in content and 'data-warning-seconds="120"' in content
    assert "Rester connecté" in content and 'role="alertdialog"' in content
    assert "js/session.js" in content


def test_the_login_page_has_no_warning(client, db):
    assert 'id="session-warning"' not in client.get(reverse("accounts:login")).content.decode()


def test_staying_logged_in_extends_the_session(client, user, start):
    with at(start, 0):
        login(client, user)
    with at(start, 28):
        response = client.post(reverse("accounts:session_ping"), HTTP_ACCEPT="application/json")
        assert response.status_code == 200 and response.json() == {"seconds_left": 1800}
    with at(start, 28 + 29):
        assert is_logged_in(client)


def test_staying_logged_in_without_script_goes_back_to_the_page(client, user):
    login(client, user)
    response = client.post(reverse("accounts:session_ping"), {"next": "/alertes/"})
    assert response.status_code == 302 and response.url == "/alertes/"
    response = client.post(reverse("accounts:session_ping"), {"next": "https://ailleurs.example.org/"})
    assert response.url == reverse(HOME)


def test_the_ping_is_for_logged_in_users_and_posts_only(client, user):
    response = client.post(reverse("accounts:session_ping"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    login(client, user)
    assert client.get(reverse("accounts:session_ping")).status_code == 405


def test_the_ping_cannot_revive_an_ended_session(client, user, start):
    with at(start, 0):
        login(client, user)
    with at(start, 31):
        response = client.post(reverse("accounts:session_ping"), HTTP_ACCEPT="application/json")
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(user):
    laptop, phone = login(Client(), user), login(Client(), user)
    assert Session.objects.count() == 2
    new = "une toute nouvelle phrase de passe"
    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert is_logged_in(laptop)
    response = phone.get(reverse(HOME))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert Session.objects.count() == 1  # the phone's session is gone from the database, not only refused


def test_a_password_reset_ends_every_session(client, user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    phone = login(Client(), user)
    user.refresh_from_db()  # the token depends on the last login
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    new = "une toute nouvelle phrase de passe"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert not is_logged_in(phone)
