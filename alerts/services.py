"""Raising an alert and telling its audience (in the transaction of its cause), acknowledging it, recording what was
done, escalating the alerts nobody took up.

Who is told of an alert about a stage: the pathway's referent; the prescribing adviser (and, by the prescriber's
routing, all its advisers and its managers, and its shared mailbox), or, for a pathway without prescriber, the
training body's managers; and, for kinds that tell the funder, the regional officers of the stage's funder (the
funder of its training action) — no other funder of the region.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import registry
from alerts.models import Alert, AlertAction, AlertRouting
from core.calendar import working_days_between
from notifications.models import Notification
from notifications.services import notify
from pathways.changes import stages_changed
from pathways.models import Membership, Organisation, Stage

Role = Membership.Role
ALERT_CHANNELS = [Notification.Channel.IN_APP, Notification.Channel.EMAIL, Notification.Channel.SMS]
# The notification kind of an escalation (registered by this app, `alerts.notifications`).
ALERT_ESCALATED = "alert_escalated"


# --------------------------------------------------------------------------------------------------------------
# Who is told


def alert_inbox(stage: Stage) -> Organisation:
    """The organisation that holds the alert: the pathway's prescriber, or else the stage's training body."""
    return stage.pathway.prescribing_organisation or stage.organisation


def _members(organisation_ids, roles):
    memberships = Membership.objects.active().filter(organisation__in=organisation_ids, role__in=roles)
    return [m.user for m in memberships.select_related("user")]


def stage_funder_id(stage: Stage) -> int | None:
    """The funder of the stage: its training action's (None for a stage outside a session)."""
    enrolment = getattr(stage, "enrolment", None)
    return enrolment.session.training_action.funder_id if enrolment else None


def regional_officers(stage: Stage):
    """The active regional officers of the stage's funder: no other funder of the region hears of it."""
    funder_id = stage_funder_id(stage)
    return _members([funder_id], [Role.REGIONAL_OFFICER]) if funder_id else []


def alert_recipients(stage: Stage, *, funder: bool = True) -> tuple[list, list[Organisation]]:
    """(people, organisations whose shared mailbox gets the e-mail) for an alert about `stage`.

    The prescribing adviser and their organisation's inbox (or, with no prescriber, the training body's managers),
    the referent, and (`funder`) the stage's funder's regional officers; the inbox organisation's routing may add
    all its advisers and its managers.
    """
    pathway = stage.pathway
    inbox = alert_inbox(stage)
    routing = AlertRouting.objects.filter(organisation=inbox).first() or AlertRouting(organisation=inbox)
    people = [pathway.referent, *(regional_officers(stage) if funder else [])]
    if pathway.prescribing_organisation_id:
        people.append(pathway.prescribing_adviser)
        if routing.all_advisers:
            people += _members([inbox.pk], [Role.PRESCRIBER_ADVISER])
    else:
        people += _members([inbox.pk], [Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER])
    if routing.managers:
        people += _members([inbox.pk], [Role.ORG_MANAGER])
    mailboxes = [inbox] if routing.shared_mailbox and inbox.alert_inbox_email else []
    return [p for p in people if p is not None], mailboxes


def alert_audience(alert: Alert, *, author_id: int | None) -> tuple[list, list[Organisation]]:
    """(people, shared mailboxes) told of a new alert: `alert_recipients` of its stage (the funder only when its
    kind tells it), but not its author."""
    people, mailboxes = alert_recipients(alert.stage, funder=alert.tells_funder)
    return [p for p in people if p.pk != author_id], mailboxes


def held_recipients(inbox: Organisation, people, mailboxes) -> dict[str, int]:
    """Of an alert's recipients, those addressed through the inbox organisation (its members, its shared mailbox)
    are held while a registered hold keeps it (the charter gate: no valid signature in a region that requires
    one). The funder's regional officers and partners of other organisations are never held."""
    if inbox.pk not in registry.held_organisations([inbox.pk]):
        return {}
    members = set(
        Membership.objects.active()
        .filter(organisation=inbox, user__in=[p.pk for p in people])
        .values_list("user_id", flat=True)
    )
    held = {f"user:{pk}": inbox.pk for pk in members}
    held.update({f"inbox:{org.pk}": org.pk for org in mailboxes})
    return held


def alert_notify(alert: Alert, *, kind: str, params: dict, people, mailboxes=(), cause_key: str = "") -> None:
    """Record the notifications of `alert` (kind `kind`, under `cause_key`, by default the alert's own) for `people`
    and the shared `mailboxes`, on the alert channels, in the outbox; those a hold keeps are held."""
    notify(
        recipients=people,
        kind=kind,
        cause_key=cause_key or f"alert:{alert.pk}",
        url=alert.get_absolute_url(),
        params=params,
        channels=ALERT_CHANNELS,
        inboxes=mailboxes,
        held_for=held_recipients(alert.inbox, people, mailboxes),
        stage=alert.stage,
    )


# --------------------------------------------------------------------------------------------------------------
# Raising


@transaction.atomic(savepoint=False)  # all or nothing with its cause, whose transaction it joins
def alert_raise(*, kind: str, stage: Stage, raised_by, topic: str = "", params: dict | Callable[[list], dict]) -> Alert:
    """Raise an alert of a registered `kind` about `stage` and record its notifications, in the caller's
    transaction: the alert and its outbox rows commit together, delivery is enqueued on commit.

    `stage` is read with its pathway (prescriber, adviser, referent, person) and enrolment's training action.
    `params` are the announcing message's parameters, or a function of the people told that returns them (a
    checklist lists its points only when every one of them may see the checklist).
    """
    spec = registry.alert_kind(kind)
    alert = Alert.objects.create(kind=kind, topic=topic, stage=stage, inbox=alert_inbox(stage), raised_by=raised_by)
    people, mailboxes = alert_audience(alert, author_id=raised_by.pk if raised_by else None)
    alert_notify(
        alert,
        kind=spec.notification_kind,
        params=params(people) if callable(params) else params,
        people=people,
        mailboxes=mailboxes,
    )
    return alert


# --------------------------------------------------------------------------------------------------------------
# Acting on alerts


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by) -> Alert:
    updated = Alert.objects.filter(pk=alert.pk, status=Alert.Status.NEW).update(
        status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=by
    )
    if not updated and not Alert.objects.filter(pk=alert.pk).exists():
        raise ValidationError(_("Cette alerte n'existe plus."))
    stages_changed([alert.stage_id])  # a conditional update: no post_save reports it
    alert.refresh_from_db()
    return alert


@transaction.atomic
def alert_act(*, alert: Alert, by, kind: str, note: str = "") -> AlertAction:
    """Record what was done; acknowledging on the way if nobody had."""
    note = note.strip()
    if kind == AlertAction.Kind.NO_ACTION and not note:
        raise ValidationError({"note": _("Dites pourquoi aucune action n'est engagée.")}, code="note_required")
    action = AlertAction(alert=alert, kind=kind, note=note, by=by)
    action.full_clean(exclude=["alert", "by"])
    now = timezone.now()
    acted = Alert.Status.ACTED
    if not Alert.objects.filter(pk=alert.pk, status=Alert.Status.NEW).update(
        status=acted, acknowledged_at=now, acknowledged_by=by
    ):
        Alert.objects.filter(pk=alert.pk).update(status=acted)
    stages_changed([alert.stage_id])
    action.save()
    alert.refresh_from_db()
    return action


@transaction.atomic
def alerts_escalate(*, today: datetime.date | None = None, working_days: int | None = None) -> int:
    """Alerts still unacknowledged after N working days go to the inbox organisation's managers and, for kinds
    that tell it, the stage's funder's regional officers, once (a conditional update claims each alert)."""
    today = today or timezone.localdate()
    working_days = working_days or settings.ALERT_ESCALATION_WORKING_DAYS
    escalated = 0
    waiting = Alert.objects.filter(status=Alert.Status.NEW, escalated_at__isnull=True).select_related(
        "stage__pathway__beneficiary",
        "stage__enrolment__session__training_action",
        "stage__enrolment__session__commune",
        "inbox",
    )
    for alert in waiting:
        enrolment = getattr(alert.stage, "enrolment", None)  # none for a stage at an employer
        place = enrolment.session.holiday_subdivision if enrolment is not None else None
        if working_days_between(timezone.localtime(alert.created_at).date(), today, place) < working_days:
            continue
        if not Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(escalated_at=timezone.now()):
            continue
        stages_changed([alert.stage_id])
        stage = alert.stage
        people = [
            *_members([alert.inbox_id], [Role.ORG_MANAGER]),
            *(regional_officers(stage) if alert.tells_funder else []),
        ]
        alert_notify(
            alert,
            kind=ALERT_ESCALATED,
            cause_key=f"alert:{alert.pk}:escalated",
            params={
                "person": stage.pathway.beneficiary.full_name,
                "alert_kind": alert.kind,
                "topic": alert.topic,
                "since": timezone.localtime(alert.created_at).date().isoformat(),
            },
            people=people,
        )
        escalated += 1
    return escalated
