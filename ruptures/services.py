"""Declaring a rupture and alerting the partners, in one transaction; acknowledging and acting on alerts; escalating
the alerts nobody took up; reminding the referent of a planned resumption."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.calendar import working_days_between
from attendance.models import Drift, FollowUpAttempt
from charter import gate
from notifications.models import Notification
from notifications.services import notify
from pathways import scoping
from pathways.models import Membership, Organisation, Stage
from pathways.services import stages as stage_services
from ruptures.models import Alert, AlertAction, AlertRouting, Cause, Rupture, RuptureCause

Kind = Rupture.Kind
Role = Membership.Role
ALERT_CHANNELS = [Notification.Channel.IN_APP, Notification.Channel.EMAIL, Notification.Channel.SMS]


# --------------------------------------------------------------------------------------------------------------
# Who is alerted


def alert_inbox(stage: Stage) -> Organisation:
    """The organisation that holds the alert: the pathway's prescriber, or else the stage's training body."""
    return stage.pathway.prescribing_organisation or stage.organisation


def _members(organisation_ids, roles):
    memberships = Membership.objects.active().filter(organisation__in=organisation_ids, role__in=roles)
    return [m.user for m in memberships.select_related("user")]


def regional_officers(stage: Stage):
    """The funder's regional officers for the stage's basin (funders of the region serving that basin)."""
    enrolment = getattr(stage, "enrolment", None)
    basin_id = enrolment.session.training_action.basin_id if enrolment else None
    funders = Organisation.objects.filter(
        kind=Organisation.Kind.FUNDER, region=stage.pathway.beneficiary.region_id, is_active=True
    )
    if basin_id is not None:
        funders = funders.filter(Q(basins=basin_id) | Q(basins__isnull=True))
    return _members(funders.values("pk"), [Role.REGIONAL_OFFICER])


def alert_recipients(stage: Stage, *, funder: bool = True) -> tuple[list, list[Organisation]]:
    """(people, organisations whose shared mailbox gets the e-mail) for an alert about `stage`.

    The prescribing adviser and their organisation's inbox (or, with no prescriber, the training body's managers),
    the referent, and (`funder`) the funder's regional officers for the basin; the inbox organisation's routing may
    add all its advisers and its managers.
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


def alert_notify(alert: Alert, *, kind: str, params: dict, people, mailboxes=(), cause_key: str = "") -> None:
    """Record the notifications of `alert` (kind `kind`, under `cause_key`, by default the alert's own) for `people`
    and the shared `mailboxes`, on the alert channels, in the outbox; those addressed through an inbox organisation
    without a valid charter signature are held (`held_recipients`)."""
    notify(
        recipients=people,
        kind=kind,
        cause_key=cause_key or f"alert:{alert.pk}",
        url=alert.get_absolute_url(),
        params=params,
        channels=ALERT_CHANNELS,
        inboxes=mailboxes,
        held_for=held_recipients(alert.inbox, people, mailboxes),
    )


def alert_audience(alert: Alert, *, author_id: int | None) -> tuple[list, list[Organisation]]:
    """(people, shared mailboxes) told of a new alert: `alert_recipients` of its stage (the funder only when the
    alert tells it, `Alert.tells_funder`), but not its author."""
    people, mailboxes = alert_recipients(alert.stage, funder=alert.tells_funder)
    return [p for p in people if p.pk != author_id], mailboxes


def held_recipients(inbox: Organisation, people, mailboxes) -> dict[str, int]:
    """The charter gate (`charter.gate`): of an alert's recipients, those addressed through the inbox
    organisation (its members, its shared mailbox) are held while it lacks a valid charter signature in a region
    that requires one. The funder's regional officers and partners of other organisations are never held."""
    if inbox.pk not in gate.held_organisations([inbox.pk]):
        return {}
    members = set(
        Membership.objects.active()
        .filter(organisation=inbox, user__in=[p.pk for p in people])
        .values_list("user_id", flat=True)
    )
    held = {f"user:{pk}": inbox.pk for pk in members}
    held.update({f"inbox:{org.pk}": org.pk for org in mailboxes})
    return held


# --------------------------------------------------------------------------------------------------------------
# Declaring


def _check(*, stage, kind, main_cause, causes, occurred_on, reminders, no_reminder_reason, **details):
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choisissez la nature de la rupture.")
    if main_cause not in Cause.values:
        errors["main_cause"] = _("Choisissez la cause principale.")
    if any(cause not in Cause.values for cause in causes):
        errors["causes"] = _("Une des causes n'existe pas.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("La date de la rupture ne peut pas être dans le futur.")
    if stage.actual_start and occurred_on < stage.actual_start:
        errors["occurred_on"] = _("La rupture ne peut pas précéder le début de l'étape.")
    if details.get("last_presence") and details["last_presence"] > occurred_on:
        errors["last_presence"] = _("La dernière présence ne peut pas suivre la date de la rupture.")
    if kind == Kind.ABANDON and not reminders and not no_reminder_reason.strip():
        errors["no_reminder_reason"] = _(
            "Aucune relance n'est enregistrée : expliquez pourquoi l'abandon est déclaré sans relance."
        )
    if kind == Kind.CONTRACT_BREAK:
        if stage.kind != Stage.Kind.APPRENTICESHIP:
            errors["kind"] = _("Une rupture de contrat concerne une étape de contrat d'apprentissage.")
        if details.get("contract_initiative") not in Rupture.Initiative.values:
            errors["contract_initiative"] = _("Précisez à l'initiative de qui le contrat est rompu.")
        if details.get("during_trial_period") is None:
            errors["during_trial_period"] = _("Précisez si la rupture a lieu pendant la période d'essai.")
    if kind == Kind.INTERRUPTION and not details.get("planned_resume"):
        errors["planned_resume"] = _("Une interruption se déclare avec sa date de reprise prévue.")
    if kind == Kind.POSITIVE_EXIT and details.get("exit_destination") not in Stage.ExitDestination.values:
        errors["exit_destination"] = _("Précisez la sortie : emploi, autre formation ou autre solution.")
    if stage.status not in (Stage.Status.IN_PROGRESS, Stage.Status.SUSPENDED):
        errors["__all__"] = _("Seule une étape en cours ou suspendue peut connaître une rupture.")
    if Rupture.objects.filter(stage=stage).exclude(kind=Kind.INTERRUPTION).exists():
        errors["__all__"] = _("Une rupture est déjà déclarée pour cette étape.")
    elif kind == Kind.INTERRUPTION and stage.status == Stage.Status.SUSPENDED:
        errors["kind"] = _("L'étape est déjà suspendue : déclarez une reprise, ou une rupture qui y met fin.")
    if errors:
        raise ValidationError(errors)


def _apply_to_stage(stage, *, kind, by, occurred_on, reason, planned_resume, exit_destination):
    """The stage follows the rupture: a pause, a positive exit, or an end (the referent hears through the alert).
    `stage` is the one `rupture_declare` locked and read with what the transition needs: not read again."""
    if kind == Kind.INTERRUPTION:
        if stage.status == Stage.Status.IN_PROGRESS:
            stage_services.stage_suspend(
                stage=stage,
                by=by,
                date=occurred_on,
                planned_resume=planned_resume,
                reason=reason,
                tell_referent=False,
                locked=True,
            )
        return
    status = Stage.Status.POSITIVE_EXIT if kind == Kind.POSITIVE_EXIT else Stage.Status.ABANDONED
    stage_services.stage_exit(
        stage=stage,
        by=by,
        status=status,
        date=occurred_on,
        destination=exit_destination or "",
        reason=reason,
        tell_referent=False,
        locked=True,
    )


@transaction.atomic
def rupture_declare(
    *,
    stage: Stage,
    by,
    kind: str,
    main_cause: str,
    causes: list[str],
    identified_by: str,
    occurred_on: datetime.date,
    last_presence: datetime.date | None = None,
    comment: str = "",
    reminders=None,
    no_reminder_reason: str = "",
    drift: Drift | None = None,
    planned_resume: datetime.date | None = None,
    exit_destination: str = "",
    contract_initiative: str = "",
    during_trial_period: bool | None = None,
) -> Rupture:
    """Declare a rupture: the rupture, the stage's change, the alert and its notification rows commit together.

    Delivery is enqueued on commit; if the broker is down the rows wait for the sweeper, and the declaration still
    succeeds.
    """
    stage = (
        Stage.objects.select_for_update(of=("self",))
        .select_related(
            *stage_services.LOCKED_WITH,  # what the stage's transition reads (`_apply_to_stage`)
            "pathway__prescribing_organisation",
            "pathway__prescribing_adviser",
            "enrolment__session__training_action",  # the basin, for the funder's regional officers
        )
        .get(pk=stage.pk)
    )
    reminders = list(reminders if reminders is not None else FollowUpAttempt.objects.filter(drift__stage=stage))
    if drift is None:
        drift = Drift.objects.live().filter(stage=stage, status=Drift.Status.PRESUMED).order_by("-risk").first()
    causes = list(dict.fromkeys([main_cause, *causes]))
    _check(
        stage=stage,
        kind=kind,
        main_cause=main_cause,
        causes=causes,
        occurred_on=occurred_on,
        reminders=reminders,
        no_reminder_reason=no_reminder_reason,
        last_presence=last_presence,
        contract_initiative=contract_initiative,
        during_trial_period=during_trial_period,
        planned_resume=planned_resume,
        exit_destination=exit_destination,
    )
    declaring = next(
        (m.organisation for m in scoping.active_memberships(by) if m.organisation_id in _involved(stage)), None
    )
    rupture = Rupture(
        stage=stage,
        drift=drift,
        kind=kind,
        occurred_on=occurred_on,
        last_presence=last_presence,
        main_cause=main_cause,
        identified_by=identified_by,
        contract_initiative=contract_initiative if kind == Kind.CONTRACT_BREAK else "",
        during_trial_period=during_trial_period if kind == Kind.CONTRACT_BREAK else None,
        planned_resume=planned_resume if kind == Kind.INTERRUPTION else None,
        exit_destination=exit_destination if kind == Kind.POSITIVE_EXIT else "",
        comment=comment.strip(),
        no_reminder_reason=no_reminder_reason.strip(),
        declared_by=by,
        declaring_organisation=declaring,
    )
    # The fields' own validation; the rules the constraints hold were checked above with a message for each
    # (`_check`), the foreign keys are rows just read, and the database still enforces the constraints: validating
    # them again here would cost a query each on every declaration.
    rupture.full_clean(exclude=["drift", "stage", "declared_by", "declaring_organisation"], validate_constraints=False)
    rupture.save()
    rupture.reminders.set(reminders)
    RuptureCause.objects.bulk_create(
        RuptureCause(rupture=rupture, cause=cause, family=Cause.family_of(cause)) for cause in causes
    )
    _apply_to_stage(
        stage,
        kind=kind,
        by=by,
        occurred_on=occurred_on,
        reason=Rupture.Kind(kind).label,
        planned_resume=planned_resume,
        exit_destination=exit_destination,
    )
    if drift is not None:
        Drift.objects.filter(pk=drift.pk).update(
            status=Drift.Status.CONFIRMED, closed_at=timezone.now(), decided_by=by, closure=""
        )
        Drift.objects.live().filter(stage=stage).update(
            status=Drift.Status.CLOSED, closure=Drift.Closure.STAGE_ENDED, closed_at=timezone.now()
        )
    alert = Alert.objects.create(kind=Alert.Kind.RUPTURE, rupture=rupture, stage=stage, inbox=alert_inbox(stage))
    people, mailboxes = alert_audience(alert, author_id=by.pk)
    alert_notify(
        alert,
        kind=Notification.Kind.RUPTURE_ALERT,
        params={"person": stage.pathway.beneficiary.full_name, "rupture_kind": kind, "date": occurred_on.isoformat()},
        people=people,
        mailboxes=mailboxes,
    )
    return rupture


def _involved(stage: Stage) -> set[int]:
    pathway = stage.pathway
    return {org for org in (pathway.opened_by_id, pathway.prescribing_organisation_id, stage.organisation_id) if org}


# --------------------------------------------------------------------------------------------------------------
# Acting on alerts


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by) -> Alert:
    updated = Alert.objects.filter(pk=alert.pk, status=Alert.Status.NEW).update(
        status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=by
    )
    if not updated and not Alert.objects.filter(pk=alert.pk).exists():
        raise ValidationError(_("Cette alerte n'existe plus."))
    alert.refresh_from_db()
    return alert


@transaction.atomic
def alert_act(*, alert: Alert, by, kind: str, note: str = "") -> AlertAction:
    """Record what was done; acknowledging on the way if nobody had."""
    if kind == AlertAction.Kind.NO_ACTION and not note.strip():
        raise ValidationError({"note": _("Dites pourquoi aucune action n'est engagée.")})
    now = timezone.now()
    acted = Alert.Status.ACTED
    if not Alert.objects.filter(pk=alert.pk, status=Alert.Status.NEW).update(
        status=acted, acknowledged_at=now, acknowledged_by=by
    ):
        Alert.objects.filter(pk=alert.pk).update(status=acted)
    action = AlertAction(alert=alert, kind=kind, note=note.strip(), by=by)
    action.full_clean()
    action.save()
    alert.refresh_from_db()
    return action


@transaction.atomic
def alerts_escalate(*, today: datetime.date | None = None, working_days: int | None = None) -> int:
    """Alerts still unacknowledged after N working days go to the inbox organisation's managers and the funder's
    regional officers, once (a conditional update claims each alert)."""
    today = today or timezone.localdate()
    working_days = working_days or settings.ALERT_ESCALATION_WORKING_DAYS
    escalated = 0
    waiting = Alert.objects.filter(status=Alert.Status.NEW, escalated_at__isnull=True).select_related(
        "stage__pathway__beneficiary", "stage__enrolment__session__training_action", "inbox", "rupture"
    )
    for alert in waiting:
        if working_days_between(timezone.localtime(alert.created_at).date(), today) < working_days:
            continue
        if not Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(escalated_at=timezone.now()):
            continue
        stage = alert.stage
        people = [
            *_members([alert.inbox_id], [Role.ORG_MANAGER]),
            *(regional_officers(stage) if alert.tells_funder else []),
        ]
        alert_notify(
            alert,
            kind=Notification.Kind.ALERT_ESCALATED,
            cause_key=f"alert:{alert.pk}:escalated",
            params={
                "person": stage.pathway.beneficiary.full_name,
                "rupture_kind": alert.rupture.kind if alert.rupture_id else "",
                "alert_kind": alert.kind,
                "since": timezone.localtime(alert.created_at).date().isoformat(),
            },
            people=people,
        )
        escalated += 1
    return escalated


@transaction.atomic
def resumptions_remind(*, today: datetime.date | None = None) -> int:
    """Tell referents of suspended stages whose planned resumption is today (once per stage and date)."""
    today = today or timezone.localdate()
    due = Stage.objects.filter(status=Stage.Status.SUSPENDED, planned_resume=today).select_related(
        "pathway__beneficiary", "pathway__referent"
    )
    for stage in due:
        notify(
            recipients=[stage.pathway.referent],
            kind=Notification.Kind.RESUME_DUE,
            cause_key=f"resume_due:{stage.pk}:{today.isoformat()}",
            url=stage.get_absolute_url(),
            params={"person": stage.pathway.beneficiary.full_name, "stage_kind": stage.kind, "date": today.isoformat()},
        )
    return len(due)
