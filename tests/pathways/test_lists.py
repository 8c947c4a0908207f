"""Lists: search, filters, pagination and empty states; home pages show each role its own work and nothing else."""

import pytest
from django.urls import reverse

from pathways.models import Pathway
from tests.pathways.factories import BeneficiaryFactory, PathwayFactory


def add_people(world, names):
    adviser = world.user("prescriber_adviser")
    for first, last in names:
        PathwayFactory(
            beneficiary=BeneficiaryFactory(region=world.region, first_name=first, last_name=last),
            referent=adviser,
            opened_by=world.prescriber,
            prescribing_organisation=world.prescriber,
            prescribing_adviser=adviser,
        )


def names_on(response):
    return [b.full_name for b in response.context["page"].object_list]


def test_search_ignores_accents_and_case(world, client_for):
    add_people(world, [("Hélène", "Bérard"), ("Karim", "Benali")])
    client = client_for(world.user("prescriber_adviser"))
    response = client.get(reverse("pathways:beneficiary_list"), {"q": "berard"})
    assert names_on(response) == ["Hélène BÉRARD"]
    response = client.get(reverse("pathways:pathway_list"), {"q": "HELENE"})
    assert [p.beneficiary.first_name for p in response.context["page"].object_list] == ["Hélène"]


def test_lists_are_paginated_and_keep_their_filters(world, client_for, settings):
    settings.PAGINATE_BY = 5
    add_people(world, [(f"Prénom{i}", f"Nom{i:02d}") for i in range(12)])
    client = client_for(world.user("prescriber_adviser"))
    response = client.get(reverse("pathways:pathway_list"), {"status": "open", "page": 3})
    assert response.context["page"].number == 3
    assert len(response.context["page"].object_list) == 3  # 13 open pathways: 5 + 5 + 3
    assert "status=open&amp;page=2" in response.content.decode()
    # A page number out of range shows the last page rather than an error.
    assert client.get(reverse("pathways:pathway_list"), {"page": 99}).context["page"].number == 3


def test_filter_by_role_and_stage_status(world, client_for):
    add_people(world, [("Léo", "Petit")])
    trainer_referent = PathwayFactory(
        beneficiary=BeneficiaryFactory(region=world.region),
        referent=world.user("trainer"),
        opened_by=world.training_body,
    )
    client = client_for(world.user("trainer"))
    response = client.get(reverse("pathways:pathway_list"), {"mine": "referent"})
    assert [p.pk for p in response.context["page"].object_list] == [trainer_referent.pk]
    response = client.get(reverse("pathways:pathway_list"), {"stage_status": "in_progress"})
    assert [p.pk for p in response.context["page"].object_list] == [world.pathway.pk]


def test_an_empty_list_explains_itself(world, client_for):
    client = client_for(world.user("facilitator"))
    content = client.get(reverse("pathways:beneficiary_list")).content.decode()
    assert "Vous ne suivez encore personne." in content
    content = client.get(reverse("pathways:beneficiary_list"), {"q": "zzz"}).content.decode()
    assert "Aucune personne ne correspond à ces critères." in content


def test_session_filters(world, client_for):
    client = client_for(world.user("outsider"))
    response = client.get(reverse("pathways:session_list"), {"q": "ADVF", "period": "current"})
    assert list(response.context["page"].object_list) == [world.session]
    response = client.get(reverse("pathways:session_list"), {"period": "past"})
    assert list(response.context["page"].object_list) == []


def test_a_session_lists_only_the_enrolled_people_the_user_may_see(world, client_for):
    outsider_view = client_for(world.user("outsider")).get(reverse("pathways:session_detail", args=[world.session.pk]))
    assert "Zoé MARTIN" not in outsider_view.content.decode()
    assert "1 prises sur 12" in outsider_view.content.decode()
    trainer_view = client_for(world.user("trainer")).get(reverse("pathways:session_detail", args=[world.session.pk]))
    assert "Zoé MARTIN" in trainer_view.content.decode()


# ---------------------------------------------------------------------------------------------------------------
# Home pages


def home(world, client_for, role):
    return client_for(world.user(role)).get(reverse("pathways:home"))


def test_the_adviser_home_shows_their_people(world, client_for):
    response = home(world, client_for, "prescriber_adviser")
    assert [p.pk for p in response.context["adviser_pathways"]] == [world.pathway.pk]
    assert "Zoé MARTIN" in response.content.decode()
    assert len(response.context["join_requests_to_answer"]) == 1


def test_the_trainer_home_shows_their_sessions_not_other_bodies(world, client_for):
    response = home(world, client_for, "trainer")
    assert list(response.context["sessions"]) == [world.session]
    assert response.context["trainee_counts"]["in_progress"] == 1
    assert response.context["adviser_pathways"] is None  # not an adviser: no such section
    assert "Zoé MARTIN" not in response.content.decode()  # not their referent pathway: reached through the session
    outsider = home(world, client_for, "outsider")
    assert list(outsider.context["sessions"]) == []


@pytest.mark.parametrize("role", ["regional_officer", "basin_coordinator", "dpo", "facilitator", "admin"])
def test_roles_without_people_never_see_a_name_on_their_home(world, client_for, role):
    content = home(world, client_for, role).content.decode()
    assert "Zoé" not in content and "MARTIN" not in content


def test_the_regional_home_links_to_the_basin_dashboards(world, client_for):
    response = home(world, client_for, "regional_officer")
    assert [b.code for b in response.context["region_basins"]] == ["7505", "7510"]
    content = response.content.decode()
    assert reverse("dashboards:region") in content
    assert reverse("dashboards:basin", args=[world.basin.pk]) in content


def test_the_basin_coordinator_sees_their_basin_only(world, client_for):
    response = home(world, client_for, "basin_coordinator")
    assert [b.code for b in response.context["coordinated_basins"]] == ["7505"]


def test_the_dpo_home_counts_the_access_log_of_their_organisation_and_links_to_it(world, client_for):
    client_for(world.user("trainer")).get(world.pathway.get_absolute_url())
    response = home(world, client_for, "dpo")
    assert response.context["access_log_count_30d"] == 1
    assert reverse("pathways:access_log") in response.content.decode()


def test_the_org_manager_home_shows_their_organisation(world, client_for):
    response = home(world, client_for, "org_manager")
    assert list(response.context["managed_organisations"]) == [world.training_body]


def test_the_admin_home_counts_reference_data(world, client_for):
    response = home(world, client_for, "admin")
    assert response.context["reference_counts"]["organisations"] == 5
    assert response.context["reference_counts"]["basins"] == 2


def test_a_user_without_membership_is_told_so(world, client_for):
    from tests.accounts.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("pathways:home"))
    assert "aucune structure active" in response.content.decode()


def test_closed_pathways_are_left_out_of_home_lists(world, client_for):
    Pathway.objects.filter(pk=world.pathway.pk).update(status="closed", closed_at="2026-01-01T00:00Z")
    response = home(world, client_for, "prescriber_adviser")
    assert list(response.context["adviser_pathways"]) == []
