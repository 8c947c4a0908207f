"""Who validates a signature: only the organisation that runs the scheme in the region (`Region.scheme_organisation`),
through its regional officers, and never its own signature; a platform administrator decides where no organisation
may. The pages, the copy and the notification name the organisation that validated."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from charter import copies
from charter.models import Signature, SignatureCopy, SignatureEvent
from charter.notifications import CHARTER_DECISION, charter_decision_message
from charter.services import signature_refuse, signature_validate
from notifications.models import Notification
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.charter.factories import sign
from tests.pathways.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(world, representative, v1):
    return sign(world.prescriber, representative)


@pytest.fixture
def opco_officer(world):
    """The regional officer of another funder of the region (an OPCO): follows the signatures, decides nothing."""
    opco = OrganisationFactory(region=world.region, funder=True, name="OPCO Santé")
    return Membership.objects.create(user=UserFactory(), organisation=opco, role=Membership.Role.REGIONAL_OFFICER).user


@pytest.fixture
def own_signature(world, v1):
    """The scheme organisation's own signature, by its legal representative."""
    representative = Membership.objects.create(
        user=UserFactory(), organisation=world.funder, role=Membership.Role.ORG_MANAGER, is_legal_representative=True
    ).user
    return sign(world.funder, representative)


def written():
    """What a decision writes: events, copies, notifications."""
    return (SignatureEvent.objects.count(), SignatureCopy.objects.count(), Notification.objects.count())


def status_of(signature):
    return Signature.objects.with_history().get(pk=signature.pk).status


def test_another_funders_regional_officer_cannot_validate_or_refuse(world, client_for, signature, opco_officer):
    before = written()
    client = client_for(opco_officer)
    assert client.get(signature.get_absolute_url()).status_code == 200  # follows the region's signatures
    assert client.post(reverse("charter:signature_validate", args=[signature.pk])).status_code == 403
    refuse = reverse("charter:signature_refuse", args=[signature.pk])
    assert client.get(refuse).status_code == 403
    assert client.post(refuse, {"reason": "Non"}).status_code == 403
    with pytest.raises(ValidationError, match="Région Nouvelle-Aquitaine, qui anime le dispositif"):
        signature_validate(signature=signature, by=opco_officer)
    assert written() == before and status_of(signature) == Signature.Status.PENDING
    page = client.get(signature.get_absolute_url()).content.decode()
    assert "Valider la signature" not in page
    overview = client.get(reverse("charter:overview"))
    assert not any(row.decidable for row in overview.context["overview"].rows)


def test_the_scheme_organisation_does_not_validate_its_own_signature(world, client_for, officer, own_signature):
    before = written()
    client = client_for(officer)
    assert client.post(reverse("charter:signature_validate", args=[own_signature.pk])).status_code == 403
    refuse = reverse("charter:signature_refuse", args=[own_signature.pk])
    assert client.post(refuse, {"reason": "Non"}).status_code == 403
    with pytest.raises(ValidationError, match="ne valide pas sa propre signature"):
        signature_validate(signature=own_signature, by=officer)
    assert written() == before and status_of(own_signature) == Signature.Status.PENDING
    page = client.get(own_signature.get_absolute_url()).content.decode()
    assert "Valider la signature" not in page
    assert "À valider par un administrateur de la plateforme" in page


def test_a_platform_administrator_validates_the_scheme_organisations_own_signature(world, client_for, own_signature):
    admin = client_for(world.user("admin"))
    response = admin.post(reverse("charter:signature_validate", args=[own_signature.pk]))
    assert response.status_code == 302
    decision = Signature.objects.with_history().get(pk=own_signature.pk).decision
    assert decision.kind == SignatureEvent.Kind.VALIDATED and decision.by_organisation is None
    page = admin.get(reverse("charter:verify", args=[own_signature.code])).content.decode()
    assert "par l&#x27;administration de la plateforme Sans Rupture" in page


def test_a_platform_administrator_decides_only_where_no_organisation_may(world, client_for, signature):
    before = written()
    admin = client_for(world.user("admin"))
    assert admin.post(reverse("charter:signature_validate", args=[signature.pk])).status_code == 403
    assert written() == before


def test_without_a_scheme_organisation_only_an_administrator_validates(world, client_for, officer, signature):
    world.region.scheme_organisation = None
    world.region.save()
    before = written()
    assert client_for(officer).post(reverse("charter:signature_validate", args=[signature.pk])).status_code == 403
    assert written() == before
    overview = client_for(officer).get(reverse("charter:overview")).content.decode()
    assert "Aucune structure n'anime le dispositif dans cette région" in overview
    assert "Préparer une nouvelle version" not in overview
    signature_refuse(signature=signature, by=world.user("admin"), reason="Signataire non habilité")
    assert status_of(signature) == Signature.Status.REFUSED


def test_an_officer_of_another_region_cannot_decide_and_writes_nothing(world, client_for, signature):
    from tests.pathways.factories import RegionFactory

    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    funder = OrganisationFactory(region=region, funder=True)
    region.scheme_organisation = funder
    region.save()
    stranger = Membership.objects.create(
        user=UserFactory(), organisation=funder, role=Membership.Role.REGIONAL_OFFICER
    ).user
    before = written()
    client = client_for(stranger)
    assert client.post(reverse("charter:signature_validate", args=[signature.pk])).status_code == 404
    assert client.post(reverse("charter:signature_refuse", args=[signature.pk]), {"reason": "x"}).status_code == 404
    assert written() == before


def test_the_pages_the_copy_and_the_notification_name_the_organisation_that_validated(
    world, client, client_for, signature, officer
):
    world.funder.name = "Agence régionale de la formation"
    world.funder.save()
    signature_validate(signature=signature, by=officer)
    page = client.get(reverse("charter:verify", args=[signature.code])).content.decode()
    assert "par Agence régionale de la formation" in page and "la Région" not in page
    detail = client_for(world.user("legal_representative")).get(signature.get_absolute_url()).content.decode()
    assert "par Agence régionale de la formation" in detail
    copy = SignatureCopy.objects.filter(signature=signature).latest("pk")
    html = render_to_string(copies.PDF_TEMPLATE, copies.copy_pdf_context(copy))
    assert "par Agence régionale de la formation" in html and "par la Région" not in html
    notification = Notification.objects.filter(kind=CHARTER_DECISION).first()
    assert notification.params["validator"] == "Agence régionale de la formation"
    assert charter_decision_message(notification.params).startswith("Agence régionale de la formation a validé")
    by_admin = {**notification.params, "validator": ""}
    assert charter_decision_message(by_admin).startswith("L'administration de la plateforme a validé")


def test_a_refusal_names_who_refused_on_the_public_page(world, client, signature, officer):
    signature_refuse(signature=signature, by=officer, reason="Signataire non habilité")
    page = client.get(reverse("charter:verify", args=[signature.code])).content.decode()
    assert "Région Nouvelle-Aquitaine a refusé cette signature" in page
