"""The data-protection officer answers a person's right of access (issue 20, "Rights of the person"): the region's DPO
and the DPO of an organisation that follows the person find them (a search by POST), open their restricted
data-protection page and produce the export (JSON and PDF, built by a worker) released by their organisation, without
the facilitators' notes unless it is the facilitators' structure. Anyone outside that remit gets 404 and writes
nothing."""

import json

import pytest
from django.urls import reverse

from accounts.models import AccessLog, RightsDocument, SharingObjection
from pathways import scoping
from pathways.models import Beneficiary, Membership
from tests.accounts.factories import UserFactory
from tests.accounts.test_access_log import region_dpo
from tests.accounts.test_right_of_access import NOTE, built, facilitator_note, json_of
from tests.conftest import SECRET_CHECKLIST, SECRET_COMMENT, SECRET_NOTE, SECRET_OTHER_REGION
from tests.pathways.factories import BeneficiaryFactory, PathwayFactory, StageFactory

Role = Membership.Role


def page_url(person):
    return reverse("pathways:dpo_person", args=[person.pk])


def export_url(person):
    return reverse("pathways:dpo_access_export_request", args=[person.pk])


def notice_url(person):
    return reverse("pathways:dpo_notice_pdf_request", args=[person.pk])


def search_url():
    return reverse("pathways:dpo_person_search")


def dpo_of(organisation):
    return Membership.objects.create(user=UserFactory(), organisation=organisation, role=Role.DPO).user


def outsiders(world, adversaries):
    """Users outside the world's person's DPO remit, by name."""
    from django.utils import timezone

    deactivated = Membership.objects.create(
        user=UserFactory(),
        organisation=world.training_body,
        role=Role.DPO,
        is_active=False,
        deactivated_at=timezone.now(),
    )
    adversaries.other_region.scheme_organisation = adversaries.other_region_body
    adversaries.other_region.save(update_fields=["scheme_organisation"])
    return {
        # the DPO of a training body of the region that never followed the person
        "uninvolved_dpo": dpo_of(world.other_training_body),
        # the second region's DPO (of its scheme organisation)
        "other_region_dpo": dpo_of(adversaries.other_region_body),
        # the training body's DPO whose membership was deactivated
        "deactivated_dpo": deactivated.user,
        # an adviser of another prescriber, and the person's own referent: the DPO page is not theirs
        "other_adviser": world.user("other_adviser"),
        "referent": world.user("prescriber_adviser"),
    }


@pytest.fixture
def region_officer(world):
    return region_dpo(world)


# --------------------------------------------------------------------------------------------------------------
# The DPOs of the remit request and download the export


@pytest.mark.parametrize("who", ["region", "training_body"])
def test_a_dpo_of_the_remit_requests_and_downloads_the_export(
    world, client_for, django_capture_on_commit_callbacks, who
):
    facilitator_note(world)
    dpo, organisation = (
        (region_dpo(world), world.funder) if who == "region" else (world.user("dpo"), world.training_body)
    )
    client_for(world.user("trainer")).get(world.pathway.get_absolute_url())  # a read by the training body
    client = client_for(dpo)
    assert client.get(page_url(world.beneficiary)).status_code == 200
    with django_capture_on_commit_callbacks():
        response = client.post(export_url(world.beneficiary))
    assert response.status_code == 302 and response.url == page_url(world.beneficiary)
    documents = RightsDocument.objects.filter(beneficiary=world.beneficiary, kind="access", requested_by=dpo)
    assert sorted(documents.values_list("format", flat=True)) == ["json", "pdf"]
    assert set(documents.values_list("released_by", "include_confidential")) == {(organisation.pk, False)}
    export = built(documents.get(format="json"))
    data = json_of(export)
    assert data["person"]["first_name"] == "Zoé"
    saw = {row["organisation"] for row in data["organisations_that_saw"]}
    assert "INSUP Cenon" in saw and organisation.name in saw
    assert data["includes_facilitator_notes"] is False
    assert data["released_by"] == organisation.name
    assert NOTE not in json.dumps(data, ensure_ascii=False)
    # the DPO's page lists it; the DPO downloads it, and no one else
    download = reverse("pathways:rights_document_download", args=[export.pk])
    assert download in client.get(page_url(world.beneficiary)).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"{")
    assert AccessLog.objects.filter(
        user=dpo, view_name="pathways:rights_document_download", acting_organisation=organisation
    ).exists()
    for other in ("prescriber_adviser", "trainer", "org_manager"):
        assert client_for(world.user(other)).get(download).status_code == 404


def test_the_support_structures_dpo_releases_the_export_with_its_facilitators_notes(world, client_for):
    facilitator_note(world)  # the support structure runs a group on the person's session
    dpo = dpo_of(world.support)
    client = client_for(dpo)
    page = client.get(page_url(world.beneficiary))
    assert page.status_code == 200
    assert NOTE not in page.content.decode()  # the page shows no note, the export holds them
    assert client.post(export_url(world.beneficiary)).status_code == 302
    data = json_of(built(RightsDocument.objects.get(kind="access", format="json")))
    assert data["includes_facilitator_notes"] is True
    assert data["released_by"] == "Parole et Parcours"
    assert NOTE in json.dumps(data, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------------------
# Outside the remit: 404, nothing written


@pytest.mark.parametrize("who", ["uninvolved_dpo", "other_region_dpo", "deactivated_dpo", "other_adviser", "referent"])
def test_outside_the_remit_the_page_and_the_request_answer_404_and_write_nothing(
    world, adversaries, client_for, region_officer, who
):
    user = outsiders(world, adversaries)[who]
    client = client_for(user)
    assert client.get(page_url(world.beneficiary)).status_code == 404
    assert client.post(export_url(world.beneficiary)).status_code == 404
    assert client.post(notice_url(world.beneficiary)).status_code == 404
    assert not RightsDocument.objects.exists()
    assert not AccessLog.objects.filter(user=user, beneficiary=world.beneficiary).exists()


def test_the_second_regions_person_is_out_of_the_first_regions_dpo_remit(world, adversaries, client_for):
    client = client_for(region_dpo(world))
    person = adversaries.other_region_pathway.beneficiary
    assert client.get(page_url(person)).status_code == 404
    assert client.post(export_url(person)).status_code == 404
    assert not RightsDocument.objects.exists()


def test_a_person_who_objected_to_the_dpos_organisation_is_out_of_their_remit(world, client_for):
    SharingObjection.objects.create(
        beneficiary=world.beneficiary, organisation=world.training_body, recorded_by=world.user("prescriber_adviser")
    )
    client = client_for(world.user("dpo"))
    assert client.get(page_url(world.beneficiary)).status_code == 404
    assert client.post(export_url(world.beneficiary)).status_code == 404
    assert not RightsDocument.objects.exists()
    # the region's DPO still answers them
    assert client_for(region_dpo(world)).get(page_url(world.beneficiary)).status_code == 200


def test_the_request_is_a_post(world, client_for):
    assert client_for(world.user("dpo")).get(export_url(world.beneficiary)).status_code == 405
    assert client_for(None).post(export_url(world.beneficiary)).status_code == 302
    assert not RightsDocument.objects.exists()


# --------------------------------------------------------------------------------------------------------------
# The page: rights, not the case; logged for the DPO's organisation


def test_the_page_shows_the_rights_and_nothing_of_the_case(world, adversaries, client_for):
    facilitator_note(world)
    content = client_for(world.user("dpo")).get(page_url(world.beneficiary)).content.decode()
    assert "Zoé" in content and "Droits de la personne" in content
    assert reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk]) in content
    assert "Mission Locale des Hauts de Garonne" in content  # who sees the record
    for secret in (SECRET_COMMENT, SECRET_NOTE, SECRET_CHECKLIST, SECRET_OTHER_REGION, NOTE):
        assert secret not in content
    assert world.pathway.get_absolute_url() not in content


@pytest.mark.parametrize("who", ["region", "training_body"])
def test_each_read_of_the_page_is_logged_for_the_dpos_organisation(world, client_for, who):
    dpo, organisation = (
        (region_dpo(world), world.funder) if who == "region" else (world.user("dpo"), world.training_body)
    )
    client_for(dpo).get(page_url(world.beneficiary))
    row = AccessLog.objects.get(user=dpo, beneficiary=world.beneficiary)
    assert (row.view_name, row.action, row.acting_organisation_id) == (
        "pathways:dpo_person",
        AccessLog.Action.READ,
        organisation.pk,
    )
    client_for(dpo).post(export_url(world.beneficiary))
    assert AccessLog.objects.filter(
        user=dpo, view_name="pathways:dpo_access_export_request", action="change", acting_organisation=organisation
    ).exists()


# --------------------------------------------------------------------------------------------------------------
# Finding the person: a search by POST, within the remit


def test_the_search_by_name_is_a_post_and_finds_the_people_of_the_remit(world, adversaries, client_for):
    client = client_for(world.user("dpo"))
    page = client.get(search_url())
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode() and "Zoé" not in page.content.decode()
    response = client.post(search_url(), {"person": "zoé mart"})
    assert response.status_code == 200
    assert list(response.context["people"]) == [world.beneficiary]
    assert page_url(world.beneficiary) in response.content.decode()
    # the listed person is logged for the DPO's organisation
    row = AccessLog.objects.get(view_name="pathways:dpo_person_search")
    assert (row.beneficiary_id, row.acting_organisation_id) == (world.beneficiary.pk, world.training_body.pk)
    # by number too
    assert list(client.post(search_url(), {"person": str(world.beneficiary.pk)}).context["people"]) == [
        world.beneficiary
    ]
    # someone the training body never followed is not found
    other = adversaries.other_body_pathway.beneficiary
    assert client.post(search_url(), {"person": other.last_name}).context["people"] == []


def test_an_empty_search_says_what_to_type(world, client_for):
    response = client_for(world.user("dpo")).post(search_url(), {"person": ""})
    assert response.status_code == 200
    assert "Tapez le nom, le prénom ou le numéro de la personne." in response.content.decode()
    assert not AccessLog.objects.exists()


def test_the_search_finds_nobody_outside_the_remit(world, adversaries, client_for):
    users = outsiders(world, adversaries)
    for who in ("uninvolved_dpo", "other_region_dpo"):
        response = client_for(users[who]).post(search_url(), {"person": "Martin"})
        assert response.status_code == 200
        assert "Zoé" not in response.content.decode()
    for who in ("deactivated_dpo", "other_adviser", "referent"):
        assert client_for(users[who]).post(search_url(), {"person": "Martin"}).status_code == 403
    assert not AccessLog.objects.filter(view_name="pathways:dpo_person_search").exists()


def test_the_region_dpo_finds_every_person_of_the_region_and_no_other(world, adversaries, client_for):
    client = client_for(region_dpo(world))
    other = adversaries.other_body_pathway.beneficiary
    found = client.post(search_url(), {"person": other.last_name}).context["people"]
    assert other in found
    stranger = adversaries.other_region_pathway.beneficiary
    assert stranger not in client.post(search_url(), {"person": stranger.last_name}).context["people"]


@pytest.mark.parametrize("people", [3, 25])
def test_the_search_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, people):
    for index in range(people):
        person = BeneficiaryFactory(region=world.region, last_name=f"Durand{index}")
        StageFactory(
            pathway=PathwayFactory(beneficiary=person, opened_by=world.prescriber), organisation=world.training_body
        )
    client = client_for(world.user("dpo"))
    client.get(search_url())  # the session and the user, read once
    with django_assert_max_num_queries(10):
        response = client.post(search_url(), {"person": "Durand"})
    assert len(response.context["people"]) == people


def test_the_access_log_rows_lead_to_the_persons_data_protection_page(world, adversaries, client_for):
    client_for(world.user("trainer")).get(world.beneficiary.get_absolute_url())
    content = client_for(world.user("dpo")).post(reverse("pathways:access_log"), {}).content.decode()
    assert page_url(world.beneficiary) in content


# --------------------------------------------------------------------------------------------------------------
# The remit, defined once: its two forms agree


def test_the_two_forms_of_the_remit_agree(world, adversaries, region_officer):
    facilitator_note(world)
    SharingObjection.objects.create(
        beneficiary=adversaries.other_body_pathway.beneficiary,
        organisation=world.training_body,
        recorded_by=world.user("prescriber_adviser"),
    )
    users = [
        region_officer,
        world.user("dpo"),
        dpo_of(world.support),
        dpo_of(world.prescriber),
        *outsiders(world, adversaries).values(),
    ]
    for user in users:
        in_subquery = set(Beneficiary.objects.filter(pk__in=scoping.dpo_people(user)).values_list("pk", flat=True))
        one_by_one = {
            person.pk for person in Beneficiary.objects.all() if scoping.dpo_acting_organisation(user, person)
        }
        assert in_subquery == one_by_one, user


@pytest.mark.parametrize("text", ["9" * 25, "²", "0", "x" * 100])
def test_an_absurd_search_finds_nobody_and_never_fails(world, client_for, text):
    response = client_for(world.user("dpo")).post(search_url(), {"person": text})
    assert response.status_code == 200
    assert "Zoé" not in response.content.decode()


def test_the_dpo_asks_for_the_notice_pdf_and_the_export_in_the_persons_language(world, client_for):
    client = client_for(world.user("dpo"))
    assert client.post(notice_url(world.beneficiary), {"language": "en"}).status_code == 302
    assert client.post(export_url(world.beneficiary), {"language": "en"}).status_code == 302
    assert client.post(notice_url(world.beneficiary), {"language": "xx"}).status_code == 302
    assert sorted(RightsDocument.objects.values_list("kind", "format", "language")) == [
        ("access", "json", "en"),
        ("access", "pdf", "en"),
        ("notice", "pdf", "en"),
        ("notice", "pdf", "fr"),
    ]
    assert set(RightsDocument.objects.values_list("requested_by", flat=True)) == {world.user("dpo").pk}
