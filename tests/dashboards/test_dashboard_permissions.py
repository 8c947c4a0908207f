"""Who reads which dashboard (dashboards/access.py): regional staff their region's basins (404 on another region's),
an organisation's managers their organisation's (404 on another's, 403 for its staff without a dashboard),
anonymous visitors are sent to log in, and every page refuses a POST."""

import pytest
from django.urls import reverse

from dashboards.rollups import rebuild
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.pathways.factories import BasinFactory, OrganisationFactory, RegionFactory, SessionFactory

Role = Membership.Role


@pytest.fixture
def elsewhere(world):
    """A second region with its basin, its funder's officer and a training body with a session."""
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    basin = BasinFactory(region=region, code="8401", name="Lyon")
    funder = OrganisationFactory(region=region, funder=True, name="Région ARA")
    body = OrganisationFactory(region=region, name="Organisme lyonnais")
    officer = Membership.objects.create(user=UserFactory(), organisation=funder, role=Role.REGIONAL_OFFICER).user
    manager = Membership.objects.create(user=UserFactory(), organisation=body, role=Role.ORG_MANAGER).user
    return {"region": region, "basin": basin, "body": body, "officer": officer, "manager": manager}


def basin_url(basin):
    return reverse("dashboards:basin", args=[basin.pk])


def organisation_url(organisation):
    return reverse("dashboards:organisation", args=[organisation.pk])


@pytest.mark.parametrize("role", ["regional_officer", "basin_coordinator"])
def test_regional_staff_read_every_basin_of_their_region(world, client_for, role):
    client = client_for(world.user(role))
    assert client.get(basin_url(world.basin)).status_code == 200
    assert client.get(basin_url(world.other_basin)).status_code == 200
    assert client.get(reverse("dashboards:region")).status_code == 200


def test_regional_staff_of_another_region_get_404_on_a_basin(world, elsewhere, client_for):
    assert client_for(elsewhere["officer"]).get(basin_url(world.basin)).status_code == 404
    assert client_for(world.user("regional_officer")).get(basin_url(elsewhere["basin"])).status_code == 404


def test_the_region_map_is_the_users_region_and_another_region_is_404(world, elsewhere, client_for):
    response = client_for(elsewhere["officer"]).get(reverse("dashboards:region"))
    assert response.context["page"].region == elsewhere["region"]
    assert "Bordeaux" not in response.content.decode()
    foreign = client_for(world.user("regional_officer")).get(
        f"{reverse('dashboards:region')}?region={elsewhere['region'].pk}"
    )
    assert foreign.status_code == 404


def test_a_user_with_two_regions_picks_one(world, elsewhere, client_for):
    officer = world.user("regional_officer")
    funder = OrganisationFactory(region=elsewhere["region"], funder=True)
    Membership.objects.create(user=officer, organisation=funder, role=Role.REGIONAL_OFFICER)
    client = client_for(officer)
    first = client.get(reverse("dashboards:region"))
    assert len(first.context["regions"]) == 2
    chosen = client.get(f"{reverse('dashboards:region')}?region={elsewhere['region'].pk}")
    assert chosen.context["page"].region == elsewhere["region"]
    assert client.get(basin_url(elsewhere["basin"])).status_code == 200


@pytest.mark.parametrize("role", ["org_manager", "pedagogical_manager", "trainer", "prescriber_adviser", "dpo"])
def test_other_roles_get_403_on_the_region_map_and_404_on_a_basin(world, client_for, role):
    client = client_for(world.user(role))
    assert client.get(reverse("dashboards:region")).status_code == 403
    assert client.get(basin_url(world.basin)).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("org_manager", 200), ("pedagogical_manager", 200), ("trainer", 403), ("dpo", 403)]
)
def test_a_training_body_dashboard_is_for_its_managers(world, client_for, role, status):
    assert client_for(world.user(role)).get(organisation_url(world.training_body)).status_code == status


@pytest.mark.parametrize("role", ["outsider", "regional_officer", "prescriber_adviser", "basin_coordinator"])
def test_another_organisations_dashboard_is_404(world, client_for, role):
    assert client_for(world.user(role)).get(organisation_url(world.training_body)).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("prescriber_adviser", 200), ("legal_representative", 200), ("org_manager", 404)]
)
def test_a_prescribers_dashboard_is_for_its_manager_and_advisers(world, client_for, role, status):
    assert client_for(world.user(role)).get(organisation_url(world.prescriber)).status_code == status


def test_a_session_or_a_basin_of_another_organisation_is_404(world, elsewhere, client_for):
    client = client_for(world.user("org_manager"))
    foreign_session = SessionFactory()
    url = organisation_url(world.training_body)
    assert client.get(f"{url}?session={foreign_session.pk}").status_code == 404
    assert client.get(f"{url}?bassin={elsewhere['basin'].pk}").status_code == 404
    assert client.get(f"{url}?session=abc").status_code == 404
    assert client.get(f"{url}?session={world.session.pk}").status_code == 200


def test_a_deactivated_member_reads_no_dashboard(world, adversaries, client_for):
    client = client_for(world.user("deactivated_trainer"))
    assert client.get(organisation_url(world.training_body)).status_code == 404
    assert client.get(reverse("dashboards:region")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(world, client):
    for url in [
        reverse("dashboards:region"),
        basin_url(world.basin),
        organisation_url(world.training_body),
        reverse("dashboards:drilldown", args=["ruptures"]) + f"?bassin={world.basin.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), url


def test_every_dashboard_page_refuses_a_post(world, client_for):
    rebuild()
    client = client_for(world.user("regional_officer"))
    for url in [
        reverse("dashboards:region"),
        basin_url(world.basin),
        reverse("dashboards:drilldown", args=["ruptures"]) + f"?bassin={world.basin.pk}",
    ]:
        assert client.post(url).status_code == 405, url
    assert client_for(world.user("org_manager")).post(organisation_url(world.training_body)).status_code == 405


def test_a_download_follows_the_pages_rules(world, elsewhere, client_for):
    rebuild()
    officer = client_for(world.user("regional_officer"))
    assert officer.get(f"{basin_url(world.basin)}?export=csv&table=ruptures").status_code == 200
    assert officer.get(f"{basin_url(elsewhere['basin'])}?export=csv&table=ruptures").status_code == 404
    assert officer.get(f"{basin_url(world.basin)}?export=pdf&table=ruptures").status_code == 404
    assert officer.get(f"{basin_url(world.basin)}?export=csv&table=inconnue").status_code == 404
    trainer = client_for(world.user("trainer"))
    assert trainer.get(f"{organisation_url(world.training_body)}?export=csv&table=ruptures").status_code == 403
