"""Hotline, network work and sharing with the referent: the facilitator's individual support (NEUTRALITÉ: what is
heard stays with the support structure; a summary reaches the pathway's referent only with the person's consent)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify
from pathways.models import Organisation, Stage
from speaking_groups.models import (
    HotlineCall,
    NetworkContact,
    ReferentShare,
    SpeakingGroup,
    support_organisations,
)
from speaking_groups.notifications import SUPPORT_SHARE

HOTLINE_MAX_MINUTES = 600


def supports_of(user):
    """The support structures where `user` is an active facilitator, by name."""
    return Organisation.objects.filter(pk__in=support_organisations(user)).order_by("name", "pk")


def known_people(user, support: Organisation):
    """The people `user` may link a call to: those enrolled in a session of a group of `support`, within the
    user's scope (the scoping layer), not cancelled, by name."""
    return (
        Stage.objects.for_user(user)
        .filter(enrolment__session__speaking_groups__support_organisation=support)
        .exclude(status=Stage.Status.CANCELLED)
        .select_related("pathway__beneficiary")
        .order_by("pathway__beneficiary__last_name", "pathway__beneficiary__first_name", "pk")
        .distinct()
    )


def groups_of(support: Organisation):
    return SpeakingGroup.objects.filter(support_organisation=support, closed_on__isnull=True).order_by("name", "pk")


def _check_facilitator(by, support):
    if support.pk not in support_organisations(by):
        raise ValidationError(_("Vous n'êtes pas intervenant·e de cette structure."))


@transaction.atomic
def hotline_call_log(
    *,
    by,
    support_organisation: Organisation,
    duration_minutes: int,
    topic: str,
    outcome: str,
    urgency: str = HotlineCall.Urgency.LOW,
    called_at: datetime.datetime | None = None,
    stage: Stage | None = None,
    group: SpeakingGroup | None = None,
    notes: str = "",
) -> HotlineCall:
    """Log a call to the hotline of `support_organisation` (anonymous unless `stage` is given)."""
    _check_facilitator(by, support_organisation)
    now = timezone.now()
    called_at = called_at or now
    errors = {}
    if called_at > now:
        errors["called_at"] = _("Un appel ne peut pas être noté dans le futur.")
    if duration_minutes is None or not 1 <= duration_minutes <= HOTLINE_MAX_MINUTES:
        errors["duration_minutes"] = _("La durée d'un appel va de 1 à %(max)s minutes.") % {"max": HOTLINE_MAX_MINUTES}
    if stage is not None and not known_people(by, support_organisation).filter(pk=stage.pk).exists():
        errors["stage"] = _("Choisissez une personne suivie par votre structure, ou laissez l'appel anonyme.")
    if group is not None and group.support_organisation_id != support_organisation.pk:
        errors["group"] = _("Choisissez un groupe de votre structure.")
    if errors:
        raise ValidationError(errors)
    call = HotlineCall(
        support_organisation=support_organisation,
        group=group,
        called_at=called_at,
        duration_minutes=duration_minutes,
        topic=topic,
        urgency=urgency or HotlineCall.Urgency.LOW,
        outcome=outcome,
        stage=stage,
        notes=(notes or "").strip(),
        logged_by=by,
    )
    call.full_clean()
    call.save()
    return call


def reaching_support(user, stage: Stage) -> Organisation | None:
    """The support structure through which facilitator `user` follows the person of `stage` (a group of it on a
    session where they are enrolled), or None."""
    return (
        Organisation.objects.filter(
            pk__in=support_organisations(user),
            speaking_groups__sessions__enrolments__stage__pathway=stage.pathway_id,
        )
        .order_by("name", "pk")
        .first()
    )


@transaction.atomic
def network_contact_log(
    *,
    by,
    stage: Stage,
    support_organisation: Organisation,
    service: str,
    service_name: str,
    contacted_on: datetime.date,
    notes: str = "",
) -> NetworkContact:
    """Log a contact with an outside service for the person of `stage`."""
    _check_facilitator(by, support_organisation)
    if contacted_on and contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("Un contact ne peut pas être daté dans le futur.")})
    contact = NetworkContact(
        support_organisation=support_organisation,
        stage=stage,
        service=service,
        service_name=(service_name or "").strip(),
        contacted_on=contacted_on,
        notes=(notes or "").strip(),
        logged_by=by,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def referent_share(
    *,
    by,
    stage: Stage,
    support_organisation: Organisation,
    summary: str,
    consent_given: bool,
    consent_on: datetime.date | None,
    consent_scope: str,
) -> ReferentShare:
    """Share `summary` with the pathway's referent, with the person's consent recorded for this share (its date and
    what they agree to share). The row is the log; the referent is told through the outbox (no summary in it)."""
    _check_facilitator(by, support_organisation)
    errors = {}
    if not consent_given:
        errors["consent_given"] = _("Un partage demande l'accord de la personne, recueilli pour ce partage.")
    if consent_on is None:
        errors["consent_on"] = _("Indiquez la date de l'accord de la personne.")
    elif consent_on > timezone.localdate():
        errors["consent_on"] = _("L'accord ne peut pas être daté dans le futur.")
    if not (consent_scope or "").strip():
        errors["consent_scope"] = _("Précisez ce que la personne accepte de partager.")
    if not (summary or "").strip():
        errors["summary"] = _("Écrivez la synthèse à partager.")
    if errors:
        raise ValidationError(errors)
    referent = stage.pathway.referent
    if referent is None or not referent.is_active or not Stage.objects.for_user(referent).filter(pk=stage.pk).exists():
        raise ValidationError(_("Ce parcours n'a pas de référent·e : il n'y a personne avec qui partager."))
    share = ReferentShare(
        stage=stage,
        support_organisation=support_organisation,
        recipient=referent,
        summary=summary.strip(),
        consent_on=consent_on,
        consent_scope=consent_scope.strip(),
        shared_by=by,
    )
    share.full_clean()
    share.save()
    notify(
        recipients=[referent],
        kind=SUPPORT_SHARE,
        cause_key=f"support_share:{share.pk}",
        url=reverse("speaking_groups:support_share_detail", args=[share.pk]),
        params={"person": stage.pathway.beneficiary.full_name},
        channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
        stage=stage,
    )
    return share
