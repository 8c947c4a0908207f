"""The duplicate check at person creation is no oracle (issue 15, leak 7).

A phone number or an e-mail alone says nothing about a person outside the user's scope; a name and birth date match
names only the organisation of the person's referent; every check is written to the access log; and a user runs at
most `DUPLICATE_CHECKS_PER_HOUR` checks an hour, counted from that log (so across processes).
"""

import datetime
import os
import re
import shutil
import subprocess
import sys

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AccessLog
from pathways.models import Beneficiary, Membership, PathwayPartner
from pathways.services.people import duplicate_check, name_key, referent_organisation
from tests.conftest import require_service
from tests.pathways.factories import BeneficiaryFactory, OrganisationFactory, PathwayFactory, StageFactory

URL = reverse("pathways:beneficiary_create")

CAP_EMPLOI = "Cap emploi Gironde"
DEPARTEMENT = "Département de la Gironde, action sociale"
CFA = "CFA Marqueur-Formation"
CCAS = "Marqueur-Soutien CCAS"
REFERENT = "Marqueur-Referente"
OTHER_EMAIL = "ines.autre@example.org"
OTHER_PHONE = "+33799887766"  # stored in E.164


def form_data(world, user, **overrides):
    data = {
        "first_name": "Inès",
        "last_name": "Lefèvre",
        "birth_date": "2003-02-11",
        "email": "ines.lefevre@example.org",
        "phone": "06 11 22 33 44",
        "commune": world.commune.pk,
        "referent": user.pk,
        "prescribing_organisation": "",
        "prescribing_adviser": "",
        "opened_by": Membership.objects.filter(user=user).first().organisation_id,
    }
    data.update(overrides)
    return data


def panel(response) -> str:
    """The duplicates panel of the page (the form around it lists the region's prescribers, a public list)."""
    match = re.search(r'<section class="card duplicate-panel.*?</section>', response.content.decode(), re.S)
    return match.group(0) if match else ""


@pytest.fixture
def adviser(world):
    return world.user("prescriber_adviser")


@pytest.fixture
def followed_by_several(world):
    """Inès, out of the adviser's scope: opened by a Département's social services, prescribed by Cap emploi (where
    her referent works), in training at a CFA, and joined by a CCAS."""
    departement = OrganisationFactory(prescriber=True, region=world.region, name=DEPARTEMENT)
    cap_emploi = OrganisationFactory(prescriber=True, region=world.region, name=CAP_EMPLOI)
    cfa = OrganisationFactory(region=world.region, name=CFA)
    ccas = OrganisationFactory(support=True, region=world.region, name=CCAS)
    referent = Membership.objects.create(
        user=world.user("outsider"), organisation=cap_emploi, role=Membership.Role.PRESCRIBER_ADVISER
    ).user
    referent.first_name, referent.last_name = "Anne", REFERENT
    referent.save()
    beneficiary = BeneficiaryFactory(
        region=world.region,
        first_name="Ines",
        last_name="LEFEVRE",
        birth_date=datetime.date(2003, 2, 11),
        email=OTHER_EMAIL,
        phone=OTHER_PHONE,
        commune=world.commune,
    )
    pathway = PathwayFactory(
        beneficiary=beneficiary, referent=referent, opened_by=departement, prescribing_organisation=cap_emploi
    )
    StageFactory(pathway=pathway, organisation=cfa)
    PathwayPartner.objects.create(pathway=pathway, organisation=ccas)
    return pathway


# ---------------------------------------------------------------------------------------------------------------
# What a check reveals


@pytest.mark.parametrize("contact", [{"phone": "07 99 88 77 66"}, {"email": OTHER_EMAIL.upper()}])
def test_a_phone_or_an_email_alone_says_nothing_about_a_person_followed_elsewhere(
    world, client_for, adviser, followed_by_several, contact
):
    data = form_data(world, adviser, first_name="Yanis", last_name="Durand", **contact)
    response = client_for(adviser).post(URL, data, follow=True)
    assert response.redirect_chain, "the person is registered: nothing was there to warn about"
    assert Beneficiary.objects.filter(first_name="Yanis").exists()
    content = response.content.decode()
    for secret in [CAP_EMPLOI, DEPARTEMENT, CFA, CCAS, REFERENT, "Ines", "LEFEVRE"]:
        assert secret not in content


def test_a_name_and_birth_date_match_names_only_the_referents_organisation(
    world, client_for, adviser, followed_by_several
):
    response = client_for(adviser).post(URL, form_data(world, adviser))
    assert response.status_code == 200
    warning = panel(response)
    assert CAP_EMPLOI in warning
    assert DEPARTEMENT not in warning
    content = response.content.decode()
    for secret in [CFA, CCAS, REFERENT, OTHER_EMAIL, OTHER_PHONE, f"/parcours/{followed_by_several.pk}/"]:
        assert secret not in content
    assert "Demander à rejoindre ce parcours" in warning
    assert not Beneficiary.objects.filter(first_name="Inès").exists()


def test_a_name_and_birth_date_match_names_the_opener_when_the_referent_works_there(world, followed_by_several):
    departement = followed_by_several.opened_by
    referent = Membership.objects.create(
        user=world.user("facilitator"), organisation=departement, role=Membership.Role.PRESCRIBER_ADVISER
    ).user
    followed_by_several.referent = referent
    followed_by_several.save()
    assert referent_organisation(followed_by_several) == departement


def test_the_referents_organisation_may_be_the_training_body_of_a_stage(world, followed_by_several):
    cfa = followed_by_several.stages.get().organisation
    followed_by_several.referent = Membership.objects.create(
        user=world.user("facilitator"), organisation=cfa, role=Membership.Role.ORG_MANAGER
    ).user
    followed_by_several.save()
    assert referent_organisation(followed_by_several).name == CFA


def test_an_active_membership_of_the_referent_comes_before_a_past_one(world, followed_by_several):
    referent = followed_by_several.referent
    Membership.objects.filter(user=referent).update(is_active=False, deactivated_at=timezone.now())
    Membership.objects.create(
        user=referent, organisation=followed_by_several.opened_by, role=Membership.Role.PRESCRIBER_ADVISER
    )
    assert referent_organisation(followed_by_several).name == DEPARTEMENT


@pytest.fixture
def marked_zoe(world):
    """The world's Zoé and her referent, with names no other row of the test can hold by chance."""
    zoe = world.beneficiary
    zoe.last_name, zoe.email, zoe.phone = "Marqueur-Personne", "zoe.m@example.org", "+33612121212"
    zoe.name_key = name_key(zoe.first_name, zoe.last_name)
    zoe.save()
    referent = world.pathway.referent
    referent.last_name = "Marqueur-Referent"
    referent.save()
    return zoe


@pytest.mark.parametrize("role", ["other_adviser", "other_region_manager"])
def test_an_outsiders_check_with_zoes_contact_details_reveals_nobody(world, adversaries, marked_zoe, client_for, role):
    user = world.user(role)
    data = form_data(
        world, user, first_name="Nina", last_name="Durand", email="zoe.m@example.org", phone="06 12 12 12 12"
    )
    if role == "other_region_manager":
        data["commune"] = ""  # the form offers the communes of the user's region
    response = client_for(user).post(URL, data, follow=True)
    assert response.redirect_chain and Beneficiary.objects.filter(first_name="Nina").exists()
    content = response.content.decode()
    for secret in ["Marqueur-Personne", "Marqueur-Referent", world.training_body.name, world.funder.name]:
        assert secret not in content


def test_an_outsiders_check_with_zoes_identity_names_only_her_referents_organisation(
    world, adversaries, marked_zoe, client_for
):
    user = world.user("other_adviser")
    data = form_data(
        world, user, first_name="Zoé", last_name="Marqueur-Personne", birth_date="2001-05-17", email="", phone=""
    )
    response = client_for(user).post(URL, data)
    warning = panel(response)
    assert world.prescriber.name in warning
    content = response.content.decode()
    for secret in ["Marqueur-Referent", "zoe.m@example.org", world.training_body.name, world.funder.name]:
        assert secret not in content
    assert world.pathway.get_absolute_url() not in content


def test_a_match_in_scope_still_links_to_the_record(world, adviser):
    world.beneficiary.phone = OTHER_PHONE
    world.beneficiary.save()
    matches = duplicate_check(
        user=adviser,
        opened_by=world.prescriber,
        first_name="Yanis",
        last_name="Durand",
        birth_date=datetime.date(2000, 1, 1),
        phone=OTHER_PHONE,
    )
    assert [(m.beneficiary, m.visible, m.same_identity) for m in matches] == [(world.beneficiary, True, False)]


# ---------------------------------------------------------------------------------------------------------------
# The access log


def test_a_check_that_finds_nobody_is_logged_without_a_person(world, client_for, adviser):
    client_for(adviser).post(URL, form_data(world, adviser, prescribing_organisation=world.prescriber.pk))
    log = AccessLog.objects.get(action=AccessLog.Action.DUPLICATE_CHECK)
    assert (log.user, log.beneficiary, log.acting_organisation, log.view_name) == (
        adviser,
        None,
        world.prescriber,
        "pathways:beneficiary_create",
    )


def test_a_check_that_finds_a_person_by_identity_is_logged_on_that_person(
    world, client_for, adviser, followed_by_several
):
    client_for(adviser).post(URL, form_data(world, adviser))
    log = AccessLog.objects.get(action=AccessLog.Action.DUPLICATE_CHECK)
    assert (log.user, log.beneficiary, log.acting_organisation) == (
        adviser,
        followed_by_several.beneficiary,
        world.prescriber,
    )


def test_each_check_is_logged_even_when_the_person_is_then_registered(world, client_for, adviser):
    client_for(adviser).post(URL, form_data(world, adviser))
    assert AccessLog.objects.filter(user=adviser, action=AccessLog.Action.DUPLICATE_CHECK).count() == 1
    assert AccessLog.objects.filter(user=adviser, action=AccessLog.Action.CREATE).count() == 1


# ---------------------------------------------------------------------------------------------------------------
# The rate limit


def test_the_check_past_the_hourly_limit_is_refused(world, client_for, adviser, followed_by_several, settings):
    settings.DUPLICATE_CHECKS_PER_HOUR = 3
    client = client_for(adviser)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert CAP_EMPLOI in panel(client.post(URL, form_data(world, adviser)))
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        response = client.post(URL, form_data(world, adviser))
        assert response.status_code == 200
        assert not panel(response)
        assert "Réessayez dans 40 minutes" in response.content.decode()
        assert response.context["form"].non_field_errors()
    assert AccessLog.objects.filter(user=adviser, action=AccessLog.Action.DUPLICATE_CHECK).count() == 3
    assert not Beneficiary.objects.filter(first_name="Inès").exists()
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        client = client_for(adviser)  # a new session: the first one ended after 30 idle minutes
        assert CAP_EMPLOI in panel(client.post(URL, form_data(world, adviser)))


def test_the_limit_counts_the_checks_of_every_process_from_the_access_log(world, adviser, settings):
    settings.DUPLICATE_CHECKS_PER_HOUR = 2
    for _ in range(2):  # written by another web process
        AccessLog.objects.create(user=adviser, view_name="pathways:beneficiary_create", action="duplicate")
    with pytest.raises(ValidationError) as refused:
        duplicate_check(
            user=adviser,
            opened_by=world.prescriber,
            first_name="Yanis",
            last_name="Durand",
            birth_date=datetime.date(2000, 1, 1),
        )
    assert refused.value.code == "duplicate_check_limit"
    assert "Réessayez dans 60 minutes" in refused.value.messages[0]


def test_the_limit_is_per_user(world, adviser, settings):
    settings.DUPLICATE_CHECKS_PER_HOUR = 1
    AccessLog.objects.create(user=world.user("legal_representative"), view_name="x", action="duplicate")
    AccessLog.objects.create(user=adviser, view_name="x", action=AccessLog.Action.READ, beneficiary=world.beneficiary)
    assert (
        duplicate_check(
            user=adviser,
            opened_by=world.prescriber,
            first_name="Yanis",
            last_name="Durand",
            birth_date=datetime.date(2000, 1, 1),
        )
        == []
    )


def test_the_limit_message_is_in_english_for_an_english_speaker(world, client_for, adviser, settings):
    require_service(shutil.which("msgfmt") is not None, "gettext (msgfmt) is missing: no English catalogue")
    call_command("compilemessages", "--ignore=.venv", "--ignore=.tools", verbosity=0)
    translation.trans_real._translations = {}  # reload the catalogue compiled just now
    settings.DUPLICATE_CHECKS_PER_HOUR = 1
    adviser.language = "en"
    adviser.save()
    AccessLog.objects.create(user=adviser, view_name="x", action="duplicate")
    response = client_for(adviser).post(URL, form_data(world, adviser))
    assert "Try again in 60 minutes" in response.content.decode()


# ---------------------------------------------------------------------------------------------------------------
# The service's own checks


def test_a_check_needs_a_name_and_a_birth_date(world, adviser):
    with pytest.raises(ValidationError) as refused:
        duplicate_check(user=adviser, opened_by=world.prescriber, first_name=" ", last_name="", birth_date=None)
    assert set(refused.value.error_dict) == {"first_name", "last_name", "birth_date"}
    assert not AccessLog.objects.exists()


def test_a_check_is_made_only_for_an_organisation_of_the_user(world, adviser):
    with pytest.raises(ValidationError) as refused:
        duplicate_check(
            user=adviser,
            opened_by=world.training_body,
            first_name="Zoé",
            last_name="Martin",
            birth_date=datetime.date(2001, 5, 17),
        )
    assert set(refused.value.error_dict) == {"opened_by"}
    assert not AccessLog.objects.exists()


def test_the_dpo_sees_the_check_in_the_access_log_without_the_person_found(world, client_for, followed_by_several):
    manager = world.user("pedagogical_manager")
    client_for(manager).post(URL, form_data(world, manager))
    assert AccessLog.objects.get(action=AccessLog.Action.DUPLICATE_CHECK).beneficiary == followed_by_several.beneficiary
    response = client_for(world.user("dpo")).get(reverse("pathways:access_log"))
    content = response.content.decode()
    assert "recherche de doublon" in content
    assert "LEFEVRE" not in content and "Ines" not in content


@pytest.mark.parametrize(("value", "ok"), [("5", True), ("0", False), ("trente", False)])
def test_the_limit_setting_fails_loudly_on_a_bad_value(value, ok):
    environment = {**os.environ, "DUPLICATE_CHECKS_PER_HOUR": value, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    script = "from django.conf import settings; print(settings.DUPLICATE_CHECKS_PER_HOUR)"
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert (result.returncode == 0) == ok, result.stderr
    if ok:
        assert result.stdout.strip() == value
