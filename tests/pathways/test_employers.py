"""Companies of immersion, apprenticeship and job stages: created by a service (`pathways.services.employers`), not
by the stage form, in the same transaction as the stage they belong to."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pathways.models import Employer, Stage
from pathways.services.employers import employer_create, employer_for_stage
from tests.pathways.factories import EmployerFactory, RegionFactory, StageFactory

VALID_SIRET = "73282932000074"  # Luhn-valid


# ---------------------------------------------------------------------------------------------------------------
# The services


def test_a_company_is_created_in_the_region_with_its_siret_without_spaces(world):
    employer = employer_create(name="  Boulangerie   du Port ", siret="732 829 320 00074", region=world.region)
    employer.refresh_from_db()
    assert (employer.name, employer.siret, employer.region) == ("Boulangerie du Port", VALID_SIRET, world.region)


@pytest.mark.parametrize(
    ("name", "siret", "fields"),
    [("", "", {"name"}), ("Boulangerie", "73282932000075", {"siret"}), ("x" * 201, "", {"name"})],
)
def test_a_company_with_bad_input_is_refused_on_its_field(world, name, siret, fields):
    with pytest.raises(ValidationError) as refused:
        employer_create(name=name, siret=siret, region=world.region)
    assert set(refused.value.error_dict) == fields
    assert not Employer.objects.exists()


def test_the_company_chosen_for_a_stage_is_returned_as_is(world):
    employer = EmployerFactory(region=world.region)
    assert employer_for_stage(region=world.region, employer=employer) == employer
    assert Employer.objects.count() == 1


def test_no_company_chosen_nor_typed_is_none(world):
    assert employer_for_stage(region=world.region) is None
    assert employer_for_stage(region=world.region, new_employer_name="   ") is None


def test_a_typed_company_is_created_for_the_stage(world):
    employer = employer_for_stage(
        region=world.region, new_employer_name="Boulangerie du Port", new_employer_siret=VALID_SIRET
    )
    assert Employer.objects.get() == employer and employer.region == world.region


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"new_employer_name": "Boulangerie", "new_employer_siret": "123"}, "new_employer_siret"),
        ({"new_employer_siret": VALID_SIRET}, "new_employer_name"),
        ({"new_employer_name": "x" * 201}, "new_employer_name"),
    ],
)
def test_errors_on_a_typed_company_are_on_the_stage_forms_fields(world, arguments, field):
    with pytest.raises(ValidationError) as refused:
        employer_for_stage(region=world.region, **arguments)
    assert set(refused.value.error_dict) == {field}
    assert not Employer.objects.exists()


def test_a_company_cannot_be_both_chosen_and_typed(world):
    employer = EmployerFactory(region=world.region)
    with pytest.raises(ValidationError) as refused:
        employer_for_stage(region=world.region, employer=employer, new_employer_name="Autre")
    assert set(refused.value.error_dict) == {"new_employer_name"}
    assert Employer.objects.count() == 1


def test_a_company_of_another_region_is_refused(world):
    foreign = EmployerFactory(region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes"))
    with pytest.raises(ValidationError) as refused:
        employer_for_stage(region=world.region, employer=foreign)
    assert set(refused.value.error_dict) == {"employer"}


# ---------------------------------------------------------------------------------------------------------------
# Through the stage pages


def plan(world, **overrides):
    start = world.today + datetime.timedelta(days=10)
    data = {
        "kind": "immersion",
        "organisation": world.prescriber.pk,
        "planned_start": start.isoformat(),
        "planned_end": (start + datetime.timedelta(days=5)).isoformat(),
        "new_employer_name": "Boulangerie du Port",
        "new_employer_siret": "732 829 320 00074",
    }
    data.update(overrides)
    return data


def test_planning_an_immersion_with_a_new_company_creates_it_for_the_stage(world, client_for):
    url = reverse("pathways:stage_create", args=[world.pathway.pk])
    response = client_for(world.user("prescriber_adviser")).post(url, plan(world))
    assert response.status_code == 302
    stage = Stage.objects.get(kind="immersion")
    assert stage.employer == Employer.objects.get(name="Boulangerie du Port", siret=VALID_SIRET, region=world.region)


def test_a_refused_plan_leaves_no_company_behind(world, client_for):
    url = reverse("pathways:stage_create", args=[world.pathway.pk])
    start = world.today + datetime.timedelta(days=10)
    data = plan(world, planned_end=(start - datetime.timedelta(days=1)).isoformat())
    response = client_for(world.user("prescriber_adviser")).post(url, data)
    assert response.status_code == 200
    assert "planned_end" in response.context["form"].errors
    assert not Employer.objects.exists() and not Stage.objects.filter(kind="immersion").exists()


def test_a_planned_stage_can_get_a_new_company(world, client_for):
    stage = StageFactory(
        pathway=world.pathway,
        kind="immersion",
        organisation=world.prescriber,
        employer=EmployerFactory(region=world.region, name="Ancienne entreprise"),
        planned_start=world.today + datetime.timedelta(days=10),
    )
    url = reverse("pathways:stage_update", args=[stage.pk])
    response = client_for(world.user("prescriber_adviser")).post(url, plan(world, new_employer_name="Garage Central"))
    assert response.status_code == 302, response.context["form"].errors
    stage.refresh_from_db()
    assert stage.employer.name == "Garage Central"


def test_a_started_stage_keeps_its_company(world, client_for):
    employer = EmployerFactory(region=world.region, name="Entreprise d'origine")
    Stage.objects.filter(pk=world.stage.pk).update(employer=employer)
    url = reverse("pathways:stage_update", args=[world.stage.pk])
    data = {"planned_end": (world.today + datetime.timedelta(days=30)).isoformat()}
    response = client_for(world.user("prescriber_adviser")).post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    world.stage.refresh_from_db()
    assert world.stage.employer == employer and Employer.objects.count() == 1
