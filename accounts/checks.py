"""Deployment checks of the settings the legal pages and the information notice print (`manage.py check --deploy`).

The defaults let the demo run with visible placeholders ("à renseigner"); a production deployment must name its
publisher, director of publication, host, contact and data-protection officer, or a person would be told to write to
an address that reaches nobody. Errors, so that `check --deploy` (the deployment checklist, CI) fails on them.
"""

from django.conf import settings
from django.core import checks

PLACEHOLDER_MARK = "à renseigner"
REQUIRED_TEXTS = ("LEGAL_PUBLISHER", "LEGAL_PUBLICATION_DIRECTOR", "LEGAL_HOST")
REQUIRED_ADDRESSES = ("LEGAL_CONTACT_EMAIL", "DPO_CONTACT_EMAIL")


def _is_placeholder_address(value: str) -> bool:
    return not value or value.rsplit("@", 1)[-1].endswith(("localhost", ".invalid", ".example", ".test"))


@checks.register(checks.Tags.security, deploy=True)
def legal_settings_are_given(app_configs=None, **kwargs):
    errors = []
    for name in REQUIRED_TEXTS:
        value = getattr(settings, name, "")
        if not value.strip() or PLACEHOLDER_MARK in value:
            errors.append(
                checks.Error(
                    f"{name} is not set: the legal pages would show a placeholder.",
                    hint=f"Set the environment variable {name} (docs/deployment.md, environment variables).",
                    id="accounts.E001",
                )
            )
    for name in REQUIRED_ADDRESSES:
        if _is_placeholder_address(getattr(settings, name, "")):
            errors.append(
                checks.Error(
                    f"{name} is not a real address: people would be told to write to nobody.",
                    hint=f"Set the environment variable {name} to a monitored e-mail address.",
                    id="accounts.E002",
                )
            )
    return errors
