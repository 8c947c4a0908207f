"""Creating a person: the pathway opens with them, duplicates are detected across the region and reveal only who
follows the other record, and a join request goes to that pathway's referent."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from pathways.models import Beneficiary, JoinRequest, Membership, Pathway, PathwayPartner
from tests.pathways.factories import BeneficiaryFactory, OrganisationFactory, PathwayFactory, RegionFactory

URL = reverse("pathways:beneficiary_create")


def form_data(world, user, **overrides):
    data = {
        "first_name": "Inès",
        "last_name": "Lefèvre",
        "birth_date": "2003-02-11",
        "email": "ines.lefevre@example.org",
        "phone": "06 11 22 33 44",
        "commune": world.commune.pk,
        "referent": user.pk,
        "prescribing_organisation": world.prescriber.pk,
        "prescribing_adviser": world.user("prescriber_adviser").pk,
    }
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    data["opened_by"] = membership.organisation.pk
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def adviser(world):
    return world.user("prescriber_adviser")


def test_an_adviser_creates_a_person_with_an_open_pathway(world, client_for, adviser):
    response = client_for(adviser).post(URL, form_data(world, adviser))
    beneficiary = Beneficiary.objects.get(last_name="Lefèvre")
    pathway = beneficiary.pathways.get()
    assert response.status_code == 302 and response.url == pathway.get_absolute_url()
    assert beneficiary.phone == "+33611223344"
    assert beneficiary.region == world.region
    assert (pathway.referent, pathway.opened_by, pathway.prescribing_adviser) == (adviser, world.prescriber, adviser)
    assert pathway.status == Pathway.Status.OPEN
    assert AccessLog.objects.filter(beneficiary=beneficiary, user=adviser, action=AccessLog.Action.CREATE).exists()


def test_a_training_body_enrols_directly_without_prescriber(world, client_for):
    manager = world.user("pedagogical_manager")
    data = form_data(world, manager, prescribing_organisation="", prescribing_adviser="")
    response = client_for(manager).post(URL, data)
    assert response.status_code == 302
    pathway = Pathway.objects.get(beneficiary__last_name="Lefèvre")
    assert pathway.prescribing_organisation is None
    assert pathway.opened_by == world.training_body


def test_the_referent_must_belong_to_an_organisation_of_the_pathway(world, client_for, adviser):
    stranger = world.user("outsider")
    response = client_for(adviser).post(URL, form_data(world, adviser, referent=stranger.pk))
    assert response.status_code == 200
    assert "referent" in response.context["form"].errors
    assert not Beneficiary.objects.filter(last_name="Lefèvre").exists()


def test_the_adviser_must_belong_to_the_prescriber(world, client_for, adviser):
    other_prescriber = OrganisationFactory(prescriber=True, region=world.region)
    other_adviser = Membership.objects.create(
        user=world.user("outsider"), organisation=other_prescriber, role=Membership.Role.PRESCRIBER_ADVISER
    ).user
    response = client_for(adviser).post(URL, form_data(world, adviser, prescribing_adviser=other_adviser.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["prescribing_adviser"] == [
        "Ce·tte conseiller·ère n'appartient pas à ce prescripteur."
    ]


# ---------------------------------------------------------------------------------------------------------------
# Duplicates


@pytest.fixture
def followed_elsewhere(world):
    """A person followed by another prescriber of the region, out of the adviser's scope."""
    other = OrganisationFactory(prescriber=True, region=world.region, name="France Travail Libourne")
    referent = Membership.objects.create(
        user=world.user("outsider"), organisation=other, role=Membership.Role.PRESCRIBER_ADVISER
    ).user
    referent.first_name, referent.last_name = "Référente", "Secrète"
    referent.save()
    beneficiary = BeneficiaryFactory(
        region=world.region,
        first_name="Ines",
        last_name="LEFEVRE",
        birth_date=datetime.date(2003, 2, 11),
        email="autre.adresse@example.org",
        phone="+33799887766",
        commune=world.commune,
    )
    pathway = PathwayFactory(
        beneficiary=beneficiary, referent=referent, opened_by=other, prescribing_organisation=other
    )
    return pathway


def test_a_same_name_and_birth_date_reveals_only_who_follows_the_person(world, client_for, adviser, followed_elsewhere):
    response = client_for(adviser).post(URL, form_data(world, adviser))
    assert response.status_code == 200
    content = response.content.decode()
    assert "France Travail Libourne" in content
    assert "Demander à rejoindre ce parcours" in content
    # Nothing of the other record: not its contact details, referent, commune or ids.
    for secret in [
        "autre.adresse@example.org",
        "+33799887766",
        "07 99 88 77 66",
        "Secrète",
        f"/parcours/{followed_elsewhere.pk}/",
    ]:
        assert secret not in content
    assert Beneficiary.objects.filter(name_key="lefevre|ines").count() == 1


def test_accents_and_case_do_not_hide_a_duplicate(world, client_for, adviser, followed_elsewhere):
    response = client_for(adviser).post(URL, form_data(world, adviser, first_name="INÈS", last_name="lefèvre"))
    assert response.context["duplicates"]


def test_a_same_phone_in_scope_is_a_likely_duplicate_that_can_be_overridden(world, client_for, adviser):
    world.beneficiary.phone = "+33799887766"
    world.beneficiary.save()
    data = form_data(world, adviser, first_name="Yanis", last_name="Lefèvre", phone="07 99 88 77 66")
    client = client_for(adviser)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["only_contact_matches"]
    assert world.beneficiary.get_absolute_url() in response.content.decode()
    assert not Beneficiary.objects.filter(first_name="Yanis").exists()
    response = client.post(URL, {**data, "confirm_other_person": "on"})
    assert response.status_code == 302
    assert Beneficiary.objects.filter(first_name="Yanis").exists()


def test_a_same_identity_cannot_be_overridden(world, client_for, adviser, followed_elsewhere):
    response = client_for(adviser).post(URL, {**form_data(world, adviser), "confirm_other_person": "on"})
    assert response.status_code == 200
    assert Beneficiary.objects.filter(name_key="lefevre|ines").count() == 1


def test_a_duplicate_in_scope_links_to_its_record(world, client_for, adviser):
    data = form_data(world, adviser, first_name="Zoé", last_name="Martin", birth_date="2001-05-17")
    response = client_for(adviser).post(URL, data)
    assert world.beneficiary.get_absolute_url() in response.content.decode()


def test_a_person_of_another_region_is_not_a_duplicate(world, client_for, adviser):
    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    BeneficiaryFactory(
        region=other_region, first_name="Inès", last_name="Lefèvre", birth_date=datetime.date(2003, 2, 11)
    )
    response = client_for(adviser).post(URL, form_data(world, adviser))
    assert response.status_code == 302


def test_a_join_request_reaches_the_referent_who_accepts_it(world, client_for, adviser, followed_elsewhere):
    client = client_for(adviser)
    response = client.post(URL, form_data(world, adviser))
    token = response.context["duplicates"][0].join_form.initial["token"]
    response = client.post(reverse("pathways:join_request_create"), {"token": token, "message": "Suivi en ML"})
    assert response.status_code == 302
    request = JoinRequest.objects.get(pathway=followed_elsewhere, organisation=world.prescriber)
    assert request.typed_name == "Inès LEFÈVRE"
    assert request.status == JoinRequest.Status.PENDING
    # Before the answer, the adviser still cannot open the pathway.
    assert client.get(followed_elsewhere.get_absolute_url()).status_code == 404

    referent = client_for(followed_elsewhere.referent)
    assert "Suivi en ML" in referent.get(reverse("pathways:join_request_list")).content.decode()
    response = referent.post(reverse("pathways:join_request_decide", args=[request.pk]), {"decision": "accept"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.ACCEPTED
    assert PathwayPartner.objects.filter(pathway=followed_elsewhere, organisation=world.prescriber).exists()
    assert client_for(adviser).get(followed_elsewhere.get_absolute_url()).status_code == 200


def test_a_refused_join_request_grants_nothing(world, client_for, adviser, followed_elsewhere):
    client = client_for(adviser)
    token = client.post(URL, form_data(world, adviser)).context["duplicates"][0].join_form.initial["token"]
    client.post(reverse("pathways:join_request_create"), {"token": token})
    request = JoinRequest.objects.get(pathway=followed_elsewhere)
    client_for(followed_elsewhere.referent).post(
        reverse("pathways:join_request_decide", args=[request.pk]), {"decision": "refuse", "comment": "Non"}
    )
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.REFUSED
    assert client_for(adviser).get(followed_elsewhere.get_absolute_url()).status_code == 404


def test_only_the_referent_answers_a_join_request(world, client_for, followed_elsewhere):
    request = world.join_request
    response = client_for(world.user("trainer")).post(
        reverse("pathways:join_request_decide", args=[request.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    # Someone who does not see the pathway does not learn the request exists.
    other = client_for(world.user("facilitator"))
    assert (
        other.post(
            reverse("pathways:join_request_decide", args=[world.join_request.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )


def test_a_forged_join_token_is_refused(world, client_for, adviser, followed_elsewhere):
    response = client_for(adviser).post(
        reverse("pathways:join_request_create"), {"token": f"{followed_elsewhere.pk}:forged"}
    )
    assert response.status_code == 302
    assert not JoinRequest.objects.filter(pathway=followed_elsewhere).exists()


def test_a_join_token_works_only_for_the_user_it_was_issued_to(world, client_for, adviser, followed_elsewhere):
    token = client_for(adviser).post(URL, form_data(world, adviser)).context["duplicates"][0].join_form.initial["token"]
    client_for(world.user("legal_representative")).post(reverse("pathways:join_request_create"), {"token": token})
    assert not JoinRequest.objects.filter(pathway=followed_elsewhere).exists()


@pytest.mark.parametrize("organisation", ["abc", "9" * 25, "-1", "²", ""])
def test_the_adviser_options_of_an_organisation_that_is_no_id_are_empty(world, client_for, adviser, organisation):
    response = client_for(adviser).get(reverse("pathways:adviser_options"), {"prescribing_organisation": organisation})
    assert response.status_code == 200
    assert response.context["advisers"] == []


def test_the_adviser_options_list_the_advisers_of_the_prescriber(world, client_for, adviser):
    url = reverse("pathways:adviser_options")
    response = client_for(adviser).get(url, {"prescribing_organisation": world.prescriber.pk})
    assert [pk for pk, _label in response.context["advisers"]] == [adviser.pk]


@pytest.mark.parametrize("decision", ["accept", "refuse"])
def test_answering_a_join_request_is_a_change_of_the_person_s_record(world, client_for, decision):
    referent = world.user("prescriber_adviser")
    client = client_for(referent)
    client.get(reverse("pathways:join_request_list"))  # the list names the person of the record: a read
    response = client.post(
        reverse("pathways:join_request_decide", args=[world.join_request.pk]), {"decision": decision}
    )
    assert response.status_code == 302
    rows = AccessLog.objects.filter(user=referent).order_by("pk")
    assert [(row.beneficiary_id, row.view_name, row.action, row.acting_organisation_id) for row in rows] == [
        (world.beneficiary.pk, "pathways:join_request_list", "read", world.prescriber.pk),
        (world.beneficiary.pk, "pathways:join_request_decide", "change", world.prescriber.pk),
    ]
