"""What happens to a signature after it is made: the Région validates or refuses it, the organisation withdraws it,
a new version makes it "to renew" for a grace period. Each is an event; the status is derived from them."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from charter.models import Signature, SignatureCopy, SignatureEvent
from charter.services import signature_refuse, signature_validate, signature_withdraw
from charter.status import OrganisationStatus, organisation_statuses
from notifications.models import Notification
from notifications.services import deliver_cause
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.charter.factories import publish_new_version, sign
from tests.pathways.factories import OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(world, representative, v1):
    return sign(world.prescriber, representative)


def standing(organisation, today=None):
    return organisation_statuses([organisation], today=today)[organisation.pk]


def test_the_region_validates_and_a_copy_with_the_validation_is_built(world, client_for, signature, officer):
    response = client_for(officer).post(reverse("charter:signature_validate", args=[signature.pk]))
    assert response.status_code == 302
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.status == Signature.Status.VALIDATED
    assert signature.decision.by == officer and signature.decision.by_organisation == world.funder
    assert SignatureCopy.objects.filter(signature=signature).count() == 2  # at signing, then with the validation
    # The organisation hears of it.
    assert Notification.objects.filter(kind="charter_decision", recipient=world.user("legal_representative")).exists()
    with pytest.raises(ValidationError, match="n'attend pas de validation"):
        signature_validate(signature=signature, by=officer)


def test_refusing_needs_a_reason_and_ends_the_signature(world, client_for, signature, officer):
    client = client_for(officer)
    url = reverse("charter:signature_refuse", args=[signature.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Indiquez le motif." in response.content.decode()
    client.post(url, {"reason": "Le signataire n'engage pas la structure."})
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.status == Signature.Status.REFUSED and not signature.is_valid()
    assert signature.decision.reason == "Le signataire n'engage pas la structure."
    assert standing(world.prescriber).status == OrganisationStatus.NOT_SIGNED
    with pytest.raises(ValidationError):
        signature_validate(signature=signature, by=officer)


def test_regional_staff_decide_only_for_their_region(world, client_for, signature):
    elsewhere = OrganisationFactory(region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes"), funder=True)
    stranger = Membership.objects.create(
        user=UserFactory(), organisation=elsewhere, role=Membership.Role.REGIONAL_OFFICER
    ).user
    assert client_for(stranger).post(reverse("charter:signature_validate", args=[signature.pk])).status_code == 404
    with pytest.raises(ValidationError, match="qui anime le dispositif dans la région, en décide"):
        signature_validate(signature=signature, by=stranger)
    coordinator = world.user("basin_coordinator")  # follows the region, does not decide
    assert client_for(coordinator).get(signature.get_absolute_url()).status_code == 200
    assert client_for(coordinator).post(reverse("charter:signature_validate", args=[signature.pk])).status_code == 403
    assert Signature.objects.with_history().get(pk=signature.pk).status == Signature.Status.PENDING


def test_withdrawal_needs_a_reason_is_recorded_and_shown(world, client_for, signature, representative):
    client = client_for(representative)
    url = reverse("charter:signature_withdraw", args=[signature.pk])
    assert "Indiquez le motif." in client.post(url, {"reason": " "}).content.decode()
    client.post(url, {"reason": "Nous quittons le réseau."})
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.status == Signature.Status.WITHDRAWN
    assert signature.withdrawal.reason == "Nous quittons le réseau."
    assert standing(world.prescriber).status == OrganisationStatus.WITHDRAWN
    page = client.get(signature.get_absolute_url()).content.decode()
    assert "Retirée par la structure" in page and "Nous quittons le réseau." in page
    with pytest.raises(ValidationError, match="ne peut plus être retirée"):
        signature_withdraw(signature=signature, by=representative, reason="Encore")
    assert signature.events.filter(kind=SignatureEvent.Kind.WITHDRAWN).count() == 1
    assert Signature.objects.filter(pk=signature.pk).exists()  # recorded, never deleted


def test_a_new_version_makes_signatures_to_renew_valid_for_the_grace_period(world, signature, officer, representative):
    signature_validate(signature=signature, by=officer)
    today = timezone.localdate()
    v2 = publish_new_version(officer, grace_days=30, today=today)
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.status == Signature.Status.TO_RENEW
    assert signature.valid_until == today + datetime.timedelta(days=30)
    assert signature.renewal.new_version == v2
    assert signature.decision.kind == SignatureEvent.Kind.VALIDATED  # its history is kept
    on_last_day = standing(world.prescriber, today=today + datetime.timedelta(days=30))
    assert (on_last_day.status, on_last_day.valid) == (OrganisationStatus.TO_RENEW, True)
    after = standing(world.prescriber, today=today + datetime.timedelta(days=31))
    assert (after.status, after.valid) == (OrganisationStatus.TO_RENEW, False)
    # The signatory organisation is told, by e-mail too.
    rows = Notification.objects.filter(kind="charter_published", recipient=representative)
    assert set(rows.values_list("channel", flat=True)) == {"in_app", "email"}
    deliver_cause(rows.first().cause_key)
    assert any(representative.email in message.to for message in mail.outbox)
    # Signing the new version makes it signed again; the old signature stays recorded for version 1.
    renewed = sign(world.prescriber, representative)
    assert renewed.version == v2
    assert standing(world.prescriber).status == OrganisationStatus.SIGNED
    assert Signature.objects.filter(organisation=world.prescriber).count() == 2


def test_the_grace_period_ends_with_the_days_set_at_publication(world, signature, officer):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        publish_new_version(officer, grace_days=90)
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.valid_until == datetime.date(2026, 5, 31)
    assert signature.is_valid(datetime.date(2026, 5, 31)) and not signature.is_valid(datetime.date(2026, 6, 1))


def test_a_withdrawn_or_refused_signature_is_not_renewed(world, signature, officer, representative):
    signature_withdraw(signature=signature, by=representative, reason="Retrait")
    publish_new_version(officer)
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.status == Signature.Status.WITHDRAWN and signature.renewal is None
    assert standing(world.prescriber).status == OrganisationStatus.WITHDRAWN


def test_the_four_standings_of_organisations(world, officer, representative, v1):
    never = world.other_training_body
    withdrawn = world.funder
    renewing = world.prescriber
    sign(renewing, representative)
    funder_rep = Membership.objects.create(
        user=UserFactory(), organisation=withdrawn, role=Membership.Role.ORG_MANAGER, is_legal_representative=True
    ).user
    signature_withdraw(signature=sign(withdrawn, funder_rep), by=funder_rep, reason="Retrait")
    publish_new_version(officer)
    body_rep = Membership.objects.create(
        user=UserFactory(),
        organisation=world.training_body,
        role=Membership.Role.ORG_MANAGER,
        is_legal_representative=True,
    ).user
    sign(world.training_body, body_rep)
    statuses = organisation_statuses([never, withdrawn, renewing, world.training_body])
    assert statuses[never.pk].status == OrganisationStatus.NOT_SIGNED
    assert statuses[withdrawn.pk].status == OrganisationStatus.WITHDRAWN
    assert statuses[renewing.pk].status == OrganisationStatus.TO_RENEW
    assert statuses[world.training_body.pk].status == OrganisationStatus.SIGNED
    assert [statuses[o.pk].valid for o in (never, withdrawn, renewing, world.training_body)] == [
        False,
        False,
        True,
        True,
    ]


def test_refusal_reason_is_required_by_the_service_too(signature, officer):
    with pytest.raises(ValidationError, match="motif du refus"):
        signature_refuse(signature=signature, by=officer, reason="")
