"""Password rules after the ANSSI and CNIL recommendations: length first (12 characters), no forced composition,
common passwords and ones close to the person refused; the forms say the rule in French."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from pathways.management.commands.seed_demo import DEMO_PASSWORD
from tests.accounts.factories import UserFactory

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def user(db):
    return UserFactory(email="lea.roux@example.org", first_name="Léa", last_name="Rousseau-Lemarchand")


def errors(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    [
        "longue phrase de passe",  # only lower-case letters and spaces: accepted, length is what counts
        "tartinesdumatin",
        "Un café, deux croissants",
        DEMO_PASSWORD,  # the demo logins printed by `make run` keep working
    ],
)
def test_long_passwords_are_accepted_without_any_forced_composition(user, password):
    assert errors(password, user) == []


def test_the_demo_password_is_sixteen_characters():
    assert DEMO_PASSWORD == "SansRupture2026!" and len(DEMO_PASSWORD) == 16


def test_eleven_characters_are_too_short(user):
    assert any("12 caractères" in message for message in errors("Ab3$efgh!jk", user))


def test_a_common_password_is_refused(user):
    assert any("trop courant" in message for message in errors("password1234", user))


def test_digits_only_are_refused(user):
    assert errors("839271650428", user)


def test_a_password_close_to_the_person_is_refused(user):
    assert any("trop semblable" in message for message in errors("rousseau-lemarchand", user))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PASSWORD_MIN_LENGTH", "8"),
        ("SESSION_IDLE_SECONDS", "60"),
        ("SESSION_WARNING_SECONDS", "1800"),
        ("LOGIN_FAILURES_PER_IP", "0"),
    ],
)
def test_unsafe_settings_are_refused(monkeypatch, variable, value):
    import runpy

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv(variable, value)
    with pytest.raises(ImproperlyConfigured, match=variable):
        runpy.run_path(str(settings.BASE_DIR / "config" / "settings" / "base.py"))


def test_the_change_form_says_the_rule_in_french(client, user):
    client.force_login(user)
    content = client.get(reverse("accounts:password_change")).content.decode()
    assert "Au moins 12 caractères" in content
    assert "aucun mélange de majuscules, chiffres ou symboles" in content


def test_the_change_form_refuses_a_short_password_in_french(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "court1!", "new_password2": "court1!"},
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_reset_form_says_the_rule_in_french(client, user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    assert "Au moins 12 caractères" in response.content.decode()
