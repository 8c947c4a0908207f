"""Regional staff see, per basin, where each organisation stands with the charter; the badge follows an
organisation's name in the pages and lists that show it."""

import pytest
from django.urls import reverse

from charter.services import signature_withdraw
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.charter.factories import publish_new_version, sign
from tests.pathways.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def make_organisations(world, count):
    """`count` training bodies of the world's basin, each signed by its legal representative."""
    made = []
    for _ in range(count):
        org = OrganisationFactory(region=world.region)
        org.basins.add(world.basin)
        rep = Membership.objects.create(
            user=UserFactory(), organisation=org, role=Membership.Role.ORG_MANAGER, is_legal_representative=True
        ).user
        sign(org, rep)
        made.append(org)
    return made


def overview(client, **params):
    return client.get(reverse("charter:overview"), params)


def test_the_overview_groups_organisations_by_standing(world, client_for, officer, representative, v1):
    for org in (world.prescriber, world.training_body, world.other_training_body):
        org.basins.add(world.basin)
    signature = sign(world.prescriber, representative)
    body_rep = Membership.objects.create(
        user=UserFactory(),
        organisation=world.training_body,
        role=Membership.Role.ORG_MANAGER,
        is_legal_representative=True,
    ).user
    signature_withdraw(signature=sign(world.training_body, body_rep), by=body_rep, reason="Retrait")
    client = client_for(officer)
    response = overview(client, bassin=world.basin.pk)
    tabs = {tab.value: tab.count for tab in response.context["overview"].tabs}
    assert tabs == {"": 3, "signed": 1, "to_renew": 0, "not_signed": 1, "withdrawn": 1, "pending": 1}
    assert [row.name for row in overview(client, bassin=world.basin.pk, statut="pending").context["page"]] == [
        world.prescriber.name
    ]
    page = overview(client, bassin=world.basin.pk, statut="withdrawn").content.decode()
    assert world.training_body.name in page and world.prescriber.name not in page
    publish_new_version(officer)
    tabs = {tab.value: tab.count for tab in overview(client, bassin=world.basin.pk).context["overview"].tabs}
    assert tabs["to_renew"] == 1 and tabs["signed"] == 0
    assert signature.pk  # the prescriber's version 1 signature is the one to renew


def test_a_basin_coordinator_starts_on_their_basin(world, client_for, v1):
    world.other_training_body.basins.add(world.other_basin)
    response = overview(client_for(world.user("basin_coordinator")))
    assert response.context["overview"].basin.pk == world.basin.pk
    assert world.other_training_body.pk not in [row.pk for row in response.context["page"].object_list]


def test_the_main_menu_offers_the_charter_to_those_who_sign_it_or_follow_it_only(world, client_for, v1):
    # A basin coordinator of a prescriber (the role exists in any organisation) does not follow the signatures:
    # the overview answers 403, so the menu does not lead there.
    coordinator = UserFactory()
    Membership.objects.create(
        user=coordinator, organisation=world.prescriber, role=Membership.Role.BASIN_COORDINATOR, basin=world.basin
    )
    assert overview(client_for(coordinator)).status_code == 403
    home = reverse("pathways:home")
    assert client_for(coordinator).get(home).context["nav_charter"] is False
    for role in ("basin_coordinator", "regional_officer", "legal_representative"):
        assert client_for(world.user(role)).get(home).context["nav_charter"] is True, role
    assert client_for(world.user("trainer")).get(home).context["nav_charter"] is False


def test_the_overview_queries_do_not_grow_with_organisations(
    world, client_for, officer, v1, django_assert_max_num_queries
):
    make_organisations(world, 3)
    client = client_for(officer)
    overview(client, bassin=world.basin.pk)
    with django_assert_max_num_queries(14) as few:
        overview(client, bassin=world.basin.pk)
    make_organisations(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = overview(client, bassin=world.basin.pk)
    assert len(response.context["page"].object_list) == 15


def test_lists_show_the_badge_without_a_query_per_row(world, client_for, representative, v1):
    sign(world.prescriber, representative)
    adviser = client_for(world.user("prescriber_adviser"))
    pathways = adviser.get(reverse("pathways:pathway_list")).content.decode()
    assert "Charte signée" in pathways
    sessions = adviser.get(reverse("pathways:session_list")).content.decode()
    assert "Charte non signée" in sessions  # the training body has not signed
    members = client_for(representative).get(reverse("pathways:membership_list", args=[world.prescriber.pk]))
    assert "Charte signée" in members.content.decode()
    home = client_for(representative).get(reverse("pathways:home")).content.decode()
    assert "Charte signée" in home
