"""What the life of a pathway tells people: a stage's transition is notified to the pathway's referent.

`pathways` (below this app) knows nothing of notifications: it calls the transition listeners registered with
`pathways.services.stages.register_transition_listener`, and this module is one (`NotificationsConfig.ready`).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind, date_of, label_of
from notifications.services import notify
from pathways.models import Stage, StageTransition

STAGE_TRANSITION = "stage_transition"


def stage_transition_message(params: dict) -> str:
    return _("%(person)s · %(stage)s : %(action)s le %(date)s (par %(actor)s).") % {
        "person": params.get("person", ""),
        "stage": label_of(Stage.Kind, params.get("stage_kind")),
        "action": label_of(StageTransition.Action, params.get("action")).lower(),
        "date": date_of(params.get("date")),
        "actor": params.get("actor") or _("système"),
    }


KINDS = [
    NotificationKind(
        code=STAGE_TRANSITION,
        label=gettext_lazy("Étape d'un parcours"),
        message=stage_transition_message,
        email="notifications/emails/notification",
    ),
]


def stage_transition_notify(*, stage: Stage, event: StageTransition, by, tell_referent: bool) -> None:
    """Tell the pathway's referent of a stage's transition, in its transaction (not when they made it themselves,
    nor when a rupture alert tells them already)."""
    pathway = stage.pathway
    if not tell_referent or pathway.referent_id == getattr(by, "pk", None):
        return
    notify(
        recipients=[pathway.referent],
        kind=STAGE_TRANSITION,
        cause_key=f"stage_transition:{event.pk}",
        url=stage.get_absolute_url(),
        stage=stage,
        params={
            "person": pathway.beneficiary.full_name,
            "stage_kind": stage.kind,
            "action": event.action,
            "date": event.effective_date.isoformat(),
            "actor": by.get_full_name() if by else "",
        },
    )
