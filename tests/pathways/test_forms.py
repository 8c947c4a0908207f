"""Forms and validators refuse bad input with a clear French message."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathways.forms import BeneficiaryForm, MemberAddForm, StagePlanForm, WeekdaysField
from pathways.models import Employer, Weekday
from pathways.validators import format_phone, normalize_phone, validate_formacode, validate_siret
from tests.pathways.factories import OrganisationFactory, SessionFactory

VALID_SIRET = "73282932000074"  # Luhn-valid


def test_a_valid_siret_passes():
    validate_siret(VALID_SIRET)
    validate_siret("35600000000047")  # La Poste: digits summing to a multiple of 5
    validate_siret("35600000000048")  # La Poste's head office (issue 21: it was refused)


@pytest.mark.parametrize(
    "value,message",
    [
        ("7328293200007", "exactement 14 chiffres"),
        ("7328293200007A", "exactement 14 chiffres"),
        ("732 829 320 00074", "exactement 14 chiffres"),
        ("73282932000075", "clé de contrôle incorrecte"),
        ("35600000000049", "clé de contrôle incorrecte"),
    ],
)
def test_a_bad_siret_is_refused_with_a_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_siret(value)


@pytest.mark.parametrize("value", ["1234", "123456", "12a45"])
def test_a_formacode_has_five_digits(value):
    with pytest.raises(ValidationError, match="5 chiffres"):
        validate_formacode(value)


@pytest.mark.parametrize(
    "typed,stored,shown",
    [
        ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0033 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("05.56.00.11.22", "+33556001122", "05 56 00 11 22"),
        # Overseas France, typed the national way or with its country code (issue 21: "+262…" was refused).
        ("0692 12 34 56", "+262692123456", "0692 12 34 56"),  # La Réunion
        ("+262 692 12 34 56", "+262692123456", "0692 12 34 56"),
        ("0639 01 23 45", "+262639012345", "0639 01 23 45"),  # Mayotte
        ("+590 690 00 12 34", "+590690001234", "0690 00 12 34"),  # Guadeloupe
        ("0694 20 12 34", "+594694201234", "0694 20 12 34"),  # Guyane
        ("0696 20 12 34", "+596696201234", "0696 20 12 34"),  # Martinique
        ("+508 55 12 34", "+508551234", "055 12 34"),  # Saint-Pierre-et-Miquelon
        # Abroad.
        ("+32 470 12 34 56", "+32470123456", "+32 470 12 34 56"),
        ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
        # The ranges ARCEP reserves for fiction (the demo's numbers).
        ("06 39 98 00 11", "+33639980011", "06 39 98 00 11"),
    ],
)
def test_phone_numbers_are_stored_in_e164_and_shown_the_usual_way(typed, stored, shown):
    assert normalize_phone(typed) == stored
    assert format_phone(stored) == shown


@pytest.mark.parametrize("typed", ["0612", "00 12 34 56 78", "phone", "0639 12 34 56", "+33 6 12", "06 12 34 56 78 9"])
def test_a_bad_phone_number_is_explained(typed):
    with pytest.raises(ValidationError, match="Numéro de téléphone non valide"):
        normalize_phone(typed)


def identity(**overrides):
    data = {
        "first_name": " Zoé ",
        "last_name": "Martin  Durand",
        "birth_date": "2001-05-17",
        "email": " Zoe@Example.ORG ",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_person_form_tidies_names_and_contact():
    form = BeneficiaryForm(identity(phone="06 12 34 56 78"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == "Zoé"
    assert form.cleaned_data["last_name"] == "Martin Durand"
    assert form.cleaned_data["email"] == "zoe@example.org"
    assert form.cleaned_data["phone"] == "+33612345678"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "birth_date,message",
    [
        (lambda today: today - datetime.timedelta(days=365 * 10), "au moins 15 ans"),
        (lambda today: today + datetime.timedelta(days=3), "au moins 15 ans"),
        (lambda today: datetime.date(1900, 1, 1), "semble erronée"),
    ],
)
def test_an_implausible_birth_date_is_refused(birth_date, message):
    form = BeneficiaryForm(identity(birth_date=birth_date(timezone.localdate()).isoformat()))
    assert not form.is_valid()
    assert message in form.errors["birth_date"][0]


@pytest.mark.django_db
def test_required_fields_are_named_in_french():
    form = BeneficiaryForm({})
    assert not form.is_valid()
    assert form.errors["last_name"] == ["Ce champ est obligatoire."]


@pytest.mark.django_db
def test_a_stage_without_organisation_nor_session_is_refused(world):
    form = StagePlanForm({"kind": "orientation", "planned_start": "2026-12-01"}, region=world.region)
    assert not form.is_valid()
    assert form.errors["organisation"] == ["Choisissez la structure, ou une session."]


@pytest.mark.django_db
def test_a_session_gives_the_stage_its_organisation(world):
    form = StagePlanForm(
        {"kind": "qualifying_training", "session": world.session.pk, "planned_start": world.session.start_date},
        region=world.region,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organisation"] == world.training_body


@pytest.mark.django_db
def test_a_new_company_with_a_bad_siret_is_refused(world):
    form = StagePlanForm(
        {
            "kind": "immersion",
            "organisation": world.prescriber.pk,
            "planned_start": "2026-12-01",
            "new_employer_name": "Boulangerie du Port",
            "new_employer_siret": "12345678901234",
        },
        region=world.region,
    )
    assert not form.is_valid()
    assert "clé de contrôle" in form.errors["new_employer_siret"][0]


@pytest.mark.django_db
def test_the_stage_form_only_validates_a_new_company_it_does_not_create_it(world):
    form = StagePlanForm(
        {
            "kind": "immersion",
            "organisation": world.prescriber.pk,
            "planned_start": "2026-12-01",
            "new_employer_name": "Boulangerie du Port",
            "new_employer_siret": "732 829 320 00074",
        },
        region=world.region,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["new_employer_siret"] == VALID_SIRET
    assert not Employer.objects.exists()  # pathways.services.employers creates it, with the stage


@pytest.mark.django_db
def test_sessions_of_another_region_are_not_offered(world):
    from tests.pathways.factories import RegionFactory, TrainingActionFactory

    foreign = SessionFactory(
        training_action=TrainingActionFactory(training_body=OrganisationFactory(region=RegionFactory(code="84")))
    )
    form = StagePlanForm(
        {"kind": "qualifying_training", "session": foreign.pk, "planned_start": "2026-12-01"}, region=world.region
    )
    assert not form.is_valid()
    assert "session" in form.errors


@pytest.mark.django_db
def test_member_roles_offered_fit_the_organisation_kind(world):
    """To a platform administrator, who grants any role: every role of the organisation's kind, none other."""
    admin = world.user("admin")
    roles = {value for value, _ in MemberAddForm(organisation=world.prescriber, user=admin).fields["role"].choices}
    assert roles == {"org_manager", "prescriber_adviser", "basin_coordinator", "dpo"}
    roles = {value for value, _ in MemberAddForm(organisation=world.training_body, user=admin).fields["role"].choices}
    assert {"trainer", "pedagogical_manager"} <= roles and "prescriber_adviser" not in roles


def test_weekdays_are_stored_as_a_bit_mask():
    field = WeekdaysField()
    assert field.clean([str(Weekday.MONDAY), str(Weekday.WEDNESDAY)]) == 1 | 4
    assert field.prepare_value(1 | 16) == [Weekday.MONDAY, Weekday.FRIDAY]
    with pytest.raises(ValidationError):
        field.clean([])


def test_the_migration_converts_the_numbers_stored_before_to_e164():
    migration = importlib.import_module("pathways.migrations.0010_phone_numbers_e164")
    assert migration.e164("0612345678") == "+33612345678"
    assert migration.e164("0692123456") == "+262692123456"
    assert migration.e164("0639980011") == "+33639980011"  # the demo's fiction range
    assert migration.e164("+33612345678") == "+33612345678"
    assert migration.e164("12 34") == "12 34"  # unreadable: kept as it was, never lost
