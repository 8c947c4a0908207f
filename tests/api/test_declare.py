"""Declaring a rupture through the API: the page's service, its checks and errors, its alert; all or nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AccessLog
from alerts.models import Alert
from notifications.models import Notification
from pathways.models import Stage
from ruptures import declarers
from ruptures.models import Rupture
from tests.api.conftest import make_token


def url(stage):
    return f"/api/v1/stages/{stage.pk}/ruptures/"


def abandon(**overrides):
    return {
        "kind": "abandon",
        "occurred_on": timezone.localdate().isoformat(),
        "main_cause": "conditions.transport",
        "causes": ["conditions.housing"],
        "identified_by": "trainer",
        "no_reminder_reason": "Injoignable.",
        **overrides,
    }


def test_a_training_body_token_declares_an_abandon_and_the_partners_are_alerted(world, api_client, body_token):
    token, secret = body_token
    response = api_client(secret).post(url(world.stage), abandon(), format="json")
    assert response.status_code == 201, response.content
    rupture = Rupture.objects.get()
    assert response.json()["id"] == rupture.pk and response.json()["causes"] == [
        "conditions.transport",
        "conditions.housing",
    ]
    assert rupture.declared_by == token.user and rupture.declaring_organisation == world.training_body
    world.stage.refresh_from_db()
    assert world.stage.status == Stage.Status.ABANDONED
    alert = rupture.alert
    assert alert.inbox == world.prescriber and alert.raised_by == token.user
    recipients = set(
        Notification.objects.filter(cause_key=f"alert:{alert.pk}", channel="in_app").values_list("recipient", flat=True)
    )
    assert recipients == {world.user("prescriber_adviser").pk, world.user("regional_officer").pk}
    row = AccessLog.objects.get(user=token.user)
    assert (row.view_name, row.action) == ("api:stage-declare-rupture", "change")


def test_the_service_s_errors_come_back_on_their_fields_in_the_request_s_language(world, api_client, body_token):
    _token, secret = body_token
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = api_client(secret).post(url(world.stage), abandon(occurred_on=tomorrow), format="json")
    assert response.status_code == 400
    assert response.json() == {"occurred_on": ["La date de la rupture ne peut pas être dans le futur."]}
    response = api_client(secret).post(url(world.stage), abandon(no_reminder_reason=""), format="json")
    assert response.status_code == 400 and "no_reminder_reason" in response.json()
    # The serializer's own errors: in English when asked (Django REST framework's catalogue).
    response = api_client(secret, HTTP_ACCEPT_LANGUAGE="en").post(url(world.stage), {"kind": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["kind"] == ['"x" is not a valid choice.']
    assert response.json()["occurred_on"] == ["This field is required."]
    assert not Rupture.objects.exists()


def test_a_second_declaration_is_refused(world, api_client, body_token):
    _token, secret = body_token
    client = api_client(secret)
    assert client.post(url(world.stage), abandon(), format="json").status_code == 201
    response = client.post(url(world.stage), abandon(), format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Rupture.objects.count() == 1


def test_nothing_is_written_when_a_step_of_the_declaration_fails(world, api_client, body_token, monkeypatch):
    def refuse(*, rupture, by, data):
        raise ValidationError("Refusé par un module complémentaire.")

    monkeypatch.setattr(
        declarers, "_ADDONS", [declarers.DeclarationAddOn(code="refuse", fields=lambda stage: {}, after=refuse)]
    )
    _token, secret = body_token
    response = api_client(secret).post(url(world.stage), abandon(), format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Refusé par un module complémentaire."]}
    world.stage.refresh_from_db()
    assert world.stage.status == Stage.Status.IN_PROGRESS
    assert not Rupture.objects.exists() and not Alert.objects.exists()
    assert not Notification.objects.exclude(cause_key="world:1").exists()


@pytest.mark.parametrize("organisation", ["prescriber", "funder"])
def test_only_a_training_body_token_declares(world, api_client, organisation):
    _token, secret = make_token(world, getattr(world, organisation))
    response = api_client(secret).post(url(world.stage), abandon(), format="json")
    assert response.status_code == 403
    assert not Rupture.objects.exists()


def test_another_training_body_s_token_gets_404(world, api_client):
    _token, secret = make_token(world, world.other_training_body)
    assert api_client(secret).post(url(world.stage), abandon(), format="json").status_code == 404
    assert not Rupture.objects.exists()


def test_the_declaration_is_a_post(world, api_client, body_token):
    _token, secret = body_token
    assert api_client(secret).get(url(world.stage)).status_code == 405
    assert api_client().post(url(world.stage), abandon(), format="json").status_code == 401
