"""Demo ruptures for `seed_demo`: a prescriber adviser's alert inbox with something in each state.

The busiest prescriber adviser of the demo (the one `seed_demo` prints) gets, on pathways they prescribed, ruptures
declared through the real service (`rupture_declare`), by a trainer of the training body, then acted upon as the
adviser would: an abandon still new, an interruption acknowledged with a meeting planned, an older abandon nobody
acknowledged, escalated to the managers and the funder, and (when the adviser has a fourth stage in training) a
positive exit with the person called. Stages followed
on the demo trainer's watch list are left alone, so that list keeps its drifts and presumed ruptures.

Idempotent: nothing happens when any rupture exists in the region. Delivery of the e-mails and SMS is enqueued on
commit, like any declaration, and done by the worker of `make run`.
"""

import datetime

from auditlog.context import set_actor
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from alerts.models import Alert
from alerts.services import alert_acknowledge, alert_act, alerts_escalate
from attendance.models import Drift
from charter import gate
from pathways.models import Membership, Organisation, Stage
from ruptures.models import Cause, Rupture
from ruptures.services import rupture_declare

Role = Membership.Role
Kind = Rupture.Kind

# What happens to the chosen stages, the most telling first: (kind, days ago, main cause, other causes, what the
# adviser does).
STORIES = [
    ("abandon", 1, Cause.CONTENT_GROUP, [Cause.PROJECT_NOT_VALIDATED], "new"),
    ("interruption", 4, Cause.CONDITIONS_CHILDCARE, [Cause.CONDITIONS_REMUNERATION], "meeting"),
    ("abandon", 9, Cause.CONDITIONS_TRANSPORT, [Cause.CONDITIONS_HOUSING], "escalated"),
    ("positive_exit", 6, Cause.PROJECT_ORIENTATION, [], "called"),
]
NO_REMINDER = "Numéro de téléphone plus attribué, aucune adresse e-mail : relance impossible."
COMMENTS = {
    "abandon": "Absente sans nouvelles depuis plusieurs jours ; le groupe signale des tensions.",
    "positive_exit": "A signé un CDD de six mois comme agent de restauration.",
    "interruption": "Solution de garde perdue ; reprise prévue à la rentrée de la crèche.",
}
ACTION_NOTES = {
    "called": "Joint par téléphone : le contrat est confirmé, point prévu dans un mois.",
    "meeting": "Rendez-vous à l'agence pour chercher une solution de garde et voir l'aide à la garde d'enfants.",
}


def seed_ruptures(*, region, today: datetime.date, spare=None, stdout=None) -> dict:
    """Declare the demo ruptures of `region` as of `today`; nothing if the region has any rupture already. The
    trainees of the training body `spare` are taken last: the README's reader declares ruptures there, and its
    speaking group needs its people."""
    if Rupture.objects.filter(stage__pathway__beneficiary__region=region).exists():
        return {"skipped": True}
    adviser = busiest_adviser(region)
    if adviser is None:
        return {"skipped": True}
    stages = candidate_stages(adviser, today, spare=spare)
    counts = {"ruptures": 0, "acknowledged": 0, "actions": 0, "escalated": 0}
    for (kind, days_ago, main_cause, causes, outcome), stage in zip(STORIES, stages, strict=False):
        occurred_on = max(today - datetime.timedelta(days=days_ago), stage.actual_start)
        trainer = trainer_of(stage)
        with set_actor(trainer):
            rupture = rupture_declare(
                stage=stage,
                by=trainer,
                kind=kind,
                main_cause=main_cause,
                causes=causes,
                identified_by=Rupture.IdentifiedBy.TRAINER,
                occurred_on=occurred_on,
                last_presence=max(occurred_on - datetime.timedelta(days=2), stage.actual_start),
                comment=COMMENTS[kind],
                reminders=[],
                no_reminder_reason=NO_REMINDER if kind == Kind.ABANDON else "",
                planned_resume=occurred_on + datetime.timedelta(days=21) if kind == Kind.INTERRUPTION else None,
                exit_destination=Stage.ExitDestination.JOB if kind == Kind.POSITIVE_EXIT else "",
            )
        counts["ruptures"] += 1
        alert = rupture.alert
        # The alert is dated by its declaration, as if it had been made that day.
        declared_at = timezone.make_aware(datetime.datetime.combine(occurred_on, datetime.time(10, 30)))
        Alert.objects.filter(pk=alert.pk).update(created_at=declared_at)
        Rupture.objects.filter(pk=rupture.pk).update(declared_at=declared_at)
        if outcome in ACTION_NOTES:
            alert.refresh_from_db()
            with set_actor(adviser):
                alert_acknowledge(alert=alert, by=adviser)
                alert_act(alert=alert, by=adviser, kind=outcome, note=ACTION_NOTES[outcome])
            counts["acknowledged"] += 1
            counts["actions"] += 1
    counts["held"] = held_story(region, today)
    counts["escalated"] = alerts_escalate(today=today)
    if stdout is not None:
        stdout.write(
            f"  Ruptures : {counts['ruptures']} déclarée(s) pour {adviser.get_full_name() or adviser.email} · "
            f"{counts['acknowledged']} prise(s) en compte · {counts['escalated']} signalée(s) aux responsables · "
            f"{counts['held']} retenue(s) faute de charte signée"
        )
    return counts


def held_story(region, today) -> int:
    """An abandon on a pathway whose prescriber has no valid charter signature, in a region that requires one: its
    alert is held (charter.gate) and shows on the Région's charter overview. 1 if told, else 0."""
    prescribers = Organisation.objects.filter(region=region, kind=Organisation.Kind.PRESCRIBER)
    held = gate.held_organisations(prescribers.values_list("pk", flat=True))
    if not held:
        return 0
    stage = declarable_stages(prescribers=held).order_by("-actual_start", "pk").first()
    if stage is None:
        return 0
    trainer = trainer_of(stage)
    with set_actor(trainer):
        rupture_declare(
            stage=stage,
            by=trainer,
            kind=Kind.ABANDON,
            main_cause=Cause.CONDITIONS_TRANSPORT,
            causes=[],
            identified_by=Rupture.IdentifiedBy.TRAINER,
            occurred_on=max(today - datetime.timedelta(days=2), stage.actual_start),
            comment=COMMENTS["abandon"],
            reminders=[],
            no_reminder_reason=NO_REMINDER,
        )
    return 1


def busiest_adviser(region):
    """The prescriber adviser with the most open pathways they prescribed (as `seed_demo` chooses whom to print)."""
    membership = (
        Membership.objects.active()
        .filter(organisation__region=region, role=Role.PRESCRIBER_ADVISER)
        .annotate(
            n=Count("user__prescribed_pathways", filter=Q(user__prescribed_pathways__status="open"), distinct=True)
        )
        .order_by("-n", "user__email")
        .select_related("user")
        .first()
    )
    return membership.user if membership is not None else None


def declarable_stages(*, prescribers):
    """Stages in progress at a training body on open pathways of these prescribers (not apprenticeships), with a
    trainer to declare, and not on anybody's watch list."""
    watched = Drift.objects.live().filter(stage=OuterRef("pk"))
    trainers = Membership.objects.active().filter(organisation=OuterRef("organisation"), role=Role.TRAINER)
    return (
        Stage.objects.filter(
            pathway__prescribing_organisation__in=prescribers,
            pathway__status="open",
            status=Stage.Status.IN_PROGRESS,
            organisation__kind=Organisation.Kind.TRAINING_BODY,
        )
        .exclude(kind=Stage.Kind.APPRENTICESHIP)
        .filter(Exists(trainers), ~Exists(watched))
    )


def candidate_stages(adviser, today, spare=None):
    """Stages in progress at a training body on open pathways of the adviser's alert inbox, with a trainer to
    declare, and not on anybody's watch list: the adviser's own pathways first (started ten days ago at least
    first), then their colleagues' (the inbox every adviser of the organisation works from, docs/design.md §1), so that
    every story is told whatever day the demo is loaded."""
    inbox = Membership.objects.active().filter(user=adviser, role=Role.PRESCRIBER_ADVISER).values("organisation")
    stages = declarable_stages(prescribers=inbox).select_related("pathway").order_by("-actual_start", "pk")
    settled = today - datetime.timedelta(days=10)
    spared = getattr(spare, "pk", None)
    return sorted(
        stages,
        key=lambda s: (
            s.organisation_id == spared,
            s.pathway.prescribing_adviser_id != adviser.pk,
            s.actual_start > settled,
        ),
    )[: len(STORIES)]


def trainer_of(stage):
    """The pathway's referent when they work at the stage's training body, else its first trainer."""
    referent = stage.pathway.referent
    trainers = Membership.objects.active().filter(organisation=stage.organisation_id, role=Role.TRAINER)
    if referent is not None and trainers.filter(user=referent).exists():
        return referent
    return trainers.order_by("user__email").select_related("user").first().user
