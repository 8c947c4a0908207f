"""What the alert page shows of a checklist alert (the alert itself is `alerts.Alert`, kind "checklist_risk")."""

from alerts.registry import AlertDetail
from checklist.models import Checklist, ChecklistRevision
from checklist.pdf import answer_entry
from checklist.services import can_read_sensitive


def alert_risks(user, revision) -> dict:
    """The points that became at risk, for those who may see the checklist (the person agreed to share it with
    them, or they filled it); for the others only that a risk needs a contact. Health comments only for those who
    may read them."""
    checklist = revision.checklist
    visible = Checklist.objects.for_user(user).filter(pk=checklist.pk).exists()
    if not visible:
        return {"risks_visible": False, "risk_count": len(revision.new_risk_items), "checklist": None}
    readable = can_read_sensitive(user, checklist)
    risks = [
        answer_entry(code, revision.answers[code], sensitive_readable=readable)
        for code in revision.new_risk_items
        if code in revision.answers
    ]
    return {
        "risks_visible": True,
        "risks": risks,
        "risk_count": len(risks),
        "checklist": checklist,
        "revision": revision,
    }


def checklist_alert_detail(request, alert, full: bool) -> AlertDetail:
    """The alert page's block of a checklist alert (the alert kind "checklist_risk", registered in
    `ChecklistConfig.ready`); never shown to a funder, whom this kind does not tell."""
    revision = ChecklistRevision.objects.select_related("checklist__stage__pathway").get(alert=alert)
    return AlertDetail("checklist/includes/alert_risks.html", alert_risks(request.user, revision))
