"""Tokens: made and revoked by the organisation's managers, shown once, stored hashed; a bad token answers 401 in
the request's language."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from api.services import token_create
from tests.api.conftest import make_token

PATHWAYS = "/api/v1/pathways/"


def test_the_secret_is_stored_as_a_hash_only(world):
    token, secret = make_token(world, world.training_body)
    assert secret.startswith(f"sr_{token.prefix}_")
    assert token.secret_hash == tokens.digest(secret)
    assert secret not in {getattr(token, field.attname) for field in ApiToken._meta.fields if field.attname}


def test_the_technical_user_cannot_log_in_and_has_no_membership_row(world):
    token, _secret = make_token(world, world.training_body)
    assert not token.user.has_usable_password()
    assert not token.user.memberships.exists()
    assert token.user.email.endswith(".invalid")


def test_no_header_answers_401_in_french_or_english_with_the_scheme(world, api_client):
    response = api_client().get(PATHWAYS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Informations d'authentification non fournies."}
    response = api_client(HTTP_ACCEPT_LANGUAGE="en").get(PATHWAYS)
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_an_unknown_token_answers_401_in_french(world, api_client, body_token):
    _token, secret = body_token
    response = api_client(secret[:-4] + "abcd").get(PATHWAYS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton inconnu, révoqué ou expiré."}


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer sr__x", "Bearer pas-un-jeton", "Bearer é"])
def test_a_malformed_header_answers_401(world, header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(PATHWAYS).status_code == 401


def test_a_revoked_token_answers_401_at_once(world, api_client, body_token):
    token, secret = body_token
    client = api_client(secret)
    assert client.get(PATHWAYS).status_code == 200
    from api.services import token_revoke

    assert token_revoke(token=token, by=world.user("org_manager"))
    assert client.get(PATHWAYS).status_code == 401
    token.user.refresh_from_db()
    assert not token.user.is_active


def test_the_token_of_a_deactivated_organisation_answers_401(world, api_client, body_token):
    """As its members' memberships, the token of an organisation the platform deactivated opens nothing."""
    _token, secret = body_token
    assert api_client(secret).get(PATHWAYS).status_code == 200
    world.training_body.is_active = False
    world.training_body.save(update_fields=["is_active"])
    assert api_client(secret).get(PATHWAYS).status_code == 401


def test_an_expired_token_answers_401(world, api_client):
    expires = timezone.now() + datetime.timedelta(days=2)
    _token, secret = make_token(world, world.training_body, expires_at=expires)
    assert api_client(secret).get(PATHWAYS).status_code == 200
    with time_machine.travel(expires + datetime.timedelta(seconds=1)):
        assert api_client(secret).get(PATHWAYS).status_code == 401


def test_last_use_is_written_once_a_minute_at_most(world, api_client, body_token):
    token, secret = body_token
    with time_machine.travel(timezone.now(), tick=False) as clock:
        api_client(secret).get(PATHWAYS)
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        clock.shift(30)
        api_client(secret).get(PATHWAYS)
        token.refresh_from_db()
        assert token.last_used_at == first
        clock.shift(31)
        api_client(secret).get(PATHWAYS)
        token.refresh_from_db()
        assert token.last_used_at > first


def test_a_support_structure_gets_no_token(world):
    from django.core.exceptions import ValidationError

    from pathways.models import Membership
    from tests.conftest import _member

    manager = _member(world.support, Membership.Role.ORG_MANAGER).user
    with pytest.raises(ValidationError):
        token_create(organisation=world.support, name="Logiciel", by=manager)
    assert not ApiToken.objects.exists()


def test_only_a_manager_creates_a_token(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_create(organisation=world.training_body, name="Logiciel", by=world.user("trainer"))


# --------------------------------------------------------------------------------------------------------------
# The managers' pages


def test_the_manager_creates_a_token_and_sees_it_once(world, client_for):
    client = client_for(world.user("org_manager"))
    url = reverse("api:token_create", args=[world.training_body.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Logiciel de l'OF", "expires_on": ""})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.organisation == world.training_body and token.created_by == world.user("org_manager")
    secret = response.context["secret"]
    assert tokens.digest(secret) == token.secret_hash
    assert secret in response.content.decode()
    listing = client.get(reverse("api:token_list", args=[world.training_body.pk]))
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode() and secret not in listing.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_expiry_in_the_past_is_refused(world, client_for):
    client = client_for(world.user("org_manager"))
    url = reverse("api:token_create", args=[world.training_body.pk])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"name": "Logiciel", "expires_on": yesterday})
    assert response.status_code == 200
    assert "futur" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "dpo"])
def test_a_colleague_who_is_not_manager_gets_403(world, client_for, role):
    client = client_for(world.user(role))
    assert client.get(reverse("api:token_list", args=[world.training_body.pk])).status_code == 403
    url = reverse("api:token_create", args=[world.training_body.pk])
    assert client.post(url, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["legal_representative", "prescriber_adviser", "outsider", "admin"])
def test_another_organisation_gets_404(world, client_for, role):
    client = client_for(world.user(role))
    assert client.get(reverse("api:token_list", args=[world.training_body.pk])).status_code == 404
    url = reverse("api:token_create", args=[world.training_body.pk])
    assert client.post(url, {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("api:token_list", args=[world.training_body.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_revoking_is_a_post_of_the_manager(world, client_for, body_token):
    token, _secret = body_token
    url = reverse("api:token_revoke", args=[token.pk])
    assert client_for(world.user("org_manager")).get(url).status_code == 405
    for role in ["trainer", "legal_representative", "outsider"]:
        assert client_for(world.user(role)).post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client_for(world.user("org_manager")).post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.user("org_manager")


def test_the_token_list_reads_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.user("org_manager"))
    url = reverse("api:token_list", args=[world.training_body.pk])
    for count in (1, 8):
        while ApiToken.objects.count() < count:
            make_token(world, world.training_body, name=f"Logiciel {ApiToken.objects.count()}")
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_the_user_menu_leads_a_manager_to_the_tokens_page(world, client_for):
    """The token page is reached from the user menu, by the managers of an organisation that may have tokens only."""
    from django.urls import reverse

    url = reverse("api:token_list", args=[world.training_body.pk])
    manager_home = client_for(world.user("org_manager")).get(reverse("pathways:home")).content.decode()
    assert f'href="{url}"' in manager_home
    trainer_home = client_for(world.user("trainer")).get(reverse("pathways:home")).content.decode()
    assert "/jetons/" not in trainer_home
