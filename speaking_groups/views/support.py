"""Hotline, network work and sharing with the referent: pages of the support structure's active facilitators (404 for
everyone else); a shared summary is also read by the referent it was shared with."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import AccessLog
from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.models import Stage
from pathways.scoping import get_for_user_or_404
from speaking_groups.forms.support import HotlineCallForm, NetworkContactForm, ShareForm
from speaking_groups.models import HotlineCall, NetworkContact, ReferentShare
from speaking_groups.selectors import people_entries
from speaking_groups.services import support as services


def _supports_or_404(request):
    """The user's support structures (active facilitator), or 404: these pages exist for no one else."""
    supports = list(services.supports_of(request.user))
    if not supports:
        raise Http404
    return supports


def _support(request, supports):
    raw = request.GET.get("structure") or ""
    return next((s for s in supports if str(s.pk) == raw), supports[0])


@require_http_methods(["GET", "POST"])
def hotline(request):
    """The hotline page: the form to log a call first, the structure's calls below, newest first."""
    supports = _supports_or_404(request)
    support = _support(request, supports)
    people = services.known_people(request.user, support)
    groups = services.groups_of(support)
    form = HotlineCallForm(request.POST if request.method == "POST" else None, people=people, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the call and its access log row (a change of its person's record) together
                services.hotline_call_log(by=request.user, support_organisation=support, **form.cleaned_data)
                scoping.log_people_listed(
                    request,
                    people_entries([form.cleaned_data.get("stage")], (support.pk,)),
                    action=AccessLog.Action.CHANGE,
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'appel est noté."))
            return redirect(request.get_full_path())
    calls = (
        HotlineCall.objects.for_user(request.user)
        .filter(support_organisation=support)
        .select_related("stage__pathway__beneficiary", "group", "logged_by")
        .order_by("-called_at", "-pk")
    )
    page = paginate(request, calls)
    # The page names the people of its calls and, in the form's list, everyone a call may be linked to.
    scoping.log_people_listed(
        request, people_entries([*(call.stage for call in page.object_list), *people], (support.pk,))
    )
    return render(
        request,
        "speaking_groups/support/hotline.html",
        {"supports": supports, "support": support, "form": form, "page": page},
        status=400 if form.is_bound else 200,
    )


def _person(request, stage_pk):
    """The stage of a person the facilitator follows (through a group of their structure), and that structure."""
    _supports_or_404(request)
    stage = get_for_user_or_404(
        Stage.objects.select_related("pathway__beneficiary", "pathway__referent"), request, pk=stage_pk
    )
    support = services.reaching_support(request.user, stage)
    if support is None:
        raise Http404
    return stage, support


@require_http_methods(["GET", "POST"])
def network_person(request, stage_pk):
    """A person's network work: log a contact with an outside service, the contacts logged so far."""
    stage, support = _person(request, stage_pk)
    form = NetworkContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_contact_log(
                by=request.user, stage=stage, support_organisation=support, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le contact est noté."))
            return redirect("speaking_groups:support_network_person", stage_pk=stage.pk)
    contacts = (
        NetworkContact.objects.for_user(request.user)
        .filter(stage__pathway=stage.pathway_id)
        .select_related("support_organisation", "logged_by")
        .order_by("-contacted_on", "-pk")
    )
    return render(
        request,
        "speaking_groups/support/network_person.html",
        {"stage": stage, "person": stage.pathway.beneficiary, "form": form, "page": paginate(request, contacts)},
        status=400 if form.is_bound else 200,
    )


@require_GET
def network_list(request):
    """The network work of the user's support structures."""
    supports = _supports_or_404(request)
    contacts = (
        NetworkContact.objects.for_user(request.user)
        .select_related("stage__pathway__beneficiary", "support_organisation", "logged_by")
        .order_by("-contacted_on", "-pk")
    )
    page = paginate(request, contacts)
    scoping.log_people_listed(
        request,
        [(contact.stage.pathway.beneficiary, (contact.support_organisation_id,)) for contact in page.object_list],
    )
    return render(
        request,
        "speaking_groups/support/network_list.html",
        {"supports": supports, "page": page},
    )


@require_http_methods(["GET", "POST"])
def share_create(request, stage_pk):
    """Share a summary with the pathway's referent, with the person's consent recorded for this share."""
    stage, support = _person(request, stage_pk)
    form = ShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.referent_share(
                by=request.user, stage=stage, support_organisation=support, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La synthèse est partagée avec le ou la référent·e."))
            return redirect("speaking_groups:support_share_detail", pk=share.pk)
    return render(
        request,
        "speaking_groups/support/share_form.html",
        {"stage": stage, "person": stage.pathway.beneficiary, "referent": stage.pathway.referent, "form": form},
        status=400 if form.is_bound else 200,
    )


def _shares(user):
    """The shares `user` sees, about people they still see (the scope: a facilitator whose group no longer follows
    the person does not read their name here)."""
    return ReferentShare.objects.for_user(user)


@require_GET
def share_list(request):
    """The shares the user sees: those of their support structures (facilitators), those made to them (referent)."""
    shares = (
        _shares(request.user)
        .select_related("stage__pathway__beneficiary", "recipient", "shared_by", "support_organisation")
        .order_by("-shared_at", "-pk")
    )
    page = paginate(request, shares)
    # A facilitator reads them for their structure; the referent through the organisations that follow the person.
    scoping.log_people_listed(
        request,
        [
            (
                share.stage.pathway.beneficiary,
                (
                    share.support_organisation_id,
                    share.stage.organisation_id,
                    share.stage.pathway.prescribing_organisation_id,
                    share.stage.pathway.opened_by_id,
                ),
            )
            for share in page.object_list
        ],
    )
    return render(request, "speaking_groups/support/share_list.html", {"page": page})


@require_GET
def share_detail(request, pk):
    share = get_for_user_or_404(
        _shares(request.user).select_related(
            "stage__pathway__beneficiary", "recipient", "shared_by", "support_organisation"
        ),
        request,
        pk=pk,
    )
    return render(request, "speaking_groups/support/share_detail.html", {"share": share})


urlpatterns = [
    path("hotline/", hotline, name="support_hotline"),
    path("reseau/", network_list, name="support_network_list"),
    path("personnes/<int:stage_pk>/reseau/", network_person, name="support_network_person"),
    path("personnes/<int:stage_pk>/partager/", share_create, name="support_share_create"),
    path("partages/", share_list, name="support_share_list"),
    path("partages/<int:pk>/", share_detail, name="support_share_detail"),
]
