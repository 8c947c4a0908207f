"""No constraint's name reaches a user: each says what is wrong in a translated sentence, on the field to correct
when there is one, the input kept (`core.constraints`)."""

import pytest
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from core.constraints import CheckConstraint, UniqueConstraint
from tests.core.test_text import project_models

# The lead is moving the alerts into their app (issue 15) and gives this one its code there.
MOVING = set()


def all_constraints():
    return [(model, constraint) for model in project_models() for constraint in model._meta.constraints]


def referenced_fields(constraint) -> set[str]:
    names = set(getattr(constraint, "fields", ()) or ())

    def walk(node):
        if isinstance(node, Q):
            for child in node.children:
                walk(child)
        elif isinstance(node, tuple):
            names.add(node[0].split("__")[0])
            walk(node[1])
        elif isinstance(node, models.F):
            names.add(node.name.split("__")[0])

    walk(getattr(constraint, "condition", None) or Q())
    return names


def test_every_constraint_says_what_is_wrong_in_both_languages():
    found = all_constraints()
    assert len(found) > 60
    for model, constraint in found:
        label = f"{model._meta.label} {constraint.name}"
        assert constraint.violation_error_message not in (None, constraint.default_violation_error_message), label
        for language in ("fr", "en"):
            with translation.override(language):
                message = str(constraint.get_violation_error_message())
                assert constraint.name not in message and "contrainte" not in message.lower(), label
                assert "constraint" not in message.lower(), label
        if constraint.name not in MOVING:
            assert constraint.violation_error_code, label


def test_a_constraint_is_said_on_a_field_it_holds():
    said_on_a_field = 0
    for model, constraint in all_constraints():
        field = getattr(constraint, "field", None)
        if field is None:
            continue
        said_on_a_field += 1
        assert field in referenced_fields(constraint), f"{constraint.name}: {field}"
        assert model._meta.get_field(field).concrete
    assert said_on_a_field > 30


def test_the_migrations_hold_django_s_own_constraints():
    """The field is for forms only: the constraints deconstruct as Django's, so that the field and the message never
    touch the schema."""
    constraint = CheckConstraint(condition=Q(a__gt=0), name="x_positive", violation_error_message="m", field="a")
    path, _args, kwargs = constraint.deconstruct()
    assert path == "django.db.models.CheckConstraint" and "field" not in kwargs
    assert kwargs["violation_error_code"] == "x_positive"
    path, _args, kwargs = UniqueConstraint(fields=["a"], name="x_unique", violation_error_message="m").deconstruct()
    assert path == "django.db.models.UniqueConstraint"


def test_a_constraint_says_what_is_wrong():
    with pytest.raises(TypeError):
        CheckConstraint(condition=Q(a__gt=0), name="x_positive")


@pytest.mark.django_db
def test_a_violation_is_said_on_its_field():
    from django.core.exceptions import ValidationError

    from pathways.models import Programme

    programme = Programme(code="p", name="P", max_duration_months=0)
    with pytest.raises(ValidationError) as caught:
        programme.full_clean()
    assert caught.value.message_dict == {"max_duration_months": ["Un dispositif dure au moins un mois."]}
    assert caught.value.error_dict["max_duration_months"][0].code == "programme_max_duration_positive"


def test_every_model_form_of_the_admin_says_it_on_the_field_with_the_input_kept(db, client):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:pathways_programme_add"),
        {"code": "hsp2", "name": "HSP 2", "max_duration_months": "0", "max_suspension_months": "6", "is_active": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"max_duration_months": ["Un dispositif dure au moins un mois."]}
    assert "programme_max_duration_positive" not in body and "contrainte" not in body.lower()
    assert 'value="HSP 2"' in body


def test_a_company_period_ending_before_it_starts_is_said_on_its_end_with_the_input_kept(world, client_for):
    from attendance.models import CompanyPeriod

    session = world.session
    data = {"kind": "immersion", "start_date": "2026-06-05", "end_date": "2026-06-01"}
    response = client_for(world.user("trainer")).post(
        reverse("attendance:company_period_create", args=[session.pk]), data
    )
    body = response.content.decode()
    assert response.status_code == 200
    form = response.context["period_form"]
    assert form.errors == {"end_date": ["La fin de la période ne peut pas précéder son début."]}
    assert 'value="2026-06-01"' in body and "companyperiod_end_after_start" not in body
    assert CompanyPeriod.objects.filter(session=session).count() == 1  # the world's own
