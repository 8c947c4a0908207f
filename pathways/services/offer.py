"""A training body's offer: its training actions and their sessions, run by its pedagogical and organisation
managers (`pathways.scoping.can_manage_offer`; the views check it, these functions check the data).

A session's calendar of half-days belongs to `attendance` (floor 5), which plugs in here: `register_session_check`
(a change the calendar cannot take, e.g. dates that would drop half-days already marked, is refused) and
`register_session_listener` (the calendar is generated again, in the same transaction as the session's save).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pathways.models import Basin, Membership, Organisation, Programme, Session, Stage, TrainingAction
from pathways.scoping import STAGE_STAFF_ROLES

ACTION_FIELDS = ("title", "programme", "funder", "formacode", "basin", "hours", "is_active")
SESSION_FIELDS = (
    "label",
    "start_date",
    "end_date",
    "weekdays",
    "capacity",
    "commune",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
)

# `check(session)`, before a session is saved with its new values (its calendar still the old one): raises a
# ValidationError to refuse the change. `listener(session)`, after it is saved, in the same transaction.
SESSION_CHECKS = []
SESSION_LISTENERS = []


def register_session_check(check) -> None:
    if check not in SESSION_CHECKS:
        SESSION_CHECKS.append(check)


def register_session_listener(listener) -> None:
    if listener not in SESSION_LISTENERS:
        SESSION_LISTENERS.append(listener)


# --------------------------------------------------------------------------------------------------------------
# Choices offered to a training body (the forms offer them; the functions below refuse anything else)


def funders_for(training_body: Organisation):
    return Organisation.objects.filter(
        kind=Organisation.Kind.FUNDER, region=training_body.region_id, is_active=True
    ).order_by("name")


def basins_for(training_body: Organisation):
    return Basin.objects.filter(region=training_body.region_id).order_by("name")


def programmes_for(training_body: Organisation):
    return Programme.objects.filter(Q(region__isnull=True) | Q(region=training_body.region_id), is_active=True)


def trainers_for(training_body: Organisation):
    """The people who may be named trainers of a session: the training body's active staff."""
    from django.contrib.auth import get_user_model

    members = Membership.objects.active().filter(organisation=training_body, role__in=list(STAGE_STAFF_ROLES))
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"), is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


def _check_choices(action: TrainingAction) -> None:
    body = action.training_body
    if action.funder_id is not None and not funders_for(body).filter(pk=action.funder_id).exists():
        raise ValidationError({"funder": _("Choisissez un financeur actif de la région de l'organisme.")})
    if action.basin_id is not None and not basins_for(body).filter(pk=action.basin_id).exists():
        raise ValidationError({"basin": _("Choisissez un bassin de la région de l'organisme.")})
    if action.programme_id is not None and not programmes_for(body).filter(pk=action.programme_id).exists():
        raise ValidationError({"programme": _("Choisissez un dispositif actif de la région.")})


# --------------------------------------------------------------------------------------------------------------
# Training actions


@transaction.atomic
def training_action_create(*, training_body: Organisation, by, **fields) -> TrainingAction:
    if training_body.kind != Organisation.Kind.TRAINING_BODY:
        raise ValidationError(_("Seul un organisme de formation a des actions de formation."))
    action = TrainingAction(training_body=training_body, **{k: v for k, v in fields.items() if k in ACTION_FIELDS})
    action.title = " ".join(action.title.split())
    _check_choices(action)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def training_action_update(*, action: TrainingAction, by, **fields) -> TrainingAction:
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    previous = {"funder": action.funder_id, "basin": action.basin_id, "programme": action.programme_id}
    for name, value in fields.items():
        if name in ACTION_FIELDS:
            setattr(action, name, value)
    action.title = " ".join(action.title.split())
    # A choice that was kept may have become inactive since: it stays; a new one must be on offer.
    kept = TrainingAction(
        training_body=action.training_body,
        funder_id=None if action.funder_id == previous["funder"] else action.funder_id,
        basin_id=None if action.basin_id == previous["basin"] else action.basin_id,
        programme_id=None if action.programme_id == previous["programme"] else action.programme_id,
    )
    _check_choices(kept)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def training_action_deactivate(*, action: TrainingAction, by) -> TrainingAction:
    """No new session is planned on an inactive action; its sessions and their people stay as they are."""
    TrainingAction.objects.filter(pk=action.pk).update(is_active=False)
    action.is_active = False
    return action


# --------------------------------------------------------------------------------------------------------------
# Sessions


def enrolled_count(session: Session) -> int:
    """The seats taken: people enrolled whose stage is not over (the session list's count)."""
    if session.pk is None:
        return 0
    return session.enrolments.filter(stage__status__in=Stage.ACTIVE_STATUSES).count()


# A session's calendar holds a row per half-day: its dates must be plausible, or a typo (year 1, year 9999) would
# generate thousands of years of half-days. Apprenticeships last up to three years; four is the longest session.
SESSION_EARLIEST = datetime.date(2000, 1, 1)
SESSION_LATEST = datetime.date(2100, 12, 31)
SESSION_MAX_DAYS = 4 * 366


def _check_dates(session: Session) -> None:
    errors = {}
    for name in ("start_date", "end_date"):
        value = getattr(session, name)
        if value is not None and not SESSION_EARLIEST <= value <= SESSION_LATEST:
            errors[name] = _("Saisissez une date entre %(earliest)s et %(latest)s.") % {
                "earliest": date_format(SESSION_EARLIEST, "SHORT_DATE_FORMAT"),
                "latest": date_format(SESSION_LATEST, "SHORT_DATE_FORMAT"),
            }
    if errors:
        raise ValidationError(errors)
    # (an end before the start is the model's constraint, checked by full_clean)
    if session.start_date and session.end_date and (session.end_date - session.start_date).days > SESSION_MAX_DAYS:
        raise ValidationError({"end_date": _("Une session dure au plus quatre ans : vérifiez ses dates.")})


def _save_session(session: Session, trainers) -> Session:
    body = session.training_action.training_body
    _check_dates(session)
    if trainers is not None:
        allowed = set(trainers_for(body).values_list("pk", flat=True))
        if any(trainer.pk not in allowed for trainer in trainers):
            raise ValidationError({"trainers": _("Les formateur·rices sont des membres de l'organisme.")})
    if session.commune_id is not None and session.commune.basin.region_id != body.region_id:
        raise ValidationError({"commune": _("Choisissez une commune de la région de l'organisme.")})
    session.label = " ".join(session.label.split())
    session.full_clean()
    taken = enrolled_count(session)
    if session.capacity is not None and session.capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "%(taken)s personnes sont déjà inscrites : la session ne peut pas avoir moins de %(taken)s places."
                )
                % {"taken": taken}
            }
        )
    for check in SESSION_CHECKS:
        check(session)
    session.save()
    if trainers is not None:
        session.trainers.set(trainers)
    for listener in SESSION_LISTENERS:
        listener(session)
    return session


@transaction.atomic
def session_create(*, action: TrainingAction, by, trainers=None, **fields) -> Session:
    """A new session of `action`, its calendar generated in the same transaction."""
    if not action.is_active:
        raise ValidationError(_("Cette action de formation est désactivée : réactivez-la pour y ouvrir une session."))
    session = Session(training_action=action, **{k: v for k, v in fields.items() if k in SESSION_FIELDS})
    return _save_session(session, trainers)


@transaction.atomic
def session_update(*, session: Session, by, trainers=None, **fields) -> Session:
    """Change a session; its calendar is generated again (half-days already marked are never dropped: a change
    that would drop some is refused by the attendance check)."""
    session = Session.objects.select_for_update().select_related("training_action__training_body").get(pk=session.pk)
    for name, value in fields.items():
        if name in SESSION_FIELDS:
            setattr(session, name, value)
    return _save_session(session, trainers)
