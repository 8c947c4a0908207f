"""An organisation's members, managed by its organisation manager."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import twofactor
from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.forms import MemberAddForm, MembershipDeactivateForm, MembershipEditForm, OrganisationTwoFactorForm
from pathways.models import Membership, MembershipInvitation, Organisation
from pathways.panels import attach_badges
from pathways.scoping import get_for_user_or_404, require
from pathways.services import memberships as membership_services
from pathways.services import organisations as organisation_services
from pathways.twofactor import TWO_FACTOR_KINDS


def _membership(request, pk):
    """A membership of one of the user's organisations (404 otherwise); only its manager may change it (403)."""
    membership = get_for_user_or_404(Membership.objects.select_related("user", "organisation", "basin"), request, pk=pk)
    require(scoping.can_manage_members(request.user, membership.organisation))
    return membership


@require_GET
def membership_list(request, pk):
    organisation = get_for_user_or_404(Organisation.objects.select_related("region"), request, pk=pk)
    attach_badges([organisation])
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "basin", "deactivated_by")
        .order_by("-is_active", "user__last_name", "user__first_name", "role")
    )
    status = request.GET.get("statut", "actifs")
    if status == "actifs":
        memberships = memberships.filter(is_active=True)
    elif status == "inactifs":
        memberships = memberships.filter(is_active=False)
    can_manage = scoping.can_manage_members(request.user, organisation)
    two_factor = None
    if can_manage:
        # Who has set up a second factor: a column of the list and a count of the active members, for the manager
        # who decides whether to make it mandatory (the same query as the page's rows, one more for the count).
        memberships = memberships.annotate(has_two_factor=twofactor.has_device_expression("user"))
        two_factor = Membership.objects.filter(organisation=organisation, is_active=True).aggregate(
            members=Count("user", distinct=True),
            enrolled=Count("user", distinct=True, filter=Q(user__in=twofactor.users_with_device().values("user"))),
        )
    return render(
        request,
        "pathways/membership_list.html",
        {
            "organisation": organisation,
            "page": paginate(request, memberships, per_page=50),
            "status": status,
            "can_manage": can_manage,
            "two_factor": two_factor,
            # A funder's members are the regional staff: the second factor is theirs whatever the setting.
            "two_factor_by_kind": organisation.kind in TWO_FACTOR_KINDS,
            "two_factor_form": OrganisationTwoFactorForm(
                initial={"required": "0" if organisation.two_factor_required else "1"}
            )
            if can_manage
            else None,
            "runs_offer": scoping.can_manage_offer(request.user, organisation.pk),
            "invitations": membership_services.invitations_sent(request.user, organisation) if can_manage else [],
        },
    )


@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    """Invite someone to a role. The manager sees the same answer whether the address had an account or not."""
    organisation = get_for_user_or_404(Organisation.objects.select_related("region"), request, pk=pk)
    require(scoping.can_manage_members(request.user, organisation))
    form = MemberAddForm(
        request.POST if request.method == "POST" else None, organisation=organisation, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = membership_services.membership_invite(by=request.user, **form.invitation())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s. Le rôle lui sera attribué quand elle l'aura acceptée.")
                % {"email": invitation.email},
            )
            return redirect("pathways:membership_list", pk=organisation.pk)
    return render(
        request,
        "pathways/member_add.html",
        {"form": form, "organisation": organisation, "valid_days": MembershipInvitation.VALID_FOR.days},
    )


@require_POST
def organisation_two_factor_update(request, pk):
    """The organisation manager makes the second factor mandatory for the organisation's active members (or optional
    again). A member without an authenticator app, the manager included, is sent to set one up at their next page."""
    organisation = get_for_user_or_404(Organisation.objects.select_related("region"), request, pk=pk)
    require(scoping.can_manage_members(request.user, organisation))
    form = OrganisationTwoFactorForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("pathways:membership_list", pk=organisation.pk)
    required = form.cleaned_data["required"]
    try:
        changed = organisation_services.organisation_two_factor_set(
            organisation=organisation, required=required, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("pathways:membership_list", pk=organisation.pk)
    if not changed:
        messages.info(request, _("Ce réglage était déjà en place : rien n'a changé."))
    elif required:
        messages.success(
            request,
            _(
                "La double authentification est maintenant obligatoire pour les membres de %(organisation)s : ceux "
                "qui ne l'ont pas encore activée devront la configurer à leur prochaine page."
            )
            % {"organisation": organisation.name},
        )
    else:
        messages.success(
            request,
            _(
                "La double authentification n'est plus obligatoire pour les membres de %(organisation)s (elle le "
                "reste pour les rôles qui l'exigent)."
            )
            % {"organisation": organisation.name},
        )
    return redirect("pathways:membership_list", pk=organisation.pk)


@require_http_methods(["GET", "POST"])
def membership_update(request, pk):
    membership = _membership(request, pk)
    form = MembershipEditForm(
        request.POST if request.method == "POST" else None, membership=membership, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_services.membership_update(
                membership=membership,
                by=request.user,
                is_legal_representative=form.cleaned_data["is_legal_representative"],
                basin=form.cleaned_data.get("basin"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le rattachement est mis à jour."))
            return redirect("pathways:membership_list", pk=membership.organisation_id)
    return render(request, "pathways/membership_form.html", {"form": form, "membership": membership})


@require_http_methods(["GET", "POST"])
def membership_deactivate(request, pk):
    """Deactivating a member first hands over every pathway they hold the thread of."""
    membership = _membership(request, pk)
    if not membership.is_active:
        messages.info(request, _("Ce rattachement est déjà désactivé."))
        return redirect("pathways:membership_list", pk=membership.organisation_id)
    affected = membership_services.affected_pathways(membership)
    form = MembershipDeactivateForm(
        request.POST if request.method == "POST" else None,
        affected=affected,
        referent_candidates=membership_services.successor_candidates(membership, adviser=False),
        adviser_candidates=membership_services.successor_candidates(membership, adviser=True),
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_services.membership_deactivate(
                membership=membership, by=request.user, referents=form.referents, advisers=form.advisers
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            scoping.forget_memberships(request.user)
            messages.success(
                request,
                _("Le rattachement de %(name)s est désactivé ; %(n)s parcours ont été confiés à leurs successeur·es.")
                % {"name": membership.user, "n": len(affected.pathways)},
            )
            return redirect("pathways:membership_list", pk=membership.organisation_id)
    return render(
        request,
        "pathways/membership_deactivate.html",
        {"form": form, "membership": membership, "affected": affected},
    )


@require_POST
def membership_reactivate(request, pk):
    membership = _membership(request, pk)
    try:
        membership_services.membership_reactivate(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le rattachement de %(name)s est réactivé.") % {"name": membership.user})
    return redirect("pathways:membership_list", pk=membership.organisation_id)


# --------------------------------------------------------------------------------------------------------------
# Invitations: the invited person answers; the managers who may grant the role send them again or cancel them


@require_GET
def membership_invitation_list(request):
    """The invitations addressed to the logged-in user, to accept or decline."""
    return render(
        request,
        "pathways/membership_invitation_list.html",
        {"invitations": membership_services.invitations_received(request.user)},
    )


def _invitation(request, pk):
    return get_for_user_or_404(
        MembershipInvitation.objects.select_related("organisation__region", "user", "invited_by", "basin"),
        request,
        pk=pk,
    )


@require_POST
def membership_invitation_accept(request, pk):
    invitation = _invitation(request, pk)
    require(invitation.user_id == request.user.pk)
    try:
        membership = membership_services.membership_invitation_accept(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("pathways:membership_invitation_list")
    scoping.forget_memberships(request.user)
    messages.success(
        request,
        _("Vous êtes maintenant %(role)s de %(organisation)s.")
        % {"role": membership.get_role_display(), "organisation": membership.organisation.name},
    )
    return redirect("pathways:home")


@require_POST
def membership_invitation_decline(request, pk):
    invitation = _invitation(request, pk)
    require(invitation.user_id == request.user.pk)
    try:
        membership_services.membership_invitation_decline(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Vous avez refusé l'invitation de %(organisation)s.") % {"organisation": invitation.organisation.name},
        )
    return redirect("pathways:membership_invitation_list")


def _back_to_members(request, invitation):
    """The member list the manager came from: the invitation's organisation, or their own scheme organisation's."""
    organisation = invitation.organisation
    if not scoping.can_manage_members(request.user, organisation):
        organisation = organisation.region.scheme_organisation
    return redirect("pathways:membership_list", pk=organisation.pk)


@require_POST
def membership_invitation_resend(request, pk):
    invitation = _invitation(request, pk)
    require(invitation.role in membership_services.grantable_roles(request.user, invitation.organisation))
    try:
        membership_services.membership_invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation envoyée à nouveau à %(email)s.") % {"email": invitation.email})
    return _back_to_members(request, invitation)


@require_POST
def membership_invitation_cancel(request, pk):
    invitation = _invitation(request, pk)
    require(membership_services.may_handle_invitation(request.user, invitation))
    try:
        membership_services.membership_invitation_cancel(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'invitation de %(email)s est annulée.") % {"email": invitation.email})
    return _back_to_members(request, invitation)
