"""The charter gate: in a region that requires the charter for named alerts, an alert addressed to an organisation
without a valid signature is kept, not delivered ("en attente de signature"); the funder still receives it and sees
how many are held; the held rows are delivered as soon as the organisation signs, once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alerts import services
from charter.gate import held_alert_counts, release, release_due
from charter.services import signature_withdraw
from charter.tasks import release_held_alerts_task
from notifications.models import Notification
from notifications.services import deliver_cause
from tests.charter.factories import publish_new_version, sign
from tests.ruptures import declaring

pytestmark = pytest.mark.django_db


def declare(world):
    return declaring.declare(world).alert


@pytest.fixture
def required(world, v1):
    world.region.charter_required_for_alerts = True
    world.region.save()
    return world.region


def rows(alert, **filters):
    return Notification.objects.filter(cause_key=f"alert:{alert.pk}", **filters)


def test_alerts_to_an_unsigned_organisation_are_held_but_the_funder_gets_them(world, required, client_for):
    alert = declare(world)
    adviser, officer = world.user("prescriber_adviser"), world.user("regional_officer")
    held = rows(alert, status=Notification.Status.HELD)
    assert set(held.values_list("recipient", flat=True)) == {adviser.pk}  # the adviser (also the referent)
    assert set(held.values_list("held_for", flat=True)) == {world.prescriber.pk}
    deliver_cause(f"alert:{alert.pk}")
    assert rows(alert, recipient=officer, status=Notification.Status.DELIVERED).exists()
    assert not rows(alert, recipient=adviser, status=Notification.Status.DELIVERED).exists()
    assert all(adviser.email not in message.to for message in mail.outbox)
    # Kept out of the held organisation's inbox; the funder sees it, and the count held per organisation.
    adviser_client = client_for(adviser)
    assert alert not in adviser_client.get(reverse("alerts:alert_list")).context["page"].object_list
    assert adviser_client.get(alert.get_absolute_url()).status_code == 404
    assert client_for(officer).get(alert.get_absolute_url()).status_code == 200
    assert held_alert_counts([world.prescriber.pk]) == {world.prescriber.pk: 1}
    overview = client_for(officer).get(reverse("charter:overview")).content.decode()
    assert "1 alerte est retenue faute de signature valable de la charte" in overview
    # The trainer who declared it still sees it.
    assert client_for(world.user("trainer")).get(alert.get_absolute_url()).status_code == 200


def test_signing_releases_the_held_alerts_exactly_once(world, required, client_for, django_capture_on_commit_callbacks):
    alert = declare(world)
    adviser = world.user("prescriber_adviser")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign(world.prescriber, world.user("legal_representative"))
    assert not rows(alert, status=Notification.Status.HELD).exists()
    released = rows(alert, recipient=adviser)
    assert all(r.released_at is not None and r.held_for_id == world.prescriber.pk for r in released)
    assert len(callbacks) == 2  # the copy's build and the alert's delivery
    deliver_cause(f"alert:{alert.pk}")
    deliver_cause(f"alert:{alert.pk}")
    assert rows(alert, recipient=adviser, channel="in_app", status=Notification.Status.DELIVERED).count() == 1
    assert sum(adviser.email in message.to for message in mail.outbox) == 1
    assert release([world.prescriber.pk]) == 0  # nothing left to release
    assert alert in client_for(adviser).get(reverse("alerts:alert_list")).context["page"].object_list


def test_a_signatory_organisation_gets_its_alerts_at_once(world, required):
    sign(world.prescriber, world.user("legal_representative"))
    alert = declare(world)
    assert not rows(alert, status=Notification.Status.HELD).exists()


def test_without_the_region_setting_nothing_is_held(world, v1):
    alert = declare(world)
    assert not rows(alert, status=Notification.Status.HELD).exists()


def test_a_signature_to_renew_holds_nothing_during_its_grace_period_only(world, required):
    sign(world.prescriber, world.user("legal_representative"))
    publish_new_version(world.user("regional_officer"), grace_days=10, today=timezone.localdate())
    assert not rows(declare(world), status=Notification.Status.HELD).exists()


def test_a_withdrawn_signature_holds_the_next_alerts(world, required):
    representative = world.user("legal_representative")
    signature = sign(world.prescriber, representative)
    signature_withdraw(signature=signature, by=representative, reason="Retrait")
    assert rows(declare(world), status=Notification.Status.HELD).exists()


def test_turning_the_setting_off_releases_through_the_beat_job(world, required):
    alert = declare(world)
    assert release_due() == 0  # still required, still unsigned
    required.charter_required_for_alerts = False
    required.save()
    assert release_held_alerts_task.apply().get() > 0
    assert not rows(alert, status=Notification.Status.HELD).exists()


def test_escalations_to_the_held_organisations_managers_are_held_too(world, required):
    alert = declare(world)
    services.alerts_escalate(today=timezone.localdate() + datetime.timedelta(days=7))
    escalated = Notification.objects.filter(cause_key=f"alert:{alert.pk}:escalated")
    manager = world.user("legal_representative")  # the prescriber's organisation manager
    assert escalated.filter(recipient=manager, status=Notification.Status.HELD).exists()
    assert escalated.filter(recipient=world.user("regional_officer")).exclude(status="held").exists()
