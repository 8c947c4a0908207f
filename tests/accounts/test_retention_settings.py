"""A region's retention durations, set by the region's data-protection officer from the app (issue 20): the page,
who may, the whole form saved or nothing, back to the default, the change history, and the job and the information
notice reading the same values."""

import datetime
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts import retention
from accounts.models import RetentionPolicy
from accounts.services import retention_policies_set
from pathways.models import Membership, Pathway
from pathways.rights import notice_context
from tests.accounts.factories import UserFactory
from tests.accounts.test_access_log import region_dpo
from tests.accounts.test_retention import at
from tests.pathways.factories import OrganisationFactory, RegionFactory

CATEGORIES = ["pathway", "facilitator_notes", "access_log", "transmission_files", "documents", "exports"]


def url(region):
    return reverse("pathways:retention_settings", args=[region.pk])


def payload(**months):
    """Every field of the form, empty (the default) unless given."""
    return {category: str(months.get(category, "")) for category in CATEGORIES}


def policies(region):
    return dict(RetentionPolicy.objects.filter(region=region).values_list("category", "months"))


def history():
    return LogEntry.objects.filter(additional_data__event="retention_policy_set")


@pytest.fixture
def dpo(world):
    return region_dpo(world)


def test_the_region_dpo_sees_every_category_its_default_and_the_regions_value(client, world, dpo):
    RetentionPolicy.objects.create(region=world.region, category="pathway", months=18)
    client.force_login(dpo)
    response = client.get(url(world.region))
    assert response.status_code == 200
    rows = {row["field"].name: (row["default"], row["current"]) for row in response.context["rows"]}
    assert rows == {
        category: (
            settings.RETENTION_DEFAULT_MONTHS[category],
            18 if category == "pathway" else settings.RETENTION_DEFAULT_MONTHS[category],
        )
        for category in CATEGORIES
    }
    page = response.content.decode()
    assert 'name="pathway"' in page and 'value="18"' in page
    assert 'name="access_log"' in page and 'min="6"' in page  # the access log too, with its floor
    assert "prochain passage nocturne" in page and "manage.py retention --dry-run" in page


def test_saving_sets_the_regions_durations_and_records_who_changed_what(client, world, dpo):
    RetentionPolicy.objects.create(region=world.region, category="documents", months=6)
    client.force_login(dpo)
    response = client.post(url(world.region), payload(pathway=12, exports=2, documents=6), follow=True)
    assert response.redirect_chain[-1][0] == url(world.region)
    assert "sont enregistrées" in response.content.decode()
    assert policies(world.region) == {"pathway": 12, "exports": 2, "documents": 6}
    entries = {entry.additional_data["category"]: entry for entry in history()}
    assert set(entries) == {"pathway", "exports"}  # the unchanged duration is not recorded
    assert entries["pathway"].changes_dict["months"] == ["None", "12"]
    assert entries["pathway"].action == LogEntry.Action.CREATE
    assert {entry.actor_id for entry in entries.values()} == {dpo.pk}

    client.post(url(world.region), payload(pathway=10, exports=2, documents=6))
    entry = history().filter(additional_data__category="pathway").latest("pk")
    assert entry.action == LogEntry.Action.UPDATE and entry.changes_dict["months"] == ["12", "10"]


def test_an_empty_field_goes_back_to_the_default(client, world, dpo):
    RetentionPolicy.objects.create(region=world.region, category="pathway", months=12)
    client.force_login(dpo)
    client.post(url(world.region), payload())
    assert policies(world.region) == {}
    assert retention.months_for(world.region.pk, "pathway") == settings.RETENTION_DEFAULT_MONTHS["pathway"]
    entry = history().get()
    assert entry.action == LogEntry.Action.DELETE and entry.changes_dict["months"] == ["12", "None"]


def test_nothing_changed_writes_nothing(client, world, dpo):
    client.force_login(dpo)
    response = client.post(url(world.region), payload(), follow=True)
    assert "Aucune durée n&#x27;a changé." in response.content.decode()
    assert not history().exists()


@pytest.mark.parametrize("value", ["0", "121", "douze", "12.5", "-3", "99999999999999999999"])
def test_an_invalid_value_is_refused_in_french_and_nothing_is_written(client, world, dpo, value):
    RetentionPolicy.objects.create(region=world.region, category="exports", months=2)
    client.force_login(dpo)
    response = client.post(url(world.region), {**payload(pathway=12, exports=2), "documents": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez un nombre entier de mois entre 1 et 120, ou laissez vide." in page
    assert 'aria-invalid="true"' in page
    # The whole form or nothing: the valid duration typed beside it is not saved either.
    assert policies(world.region) == {"exports": 2}
    assert not history().exists()


def test_the_access_log_duration_is_set_per_region_never_under_six_months(client, world, dpo):
    """The issue's durations are all configurable per region, the access log's included; it is the trace of who read
    the records, so a region keeps it at least six months (the CNIL's floor for access traces)."""
    client.force_login(dpo)
    response = client.post(url(world.region), payload(access_log=3, pathway=12))
    assert response.status_code == 200
    assert "Le journal des accès se conserve au moins 6 mois" in response.content.decode()
    assert policies(world.region) == {}  # the whole form or nothing
    with pytest.raises(ValidationError):
        retention_policies_set(region=world.region, months={"access_log": 5, "pathway": 12}, by=dpo)
    assert policies(world.region) == {}
    assert client.post(url(world.region), payload(access_log=6)).status_code == 302
    assert policies(world.region) == {"access_log": 6}
    assert retention.region_months(world.region.pk)["access_log"] == 6


def test_the_dpo_of_another_region_gets_404_and_writes_nothing(client, world, adversaries, dpo):
    other_region = adversaries.other_region
    funder = OrganisationFactory(name="Région voisine", region=other_region, funder=True)
    other_region.scheme_organisation = funder
    other_region.save(update_fields=["scheme_organisation"])
    other_dpo = Membership.objects.create(
        user=UserFactory(),
        organisation=funder,
        role=Membership.Role.DPO,
    ).user
    client.force_login(other_dpo)
    assert client.get(url(world.region)).status_code == 404
    assert client.post(url(world.region), payload(pathway=1)).status_code == 404
    assert client.get(url(other_region)).status_code == 200
    assert policies(world.region) == {} and not history().exists()


@pytest.mark.parametrize("role", ["dpo", "regional_officer", "org_manager", "trainer", "prescriber_adviser"])
def test_members_of_the_region_who_are_not_its_dpo_get_403_and_write_nothing(client, world, dpo, role):
    # "dpo" is the training body's DPO: not the region's (the region's scheme is run by the funder).
    client.force_login(world.user(role))
    assert client.get(url(world.region)).status_code == 403
    assert client.post(url(world.region), payload(pathway=1)).status_code == 403
    assert policies(world.region) == {} and not history().exists()


@pytest.mark.parametrize("role", ["admin", "other_region_manager", "deactivated_trainer"])
def test_anyone_else_gets_404(client, world, adversaries, dpo, role):
    client.force_login(world.user(role))
    assert client.get(url(world.region)).status_code == 404
    assert client.post(url(world.region), payload(pathway=1)).status_code == 404
    assert client.get(url(RegionFactory(code="99", name="Inexistante"))).status_code == 404
    assert policies(world.region) == {}


def test_a_deactivated_region_dpo_gets_404(client, world, dpo):
    Membership.objects.filter(user=dpo).update(is_active=False, deactivated_at=at(world.today))
    client.force_login(dpo)
    assert client.post(url(world.region), payload(pathway=1)).status_code == 404
    assert policies(world.region) == {}


def test_anonymous_is_sent_to_login_and_get_post_only(client, world, dpo):
    response = client.get(url(world.region))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(dpo)
    assert client.put(url(world.region)).status_code == 405


def test_the_user_menu_and_the_access_log_lead_to_the_page(client, world, dpo):
    client.force_login(dpo)
    assert url(world.region) in client.get(reverse("pathways:home")).content.decode()
    assert url(world.region) in client.get(reverse("pathways:access_log")).content.decode()
    client.force_login(world.user("dpo"))  # an organisation's DPO, not the region's
    assert url(world.region) not in client.get(reverse("pathways:access_log")).content.decode()


def test_the_page_costs_a_few_queries(client, world, dpo, django_assert_max_num_queries):
    client.force_login(dpo)
    client.get(url(world.region))
    with django_assert_max_num_queries(12):
        assert client.get(url(world.region)).status_code == 200


# --- The job and the notice read the values set here -----------------------------------------------------------


@pytest.fixture
def closed_18_months_ago(world):
    """The world's person, her pathway closed 18 months ago: within the default 24 months."""
    Pathway.objects.filter(pk=world.pathway.pk).update(
        status=Pathway.Status.CLOSED, closed_at=at(world.today - relativedelta(months=18), 15)
    )
    return world


def dry_run(day) -> str:
    out = StringIO()
    with time_machine.travel(at(day, 4), tick=False):
        call_command("retention", "--dry-run", stdout=out)
    return out.getvalue()


def test_the_retention_dry_run_uses_the_duration_set_on_the_page(client, closed_18_months_ago, dpo):
    world = closed_18_months_ago
    pk = world.beneficiary.pk
    assert "notices to send: 0 []" in dry_run(world.today)

    client.force_login(dpo)
    client.post(url(world.region), payload(pathway=12))
    assert f"notices to send: 1 [{pk}]" in dry_run(world.today)
    with time_machine.travel(at(world.today, 4), tick=False):
        retention.run()  # the referent is told today
    assert f"people to anonymise: 1 [{pk}]" in dry_run(world.today + datetime.timedelta(days=30))

    client.post(url(world.region), payload())  # back to the default: nobody is due
    assert "people to anonymise: 0 []" in dry_run(world.today + datetime.timedelta(days=30))


def test_the_notice_tells_the_durations_the_job_applies(client, world, dpo):
    client.force_login(dpo)
    client.post(url(world.region), payload(pathway=36, facilitator_notes=6))
    context = notice_context(world.beneficiary, "fr")
    assert context["months"] == retention.region_months(world.region.pk)
    for category in CATEGORIES:
        assert context["months"][category] == retention.months_for(world.region.pk, category)
        assert context["months"][category] == retention.months_by_region(category)[world.region.pk]
    assert context["months"]["pathway"] == 36 and context["pathway_years"] == 3
    assert context["months"]["access_log"] == settings.RETENTION_DEFAULT_MONTHS["access_log"]


# --- The project's walks, on this page (the world's region has no DPO of its own, so the matrix reaches it as 403) --


def test_the_page_carries_the_security_headers(client, world, dpo):
    from tests.crawl import crawl
    from tests.test_security_headers import header_problems

    client.force_login(dpo)
    result = crawl(client, start=[url(world.region)], max_urls=20, per_route=2)
    pages = [page for page in result.pages if page.url.startswith(url(world.region))]
    assert pages, "the walk did not reach the page"
    assert not [problem for page in pages for problem in header_problems(page, logged_in=True)]


@pytest.mark.parametrize("value", ["9" * 25, "0001-01-01", "x" * 5000, "", " 12 ", "١٢"])
def test_no_field_fails_on_an_absurd_value(client, world, dpo, value):
    from tests.test_bad_input import _request, page_forms

    client.force_login(dpo)
    body = client.get(url(world.region)).content.decode()
    forms = [(action, fields) for action, fields in page_forms(body, url(world.region)) if action == url(world.region)]
    assert forms
    for action, fields in forms:
        for field in fields:
            if field != "csrfmiddlewaretoken":
                response = _request(client, "post", action, {**fields, field: value})
                assert response.status_code in (200, 302), (field, value, getattr(response, "error", ""))
    for policy in RetentionPolicy.objects.filter(region=world.region):
        assert 1 <= policy.months <= 120
