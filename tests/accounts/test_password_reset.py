"""Password reset through an outbox: the page records the request and answers the same whether an account exists or
not; a worker sends the link only to an active account; both are rate-limited."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import PasswordResetRequest
from accounts.tasks import password_reset_send_task, sweep_password_resets_task
from tests.accounts.factories import UserFactory

URL = "accounts:password_reset"


@pytest.fixture
def user(db):
    return UserFactory(email="lea.roux@example.org", language="fr")


def ask(client, email, **extra):
    return client.post(reverse(URL), {"email": email}, **extra)


def test_the_page_answers_the_same_whether_the_account_exists_or_not(client, user, django_capture_on_commit_callbacks):
    answers = []
    for email in (user.email, "personne@example.org"):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            response = ask(client, email)
        answers.append((response.status_code, response.url, len(queries), len(callbacks)))
    assert answers[0] == answers[1] == (302, reverse("accounts:password_reset_done"), answers[0][2], 1)
    # the request itself sends nothing and looks no account up
    assert mail.outbox == []
    assert set(PasswordResetRequest.objects.values_list("email", "status")) == {
        (user.email, "pending"),
        ("personne@example.org", "pending"),
    }


def test_the_page_reads_no_account(client, user, django_capture_on_commit_callbacks):
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks():
        ask(client, user.email)
    assert not any("accounts_user" in query["sql"] for query in queries.captured_queries)


def test_the_done_page_says_if_an_account_exists(client, db):
    response = client.get(reverse("accounts:password_reset_done"))
    assert "Si un compte existe pour cette adresse" in response.content.decode()


def test_the_worker_sends_the_link_to_the_real_account_only(client, user):
    ask(client, "Lea.Roux@Example.org")
    ask(client, "personne@example.org")
    real, unknown = PasswordResetRequest.objects.order_by("pk")
    password_reset_send_task(real.pk)
    password_reset_send_task(unknown.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.extra_headers["Message-ID"] == real.message_id
    assert "http://localhost:8000/compte/mot-de-passe/nouveau/" in message.body
    real.refresh_from_db()
    unknown.refresh_from_db()
    assert (real.status, unknown.status) == ("sent", "no_account")
    assert real.processed_at and unknown.processed_at


def test_the_link_sets_a_new_password(client, user):
    ask(client, user.email)
    password_reset_send_task(PasswordResetRequest.objects.get().pk)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/nouveau/" in line)
    path = link.replace("http://localhost:8000", "")
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    new = "une phrase de passe assez longue"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_sending_twice_sends_once(client, user):
    ask(client, user.email)
    reset = PasswordResetRequest.objects.get()
    password_reset_send_task(reset.pk)
    password_reset_send_task(reset.pk)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", ["inactive", "no_password"])
def test_no_email_for_an_inactive_account_or_one_without_password(client, db, kind):
    user = UserFactory(email="lea.roux@example.org", is_active=kind != "inactive")
    if kind == "no_password":
        user.set_unusable_password()
        user.save()
    ask(client, user.email)
    password_reset_send_task(PasswordResetRequest.objects.get().pk)
    assert mail.outbox == []
    assert PasswordResetRequest.objects.get().status == "no_account"


def test_the_email_is_in_the_account_language_and_names_nobody(client, db):
    user = UserFactory(email="sam@example.org", language="en", first_name="Samuel", last_name="Durand")
    ask(client, user.email)
    password_reset_send_task(PasswordResetRequest.objects.get().pk)
    message = mail.outbox[0]
    assert "Durand" not in message.subject


def test_a_failed_send_stays_pending_for_a_retry(client, user, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    ask(client, user.email)
    reset = PasswordResetRequest.objects.get()

    def fail(self, *args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)
    with pytest.raises(ConnectionError):
        services.password_reset_send(reset_id=reset.pk)
    reset.refresh_from_db()
    assert reset.status == "pending"


def test_the_sweeper_sends_requests_left_pending_and_forgets_old_ones(client, user, monkeypatch, settings):
    sent = []
    monkeypatch.setattr(password_reset_send_task, "delay", lambda pk: sent.append(pk))
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=8), tick=False):
        ask(client, "ancienne@example.org")
    old = PasswordResetRequest.objects.get()
    PasswordResetRequest.objects.filter(pk=old.pk).update(status="sent")
    with time_machine.travel(start, tick=False):
        ask(client, user.email)
    pending = PasswordResetRequest.objects.get(email=user.email)
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        sweep_password_resets_task()
        assert sent == []  # too young: its own task may still come
    with time_machine.travel(start + datetime.timedelta(seconds=settings.PASSWORD_RESET_SWEEP_AFTER_SECONDS + 1)):
        sweep_password_resets_task()
    assert sent == [pending.pk]
    assert not PasswordResetRequest.objects.filter(pk=old.pk).exists()


def test_an_address_gets_at_most_three_requests_an_hour(client, user, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(4):
            with django_capture_on_commit_callbacks() as callbacks:
                response = ask(client, user.email, REMOTE_ADDR=f"198.51.100.{n}")
            assert response.status_code == 302
        assert len(callbacks) == 0  # the fourth is recorded, not sent
    assert list(PasswordResetRequest.objects.order_by("requested_at", "pk").values_list("status", flat=True)) == [
        "pending",
        "pending",
        "pending",
        "limited",
    ]
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        ask(client, user.email)
    assert PasswordResetRequest.objects.order_by("-pk").first().status == "pending"


def test_a_client_gets_at_most_ten_requests_an_hour(client, db):
    for n in range(11):
        ask(client, f"personne{n}@example.org", REMOTE_ADDR="203.0.113.5")
    statuses = list(PasswordResetRequest.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["pending"] * 10 + ["limited"]
    # another client is not limited
    ask(client, "autre@example.org", REMOTE_ADDR="203.0.113.6")
    assert PasswordResetRequest.objects.order_by("-pk").first().status == "pending"


def test_a_limited_request_answers_like_any_other(client, user, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR = 1
    ask(client, user.email)
    with CaptureQueriesContext(connection) as first:
        first_response = ask(client, "personne@example.org", REMOTE_ADDR="198.51.100.1")
    with CaptureQueriesContext(connection) as limited:
        limited_response = ask(client, user.email, REMOTE_ADDR="198.51.100.2")
    assert first_response.status_code == limited_response.status_code == 302
    assert first_response.url == limited_response.url
    assert len(first.captured_queries) == len(limited.captured_queries)


def test_an_invalid_address_shows_the_form_again(client, db):
    response = ask(client, "pas-une-adresse")
    assert response.status_code == 200
    assert not PasswordResetRequest.objects.exists()


def test_the_page_is_public_and_refuses_other_methods(client, db):
    assert client.get(reverse(URL)).status_code == 200
    assert client.put(reverse(URL)).status_code == 405
