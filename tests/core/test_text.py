"""Free texts have a maximum length: shown by their forms, refused on their field, held by the models' validation
(`core.text`)."""

import importlib

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from core.text import BoundedTextField, check_length, text_field

PROJECT_APPS = [
    "accounts",
    "alerts",
    "attendance",
    "charter",
    "checklist",
    "core",
    "notifications",
    "pathways",
    "ruptures",
]

# Texts written by the application itself, never typed by a person.
SYSTEM_TEXTS = {
    "charter.Signature.signed_text",  # the charter's text as signed, copied from its version
    "notifications.Notification.last_error",
    "attendance.StatementExport.error",  # the documents' build errors (core.models.Document)
    "ruptures.SkillsAttestation.error",
    "charter.SignatureCopy.error",
    "checklist.ChecklistPdf.error",
    "accounts.RightsDocument.error",
    "pathways.ListExportDocument.error",
    # a list export's filters: the page's query string, re-read through the list's own filter form (its length is
    # the request line's, which gunicorn caps at 4,094 bytes)
    "pathways.ListExportDocument.params",
}
# The alerts' texts are being moved by the lead into their own app (issue 15); it adopts BoundedTextField there.
MOVING = set()


def project_models():
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def test_every_free_text_of_the_models_is_bounded():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not isinstance(field, BoundedTextField)
    ]
    assert set(unbounded) <= SYSTEM_TEXTS | MOVING, sorted(set(unbounded) - SYSTEM_TEXTS - MOVING)


def project_forms():
    for app in PROJECT_APPS:
        for module_name in (f"{app}.forms", f"{app}.filters", f"{app}.attestations"):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module_name:
                    yield value


def test_every_text_field_of_the_forms_has_a_maximum_length():
    found = list(project_forms())
    assert len(found) > 20
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in found
        for name, field in form.base_fields.items()
        if type(field) is forms.CharField and field.max_length is None
    ]
    # Django's login and password forms: a password is checked or hashed, never stored nor shown.
    assert sorted(unbounded) == [
        "accounts.forms.ChangePasswordForm.new_password1",
        "accounts.forms.ChangePasswordForm.new_password2",
        "accounts.forms.ChangePasswordForm.old_password",
        "accounts.forms.LoginForm.password",
        "accounts.forms.NewPasswordForm.new_password1",
        "accounts.forms.NewPasswordForm.new_password2",
    ]


def test_the_search_boxes_have_a_maximum_length():
    from pathways.filters import BeneficiaryFilter, PathwayFilter, SessionFilter

    for filterset in (BeneficiaryFilter, PathwayFilter, SessionFilter):
        assert filterset.base_filters["q"].field.max_length == 100


@pytest.mark.django_db
def test_a_bounded_text_is_refused_by_full_clean_with_the_length_said():
    from attendance.models import FollowUpAttempt

    channel, outcome = FollowUpAttempt.Channel.values[0], FollowUpAttempt.Outcome.values[0]
    attempt = FollowUpAttempt(channel=channel, outcome=outcome, comment="x" * 1001)
    with pytest.raises(ValidationError) as caught:
        attempt.full_clean(exclude=["drift", "by"])
    assert list(caught.value.error_dict) == ["comment"]
    assert "1000" in caught.value.message_dict["comment"][0] and "1001" in caught.value.message_dict["comment"][0]


def test_a_bounded_text_is_a_textarea_with_its_maxlength_in_a_model_form():
    from attendance.forms import FollowUpForm

    html = str(FollowUpForm()["comment"])
    assert "<textarea" in html and 'maxlength="1000"' in html


def test_a_form_text_field_is_a_textarea_with_its_maxlength():
    field = text_field(max_length=42, rows=2)
    html = field.widget.render("note", "", attrs=field.widget_attrs(field.widget))
    assert "<textarea" in html and 'maxlength="42"' in html and 'rows="2"' in html
    with pytest.raises(ValidationError):
        field.clean("x" * 43)


def test_check_length_says_it_on_the_field():
    assert check_length("court", max_length=5, field="note") == "court"
    with pytest.raises(ValidationError) as caught:
        check_length("trop long", max_length=5, field="note")
    assert list(caught.value.error_dict) == ["note"]
