"""System checks pass at any hour: `manage.py check --deploy --fail-level WARNING` gates a release."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core import checks
from django.db import models


def fixed_temporal_defaults():
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if isinstance(field, (models.DateField, models.TimeField)) and field.has_default():
                # None (django-otp's throttling timestamps) is no moment: Django never warns about it.
                if not callable(field.default) and field.default is not None:
                    yield f"{model._meta.label}.{field.name}"


def test_no_date_or_time_field_has_a_fixed_default():
    # Django warns about a fixed default (fields.W161) only when the check runs within seconds of that value,
    # so a release check run at 12:30 would fail on a 12:30 default: every such default is a callable.
    assert list(fixed_temporal_defaults()) == []


@pytest.mark.parametrize("hour", ["09:00:03", "12:30:02", "13:30:05", "17:00:00"])
def test_system_checks_are_clean_at_the_hours_of_a_session(hour):
    moment = datetime.datetime.combine(datetime.date(2026, 12, 5), datetime.time.fromisoformat(hour))
    with time_machine.travel(moment, tick=False):
        messages = [m for m in checks.run_checks() if m.id == "fields.W161"]
    assert messages == []


def _legal_errors():
    return [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("accounts.E")]


def test_check_deploy_refuses_the_legal_placeholders(settings):
    """The demo's placeholders ("à renseigner", a .localhost address, no DPO) never reach a deployment."""
    settings.LEGAL_PUBLISHER = "Région (à renseigner : LEGAL_PUBLISHER)"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Mme la Présidente"
    settings.LEGAL_HOST = "Hébergeur Souverain SAS"
    settings.LEGAL_CONTACT_EMAIL = "contact@sans-rupture.localhost"
    settings.DPO_CONTACT_EMAIL = ""
    assert sorted(_legal_errors()) == ["accounts.E001", "accounts.E002", "accounts.E002"]


def test_check_deploy_accepts_real_legal_settings(settings):
    settings.LEGAL_PUBLISHER = "Région Occitanie"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Mme la Présidente du Conseil régional"
    settings.LEGAL_HOST = "Hébergeur Souverain SAS"
    settings.LEGAL_CONTACT_EMAIL = "contact@laregion.fr"
    settings.DPO_CONTACT_EMAIL = "dpo@laregion.fr"
    assert _legal_errors() == []


def test_the_legal_check_runs_only_for_a_deployment(settings):
    settings.LEGAL_PUBLISHER = "Région (à renseigner : LEGAL_PUBLISHER)"
    assert not [m for m in checks.run_checks() if m.id.startswith("accounts.E")]


def _message_ids():
    return sorted(m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("notifications."))


def test_check_deploy_refuses_e_mails_and_sms_written_to_the_logs(settings):
    """The demo's backends write each message with its recipient's address or phone number to the logs, and send
    nothing: a deployment left with them fails `check --deploy --fail-level WARNING`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.ConsoleSmsBackend"
    assert _message_ids() == ["notifications.E001", "notifications.W001"]
    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    assert _message_ids() == ["notifications.E001", "notifications.W001"]


def test_check_deploy_accepts_smtp_and_an_https_sms_provider(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = "https://sms.example.org/v1/sms"
    assert _message_ids() == []
    settings.SMS_HTTP_URL = "http://sms.example.org/v1/sms"
    assert _message_ids() == ["notifications.E002"]
    settings.SMS_HTTP_URL = ""
    assert _message_ids() == ["notifications.E002"]


def test_the_message_checks_run_only_for_a_deployment(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert not [m for m in checks.run_checks() if m.id.startswith("notifications.")]
