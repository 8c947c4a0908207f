"""An organisation's members: adding, deactivating (with reassignment of their pathways), reactivating."""

import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pathways.models import Membership, Organisation, Pathway, PathwayPartner, Stage
from pathways.scoping import PERSON_ROLES

logger = logging.getLogger(__name__)
User = get_user_model()
Role = Membership.Role


def check_role_fits(*, organisation: Organisation, role: str, basin=None) -> None:
    """Refuse a role that does not exist in this kind of organisation, or a basin outside its region."""
    Membership(organisation=organisation, role=role, basin=basin).clean()


@transaction.atomic
def member_add(
    *,
    organisation: Organisation,
    by,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    is_legal_representative: bool = False,
    basin=None,
) -> Membership:
    """Give `email` a role in `organisation`, creating the account (and inviting its owner) if needed."""
    check_role_fits(organisation=organisation, role=role, basin=basin if role == Role.BASIN_COORDINATOR else None)
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"email": _("Cette personne a déjà ce rôle dans votre structure.")})
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
    membership.is_active = True
    membership.deactivated_at = None
    membership.deactivated_by = None
    membership.is_legal_representative = is_legal_representative
    membership.basin = basin if role == Role.BASIN_COORDINATOR else None
    membership.full_clean()
    membership.save()
    if created:
        from accounts.tasks import send_invitation_task

        user_id, organisation_id, by_id = user.pk, organisation.pk, by.pk
        transaction.on_commit(lambda: _enqueue_invitation(send_invitation_task, user_id, organisation_id, by_id))
    return membership


def _enqueue_invitation(task, user_id, organisation_id, by_id):
    try:
        task.delay(user_id, organisation_id, by_id)
    except Exception:  # the broker may be down: the member can still use "mot de passe oublié"
        logger.exception("Could not enqueue the invitation of user %s", user_id)


@transaction.atomic
def membership_update(*, membership: Membership, by, is_legal_representative: bool, basin=None) -> Membership:
    check_role_fits(organisation=membership.organisation, role=membership.role, basin=basin)
    membership.is_legal_representative = is_legal_representative
    membership.basin = basin if membership.role == Role.BASIN_COORDINATOR else None
    membership.full_clean()
    membership.save()
    return membership


# --------------------------------------------------------------------------------------------------------------
# Deactivation and the pathways it would leave without their thread


@dataclass
class Affected:
    """The open pathways that would lose their referent or their adviser if `membership` were deactivated."""

    as_referent: list[Pathway] = field(default_factory=list)
    as_adviser: list[Pathway] = field(default_factory=list)

    def __bool__(self):
        return bool(self.as_referent or self.as_adviser)

    @property
    def pathways(self) -> list[Pathway]:
        seen = {p.pk: p for p in self.as_referent + self.as_adviser}
        return sorted(seen.values(), key=lambda p: (p.beneficiary.last_name, p.beneficiary.first_name))


def _involves_any(orgs) -> Q:
    return (
        Q(opened_by__in=orgs)
        | Q(prescribing_organisation__in=orgs)
        | Exists(Stage.objects.filter(pathway=OuterRef("pk"), organisation__in=orgs))
        | Exists(PathwayPartner.objects.filter(pathway=OuterRef("pk"), organisation__in=orgs))
    )


def affected_pathways(membership: Membership) -> Affected:
    user = membership.user
    remaining = list(
        Membership.objects.active()
        .filter(user=user, role__in=PERSON_ROLES)
        .exclude(pk=membership.pk)
        .values_list("organisation_id", flat=True)
    )
    open_pathways = Pathway.objects.open().select_related("beneficiary")
    as_referent = open_pathways.filter(referent=user)
    if remaining:
        # Still a member of an organisation involved in the pathway: the thread holds.
        as_referent = as_referent.exclude(_involves_any(remaining))
    as_adviser = open_pathways.none()
    if membership.role == Role.PRESCRIBER_ADVISER:
        as_adviser = open_pathways.filter(prescribing_adviser=user, prescribing_organisation=membership.organisation)
    return Affected(as_referent=list(as_referent.order_by("pk")), as_adviser=list(as_adviser.order_by("pk")))


def successor_candidates(membership: Membership, *, adviser: bool):
    """Who may take over: active members of the same organisation, other than the person leaving."""
    roles = [Role.PRESCRIBER_ADVISER] if adviser else list(PERSON_ROLES)
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=membership.organisation,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .exclude(pk=membership.user_id)
        .distinct()
        .order_by("last_name", "first_name")
    )


@transaction.atomic
def membership_deactivate(
    *, membership: Membership, by, referents: dict[int, object], advisers: dict[int, object]
) -> Membership:
    """Deactivate `membership`, handing each affected pathway to the successor given for it.

    `referents` and `advisers` map pathway ids to successors; every affected pathway must have one, so no
    pathway is left without its thread.
    """
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("organisation", "user").get(pk=membership.pk)
    )
    if not membership.is_active:
        raise ValidationError(_("Ce rattachement est déjà désactivé."))
    if membership.role == Role.ORG_MANAGER and not (
        Membership.objects.active()
        .filter(organisation=membership.organisation, role=Role.ORG_MANAGER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(
            _("C'est le ou la dernier·ère responsable de la structure : nommez-en un·e autre avant de désactiver.")
        )
    affected = affected_pathways(membership)
    referent_ok = set(successor_candidates(membership, adviser=False).values_list("pk", flat=True))
    adviser_ok = set(successor_candidates(membership, adviser=True).values_list("pk", flat=True))
    missing = [p for p in affected.as_referent if getattr(referents.get(p.pk), "pk", None) not in referent_ok]
    missing += [p for p in affected.as_adviser if getattr(advisers.get(p.pk), "pk", None) not in adviser_ok]
    if missing:
        raise ValidationError(
            _("Choisissez un·e successeur·e, membre actif de la structure, pour chaque parcours (%(n)s manquant·s).")
            % {"n": len(missing)}
        )
    for pathway in affected.as_referent:
        pathway.referent = referents[pathway.pk]
        pathway.save(update_fields=["referent"])
    for pathway in affected.as_adviser:
        pathway = Pathway.objects.get(pk=pathway.pk)  # may have just changed referent
        pathway.prescribing_adviser = advisers[pathway.pk]
        pathway.save(update_fields=["prescribing_adviser"])
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.deactivated_by = by
    membership.save(update_fields=["is_active", "deactivated_at", "deactivated_by"])
    return membership


@transaction.atomic
def membership_reactivate(*, membership: Membership, by) -> Membership:
    if membership.is_active:
        raise ValidationError(_("Ce rattachement est déjà actif."))
    membership.is_active = True
    membership.deactivated_at = None
    membership.deactivated_by = None
    membership.save(update_fields=["is_active", "deactivated_at", "deactivated_by"])
    return membership
