"""The commune and organisation pickers search as you type (issue 21): at most twenty matches of the user's region,
accents and case ignored, the current choice kept; the form still refuses an id outside its scope."""

import re

import pytest
from django.urls import reverse

from core.search import fold, search_words
from core.widgets import SEARCH_LIMIT
from pathways.models import Beneficiary
from tests.pathways.factories import BasinFactory, CommuneFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(world):
    CommuneFactory(code="33449", name="Saint-Médard-en-Jalles", basin=world.basin)
    CommuneFactory(code="33063", name="Bordeaux", basin=world.basin)
    CommuneFactory(code="33522", name="Talence", basin=world.basin)
    other = BasinFactory(region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes"), code="8401", name="Lyon")
    CommuneFactory(code="69223", name="Saint-Médard-en-Forez", department="42", basin=other)


def options(response) -> list[str]:
    """The options found (the empty one aside), as "label" strings, "*" before the selected one."""
    return [
        ("*" if selected else "") + label
        for selected, label in re.findall(
            r'<option value="\d+"( selected)?>([^<]*)</option>', response.content.decode()
        )
    ]


def test_folding_drops_accents_case_and_ligatures():
    assert fold("Saint-Médard-en-Jalles") == "saint-medard-en-jalles"
    assert fold("ŒUVRE Île") == "oeuvre ile"
    assert search_words("  Saint-MÉDARD ") == ["saint", "medard"]


def test_a_commune_is_found_without_its_accents_and_only_in_the_users_region(world, communes, client_for):
    client = client_for(world.user("prescriber_adviser"))
    response = client.get(reverse("pathways:commune_options"), {"q": "saint-medard", "target": "id_commune"})
    assert response.status_code == 200
    found = options(response)
    assert len(found) == 1 and "Saint-Médard-en-Jalles (33)" in found[0]
    assert "1 commune trouvée" in response.content.decode()


def test_a_commune_is_found_by_its_insee_code(world, communes, client_for):
    client = client_for(world.user("trainer"))
    found = options(client.get(reverse("pathways:commune_options"), {"q": "33449"}))
    assert len(found) == 1 and "Saint-Médard-en-Jalles" in found[0]
    assert len(options(client.get(reverse("pathways:commune_options"), {"q": "33"}))) == 4  # Cenon too


def test_no_match_says_so(world, communes, client_for):
    response = client_for(world.user("trainer")).get(
        reverse("pathways:commune_options"), {"q": "lyon", "target": "id_commune"}
    )
    assert options(response) == []
    assert "Aucune commune de votre région ne correspond" in response.content.decode()
    assert 'hx-swap-oob="innerHTML:#id_commune-status"' in response.content.decode()


def test_at_most_twenty_communes_are_answered(world, client_for):
    for index in range(SEARCH_LIMIT + 5):
        CommuneFactory(code=f"24{index:03d}", name=f"Sainte-Eulalie {index:02d}", basin=world.basin)
    response = client_for(world.user("trainer")).get(reverse("pathways:commune_options"), {"q": "eulalie"})
    assert len(options(response)) == SEARCH_LIMIT


def test_the_current_choice_is_kept_selected(world, communes, client_for):
    client = client_for(world.user("trainer"))
    response = client.get(
        reverse("pathways:commune_options"), {"q": "talence", "field": "commune", "commune": world.commune.pk}
    )
    found = options(response)
    assert found == ["*Cenon (33)", "Talence (33)"]


def test_a_target_that_is_not_an_id_is_ignored(world, client_for):
    response = client_for(world.user("trainer")).get(
        reverse("pathways:commune_options"), {"q": "x", "target": '"><script>'}
    )
    assert "hx-swap-oob" not in response.content.decode() and "<script>" not in response.content.decode()


def test_organisations_are_found_by_name_and_narrowed_to_a_kind(world, client_for):
    OrganisationFactory(name="Mission Locale du Médoc", region=world.region, prescriber=True)
    OrganisationFactory(name="Mission Locale de Lyon", region=RegionFactory(code="84"), prescriber=True)
    client = client_for(world.user("prescriber_adviser"))
    url = reverse("pathways:organisation_options")
    found = options(client.get(url, {"q": "mission medoc", "kind": "prescriber"}))
    assert len(found) == 1 and "Mission Locale du Médoc" in found[0]
    assert len(options(client.get(url, {"q": "mission", "kind": "prescriber"}))) == 2  # the world's prescriber too
    assert options(client.get(url, {"q": "mission", "kind": "funder"})) == []


def test_a_user_without_membership_finds_nothing(world, communes, client_for):
    response = client_for(world.user("admin")).get(reverse("pathways:commune_options"), {"q": "bordeaux"})
    assert response.status_code == 200 and options(response) == []


def test_the_pickers_answer_anonymous_with_login_and_refuse_a_post(world, client_for):
    assert client_for(None).get(reverse("pathways:commune_options")).status_code == 302
    client = client_for(world.user("trainer"))
    assert client.post(reverse("pathways:commune_options")).status_code == 405
    assert client.post(reverse("pathways:organisation_options")).status_code == 405


@pytest.mark.parametrize("count", [5, 60])
def test_the_pickers_take_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, count):
    for index in range(count):
        CommuneFactory(code=f"40{index:03d}", name=f"Saint-Aubin {index:02d}", basin=world.basin)
        OrganisationFactory(name=f"Mission Locale {index:02d}", region=world.region, prescriber=True)
    client = client_for(world.user("prescriber_adviser"))
    client.get(reverse("pathways:home"))
    with django_assert_max_num_queries(8):
        client.get(reverse("pathways:commune_options"), {"q": "aubin", "field": "commune", "commune": world.commune.pk})
    with django_assert_max_num_queries(8):
        client.get(reverse("pathways:organisation_options"), {"q": "mission", "kind": "prescriber"})


def test_the_person_form_renders_no_list_of_every_commune(world, communes, client_for):
    page = client_for(world.user("prescriber_adviser")).get(
        reverse("pathways:beneficiary_update", args=[world.beneficiary.pk])
    )
    html = page.content.decode()
    assert "Rechercher une commune" in html
    assert f'<option value="{world.commune.pk}" selected>Cenon (33)</option>' in html
    assert "Talence" not in html and "Bordeaux (33)" not in html


def test_a_forged_commune_of_another_region_is_refused(world, communes, client_for):
    lyon = Beneficiary._meta.get_field("commune").related_model.objects.get(code="69223")
    client = client_for(world.user("prescriber_adviser"))
    beneficiary = world.beneficiary
    data = {
        "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name,
        "birth_date": beneficiary.birth_date.isoformat(),
        "email": "",
        "phone": "",
        "commune": lyon.pk,
    }
    response = client.post(reverse("pathways:beneficiary_update", args=[beneficiary.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors["commune"]
    beneficiary.refresh_from_db()
    assert beneficiary.commune == world.commune
