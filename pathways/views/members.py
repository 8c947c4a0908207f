"""An organisation's members, managed by its organisation manager."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.forms import MemberAddForm, MembershipDeactivateForm, MembershipEditForm
from pathways.models import Membership, Organisation
from pathways.panels import attach_badges
from pathways.scoping import get_for_user_or_404, require
from pathways.services import memberships as membership_services


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
    return render(
        request,
        "pathways/membership_list.html",
        {
            "organisation": organisation,
            "page": paginate(request, memberships, per_page=50),
            "status": status,
            "can_manage": scoping.can_manage_members(request.user, organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    organisation = get_for_user_or_404(Organisation.objects, request, pk=pk)
    require(scoping.can_manage_members(request.user, organisation))
    form = MemberAddForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_services.member_add(organisation=organisation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            invited = not membership.user.has_usable_password()
            messages.success(
                request,
                _("%(name)s est ajouté·e comme %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()}
                + (" " + _("Un e-mail l'invite à choisir son mot de passe.") if invited else ""),
            )
            return redirect("pathways:membership_list", pk=organisation.pk)
    return render(request, "pathways/member_add.html", {"form": form, "organisation": organisation})


@require_http_methods(["GET", "POST"])
def membership_update(request, pk):
    membership = _membership(request, pk)
    form = MembershipEditForm(request.POST if request.method == "POST" else None, membership=membership)
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
