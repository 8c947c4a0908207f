"""The person's page with its rights block (notice hand-overs, objections, documents) runs a fixed number of
queries whatever the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import NoticeHandover, RightsDocument, SharingObjection
from tests.pathways.factories import OrganisationFactory


def grow(world, n):
    adviser = world.user("prescriber_adviser")
    for _ in range(n):
        organisation = OrganisationFactory(region=world.region)
        SharingObjection.objects.create(
            beneficiary=world.beneficiary,
            organisation=organisation,
            recorded_by=adviser,
            withdrawn_at=timezone.now(),
            withdrawn_by=adviser,
        )
        SharingObjection.objects.create(beneficiary=world.beneficiary, organisation=organisation, recorded_by=adviser)
        NoticeHandover.objects.create(beneficiary=world.beneficiary, handed_by=adviser, method="paper")
        RightsDocument.objects.create(beneficiary=world.beneficiary, kind="notice", format="pdf", requested_by=adviser)


def count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_the_person_page_reads_its_rights_in_a_fixed_number_of_queries(world, client_for):
    url = world.beneficiary.get_absolute_url()
    for role in ("prescriber_adviser", "trainer"):
        client = client_for(world.user(role))
        grow(world, 1)
        small, _page = count(client, url)
        grow(world, 8)
        large, page = count(client, url)
        assert large == small, role
        assert page.count("Retirer l'opposition") == (9 if role == "prescriber_adviser" else 0)
