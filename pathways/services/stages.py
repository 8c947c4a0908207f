"""Stages and their state machine.

    planned ──start──▶ in_progress ──suspend──▶ suspended
       │                 │   ▲                     │
       │                 │   └───────resume────────┘
       │                 ├──exit: completed / positive exit / abandon
       │                                            └──exit: positive exit / abandon
       └──exit: cancelled

Each transition is a named function that checks the move and its dates, updates the stage and writes a
`StageTransition` row (who, when, from, to, why): the pathway's history is data. Limits come from the stage's
`Programme`: a suspension lasts at most `max_suspension_months`; the time spent in a programme along one
pathway, not counting suspensions, is at most `max_duration_months` (seed 001: 24 months).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import REASON_MAX_LENGTH, check_length
from pathways.models import Employer, Enrolment, Organisation, Pathway, Session, Stage, StageTransition

Status = Stage.Status
Action = StageTransition.Action

# Where each exit status may be reached from.
EXITS_FROM = {
    Status.PLANNED: {Status.CANCELLED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.POSITIVE_EXIT, Status.ABANDONED},
    Status.SUSPENDED: {Status.POSITIVE_EXIT, Status.ABANDONED},
}
TRAINING_KINDS = {Stage.Kind.PRE_QUALIFICATION, Stage.Kind.QUALIFYING_TRAINING}
EMPLOYER_REQUIRED_KINDS = {Stage.Kind.IMMERSION, Stage.Kind.APPRENTICESHIP}


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _today() -> datetime.date:
    return timezone.localdate()


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > _today():
        raise ValidationError({field: _("Cette date est dans le futur : enregistrez l'événement le jour venu.")})


# --------------------------------------------------------------------------------------------------------------
# Durations


def suspended_days(stage: Stage, transitions: list[StageTransition], as_of: datetime.date) -> int:
    """Days spent suspended, from the stage's suspend/resume events (an open suspension counts up to `as_of`)."""
    total = 0
    since = None
    for event in sorted(transitions, key=lambda t: (t.at, t.pk or 0)):
        if event.action == Action.SUSPEND:
            since = event.effective_date
        elif event.action in (Action.RESUME, Action.EXIT) and since is not None:
            total += (event.effective_date - since).days
            since = None
    if since is not None:
        total += max(0, (as_of - since).days)
    return total


def active_days(stage: Stage, transitions: list[StageTransition], as_of: datetime.date) -> int:
    """Days the stage counts against its programme, suspensions excluded.

    Ended stages count their real span; others their planned span (or up to `as_of` when no end is planned).
    """
    if stage.status == Status.CANCELLED:
        return 0
    start = stage.actual_start or stage.planned_start
    end = stage.actual_end or stage.planned_end or max(as_of, start)
    return max(0, (end - start).days - suspended_days(stage, transitions, as_of))


def programme_limit_days(programme, first_start: datetime.date) -> int:
    return (first_start + relativedelta(months=programme.max_duration_months) - first_start).days


def check_programme_duration(*, pathway: Pathway, stage: Stage, as_of: datetime.date | None = None) -> None:
    """Refuse when `stage` (as it would be saved) takes the pathway past its programme's maximum duration."""
    programme = stage.programme
    if programme is None:
        return
    as_of = as_of or _today()
    siblings = list(
        Stage.objects.filter(pathway=pathway, programme=programme)
        .exclude(pk=stage.pk)
        .exclude(status=Status.CANCELLED)
        .prefetch_related("transitions")
    )
    transitions_of = {s.pk: list(s.transitions.all()) for s in siblings}
    own_transitions = list(stage.transitions.all()) if stage.pk else []
    used = sum(active_days(s, transitions_of[s.pk], as_of) for s in siblings)
    total = used + active_days(stage, own_transitions, as_of)
    first_start = min(
        [s.actual_start or s.planned_start for s in siblings] + [stage.actual_start or stage.planned_start]
    )
    limit = programme_limit_days(programme, first_start)
    if total > limit:
        raise ValidationError(
            _(
                "Le dispositif « %(programme)s » limite le parcours à %(months)s mois hors suspensions : "
                "avec cette étape, il en compterait %(days)s jours pour %(limit)s autorisés."
            )
            % {
                "programme": programme.name,
                "months": programme.max_duration_months,
                "days": total,
                "limit": limit,
            }
        )


# --------------------------------------------------------------------------------------------------------------
# Planning


def _check_plan(
    *, pathway, kind, organisation, programme, employer, session, planned_start, planned_end, stage=None
) -> None:
    errors = {}
    if pathway.status != Pathway.Status.OPEN:
        raise ValidationError(_("Ce parcours est clôturé : on ne peut plus y prévoir d'étape."))
    if planned_end is not None and planned_end < planned_start:
        errors["planned_end"] = _("La fin prévue ne peut pas précéder le début prévu.")
    if kind in EMPLOYER_REQUIRED_KINDS and employer is None:
        errors["employer"] = _("Indiquez l'entreprise : elle est obligatoire pour une immersion ou un apprentissage.")
    if session is not None:
        if kind not in TRAINING_KINDS | {Stage.Kind.APPRENTICESHIP}:
            errors["session"] = _("Seules les étapes de formation ou d'apprentissage se déroulent dans une session.")
        if organisation != session.training_action.training_body:
            errors["organisation"] = _("La structure d'une étape en session est l'organisme qui la dispense.")
        if not session.start_date <= planned_start <= session.end_date:
            errors["planned_start"] = _(
                "Le début prévu doit être compris dans la session (du %(start)s au %(end)s)."
            ) % {
                "start": _date(session.start_date),
                "end": _date(session.end_date),
            }
        elif planned_end is not None and planned_end > session.end_date:
            errors["planned_end"] = _("La fin prévue ne peut pas dépasser la fin de la session (%(end)s).") % {
                "end": _date(session.end_date)
            }
    elif kind in TRAINING_KINDS and organisation.kind != Organisation.Kind.TRAINING_BODY:
        errors["organisation"] = _("Une étape de formation est tenue par un organisme de formation.")
    if not organisation.is_active:
        errors["organisation"] = _("Cette structure n'est plus active.")
    if programme is not None and not programme.is_active and (stage is None or stage.programme_id != programme.pk):
        errors["programme"] = _("Ce dispositif n'est plus ouvert.")
    if errors:
        raise ValidationError(errors)


def _enrol(*, stage: Stage, session: Session, by) -> None:
    """Take a seat in `session`, counting the seats under a lock so two advisers cannot take the last one."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    taken = (
        Enrolment.objects.filter(session=session, stage__status__in=Stage.ACTIVE_STATUSES).exclude(stage=stage).count()
    )
    if taken >= session.capacity:
        message = ngettext(
            "Cette session est complète (%(n)s place).", "Cette session est complète (%(n)s places).", session.capacity
        )
        raise ValidationError({"session": message % {"n": session.capacity}})
    Enrolment.objects.update_or_create(stage=stage, defaults={"session": session, "created_by": by})


@transaction.atomic
def stage_plan(
    *,
    pathway: Pathway,
    by,
    kind: str,
    organisation: Organisation,
    planned_start: datetime.date,
    planned_end: datetime.date | None = None,
    programme=None,
    employer: Employer | None = None,
    session: Session | None = None,
) -> Stage:
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if session is not None and programme is None:
        programme = session.training_action.programme
    _check_plan(
        pathway=pathway,
        kind=kind,
        organisation=organisation,
        programme=programme,
        employer=employer,
        session=session,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    stage = Stage(
        pathway=pathway,
        kind=kind,
        organisation=organisation,
        programme=programme,
        employer=employer,
        planned_start=planned_start,
        planned_end=planned_end,
        created_by=by,
    )
    stage.full_clean()
    check_programme_duration(pathway=pathway, stage=stage)
    stage.save()
    if session is not None:
        _enrol(stage=stage, session=session, by=by)
    StageTransition.objects.create(
        stage=stage,
        action=Action.PLAN,
        from_status="",
        to_status=Status.PLANNED,
        effective_date=_today(),
        by=by,
    )
    return stage


@transaction.atomic
def stage_replan(
    *,
    stage: Stage,
    by,
    planned_start: datetime.date,
    planned_end: datetime.date | None,
    programme=None,
    employer: Employer | None = None,
    session: Session | None = None,
) -> Stage:
    """Change a stage's plan: dates, programme, company, session (planned end also while in progress)."""
    stage = Stage.objects.select_for_update(of=("self",)).select_related("pathway").get(pk=stage.pk)
    if stage.status not in (Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED):
        raise ValidationError(_("Cette étape est terminée : son plan ne peut plus être modifié."))
    if stage.status != Status.PLANNED:
        # Once started, only the planned end may move; the rest is history.
        planned_start, programme, employer = stage.planned_start, stage.programme, stage.employer
        session = stage.enrolment.session if hasattr(stage, "enrolment") else None
    organisation = session.training_action.training_body if session is not None else stage.organisation
    _check_plan(
        pathway=stage.pathway,
        kind=stage.kind,
        organisation=organisation,
        programme=programme,
        employer=employer,
        session=session,
        planned_start=planned_start,
        planned_end=planned_end,
        stage=stage,
    )
    if stage.actual_start and planned_end is not None and planned_end < stage.actual_start:
        raise ValidationError({"planned_end": _("La fin prévue ne peut pas précéder le début effectif.")})
    stage.organisation = organisation
    stage.planned_start = planned_start
    stage.planned_end = planned_end
    stage.programme = programme
    stage.employer = employer
    stage.full_clean()
    check_programme_duration(pathway=stage.pathway, stage=stage)
    stage.save()
    if session is not None:
        _enrol(stage=stage, session=session, by=by)
    else:
        Enrolment.objects.filter(stage=stage).delete()
    return stage


# --------------------------------------------------------------------------------------------------------------
# Transitions


# What a transition reads with the stage it locks: a caller that has locked the stage itself, with these, passes
# `locked=True` (a rupture declaration, `ruptures.services.rupture_declare`) and the stage is not read again.
LOCKED_WITH = ("pathway__beneficiary", "pathway__referent", "programme", "organisation")


def _locked(stage: Stage, *, locked: bool = False) -> Stage:
    if locked:
        return stage
    return Stage.objects.select_for_update(of=("self",)).select_related(*LOCKED_WITH).get(pk=stage.pk)


# Called with each transition, in its transaction (`notifications` registers the one that tells the referent):
# listener(stage=…, event=…, by=…, tell_referent=…).
TRANSITION_LISTENERS = []


def register_transition_listener(listener) -> None:
    if listener not in TRANSITION_LISTENERS:
        TRANSITION_LISTENERS.append(listener)


def _record(stage, *, action, from_status, date, by, reason="", planned_resume=None, notify_referent=True):
    """Write the transition event and, in the same transaction, call the transition listeners (the pathway's
    referent is told, unless `notify_referent` is off: a rupture alert tells them already)."""
    event = StageTransition.objects.create(
        stage=stage,
        action=action,
        from_status=from_status,
        to_status=stage.status,
        effective_date=date,
        reason=reason,
        planned_resume=planned_resume,
        by=by,
    )
    for listener in TRANSITION_LISTENERS:
        listener(stage=stage, event=event, by=by, tell_referent=notify_referent)
    return event


def _refuse_move(stage: Stage, wanted: str):
    raise ValidationError(
        _("Impossible de passer une étape « %(current)s » à « %(wanted)s ».")
        % {"current": stage.get_status_display(), "wanted": wanted}
    )


# Checks other apps add before a stage starts (e.g. the pre-entry checklist where a region requires it): each
# `check(stage, date)` raises ValidationError to refuse. Registered from the app's AppConfig.ready.
START_CHECKS = []


def register_start_check(check) -> None:
    if check not in START_CHECKS:
        START_CHECKS.append(check)


@transaction.atomic
def stage_start(*, stage: Stage, by, date: datetime.date, comment: str = "") -> Stage:
    check_length(comment.strip(), max_length=REASON_MAX_LENGTH, field="comment")
    stage = _locked(stage)
    if stage.status != Status.PLANNED:
        _refuse_move(stage, str(Status.IN_PROGRESS.label))
    if stage.pathway.status != Pathway.Status.OPEN:
        raise ValidationError(_("Ce parcours est clôturé."))
    _not_in_future(date, "date")
    enrolment = Enrolment.objects.filter(stage=stage).select_related("session").first()
    if enrolment is not None and not enrolment.session.start_date <= date <= enrolment.session.end_date:
        raise ValidationError(
            {
                "date": _("Le démarrage doit avoir lieu pendant la session (du %(start)s au %(end)s).")
                % {"start": _date(enrolment.session.start_date), "end": _date(enrolment.session.end_date)}
            }
        )
    if stage.planned_end is not None and date > stage.planned_end:
        raise ValidationError({"date": _("Le démarrage ne peut pas être postérieur à la fin prévue de l'étape.")})
    for check in START_CHECKS:
        check(stage, date)
    stage.status = Status.IN_PROGRESS
    stage.actual_start = date
    check_programme_duration(pathway=stage.pathway, stage=stage)
    stage.save(update_fields=["status", "actual_start"])
    _record(stage, action=Action.START, from_status=Status.PLANNED, date=date, by=by, reason=comment)
    return stage


def _last_event_date(stage: Stage) -> datetime.date:
    last = stage.transitions.exclude(action=Action.PLAN).order_by("-effective_date").first()
    return max(stage.actual_start, last.effective_date) if last else stage.actual_start


@transaction.atomic
def stage_suspend(
    *,
    stage: Stage,
    by,
    date: datetime.date,
    planned_resume: datetime.date,
    reason: str,
    tell_referent: bool = True,
    locked: bool = False,
) -> Stage:
    """Suspend a stage in progress until `planned_resume`. `locked`: the caller has locked `stage` in this
    transaction and read it with `LOCKED_WITH`."""
    check_length(reason.strip(), max_length=REASON_MAX_LENGTH, field="reason")
    stage = _locked(stage, locked=locked)
    if stage.status != Status.IN_PROGRESS:
        _refuse_move(stage, str(Status.SUSPENDED.label))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Indiquez le motif de la suspension.")
    if date > _today():
        errors["date"] = _("Cette date est dans le futur : enregistrez l'événement le jour venu.")
    elif date < _last_event_date(stage):
        errors["date"] = _("La suspension ne peut pas précéder le dernier événement de l'étape (%(d)s).") % {
            "d": _date(_last_event_date(stage))
        }
    if planned_resume <= date:
        errors["planned_resume"] = _("La reprise prévue doit suivre le début de la suspension.")
    elif stage.programme is not None:
        latest = date + relativedelta(months=stage.programme.max_suspension_months)
        if planned_resume > latest:
            errors["planned_resume"] = _(
                "Une suspension dure au plus %(months)s mois dans le dispositif « %(programme)s » : "
                "la reprise doit être prévue au plus tard le %(latest)s."
            ) % {
                "months": stage.programme.max_suspension_months,
                "programme": stage.programme.name,
                "latest": _date(latest),
            }
    if errors:
        raise ValidationError(errors)
    stage.status = Status.SUSPENDED
    stage.suspended_since = date
    stage.planned_resume = planned_resume
    stage.save(update_fields=["status", "suspended_since", "planned_resume"])
    _record(
        stage,
        action=Action.SUSPEND,
        from_status=Status.IN_PROGRESS,
        date=date,
        by=by,
        reason=reason.strip(),
        planned_resume=planned_resume,
        notify_referent=tell_referent,
    )
    return stage


@transaction.atomic
def stage_resume(*, stage: Stage, by, date: datetime.date, comment: str = "") -> Stage:
    check_length(comment.strip(), max_length=REASON_MAX_LENGTH, field="comment")
    stage = _locked(stage)
    if stage.status != Status.SUSPENDED:
        _refuse_move(stage, _("reprise"))
    _not_in_future(date, "date")
    if date < stage.suspended_since:
        raise ValidationError(
            {
                "date": _("La reprise ne peut pas précéder le début de la suspension (%(d)s).")
                % {"d": _date(stage.suspended_since)}
            }
        )
    if stage.programme is not None:
        latest = stage.suspended_since + relativedelta(months=stage.programme.max_suspension_months)
        if date > latest:
            raise ValidationError(
                {
                    "date": _(
                        "La suspension a dépassé %(months)s mois (limite le %(latest)s) : la reprise n'est plus "
                        "possible dans ce dispositif. Enregistrez une sortie et prévoyez une nouvelle étape."
                    )
                    % {"months": stage.programme.max_suspension_months, "latest": _date(latest)}
                }
            )
    stage.status = Status.IN_PROGRESS
    stage.suspended_since = None
    stage.planned_resume = None
    stage.save(update_fields=["status", "suspended_since", "planned_resume"])
    _record(stage, action=Action.RESUME, from_status=Status.SUSPENDED, date=date, by=by, reason=comment)
    # The suspension just closed no longer counts; what remains must fit the programme.
    check_programme_duration(pathway=stage.pathway, stage=stage, as_of=date)
    return stage


@transaction.atomic
def stage_exit(
    *,
    stage: Stage,
    by,
    status: str,
    date: datetime.date,
    destination: str = "",
    reason: str = "",
    tell_referent: bool = True,
    locked: bool = False,
) -> Stage:
    """End a stage: completed, positive exit (job, other training), abandon, or cancelled (if never started).

    An exit is never refused for the programme's duration: what happened is recorded as it happened. `locked`: the
    caller has locked `stage` in this transaction and read it with `LOCKED_WITH`.
    """
    check_length(reason.strip(), max_length=REASON_MAX_LENGTH, field="reason")
    stage = _locked(stage, locked=locked)
    if status not in EXITS_FROM.get(stage.status, set()):
        _refuse_move(stage, str(Status(status).label) if status in Status.values else status)
    errors = {}
    if date > _today():
        errors["date"] = _("Cette date est dans le futur : enregistrez l'événement le jour venu.")
    elif stage.actual_start is not None and date < _last_event_date(stage):
        errors["date"] = _("La sortie ne peut pas précéder le dernier événement de l'étape (%(d)s).") % {
            "d": _date(_last_event_date(stage))
        }
    if status == Status.POSITIVE_EXIT and destination not in Stage.ExitDestination.values:
        errors["destination"] = _("Précisez la sortie positive : emploi, autre formation ou autre solution.")
    if status in (Status.ABANDONED, Status.CANCELLED) and not reason.strip():
        errors["reason"] = _("Indiquez le motif de l'abandon ou de l'annulation.")
    if errors:
        raise ValidationError(errors)
    from_status = stage.status
    stage.status = status
    stage.actual_end = date
    stage.exit_destination = destination if status == Status.POSITIVE_EXIT else ""
    stage.suspended_since = None
    stage.planned_resume = None
    # The state machine above sets fields the constraints allow (dates after the last event, destination iff a
    # positive exit); the database still enforces them: not validated again here, a query each on every exit.
    stage.full_clean(
        exclude=["pathway", "organisation", "programme", "employer", "created_by"], validate_constraints=False
    )
    stage.save(update_fields=["status", "actual_end", "exit_destination", "suspended_since", "planned_resume"])
    _record(
        stage,
        action=Action.EXIT,
        from_status=from_status,
        date=date,
        by=by,
        reason=reason.strip(),
        notify_referent=tell_referent,
    )
    return stage
