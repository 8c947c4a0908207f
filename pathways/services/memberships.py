"""An organisation's members: invited along the table of roles (`Membership.ROLE_GRANTS`), accepted by the invited
account's owner, deactivated (with the hand-over of their pathways), reactivated."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import user_invite_send
from core.tasks import enqueue_on_commit
from pathways import scoping
from pathways.models import Membership, MembershipInvitation, Organisation, Pathway, PathwayPartner, Stage
from pathways.scoping import PERSON_ROLES

User = get_user_model()
Role = Membership.Role


def check_role_fits(*, organisation: Organisation, role: str, basin=None) -> None:
    """Refuse a role that does not exist in this kind of organisation, or a basin outside its region."""
    Membership(organisation=organisation, role=role, basin=basin).clean()


# --------------------------------------------------------------------------------------------------------------
# Who grants which role (the table is `Membership.ROLE_GRANTS`; this is its guard)

Granter = Membership.Granter
# The roles granted by a region's scheme organisation (`Region.scheme_organisation`).
REGIONAL_ROLES = frozenset(
    role for role, granters in Membership.ROLE_GRANTERS.items() if Granter.SCHEME_ORGANISATION in granters
)


def is_platform_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def scheme_regions(user) -> set[int]:
    """The regions whose scheme organisation `user` is an active manager of (they grant its regional roles)."""
    return {
        m.organisation.region_id
        for m in scoping.active_memberships(user)
        if m.role == Role.ORG_MANAGER and m.organisation.region.scheme_organisation_id == m.organisation_id
    }


def granter_capacities(user, organisation: Organisation) -> set[str]:
    """As whom `user` grants roles in `organisation`: its manager, the manager of its region's scheme organisation."""
    capacities = set()
    if organisation.pk in scoping.org_ids(user, roles={Role.ORG_MANAGER}):
        capacities.add(Granter.ORGANISATION_MANAGER)
    if organisation.region_id in scheme_regions(user):
        capacities.add(Granter.SCHEME_ORGANISATION)
    return capacities


def grantable_roles(user, organisation: Organisation) -> list[str]:
    """The roles `user` may grant (to someone else) in `organisation`, in the order of `Membership.Role`."""
    fitting = [role for role in Role if organisation.kind in Membership.ROLE_KINDS[role]]
    if is_platform_admin(user):
        return fitting
    capacities = granter_capacities(user, organisation)
    return [role for role in fitting if Membership.ROLE_GRANTERS[role] & capacities]


def may_set_legal_representative(user, organisation: Organisation) -> bool:
    return is_platform_admin(user) or bool(
        Membership.LEGAL_REPRESENTATIVE_GRANTED_BY & granter_capacities(user, organisation)
    )


def check_grant(*, by, organisation: Organisation, role: str, user=None, is_legal_representative=False) -> None:
    """Refuse what the table of roles does not let `by` grant, and any grant to themselves."""
    if user is not None and user.pk == by.pk:
        raise ValidationError(
            _("Personne ne s'attribue un rôle soi-même : demandez-le à un·e autre responsable habilité·e.")
        )
    if role not in grantable_roles(by, organisation):
        granters = Membership.ROLE_GRANTERS.get(role, set())
        raise ValidationError(
            {
                "role": _(
                    "Vous ne pouvez pas attribuer le rôle « %(role)s » dans cette structure : seule %(who)s "
                    "(ou l'administration de la plateforme) l'attribue."
                )
                % {
                    "role": Role(role).label if role in Role.values else role,
                    "who": " / ".join(str(Granter(g).label) for g in sorted(granters)),
                }
            }
        )
    if is_legal_representative and not may_set_legal_representative(by, organisation):
        raise ValidationError(
            {
                "is_legal_representative": _(
                    "Seule la direction de la structure désigne son ou sa représentant·e légal·e."
                )
            }
        )


# --------------------------------------------------------------------------------------------------------------
# Invitations: a role is offered to an account, whose owner accepts it


def _send_on_commit(invitation: MembershipInvitation) -> None:
    enqueue_on_commit(
        "pathways.tasks.membership_invitation_send_task",
        invitation.pk,
        catch_up="the manager can send the invitation again",
    )


@transaction.atomic
def membership_invite(
    *,
    organisation: Organisation,
    by,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    is_legal_representative: bool = False,
    basin=None,
) -> MembershipInvitation:
    """Offer `role` in `organisation` to the owner of `email`, who accepts it after logging in.

    An address without an account gets one (named as typed, without a password: the e-mail lets its owner choose
    it). Either way the answer is the same pending invitation: nothing tells the manager whether the address was
    known, nor whose it is, until its owner accepts.
    """
    basin = basin if role == Role.BASIN_COORDINATOR else None
    check_role_fits(organisation=organisation, role=role, basin=basin)
    email = User.objects.normalize_email(email).strip().lower()
    if email == (by.email or "").lower():
        raise ValidationError(
            {"email": _("Personne ne s'attribue un rôle soi-même : demandez-le à un·e autre responsable habilité·e.")}
        )
    check_grant(by=by, organisation=organisation, role=role, is_legal_representative=is_legal_representative)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif (
        organisation.pk in scoping.org_ids(by)
        and Membership.objects.filter(user=user, organisation=organisation, role=role, is_active=True).exists()
    ):
        # The manager reads their own organisation's members: this says nothing they cannot see.
        raise ValidationError({"email": _("Cette personne a déjà ce rôle dans votre structure.")})
    invitation = (
        MembershipInvitation.objects.select_for_update()
        .filter(user=user, organisation=organisation, role=role)
        .pending()
        .first()
    )
    if invitation is None:
        invitation = MembershipInvitation(user=user, organisation=organisation, role=role, send_count=0)
    invitation.email = email
    invitation.invited_by = by
    invitation.is_legal_representative = is_legal_representative
    invitation.basin = basin
    invitation.expires_at = timezone.now() + MembershipInvitation.VALID_FOR
    invitation.send_count += 1
    invitation.send_requested_at = timezone.now()
    invitation.sent_at = None
    invitation.full_clean()
    invitation.save()
    _send_on_commit(invitation)
    return invitation


# How long a declined invitation stays in the manager's list.
DECLINED_SHOWN_FOR = datetime.timedelta(days=30)


def invitations_sent(user, organisation: Organisation) -> list[MembershipInvitation]:
    """The invitations waiting for an answer (expired ones too) or declined lately, shown on `organisation`'s member
    list to its managers: its own, and on the scheme organisation's page the regional roles offered in the region.
    Each says whether `user` may send it again or cancel it."""
    condition = Q(organisation=organisation)
    if organisation.region.scheme_organisation_id == organisation.pk and organisation.region_id in scheme_regions(user):
        condition |= Q(role__in=REGIONAL_ROLES, organisation__region=organisation.region_id)
    invitations = list(
        MembershipInvitation.objects.for_user(user)
        .filter(condition)
        .filter(
            Q(status=MembershipInvitation.Status.PENDING)
            | Q(status=MembershipInvitation.Status.DECLINED, answered_at__gte=timezone.now() - DECLINED_SHOWN_FOR)
        )
        .select_related("organisation__region")
        .order_by("-created_at")[:200]
    )
    for invitation in invitations:
        pending = invitation.status == MembershipInvitation.Status.PENDING
        invitation.can_resend = pending and invitation.role in grantable_roles(user, invitation.organisation)
        invitation.can_cancel = pending and may_handle_invitation(user, invitation)
    return invitations


def invitations_received(user) -> list[MembershipInvitation]:
    """The invitations addressed to `user` that wait for their answer (expired ones shown as such)."""
    return list(
        MembershipInvitation.objects.for_user(user)
        .filter(user=user)
        .pending()
        .select_related("organisation", "invited_by", "basin")
        .order_by("-created_at")
    )


def may_handle_invitation(user, invitation: MembershipInvitation) -> bool:
    """Send again or cancel: who may grant its role there, or a manager of its organisation (to turn it down)."""
    return invitation.role in grantable_roles(user, invitation.organisation) or (
        Granter.ORGANISATION_MANAGER in granter_capacities(user, invitation.organisation)
    )


def _locked(invitation: MembershipInvitation) -> MembershipInvitation:
    return (
        MembershipInvitation.objects.select_for_update(of=("self",))
        .select_related("organisation__region", "user", "invited_by", "basin")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def membership_invitation_resend(*, invitation: MembershipInvitation, by) -> MembershipInvitation:
    """Send a pending (or expired) invitation again, valid for another period, in the name of `by`."""
    invitation = _locked(invitation)
    if invitation.status != MembershipInvitation.Status.PENDING:
        raise ValidationError(_("Cette invitation a déjà reçu une réponse ou a été annulée."))
    check_grant(
        by=by,
        organisation=invitation.organisation,
        role=invitation.role,
        user=invitation.user,
        is_legal_representative=invitation.is_legal_representative,
    )
    invitation.invited_by = by
    invitation.expires_at = timezone.now() + MembershipInvitation.VALID_FOR
    invitation.send_count += 1
    invitation.send_requested_at = timezone.now()
    invitation.sent_at = None
    invitation.save(update_fields=["invited_by", "expires_at", "send_count", "send_requested_at", "sent_at"])
    _send_on_commit(invitation)
    return invitation


@transaction.atomic
def membership_invitation_cancel(*, invitation: MembershipInvitation, by) -> MembershipInvitation:
    invitation = _locked(invitation)
    if invitation.status != MembershipInvitation.Status.PENDING:
        raise ValidationError(_("Cette invitation a déjà reçu une réponse ou a été annulée."))
    if not may_handle_invitation(by, invitation):
        raise ValidationError(_("Vous ne pouvez pas annuler cette invitation."))
    _answer(invitation, MembershipInvitation.Status.CANCELLED, by)
    return invitation


def _answer(invitation, status, by, membership=None):
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.answered_by = by
    invitation.membership = membership
    invitation.save(update_fields=["status", "answered_at", "answered_by", "membership"])


def _check_addressee(invitation: MembershipInvitation, by) -> None:
    if invitation.user_id != by.pk:
        raise ValidationError(_("Cette invitation est adressée à un autre compte."))
    if invitation.status != MembershipInvitation.Status.PENDING:
        raise ValidationError(_("Vous avez déjà répondu à cette invitation, ou elle a été annulée."))


@transaction.atomic
def membership_invitation_accept(*, invitation: MembershipInvitation, by) -> Membership:
    """The invited account's owner accepts: the membership is made (or made active again) with the offered role.

    The grant is checked again against the table: an inviter who may no longer grant the role (deactivated, or no
    longer manager) leaves an invitation that cannot be accepted.
    """
    invitation = _locked(invitation)
    _check_addressee(invitation, by)
    if invitation.is_expired:
        raise ValidationError(_("Cette invitation a expiré : demandez à la structure de vous l'envoyer à nouveau."))
    inviter = User.objects.get(pk=invitation.invited_by_id)  # fresh: their memberships are read anew
    try:
        check_grant(
            by=inviter,
            organisation=invitation.organisation,
            role=invitation.role,
            user=by,
            is_legal_representative=invitation.is_legal_representative,
        )
    except ValidationError:
        raise ValidationError(
            _("Cette invitation n'est plus valable : la personne qui l'a envoyée ne peut plus attribuer ce rôle.")
        ) from None
    if not invitation.organisation.is_active:
        raise ValidationError(_("Cette structure n'est plus active sur Sans Rupture."))
    membership = (
        Membership.objects.select_for_update()
        .filter(user=by, organisation=invitation.organisation, role=invitation.role)
        .first()
    )
    if membership is None:
        membership = Membership(user=by, organisation=invitation.organisation, role=invitation.role)
    if membership.is_active and membership.pk is not None:
        # Already holding the role: the offer adds the flag, never takes it away.
        membership.is_legal_representative = membership.is_legal_representative or invitation.is_legal_representative
    else:
        membership.is_active = True
        membership.deactivated_at = None
        membership.deactivated_by = None
        membership.is_legal_representative = invitation.is_legal_representative
    membership.basin = invitation.basin
    membership.full_clean()
    membership.save()
    _answer(invitation, MembershipInvitation.Status.ACCEPTED, by, membership)
    return membership


@transaction.atomic
def membership_invitation_decline(*, invitation: MembershipInvitation, by) -> MembershipInvitation:
    invitation = _locked(invitation)
    _check_addressee(invitation, by)
    _answer(invitation, MembershipInvitation.Status.DECLINED, by)
    return invitation


def membership_invitation_send(*, invitation_id: int) -> str:
    """E-mail the invitation (the work of `membership_invitation_send_task`). At least once: a crash between the
    sending and its record sends again, with the same Message-ID; an answered, expired or already sent invitation,
    or an inactive account, is skipped."""
    invitation = (
        MembershipInvitation.objects.select_related("user", "organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open or invitation.sent_at is not None or not invitation.user.is_active:
        return "skipped"
    user_invite_send(
        user=invitation.user,
        organisation_name=invitation.organisation.name,
        invited_by=invitation.invited_by,
        role_name=Role(invitation.role).label,
        accept_url=settings.SITE_URL.rstrip("/") + reverse("pathways:membership_invitation_list"),
        expires_at=invitation.expires_at,
        message_id=f"<invitation-{invitation.pk}-{invitation.send_count}@{_mail_domain()}>",
    )
    MembershipInvitation.objects.filter(
        pk=invitation.pk, send_count=invitation.send_count, sent_at__isnull=True
    ).update(sent_at=timezone.now())
    return "sent"


# How long an e-mail may wait for its task before the sweeper enqueues it again (the broker may have been down).
SEND_SWEEP_AFTER = datetime.timedelta(minutes=5)


def membership_invitations_unsent(limit: int = 500) -> list[int]:
    """Open invitations whose e-mail was asked for a while ago and is still not sent: for the beat sweeper."""
    return list(
        MembershipInvitation.objects.open()
        .filter(sent_at__isnull=True, send_requested_at__lt=timezone.now() - SEND_SWEEP_AFTER, user__is_active=True)
        .order_by("send_requested_at")
        .values_list("pk", flat=True)[:limit]
    )


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "sans-rupture.local"


@transaction.atomic
def membership_update(*, membership: Membership, by, is_legal_representative: bool, basin=None) -> Membership:
    """Change the flag and the coordinated basin of someone else's membership, as the table of roles allows."""
    if membership.user_id == by.pk:
        raise ValidationError(
            _("Personne ne modifie son propre rattachement : demandez-le à un·e autre responsable habilité·e.")
        )
    basin = basin if membership.role == Role.BASIN_COORDINATOR else None
    check_role_fits(organisation=membership.organisation, role=membership.role, basin=basin)
    if is_legal_representative != membership.is_legal_representative and not may_set_legal_representative(
        by, membership.organisation
    ):
        raise ValidationError(
            {
                "is_legal_representative": _(
                    "Seule la direction de la structure désigne son ou sa représentant·e légal·e."
                )
            }
        )
    if (basin.pk if basin else None) != membership.basin_id:
        check_grant(by=by, organisation=membership.organisation, role=membership.role, user=membership.user)
    membership.is_legal_representative = is_legal_representative
    membership.basin = basin
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
    """Give back a role that was taken away: a grant like any other (the table of roles, never to oneself)."""
    if membership.is_active:
        raise ValidationError(_("Ce rattachement est déjà actif."))
    check_grant(
        by=by,
        organisation=membership.organisation,
        role=membership.role,
        user=membership.user,
        is_legal_representative=membership.is_legal_representative,
    )
    membership.is_active = True
    membership.deactivated_at = None
    membership.deactivated_by = None
    membership.save(update_fields=["is_active", "deactivated_at", "deactivated_by"])
    return membership
