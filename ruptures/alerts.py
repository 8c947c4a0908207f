"""What the alert page shows of a rupture (the alert kind "rupture", registered in `RupturesConfig.ready`)."""

from django.utils.translation import gettext as _

from alerts.registry import AlertDetail
from notifications.kinds import label_of
from pathways import scoping
from ruptures.attestations import attestation_context
from ruptures.models import CAUSE_FAMILIES, Rupture


def rupture_summary(topic: str) -> str:
    """The rupture's nature ("Abandon (perte de contact)"), from the alert's topic."""
    return label_of(Rupture.Kind, topic) or _("Rupture")


def rupture_alert_detail(request, alert, full: bool) -> AlertDetail:
    """The partners who follow the person see the whole declaration (comment, reminders, the reason for none),
    what comes next and the attestations; the funder's regional officer sees the stage, the nature, the date and
    the cause families only."""
    rupture = Rupture.objects.select_related("declared_by", "declaring_organisation").get(alert=alert)
    causes = list(rupture.causes.all())
    if not full:
        families = dict.fromkeys(cause.family for cause in causes)
        return AlertDetail(
            "ruptures/includes/alert_rupture_funder.html",
            {"rupture": rupture, "cause_families": [CAUSE_FAMILIES[family] for family in families]},
        )
    return AlertDetail(
        "ruptures/includes/alert_rupture.html",
        {
            "rupture": rupture,
            "causes": causes,
            "reminders": rupture.reminders.select_related("by"),
            "can_follow_up": scoping.can_manage_pathway(request.user, alert.stage.pathway),
            **attestation_context(request, rupture),
        },
    )
