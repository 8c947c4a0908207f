"""The notification kinds of `speaking_groups` (registered in `SpeakingGroupsConfig.ready`). No kind carries a note,
a cause or how something was heard (NEUTRALITÉ): the e-mails and SMS say only that there is something to read."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind, date_of, label_of

KINDS: list[NotificationKind] = []


# --------------------------------------------------------------------------------------------------------------
# Feedback on the training (RÉVERSIBILITÉ, slice "figures"): a new item for the training body's pedagogical
# managers, an answer for the facilitator who wrote the item. Params: the group's name only.

FEEDBACK_ITEM = "speaking_group_feedback"
FEEDBACK_REPLY = "speaking_group_feedback_reply"


def feedback_item_message(params: dict) -> str:
    return _("Un nouveau retour sur la formation vous attend (groupe de parole « %(group)s »).") % {
        "group": params.get("group", "")
    }


def feedback_reply_message(params: dict) -> str:
    return _("L'organisme de formation a répondu à votre retour (groupe de parole « %(group)s »).") % {
        "group": params.get("group", "")
    }


KINDS += [
    NotificationKind(
        code=FEEDBACK_ITEM,
        label=gettext_lazy("Groupes de parole : un retour sur la formation"),
        message=feedback_item_message,
        email="notifications/emails/notification",
    ),
    NotificationKind(
        code=FEEDBACK_REPLY,
        label=gettext_lazy("Groupes de parole : une réponse à un retour"),
        message=feedback_reply_message,
        email="notifications/emails/notification",
    ),
]


# --------------------------------------------------------------------------------------------------------------
# cases: the outcome of a post-rupture case, told to the pathway's referent. The in-app message names the person
# and the outcome (the inbox is read inside the app, by those who still see them); never a note, never a cause.

CASE_OUTCOME = "post_rupture_case_outcome"


def case_outcome_message(params: dict) -> str:
    from speaking_groups.models import PostRuptureCase

    return _("Intervention post-rupture de %(person)s : %(outcome)s (le %(date)s).") % {
        "person": params.get("person", ""),
        "outcome": label_of(PostRuptureCase.Outcome, params.get("outcome")).lower(),
        "date": date_of(params.get("date")),
    }


KINDS += [
    NotificationKind(
        code=CASE_OUTCOME,
        label=gettext_lazy("Issue d'une intervention post-rupture"),
        message=case_outcome_message,
        email="notifications/emails/notification",
    ),
]
