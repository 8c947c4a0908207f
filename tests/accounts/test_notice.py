"""The information notice (issue 20): what is recorded, why, who sees it (from the scoping layer), for how long,
the person's rights and whom to ask; printable, in French or English; its hand-over recorded, audited and shown on
the person's page; offered right after the person is registered."""

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccessLog, NoticeHandover
from accounts.services import notice_handover_record, sharing_objection_record


def notice_url(world, language=None):
    url = reverse("pathways:notice", args=[world.beneficiary.pk])
    return f"{url}?langue={language}" if language else url


def test_the_notice_says_who_sees_the_person_from_the_scoping_layer(world, adversaries, client_for):
    body = client_for(world.user("prescriber_adviser")).get(notice_url(world)).content.decode()
    assert "Vos données personnelles dans Sans Rupture" in body
    assert "Zoé MARTIN" in body
    # the organisations involved: the prescriber (opened it), the training body (its stage), the funder (its action)
    for name in ("Mission Locale des Hauts de Garonne", "INSUP Cenon", "Région Nouvelle-Aquitaine"):
        assert name in body, name
    # not the organisations that have nothing to do with her
    for name in ("Autre OF", "France Travail Lormont", "OPCO EP Nouvelle-Aquitaine", "Organisme lyonnais"):
        assert name not in body, name


def test_an_organisation_objected_to_is_no_longer_listed_as_seeing_the_person(world, client_for):
    sharing_objection_record(
        beneficiary=world.beneficiary, organisation=world.funder, by=world.user("prescriber_adviser")
    )
    body = client_for(world.user("prescriber_adviser")).get(notice_url(world)).content.decode()
    assert "Vous vous êtes opposé·e au partage avec" in body
    listed = body.split('class="notice-organisations"')[1].split("</ul>")[0]
    assert "Région Nouvelle-Aquitaine" not in listed and "INSUP Cenon" in listed


def test_the_notice_states_durations_rights_and_whom_to_ask(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    body = client.get(notice_url(world)).content.decode()
    assert "2 ans après la dernière activité" in body
    assert "12 mois après la fin de leur accompagnement" in body
    assert "www.cnil.fr" in body and "Vous opposer à leur partage" in body
    assert "À votre référent·e de parcours" in body
    with override_settings(DPO_CONTACT_EMAIL="dpo@region.example"):
        assert "dpo@region.example" in client.get(notice_url(world)).content.decode()


def test_the_notice_is_printed_in_the_language_asked_for(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    french = client.get(notice_url(world)).content.decode()
    assert '<article class="notice" lang="fr">' in french
    english = client.get(notice_url(world, "en")).content.decode()
    assert '<article class="notice" lang="en">' in english
    # the page around it stays in the user's language
    assert "Enregistrer la remise de la notice" in english
    # an unknown language falls back to French
    assert '<article class="notice" lang="fr">' in client.get(notice_url(world, "xx")).content.decode()


def test_reading_the_notice_is_logged(world, client_for):
    client_for(world.user("trainer")).get(notice_url(world))
    assert AccessLog.objects.filter(
        beneficiary=world.beneficiary, user=world.user("trainer"), view_name="pathways:notice"
    ).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("prescriber_adviser", 200),
        ("trainer", 200),
        ("outsider", 404),
        ("regional_officer", 404),
        ("dpo", 404),
        ("other_adviser", 404),
        ("other_region_manager", 404),
    ],
)
def test_who_reads_the_notice(world, adversaries, client_for, role, status):
    assert client_for(world.user(role)).get(notice_url(world)).status_code == status


def test_the_person_page_asks_for_the_notice_until_it_is_handed_over(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    page = client.get(world.beneficiary.get_absolute_url()).content.decode()
    assert "La notice d&#x27;information n&#x27;a pas encore été remise" in page or (
        "La notice d'information n'a pas encore été remise" in page
    )
    response = client.post(
        reverse("pathways:notice_handover", args=[world.beneficiary.pk]), {"method": "paper", "language": "en"}
    )
    assert response.status_code == 302
    handover = NoticeHandover.objects.get()
    assert (handover.beneficiary, handover.handed_by, handover.method, handover.language) == (
        world.beneficiary,
        world.user("prescriber_adviser"),
        "paper",
        "en",
    )
    page = client.get(world.beneficiary.get_absolute_url()).content.decode()
    assert "Notice remise le" in page and "remise en main propre sur papier" in page
    assert AccessLog.objects.filter(
        view_name="pathways:notice_handover", action=AccessLog.Action.CHANGE, beneficiary=world.beneficiary
    ).exists()


def test_the_hand_over_is_audited(world):
    from auditlog.models import LogEntry

    handover = notice_handover_record(beneficiary=world.beneficiary, by=world.user("prescriber_adviser"), method="sent")
    entry = LogEntry.objects.get_for_object(handover).get()
    assert entry.action == LogEntry.Action.CREATE


@pytest.mark.parametrize(("role", "status"), [("trainer", 403), ("outsider", 404), ("other_adviser", 404)])
def test_who_may_not_record_the_hand_over(world, adversaries, client_for, role, status):
    response = client_for(world.user(role)).post(
        reverse("pathways:notice_handover", args=[world.beneficiary.pk]), {"method": "paper", "language": "fr"}
    )
    assert response.status_code == status
    assert not NoticeHandover.objects.exists()


def test_the_hand_over_needs_a_method_and_answers_405_to_a_get(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    url = reverse("pathways:notice_handover", args=[world.beneficiary.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"language": "fr"})
    assert not NoticeHandover.objects.exists()
    client_for(None)
    response = client.post(url, {"method": "paper", "language": "fr"})
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_registering_a_person_offers_the_notice(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    response = client.post(
        reverse("pathways:beneficiary_create"),
        {
            "opened_by": world.prescriber.pk,
            "first_name": "Inès",
            "last_name": "Nouvelle",
            "birth_date": "2001-03-04",
            "referent": world.user("prescriber_adviser").pk,
            "prescribing_organisation": world.prescriber.pk,
            "prescribing_adviser": world.user("prescriber_adviser").pk,
        },
        follow=True,
    )
    from pathways.models import Beneficiary

    person = Beneficiary.objects.get(first_name="Inès")
    assert reverse("pathways:notice", args=[person.pk]) in response.content.decode()
