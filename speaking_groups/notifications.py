"""The notification kinds of `speaking_groups` (registered in `SpeakingGroupsConfig.ready`). No kind carries a note,
a cause or how something was heard (NEUTRALITÉ): the e-mails and SMS say only that there is something to read."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind

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
# Shares: a summary shared with the pathway's referent, with the person's consent (slice "support"). Params: the
# person's name only (the in-app inbox is read inside the app); never the summary.

SUPPORT_SHARE = "support_share"


def support_share_message(params: dict) -> str:
    return _("Une synthèse vous a été partagée au sujet de %(person)s, avec son accord.") % {
        "person": params.get("person", "")
    }


KINDS += [
    NotificationKind(
        code=SUPPORT_SHARE,
        label=gettext_lazy("Groupes de parole : une synthèse partagée avec vous"),
        message=support_share_message,
        email="notifications/emails/notification",
    ),
]
