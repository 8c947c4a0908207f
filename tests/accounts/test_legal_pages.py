"""The legal pages (accounts/legal.py): public, linked from the footer of every page, in French and English, with
what the settings say about the publisher, the host, the director of publication and the DPO."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

PAGES = ["legal:accessibility", "legal:legal_notice", "legal:personal_data", "legal:help"]


@pytest.mark.parametrize("name", PAGES)
def test_each_legal_page_answers_anonymously_and_may_be_cached(db, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert response.context["user"].is_anonymous


@pytest.mark.parametrize("name", PAGES)
def test_each_legal_page_refuses_a_post(db, client, name):
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", PAGES)
def test_each_legal_page_answers_a_logged_in_user_without_being_stored(world, client_for, name):
    response = client_for(world.user("trainer")).get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("start", ["accounts:login", "legal:help", "pathways:home"])
def test_the_footer_of_every_page_links_the_four_legal_pages(world, client_for, start):
    client = client_for(world.user("prescriber_adviser") if start == "pathways:home" else None)
    content = client.get(reverse(start)).content.decode()
    footer = content[content.index("<footer") :]
    for name in PAGES:
        assert f'href="{reverse(name)}"' in footer, name
    assert "Accessibilité : partiellement conforme" in footer


def test_the_accessibility_statement_gives_the_level_the_date_the_pages_the_gaps_and_the_recourse(db, client, settings):
    settings.ACCESSIBILITY_AUDIT_DATE = datetime.date(2026, 11, 17)
    settings.ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@region.example.org"
    content = client.get(reverse("legal:accessibility")).content.decode()
    assert "partiellement conforme" in content and "RGAA" in content
    assert "17 novembre 2026" in content
    assert "Pages auditées" in content and "Non-conformités connues" in content
    assert "accessibilite@region.example.org" in content
    assert "Défenseur des droits" in content


def test_the_legal_notice_names_the_publisher_the_director_and_the_host_from_the_settings(db, client, settings):
    settings.LEGAL_PUBLISHER = "Région Occitanie"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Mme la Présidente du Conseil régional"
    settings.LEGAL_HOST = "Hébergeur Souverain SAS"
    settings.LEGAL_HOST_ADDRESS = "1 rue des Serveurs, 31000 Toulouse"
    content = client.get(reverse("legal:legal_notice")).content.decode()
    for value in ("Région Occitanie", "Mme la Présidente du Conseil régional", "Hébergeur Souverain SAS", "31000"):
        assert value in content


def test_the_personal_data_page_gives_purposes_legal_basis_recipients_durations_rights_and_the_dpo(
    db, client, settings
):
    settings.DPO_CONTACT_EMAIL = "dpo@region.example.org"
    content = client.get(reverse("legal:personal_data")).content.decode()
    for expected in (
        "Finalités",
        "mission d'intérêt public",
        "6-1-e",
        "Destinataires",
        "Durées de conservation",
        "2 ans après la dernière activité",
        "Vos droits",
        'href="mailto:dpo@region.example.org"',
        "CNIL",
    ):
        assert expected in content, expected


def test_the_help_page_has_a_section_per_role(db, client):
    content = client.get(reverse("legal:help")).content.decode()
    for anchor in (
        "trainer",
        "pedagogical-manager",
        "prescriber",
        "referent",
        "facilitator",
        "regional",
        "basin-coordinator",
        "manager",
        "dpo",
        "admin",
    ):
        assert f'<section id="{anchor}">' in content and f'href="#{anchor}"' in content


def test_the_pages_are_in_english_for_an_english_visitor(db, client):
    """The pages follow the language: their French strings are translatable (the English catalogue fills them)."""
    with translation.override("en"):
        response = client.get(reverse("legal:help"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "en"
    assert '<html lang="en"' in response.content.decode()
