"""RÉVERSIBILITÉ: what the facilitators hear about the training reaches its training body, on purpose only.

A facilitator of the group's support structure writes an anonymised feedback item for the group's training body
(`feedback_send`); its pedagogical and organisation managers read the items of their body's groups and answer with
what they changed (`feedback_reply`). The exchange is kept: nothing here edits or deletes an item or a reply. The
pedagogical managers are told of a new item, the item's author of an answer, through the notification outbox (a
kind of its own; the e-mail only says there is something to read, with a link).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify
from pathways.models import Membership
from speaking_groups.models import (
    FEEDBACK_READER_ROLES,
    FeedbackItem,
    FeedbackReply,
    SpeakingGroup,
    training_bodies,
)
from speaking_groups.notifications import FEEDBACK_ITEM, FEEDBACK_REPLY
from speaking_groups.services.groups import is_facilitator


def may_write(user, group: SpeakingGroup) -> bool:
    """An active facilitator of the structure that runs `group`."""
    return is_facilitator(user, group)


def may_answer(user, group: SpeakingGroup) -> bool:
    """An active pedagogical or organisation manager of `group`'s training body."""
    return group.training_body_id in training_bodies(user, roles=FEEDBACK_READER_ROLES)


def may_read(user, group: SpeakingGroup) -> bool:
    return may_write(user, group) or may_answer(user, group)


@transaction.atomic
def feedback_send(*, group: SpeakingGroup, by, theme: str, text: str) -> FeedbackItem:
    if not may_write(by, group):
        raise ValidationError(_("Seul·es les intervenant·es de la structure qui anime le groupe écrivent ses retours."))
    if group.closed_on is not None:
        raise ValidationError(_("Ce groupe est clos."))
    item = FeedbackItem(group=group, theme=theme, text=(text or "").strip(), written_by=by)
    item.full_clean()
    item.save()
    managers = [
        membership.user
        for membership in Membership.objects.active()
        .filter(organisation=group.training_body_id, role=Membership.Role.PEDAGOGICAL_MANAGER)
        .select_related("user")
    ]
    notify(
        recipients=managers,
        kind=FEEDBACK_ITEM,
        cause_key=f"speaking_group_feedback:{item.pk}",
        url=group_feedback_url(group),
        params={"group": group.name},
        channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
    )
    return item


@transaction.atomic
def feedback_reply(*, item: FeedbackItem, by, text: str) -> FeedbackReply:
    group = item.group
    if not may_answer(by, group):
        raise ValidationError(
            _("Seul·es les responsables pédagogiques et de structure de l'organisme répondent aux retours.")
        )
    reply = FeedbackReply(item=item, text=(text or "").strip(), written_by=by)
    reply.full_clean()
    reply.save()
    author = item.written_by
    if author is not None and may_write(author, group):
        notify(
            recipients=[author],
            kind=FEEDBACK_REPLY,
            cause_key=f"speaking_group_feedback_reply:{reply.pk}",
            url=group_feedback_url(group),
            params={"group": group.name},
            channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
        )
    return reply


def group_feedback_url(group: SpeakingGroup) -> str:
    from django.urls import reverse

    return reverse("speaking_groups:feedback_list", args=[group.pk])
