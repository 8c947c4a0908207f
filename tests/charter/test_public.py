"""Public pages, without logging in: checking a signed copy by its code, and who signed in each basin."""

import pytest
from django.urls import reverse

from charter.services import signature_refuse, signature_validate, signature_withdraw
from tests.charter.factories import publish_new_version, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(world, representative, v1):
    return sign(world.prescriber, representative, signatory_name="Nadia Roux", signatory_function="Directrice")


def verify(client, code):
    return client.get(reverse("charter:verify", args=[code]))


def test_a_valid_current_copy_is_confirmed_with_no_personal_data(client, signature, officer):
    signature_validate(signature=signature, by=officer)
    response = verify(client, signature.code)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Copie authentique et en vigueur." in page
    assert "Mission Locale des Hauts de Garonne" in page and "Directrice" in page and "Validée le" in page
    assert "Nadia Roux" not in page and signature.signed_by.email not in page
    assert officer.get_full_name() not in page


def test_a_code_typed_by_hand_is_understood(client, signature):
    typed = f"{signature.code[:5].lower()}-{signature.code[5:].lower()}"
    response = client.get(reverse("charter:verify_lookup"), {"code": typed})
    assert response.status_code == 302 and response.url == reverse("charter:verify", args=[signature.code])
    assert verify(client, typed).status_code == 200
    bad = client.get(reverse("charter:verify_lookup"), {"code": "ABC"})
    assert "compte 10 lettres et chiffres" in bad.content.decode()


def test_a_superseded_copy_says_so(client, signature, officer):
    publish_new_version(officer)
    page = verify(client, signature.code).content.decode()
    assert "Copie authentique d'une version remplacée." in page
    assert "La version 2 est désormais en vigueur" in page and "reste valable jusqu'au" in page


def test_a_withdrawn_copy_says_so(client, signature, representative):
    signature_withdraw(signature=signature, by=representative, reason="Désaccord avec la direction régionale")
    page = verify(client, signature.code).content.decode()
    assert "Copie authentique, mais la signature a été retirée." in page
    assert "Désaccord" not in page  # the reason is the organisation's and the Région's


def test_a_refused_copy_says_so(client, signature, officer):
    signature_refuse(signature=signature, by=officer, reason="Signataire non habilité")
    page = verify(client, signature.code).content.decode()
    assert "Région Nouvelle-Aquitaine a refusé cette signature" in page
    assert "Signataire non habilité" not in page


def test_an_unknown_code_is_not_found(client, v1):
    response = verify(client, "AAAAABBBBB")
    assert response.status_code == 404
    assert "Aucune signature ne correspond à ce code." in response.content.decode()


def test_the_basin_page_lists_the_organisations_that_signed_the_version_in_force(world, client, signature, officer):
    world.prescriber.basins.add(world.basin)
    world.training_body.basins.add(world.basin)
    page = client.get(reverse("charter:basin_signatories", args=[world.region.code, world.basin.code])).content.decode()
    assert "Mission Locale des Hauts de Garonne" in page
    assert world.training_body.name not in page
    publish_new_version(officer)  # the prescriber's signature is now to renew: not a signatory of version 2
    page = client.get(reverse("charter:basin_signatories", args=[world.region.code, world.basin.code])).content.decode()
    assert "Mission Locale des Hauts de Garonne" not in page
    assert "Aucune structure de ce bassin n'a encore signé la version en vigueur." in page


def test_the_regions_page_counts_signatories_per_basin(world, client, signature):
    world.prescriber.basins.add(world.basin)
    page = client.get(reverse("charter:signatories"), follow=True).content.decode()
    assert reverse("charter:basin_signatories", args=[world.region.code, world.basin.code]) in page
    assert "1 signataire" in page


def test_an_unknown_basin_is_not_found(world, client, v1):
    assert client.get(reverse("charter:basin_signatories", args=[world.region.code, "9999"])).status_code == 404
    assert client.get(reverse("charter:region_signatories", args=["9999"])).status_code == 404


def test_the_public_pages_answer_in_a_constant_number_of_queries(
    world, client, signature, django_assert_max_num_queries
):
    world.prescriber.basins.add(world.basin)
    world.training_body.basins.add(world.basin)
    with django_assert_max_num_queries(6):
        client.get(reverse("charter:signatories"))
    with django_assert_max_num_queries(6):
        client.get(reverse("charter:basin_signatories", args=[world.region.code, world.basin.code]))
    with django_assert_max_num_queries(4):
        verify(client, signature.code)
