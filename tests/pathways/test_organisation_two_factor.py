"""The organisation manager makes the second factor mandatory for their organisation's members, from its members
page (issue 20): who may, what it does at the members' next page, the change history, the members' column."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.models import Membership, Organisation
from tests.accounts.test_twofactor import give_device, login, verify
from tests.conftest import _member

NOON = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
ON = {"required": "1", "confirm": "on"}
OFF = {"required": "0", "confirm": "on"}


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCE_MANDATORY = True
    return settings


def url(organisation):
    return reverse("pathways:organisation_two_factor_update", args=[organisation.pk])


def history(organisation):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_pk=str(organisation.pk)
    )


def test_switching_it_on_sends_a_logged_in_member_without_device_to_enrolment_at_the_next_page(client, world, enforced):
    from django.test import Client

    trainer = world.user("trainer")
    login(client, trainer)
    home = reverse("pathways:home")
    assert client.get(home).status_code == 200

    # The manager has an authenticator app and gave a code: switching it on does not stop them.
    manager = Client()
    device = give_device(world.user("org_manager"))
    login(manager, world.user("org_manager"))
    verify(manager, device)
    response = manager.post(url(world.training_body), ON)
    assert response.status_code == 302 and response.url == reverse(
        "pathways:membership_list", args=[world.training_body.pk]
    )
    world.training_body.refresh_from_db()
    assert world.training_body.two_factor_required

    # The trainer, still logged in, is sent to enrolment at their next page.
    response = client.get(home)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_enrol"))

    # Off again: the trainer reaches their pages without a device.
    response = manager.post(url(world.training_body), OFF)
    world.training_body.refresh_from_db()
    assert not world.training_body.two_factor_required
    assert client.get(home).status_code == 200


def test_the_manager_without_device_is_told_and_then_enrols_too(client, world, enforced):
    manager = world.user("org_manager")
    login(client, manager)
    page = client.get(reverse("pathways:membership_list", args=[world.training_body.pk])).content.decode()
    assert "vous aussi, si ce n'est pas déjà fait" in page
    response = client.post(url(world.training_body), ON, follow=True)
    # The members page itself asks them to set up their app first.
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:twofactor_enrol"))
    assert "La double authentification est maintenant obligatoire" in response.content.decode()


def test_the_change_is_recorded_in_the_history_with_who_and_from_what(client, world):
    manager = world.user("org_manager")
    client.force_login(manager)
    client.post(url(world.training_body), ON)
    client.post(url(world.training_body), OFF)
    entries = list(history(world.training_body).order_by("pk"))
    assert [entry.changes_dict["two_factor_required"] for entry in entries] == [
        ["False", "True"],
        ["True", "False"],
    ]
    assert {entry.actor_id for entry in entries} == {manager.pk}
    assert entries[0].action == LogEntry.Action.UPDATE


def test_the_same_value_again_writes_nothing(client, world):
    client.force_login(world.user("org_manager"))
    response = client.post(url(world.training_body), OFF, follow=True)
    assert "rien n&#x27;a changé" in response.content.decode()
    assert not history(world.training_body).exists()


def test_without_the_confirmation_box_nothing_changes(client, world):
    client.force_login(world.user("org_manager"))
    response = client.post(url(world.training_body), {"required": "1"}, follow=True)
    assert "Cochez la case pour confirmer le changement." in response.content.decode()
    world.training_body.refresh_from_db()
    assert not world.training_body.two_factor_required
    assert not history(world.training_body).exists()


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "dpo"])
def test_a_member_who_is_not_its_manager_gets_403_and_nothing_is_written(client, world, role):
    client.force_login(world.user(role))
    assert client.post(url(world.training_body), ON).status_code == 403
    world.training_body.refresh_from_db()
    assert not world.training_body.two_factor_required
    assert not history(world.training_body).exists()


@pytest.mark.parametrize(
    "role",
    ["legal_representative", "prescriber_adviser", "regional_officer", "facilitator", "outsider", "admin"]
    + ["other_adviser", "other_funder_officer", "other_facilitator", "other_region_manager", "deactivated_trainer"],
)
def test_anyone_outside_the_organisation_gets_404_and_nothing_is_written(client, world, adversaries, role):
    client.force_login(world.user(role))
    assert client.post(url(world.training_body), ON).status_code == 404
    world.training_body.refresh_from_db()
    assert not world.training_body.two_factor_required
    assert not history(world.training_body).exists()


def test_a_deactivated_manager_is_refused_and_nothing_is_written(client, world):
    membership = _member(world.training_body, Membership.Role.ORG_MANAGER)
    membership.is_active = False
    membership.deactivated_at = NOON
    membership.save()
    client.force_login(membership.user)
    assert client.post(url(world.training_body), ON).status_code == 404
    world.training_body.refresh_from_db()
    assert not world.training_body.two_factor_required
    assert not history(world.training_body).exists()


def test_the_manager_of_another_organisation_cannot_switch_this_one(client, world):
    client.force_login(world.user("legal_representative"))  # the prescriber's manager
    assert client.post(url(world.training_body), ON).status_code == 404
    assert client.post(url(world.prescriber), ON).status_code == 302
    world.training_body.refresh_from_db()
    world.prescriber.refresh_from_db()
    assert not world.training_body.two_factor_required and world.prescriber.two_factor_required


def test_get_is_not_allowed(client, world):
    client.force_login(world.user("org_manager"))
    assert client.get(url(world.training_body)).status_code == 405


def test_a_post_without_csrf_token_is_refused(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("org_manager"))
    assert client.post(url(world.training_body), ON).status_code == 403
    world.training_body.refresh_from_db()
    assert not world.training_body.two_factor_required


# --- The members page -----------------------------------------------------------------------------------------


def test_the_manager_sees_who_has_a_second_factor_and_how_many(client, world):
    give_device(world.user("trainer"))
    TOTPDevice.objects.create(user=world.user("dpo"), name="Pas fini", confirmed=False)  # not set up to the end
    client.force_login(world.user("org_manager"))
    response = client.get(reverse("pathways:membership_list", args=[world.training_body.pk]))
    rows = {membership.user_id: membership.has_two_factor for membership in response.context["page"].object_list}
    assert rows[world.user("trainer").pk] is True
    assert rows[world.user("dpo").pk] is False
    assert response.context["two_factor"] == {"members": 4, "enrolled": 1}
    page = response.content.decode()
    assert "1 membre actif sur 4 a activé la double authentification." in page
    assert "non activée" in page
    assert "Rendre la double authentification obligatoire" in page


def test_a_member_who_is_not_its_manager_sees_neither_the_column_nor_the_setting(client, world):
    client.force_login(world.user("trainer"))
    page = client.get(reverse("pathways:membership_list", args=[world.training_body.pk])).content.decode()
    assert "non activée" not in page
    assert url(world.training_body) not in page


def test_the_members_page_with_the_column_costs_the_same_queries_whatever_the_number_of_members(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.user("org_manager"))
    url_list = reverse("pathways:membership_list", args=[world.training_body.pk])
    client.get(url_list)
    with django_assert_max_num_queries(20) as few:
        client.get(url_list)
    for _i in range(15):
        membership = _member(world.training_body, Membership.Role.TRAINER)
        give_device(membership.user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url_list)
    assert response.context["two_factor"]["enrolled"] == 15


# --- The project's walks, on the members page as its manager (the matrix's walks read it as a trainer) ----------


def test_the_members_page_of_its_manager_carries_the_security_headers(client, world):
    from tests.crawl import crawl
    from tests.test_security_headers import header_problems

    client.force_login(world.user("org_manager"))
    members = reverse("pathways:membership_list", args=[world.training_body.pk])
    result = crawl(client, start=[members], max_urls=20, per_route=2)
    pages = [page for page in result.pages if page.url.startswith(members)]
    assert pages, "the walk did not reach the page"
    assert not [problem for page in pages for problem in header_problems(page, logged_in=True)]


@pytest.mark.parametrize("value", ["9" * 25, "0001-01-01", "x" * 5000, ""])
def test_the_setting_form_does_not_fail_on_an_absurd_value(client, world, value):
    from tests.test_bad_input import _request, page_forms

    client.force_login(world.user("org_manager"))
    members = reverse("pathways:membership_list", args=[world.training_body.pk])
    forms = [
        (action, fields)
        for action, fields in page_forms(client.get(members).content.decode(), members)
        if action == url(world.training_body)
    ]
    assert len(forms) == 1
    action, fields = forms[0]
    for field in fields:
        if field != "csrfmiddlewaretoken":
            response = _request(client, "post", action, {**fields, field: value})
            assert response.status_code == 302, (field, value, getattr(response, "error", ""))
    # An absurd `required` is refused; only the confirmation box's own value could have switched it on.
    world.training_body.refresh_from_db()
    assert history(world.training_body).count() <= 1


@pytest.mark.parametrize("name", ["pathways:home", "alerts:alert_badge"])
def test_asking_on_every_request_costs_no_query_on_a_page_or_a_poll(client, world, settings, name):
    """A member without a device is asked on each request whether the second factor became mandatory: from the
    memberships the page (or the poll) reads anyway."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.user("prescriber_adviser"))
    headers = {"HTTP_HX_REQUEST": "true"} if name.endswith("badge") else {}
    counts = {}
    for enforce in (False, True):
        settings.TWO_FACTOR_ENFORCE_MANDATORY = enforce
        client.get(reverse(name), **headers)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), **headers).status_code == 200
        counts[enforce] = len(queries.captured_queries)
    assert counts[True] == counts[False]
