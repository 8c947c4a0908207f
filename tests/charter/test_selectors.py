"""The reads that build the charter's pages (`charter.selectors`): plain data, in a fixed number of queries."""

import dataclasses

import pytest

from charter import selectors
from charter.services import signature_validate
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.charter.factories import sign
from tests.pathways.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def signed_organisations(world, officer, count):
    for _ in range(count):
        org = OrganisationFactory(region=world.region)
        org.basins.add(world.basin)
        rep = Membership.objects.create(
            user=UserFactory(), organisation=org, role=Membership.Role.ORG_MANAGER, is_legal_representative=True
        ).user
        signature_validate(signature=sign(org, rep), by=officer)


def build(officer):
    regions, region, basins, basin = selectors.overview_scope(officer, region_code=None, basin_id=None)
    return selectors.charter_overview(officer, region=region, regions=regions, basins=basins, basin=basin)


def test_the_overview_is_plain_data_in_a_fixed_number_of_queries(
    world, officer, v1, representative, django_assert_num_queries
):
    sign(world.prescriber, representative)
    signed_organisations(world, officer, 2)
    build(officer)  # the officer's memberships, read once per request
    # organisations, the region's version in force, the standings (versions, signatures, events), the held alerts,
    # the last reminders, the draft; regions and basins for the choice.
    with django_assert_num_queries(10):
        overview = build(officer)
    signed_organisations(world, officer, 10)
    with django_assert_num_queries(10):
        bigger = build(officer)
    assert len(bigger.rows) == len(overview.rows) + 10
    assert all(dataclasses.is_dataclass(row) for row in bigger.rows)
    assert bigger.current.number == 1 and bigger.decides
    assert bigger.scheme_organisation == world.funder.name
    pending = next(row for row in bigger.rows if row.pk == world.prescriber.pk)
    assert pending.standing.pending_validation and pending.decidable
    assert pending.signature.version_number == 1 and pending.signature.url.endswith(f"/{pending.signature.pk}/")


def test_the_public_reads_do_not_grow_with_signatories(world, v1, officer, django_assert_max_num_queries):
    signed_organisations(world, officer, 3)
    with django_assert_max_num_queries(6) as few:
        selectors.region_signatories(world.region)
    signed_organisations(world, officer, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = selectors.region_signatories(world.region)
    assert next(b for b in data.basins if b.pk == world.basin.pk).signatories == 11
    with django_assert_max_num_queries(5):
        assert len(selectors.basin_signatories(world.basin).organisations) == 11
