"""Brute-force protection (django-axes, accounts.lockout): lockout per account and address, per address, the trusted
proxy rule for the client address, the lockout page, the unlock by an administrator, and what axes keeps."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import account_key, client_ip
from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def user(db):
    return UserFactory(email="lea.roux@example.org")


def attempt(client, email, password="faux-mot-de-passe", **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


def test_four_failures_still_let_the_right_password_in(client, user):
    for _ in range(4):
        assert attempt(client, user.email).status_code == 200
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("pathways:home")


def test_the_fifth_failure_locks_the_account_from_this_address_with_a_clear_page(client, user):
    for _ in range(4):
        attempt(client, user.email)
    response = attempt(client, user.email)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Connexion temporairement bloquée" in content and "15 minutes" in content
    assert user.email not in content
    # even the right password is refused now
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_same_account_from_another_address_is_not_locked(client, user):
    for _ in range(5):
        attempt(client, user.email, REMOTE_ADDR="198.51.100.7")
    response = attempt(client, user.email, PASSWORD, REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 302


def test_the_lockout_ends_after_the_cooloff(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, user.email)
        assert attempt(client, user.email, PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert attempt(client, user.email, PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_on_many_accounts_lock_the_address(client, user):
    for n in range(19):
        assert attempt(client, f"inconnu{n}@example.org").status_code == 200
    assert attempt(client, "inconnu-final@example.org").status_code == 429
    # every account is refused from this address, the right password too
    assert attempt(client, user.email, PASSWORD).status_code == 429
    # another address is free
    assert attempt(client, user.email, PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_limits_come_from_the_settings(client, user, settings):
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_FAILURES_PER_USER_AND_IP = 2
    attempt(client, user.email)
    assert attempt(client, user.email).status_code == 429


def test_a_forged_forwarded_header_from_an_untrusted_client_changes_nothing(client, user, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        response = attempt(client, user.email, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(client, user, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for _ in range(5):
        response = attempt(client, user.email, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    # another client behind the same proxy is not locked
    response = attempt(client, user.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "192.0.2.1", [], "203.0.113.5"),  # no proxy named: the connection's address
        ("203.0.113.5", "192.0.2.1", ["10.0.0.1"], "203.0.113.5"),  # not from our proxy: the header is ignored
        ("10.0.0.1", "192.0.2.1", ["10.0.0.1"], "192.0.2.1"),
        # the client wrote "198.51.100.1" itself; our proxy appended the real address: the right-most untrusted
        ("10.0.0.1", "198.51.100.1, 192.0.2.1", ["10.0.0.1"], "192.0.2.1"),
        ("10.0.0.1", "192.0.2.1, 10.0.0.3", ["10.0.0.0/24"], "192.0.2.1"),  # two proxies of ours
        ("10.0.0.1", "pas-une-adresse", ["10.0.0.1"], "10.0.0.1"),  # malformed: the proxy's address
        ("10.0.0.1", "", ["10.0.0.1"], "10.0.0.1"),
    ],
)
def test_client_ip(rf, settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_axes_keeps_no_address_no_password_and_no_successful_login(client, user):
    for _ in range(3):
        attempt(client, user.email, "Un-Mot-De-Passe-Secret")
    attempt(client, user.email, PASSWORD)
    row = AccessAttempt.objects.get()
    stored = " ".join(str(value) for value in AccessAttempt.objects.values().get().values())
    assert user.email not in stored and "lea.roux" not in stored
    assert "Un-Mot-De-Passe-Secret" not in stored and PASSWORD not in stored
    assert row.username == account_key("Lea.Roux@example.org") and row.failures_since_start == 3
    assert not AccessLog.objects.exists()


def test_an_administrator_unlocks_an_account_from_the_user_admin(client, user, django_user_model):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        attempt(client, user.email)
    assert attempt(client, user.email, PASSWORD).status_code == 429

    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "unlock_login", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_id=str(user.pk), user=admin).exists()

    client.logout()
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_the_unlock_action_needs_the_change_permission(client, user):
    staff = UserFactory(is_staff=True)
    for _ in range(5):
        attempt(client, user.email)
    client.force_login(staff)
    client.post(reverse("admin:accounts_user_changelist"), {"action": "unlock_login", "_selected_action": [user.pk]})
    assert AccessAttempt.objects.exists()


def test_the_sweeper_forgets_failures_past_the_cooloff(client, user):
    from accounts.services import login_attempts_purge

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt(client, user.email)
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        assert login_attempts_purge() == 0
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert login_attempts_purge() == 1
    assert not AccessAttempt.objects.exists()


def test_choosing_a_new_password_from_a_reset_link_lifts_the_accounts_lockout(client, user):
    """The lockout page says "choisissez un nouveau mot de passe": the new password then works at once."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for _ in range(5):
        attempt(client, user.email)
    locked = attempt(client, user.email, PASSWORD)
    assert locked.status_code == 429 and reverse("accounts:password_reset") in locked.content.decode()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    new = "une toute nouvelle phrase de passe"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    response = attempt(client, user.email, new)
    assert response.status_code == 302 and response.url == reverse("pathways:home")


def test_a_password_reset_does_not_lift_the_lockout_of_an_address_that_tried_many_accounts(client, user, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for number in range(20):
        attempt(client, f"inconnu{number}@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    new = "une toute nouvelle phrase de passe"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert attempt(client, user.email, new).status_code == 429
