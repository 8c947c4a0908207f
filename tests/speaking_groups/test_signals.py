"""A hotline call from a known person becomes their own signal: a drift on the training body's watch list, or a
rupture declaration identified by the person; with their agreement, and without saying how it was heard."""

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Drift
from speaking_groups.models import HotlineCall

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(world, speaking_group):
    return HotlineCall.objects.create(
        support_organisation=world.support,
        group=speaking_group.group,
        called_at=timezone.now(),
        duration_minutes=12,
        topic="conditions",
        outcome=HotlineCall.Outcome.LISTENED,
        stage=world.stage,
        notes="MARQUEUR-NOTE-APPEL",
        logged_by=speaking_group.facilitator,
    )


def _url(call):
    return reverse("speaking_groups:hotline_signal", args=[call.pk])


def test_a_drift_signalled_with_the_person_agreement(world, call, client_for):
    client = client_for(world.user("facilitator"))
    response = client.post(_url(call), {"kind": "drift", "agreed": "on"})
    assert response.status_code == 302
    drift = Drift.objects.get(reason=Drift.Reason.SIGNAL)
    assert drift.stage == world.stage
    call.refresh_from_db()
    assert call.outcome == HotlineCall.Outcome.SIGNAL
    # The trainer's drift page says the person signalled it; nothing says it came through the hotline.
    body = client_for(world.user("trainer")).get(drift.get_absolute_url()).content.decode()
    assert "Signalé par la personne elle-même" in body
    assert "hotline" not in body.lower()
    assert "MARQUEUR-NOTE-APPEL" not in body


def test_without_agreement_nothing_is_signalled(world, call, client_for):
    client = client_for(world.user("facilitator"))
    client.post(_url(call), {"kind": "drift"})
    assert not Drift.objects.filter(reason=Drift.Reason.SIGNAL).exists()


def test_an_anonymous_call_cannot_be_signalled(world, call, client_for):
    HotlineCall.objects.filter(pk=call.pk).update(stage=None)
    client = client_for(world.user("facilitator"))
    client.post(_url(call), {"kind": "drift", "agreed": "on"})
    response = client.post(_url(call), {"kind": "rupture"})
    assert not Drift.objects.filter(reason=Drift.Reason.SIGNAL).exists()
    assert "declarer-une-rupture" not in response.url


def test_a_rupture_identified_by_the_person(world, call, client_for):
    client = client_for(world.user("facilitator"))
    response = client.post(_url(call), {"kind": "rupture"})
    assert response.status_code == 302
    assert response.url == (reverse("ruptures:rupture_create", args=[world.stage.pk]) + "?identified_by=person")
    # The declaration form starts with "identified by: the person" (shown here to the trainer, who may declare).
    page = client_for(world.user("trainer")).get(response.url).content.decode()
    assert '<option value="person" selected>' in page


@pytest.mark.parametrize(
    "role",
    ["trainer", "pedagogical_manager", "org_manager", "prescriber_adviser", "regional_officer", "other_facilitator"],
)
def test_others_cannot_signal(world, adversaries, call, client_for, role):
    response = client_for(world.user(role)).post(_url(call), {"kind": "drift", "agreed": "on"})
    assert response.status_code == 404
    assert not Drift.objects.filter(reason=Drift.Reason.SIGNAL).exists()


def test_signal_needs_post(world, call, client_for):
    assert client_for(world.user("facilitator")).get(_url(call)).status_code == 405
