"""Declaring a rupture and alerting the partners, in one transaction; reminding the referent of a planned
resumption. The alert itself (audience, acknowledgement, escalation) is `alerts`'."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from attendance.models import Drift, FollowUpAttempt
from notifications.services import notify
from pathways import scoping
from pathways.models import Stage
from pathways.services import stages as stage_services
from ruptures import declarers
from ruptures.models import Cause, Rupture, RuptureCause
from ruptures.notifications import RESUME_DUE

Kind = Rupture.Kind
# The alert kind of a rupture (registered in `RupturesConfig.ready`).
RUPTURE_ALERT_KIND = "rupture"


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
    extras: dict | None = None,
) -> Rupture:
    """Declare a rupture: the rupture, the stage's change, the alert and its notification rows commit together.

    Delivery is enqueued on commit; if the broker is down the rows wait for the sweeper, and the declaration still
    succeeds. `extras` holds the cleaned fields of the declaration add-ons (`ruptures.declarers`), by add-on code:
    each add-on acts in this transaction, after the rupture is written.
    """
    stage = (
        Stage.objects.select_for_update(of=("self",))
        .select_related(
            *stage_services.LOCKED_WITH,  # what the stage's transition reads (`_apply_to_stage`)
            "pathway__prescribing_organisation",
            "pathway__prescribing_adviser",
            "enrolment__session__training_action",  # its funder, whose regional officers are alerted
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
    if declaring is None:
        declaring = declarers.declaring_organisation(by, stage)  # e.g. a facilitator's support structure
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
    rupture.full_clean(
        exclude=["drift", "stage", "declared_by", "declaring_organisation", "alert"], validate_constraints=False
    )
    rupture.alert = alert_raise(
        kind=RUPTURE_ALERT_KIND,
        stage=stage,
        raised_by=by,
        topic=kind,
        params={"person": stage.pathway.beneficiary.full_name, "rupture_kind": kind, "date": occurred_on.isoformat()},
    )
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
    for addon in declarers.addons():
        addon.after(rupture=rupture, by=by, data=(extras or {}).get(addon.code, {}))
    return rupture


def _involved(stage: Stage) -> set[int]:
    pathway = stage.pathway
    return {org for org in (pathway.opened_by_id, pathway.prescribing_organisation_id, stage.organisation_id) if org}


# --------------------------------------------------------------------------------------------------------------
# Resumptions


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
            kind=RESUME_DUE,
            stage=stage,
            cause_key=f"resume_due:{stage.pk}:{today.isoformat()}",
            url=stage.get_absolute_url(),
            params={"person": stage.pathway.beneficiary.full_name, "stage_kind": stage.kind, "date": today.isoformat()},
        )
    return len(due)
