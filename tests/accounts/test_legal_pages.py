"""The legal pages (accounts/legal.py): public, linked from the footer of every page, in French and English, with
what the settings say about the publisher, the host, the director of publication and the DPO."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.personal_data import Category
from pathways.models import Membership

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
        "délégué·es à la protection des données des structures et de la Région",
        "Durées de conservation",
        "24 mois",
        "prévenu 30 jours avant",
        "Vos droits",
        'href="mailto:dpo@region.example.org"',
        "CNIL",
    ):
        assert expected in content, expected


def test_the_personal_data_page_states_the_durations_the_deployment_applies(db, client, settings):
    """The durations come from the settings the retention job reads, every category listed, not a copy of the
    defaults: a deployment keeping closed pathways 3 years says 3 years."""
    settings.RETENTION_DEFAULT_MONTHS = {**settings.RETENTION_DEFAULT_MONTHS, "pathway": 36, "access_log": 6}
    settings.RETENTION_NOTICE_DAYS = 15
    response = client.get(reverse("legal:personal_data"))
    rows = {str(row["label"]): row["months"] for row in response.context["retention_durations"]}  # the table, as shown
    assert rows == {
        str(Category.PATHWAY.label): 36,
        str(Category.FACILITATOR_NOTES.label): 12,
        str(Category.ACCESS_LOG.label): 6,
        str(Category.TRANSMISSION_FILES.label): 3,
        str(Category.DOCUMENTS.label): 12,
        str(Category.EXPORTS.label): 1,
    }
    content = " ".join(response.content.decode().split())
    assert f"<td>{escape(Category.PATHWAY.label)}</td> <td> 36 mois </td>" in content
    assert f"<td>{Category.ACCESS_LOG.label}</td> <td> 6 mois </td>" in content
    assert "24 mois" not in content and "2 ans" not in content
    assert "le référent est prévenu 15 jours avant" in content


def test_the_help_page_has_a_section_per_role(db, client):
    content = client.get(reverse("legal:help")).content.decode()
    for anchor in (
        *Membership.Role.values,
        "referent",
        "admin",
    ):
        assert f'<section id="{anchor}">' in content and f'href="#{anchor}"' in content
    assert "help-yours" not in content  # an anonymous visitor has no role


@pytest.mark.parametrize("role", ["trainer", "dpo", "regional_officer", "admin"])
def test_the_help_page_leads_a_logged_in_user_to_the_sections_of_their_roles(world, client_for, role):
    user = world.user(role)
    content = client_for(user).get(reverse("legal:help")).content.decode()
    yours = content[content.index('id="help-yours"') : content.index('id="help-roles"')]
    anchors = set(re.findall(r'href="#([a-z_]+)"', yours))
    expected = {m.role for m in Membership.objects.filter(user=user, is_active=True)}
    assert anchors == expected | ({"admin"} if user.is_staff else set()), anchors
    assert anchors, "every role of the world has a help section"
    for anchor in anchors:
        assert f'<section id="{anchor}">' in content


def test_the_pages_are_in_english_for_an_english_visitor(db, client):
    """The pages follow the language: their French strings are translatable (the English catalogue fills them)."""
    with translation.override("en"):
        response = client.get(reverse("legal:help"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "en"
    assert '<html lang="en"' in response.content.decode()
