"""Writes of the groups and their collective workshops (facilitators of the group's support structure)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathways.models import Membership, Organisation, Session, Stage
from speaking_groups.models import SpeakingGroup, Workshop, WorkshopAttendance, support_organisations

Role = Membership.Role


def is_facilitator(user, group: SpeakingGroup) -> bool:
    """`user` is an active facilitator of the structure that runs `group` (reads its notes, records its work)."""
    return group.support_organisation_id in support_organisations(user)


def co_facilitator_choices(training_body: Organisation):
    """The pedagogical managers of `training_body` (active memberships): who may co-run its workshops."""
    return (
        Membership.objects.active()
        .filter(organisation=training_body, role=Role.PEDAGOGICAL_MANAGER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def facilitator_choices(support: Organisation):
    return (
        Membership.objects.active()
        .filter(organisation=support, role=Role.FACILITATOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def _check_group(*, support, training_body, sessions, facilitators, co_facilitator):
    errors = {}
    if support.kind != Organisation.Kind.SUPPORT:
        errors["support_organisation"] = _("Un groupe de parole est animé par une structure d'accompagnement.")
    if training_body.kind != Organisation.Kind.TRAINING_BODY or training_body.region_id != support.region_id:
        errors["training_body"] = _("Choisissez un organisme de formation de la région de la structure.")
    if not sessions:
        errors["sessions"] = _("Rattachez le groupe à au moins une session.")
    elif any(session.training_action.training_body_id != training_body.pk for session in sessions):
        errors["sessions"] = _("Les sessions doivent être celles de l'organisme de formation choisi.")
    allowed = {m.user_id for m in facilitator_choices(support)}
    if not facilitators or any(user.pk not in allowed for user in facilitators):
        errors["facilitators"] = _("Choisissez les intervenant·es parmi celles et ceux de la structure.")
    if co_facilitator is not None and co_facilitator.pk not in {
        m.user_id for m in co_facilitator_choices(training_body)
    }:
        errors["co_facilitator"] = _("Le ou la co-animateur·rice est un·e responsable pédagogique de l'organisme.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def group_create(
    *, by, support_organisation, training_body, name, sessions, facilitators, co_facilitator=None
) -> SpeakingGroup:
    if support_organisation.pk not in support_organisations(by):
        raise ValidationError({"support_organisation": _("Vous n'êtes pas intervenant·e de cette structure.")})
    _check_group(
        support=support_organisation,
        training_body=training_body,
        sessions=sessions,
        facilitators=facilitators,
        co_facilitator=co_facilitator,
    )
    group = SpeakingGroup(
        support_organisation=support_organisation,
        training_body=training_body,
        name=name.strip(),
        co_facilitator=co_facilitator,
        created_by=by,
    )
    group.full_clean()
    group.save()
    group.sessions.set(sessions)
    group.facilitators.set(facilitators)
    return group


@transaction.atomic
def group_update(*, group, by, name, sessions, facilitators, co_facilitator=None) -> SpeakingGroup:
    _check_group(
        support=group.support_organisation,
        training_body=group.training_body,
        sessions=sessions,
        facilitators=facilitators,
        co_facilitator=co_facilitator,
    )
    if Workshop.objects.filter(group=group).exclude(session__in=[s.pk for s in sessions]).exists():
        raise ValidationError({"sessions": _("Des ateliers ont eu lieu sur une session retirée : gardez-la.")})
    group.name = name.strip()
    group.co_facilitator = co_facilitator
    group.full_clean()
    group.save()
    group.sessions.set(sessions)
    group.facilitators.set(facilitators)
    return group


@transaction.atomic
def workshop_create(
    *, group, by, session, date: datetime.date, start_time, end_time, theme: str, co_facilitator=None
) -> Workshop:
    """Schedule a collective workshop of `group` for one of its sessions, within the session's dates."""
    errors = {}
    if not group.sessions.filter(pk=session.pk).exists():
        errors["session"] = _("Choisissez une session du groupe.")
    elif not session.start_date <= date <= session.end_date:
        errors["date"] = _("L'atelier doit avoir lieu pendant la session (du %(start)s au %(end)s).") % {
            "start": session.start_date.strftime("%d/%m/%Y"),
            "end": session.end_date.strftime("%d/%m/%Y"),
        }
    if co_facilitator is not None and co_facilitator.pk not in {
        m.user_id for m in co_facilitator_choices(group.training_body)
    }:
        errors["co_facilitator"] = _("Le ou la co-animateur·rice est un·e responsable pédagogique de l'organisme.")
    if errors:
        raise ValidationError(errors)
    workshop = Workshop(
        group=group,
        session=session,
        date=date,
        start_time=start_time,
        end_time=end_time,
        theme=theme.strip(),
        co_facilitator=co_facilitator or group.co_facilitator,
        created_by=by,
    )
    workshop.full_clean()
    workshop.save()
    return workshop


def enrolled_stages(session: Session):
    """The people enrolled in `session` (their stages), not cancelled, by name."""
    return (
        Stage.objects.filter(enrolment__session=session)
        .exclude(status=Stage.Status.CANCELLED)
        .select_related("pathway__beneficiary")
        .order_by("pathway__beneficiary__last_name", "pathway__beneficiary__first_name", "pk")
    )


@transaction.atomic
def workshop_attendance_set(*, workshop: Workshop, by, stages) -> int:
    """Record who attended `workshop` (the session's enrolled people only); returns how many attended."""
    if workshop.cancelled_at is not None:
        raise ValidationError(_("Cet atelier est annulé."))
    if workshop.date > timezone.localdate():
        raise ValidationError(_("Les présences se notent le jour de l'atelier ou après."))
    allowed = set(enrolled_stages(workshop.session).values_list("pk", flat=True))
    chosen = {stage.pk for stage in stages}
    if chosen - allowed:
        raise ValidationError(_("Seules les personnes inscrites à la session peuvent être notées présentes."))
    Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
    WorkshopAttendance.objects.filter(workshop=workshop).exclude(stage__in=chosen).delete()
    present = set(WorkshopAttendance.objects.filter(workshop=workshop).values_list("stage_id", flat=True))
    WorkshopAttendance.objects.bulk_create(
        WorkshopAttendance(workshop=workshop, stage_id=pk, recorded_by=by) for pk in sorted(chosen - present)
    )
    return len(chosen)


@transaction.atomic
def workshop_notes_save(*, workshop: Workshop, by, notes: str) -> Workshop:
    workshop.notes = notes.strip()
    workshop.full_clean(exclude=["group", "session", "co_facilitator", "created_by"])
    workshop.save(update_fields=["notes"])
    return workshop


@transaction.atomic
def workshop_cancel(*, workshop: Workshop, by) -> Workshop:
    if workshop.cancelled_at is not None:
        return workshop
    if workshop.attendances.exists():
        raise ValidationError(_("Des présences sont notées : l'atelier a eu lieu et ne peut plus être annulé."))
    workshop.cancelled_at = timezone.now()
    workshop.save(update_fields=["cancelled_at"])
    return workshop
