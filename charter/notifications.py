"""The notification kinds of `charter` (registered in `CharterConfig.ready`): a new version to sign, a reminder to
sign, a decision on a signature."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind, date_of

CHARTER_PUBLISHED = "charter_published"
CHARTER_REMINDER = "charter_reminder"
CHARTER_DECISION = "charter_decision"
CHARTER_EMAIL = "charter/emails/charter"


def charter_published_message(params: dict) -> str:
    return _(
        "La version %(version)s de la charte des bonnes pratiques est publiée : signez-la au nom de votre "
        "structure avant le %(date)s (votre signature précédente reste valable jusque-là)."
    ) % {"version": params.get("version", ""), "date": date_of(params.get("valid_until"))}


def charter_reminder_message(params: dict) -> str:
    return _("%(organisation)s n'a pas encore signé la version %(version)s de la charte des bonnes pratiques.") % {
        "organisation": params.get("organisation", ""),
        "version": params.get("version", ""),
    }


def charter_decision_message(params: dict) -> str:
    """Names who decided (`validator`: the region's scheme organisation, empty for a platform administrator);
    notifications written before it was recorded say "la Région"."""
    values = {"organisation": params.get("organisation", ""), "version": params.get("version", "")}
    refused = params.get("decision") == "refused"
    if "validator" not in params:
        if refused:
            return _("La Région a refusé la signature de la charte (version %(version)s) de %(organisation)s.") % values
        return _("La Région a validé la signature de la charte (version %(version)s) de %(organisation)s.") % values
    values["validator"] = params["validator"] or _("L'administration de la plateforme")
    if refused:
        return _("%(validator)s a refusé la signature de la charte (version %(version)s) de %(organisation)s.") % values
    return _("%(validator)s a validé la signature de la charte (version %(version)s) de %(organisation)s.") % values


KINDS = [
    NotificationKind(
        code=CHARTER_PUBLISHED,
        label=gettext_lazy("Nouvelle version de la charte"),
        message=charter_published_message,
        email=CHARTER_EMAIL,
    ),
    NotificationKind(
        code=CHARTER_REMINDER,
        label=gettext_lazy("Charte à signer"),
        message=charter_reminder_message,
        email=CHARTER_EMAIL,
    ),
    NotificationKind(
        code=CHARTER_DECISION,
        label=gettext_lazy("Signature de la charte examinée"),
        message=charter_decision_message,
        email=CHARTER_EMAIL,
    ),
]
