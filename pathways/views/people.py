"""People: list, creation with duplicate detection, record, identity changes; join requests."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_errors
from core.pagination import paginate
from core.params import parse_id
from pathways import exports, rights, scoping
from pathways.filters import BeneficiaryFilter
from pathways.forms import (
    BeneficiaryCreateForm,
    BeneficiaryForm,
    JoinDecisionForm,
    JoinRequestForm,
    PathwayOpenForm,
    UserChoiceField,
    people_of,
)
from pathways.models import Beneficiary, JoinRequest, Membership, Organisation, Pathway
from pathways.scoping import get_for_user_or_404, require
from pathways.services import people as people_services


@require_GET
def beneficiary_list(request):
    filterset = people_filter(request.user, request.GET)
    if response := exports.respond(request, "personnes", filterset.qs):
        return response
    page = paginate(request, filterset.qs)
    scoping.log_people_listed(request, (entry for person in page.object_list for entry in person_entries(person)))
    return render(
        request,
        "pathways/beneficiary_list.html",
        {"filter": filterset, "page": page, "can_enrol": scoping.can_enrol(request.user)},
    )


def people_filter(user, params) -> BeneficiaryFilter:
    """The people list's rows for `user` with the filters of `params`: the page and its export (`pathways.exports`)."""
    queryset = (
        Beneficiary.objects.for_user(user)
        .select_related("commune")
        .prefetch_related(
            Prefetch(
                "pathways",
                queryset=Pathway.objects.select_related("referent").order_by("-opened_at"),
                to_attr="pathway_list",
            )
        )
        .order_by("last_name", "first_name", "pk")
    )
    return BeneficiaryFilter(params, queryset=queryset)


def person_entries(person):
    """(person, organisations through which the list shows them) for the access log."""
    return [
        (
            person,
            [
                org
                for pathway in person.pathway_list
                for org in (pathway.prescribing_organisation_id, pathway.opened_by_id)
            ],
        )
    ]


@require_http_methods(["GET", "POST"])
def beneficiary_create(request):
    """Each POST first checks for duplicates (`people_services.duplicate_check`); the person is created when it
    found none, or only contact matches the user confirmed are someone else."""
    require(scoping.can_enrol(request.user))
    form = BeneficiaryCreateForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        adviser_options_url=reverse("pathways:adviser_options"),
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        view_name = request.resolver_match.view_name
        try:
            duplicates = people_services.duplicate_check(
                user=request.user,
                opened_by=data["opened_by"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
                email=data["email"],
                phone=data["phone"],
                view_name=view_name,
            )
            if not [d for d in duplicates if d.same_identity or not data["confirm_other_person"]]:
                pathway = people_services.beneficiary_create(
                    by=request.user,
                    opened_by=data["opened_by"],
                    identity=form.identity(),
                    referent=data["referent"],
                    prescribing_organisation=data["prescribing_organisation"],
                    prescribing_adviser=data["prescribing_adviser"],
                    view_name=view_name,
                )
                # The information notice is due now (issue 20): offered in the same message, with its link.
                registered = _(
                    "%(name)s est enregistré·e et son parcours est ouvert. Prévoyez maintenant sa première étape."
                ) % {"name": pathway.beneficiary.full_name}
                messages.success(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        registered,
                        reverse("pathways:notice", args=[pathway.beneficiary_id]),
                        _("Imprimez et remettez-lui la notice d'information."),
                    ),
                )
                return redirect(pathway)
        except ValidationError as error:
            apply_errors(form, error)
        for duplicate in duplicates:
            if not duplicate.visible:
                typed_name = f"{data['first_name']} {data['last_name'].upper()}"
                token = duplicate.join_token(user=request.user, organisation=data["opened_by"], typed_name=typed_name)
                duplicate.join_form = JoinRequestForm(initial={"token": token})
    return render(
        request,
        "pathways/beneficiary_create.html",
        {
            "form": form,
            "duplicates": duplicates,
            "only_contact_matches": duplicates and not any(d.same_identity for d in duplicates),
        },
    )


@require_GET
def adviser_options(request):
    """htmx: the advisers of the chosen prescribing organisation, as <option>s."""
    organisation = Organisation.objects.filter(
        pk=parse_id(request.GET.get("prescribing_organisation")),
        kind=Organisation.Kind.PRESCRIBER,
        region__in=scoping.region_ids(request.user),
    ).first()
    advisers = people_of([organisation], roles={Membership.Role.PRESCRIBER_ADVISER}) if organisation else []
    field = UserChoiceField(queryset=people_of([]), empty_label=_("— À préciser —"))
    return render(
        request,
        "pathways/includes/adviser_options.html",
        {
            "advisers": [(u.pk, field.label_from_instance(u)) for u in advisers],
            "empty_label": field.empty_label,
        },
    )


@require_GET
def beneficiary_detail(request, pk):
    beneficiary = get_for_user_or_404(Beneficiary.objects.select_related("commune", "region"), request, pk=pk)
    pathways = (
        Pathway.objects.for_user(request.user).filter(beneficiary=beneficiary).with_list_data().order_by("-opened_at")
    )
    has_open = any(p.status == Pathway.Status.OPEN for p in pathways)
    can_edit = any(scoping.can_manage_pathway(request.user, p) for p in pathways)
    return render(
        request,
        "pathways/beneficiary_detail.html",
        {
            "beneficiary": beneficiary,
            "pathways": pathways,
            "can_edit": can_edit,
            "can_open_pathway": not has_open and scoping.can_enrol(request.user),
            "rights": rights.rights_panel(request.user, beneficiary, can_manage=can_edit),
            # Who accessed the record: for their referent (the DPOs, from their data-protection page).
            "can_read_access_log": any(p.referent_id == request.user.pk for p in pathways),
        },
    )


@require_http_methods(["GET", "POST"])
def beneficiary_update(request, pk):
    beneficiary = get_for_user_or_404(Beneficiary.objects, request, pk=pk)
    pathways = list(Pathway.objects.for_user(request.user).filter(beneficiary=beneficiary))
    require(any(scoping.can_manage_pathway(request.user, p) for p in pathways))
    form = BeneficiaryForm(
        request.POST if request.method == "POST" else None, instance=beneficiary, region=beneficiary.region
    )
    if request.method == "POST" and form.is_valid():
        try:
            people_services.beneficiary_update(beneficiary=beneficiary, by=request.user, **form.identity())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Les informations de la personne sont enregistrées."))
            return redirect(beneficiary)
    return render(request, "pathways/beneficiary_form.html", {"form": form, "beneficiary": beneficiary})


@require_http_methods(["GET", "POST"])
def pathway_open(request, pk):
    """A new pathway for a person whose pathways are all closed."""
    beneficiary = get_for_user_or_404(Beneficiary.objects, request, pk=pk)
    require(scoping.can_enrol(request.user))
    current = beneficiary.pathways.filter(status=Pathway.Status.OPEN).first()
    if current is not None:
        messages.info(
            request,
            _("Cette personne a déjà un parcours en cours : complétez-le plutôt que d'en ouvrir un autre."),
        )
        return redirect(current)
    form = PathwayOpenForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        adviser_options_url=reverse("pathways:adviser_options"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pathway = people_services.pathway_open(
                by=request.user,
                opened_by=data["opened_by"],
                beneficiary=beneficiary,
                referent=data["referent"],
                prescribing_organisation=data["prescribing_organisation"],
                prescribing_adviser=data["prescribing_adviser"],
                view_name=request.resolver_match.view_name,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le nouveau parcours est ouvert."))
            return redirect(pathway)
    return render(request, "pathways/pathway_open.html", {"form": form, "beneficiary": beneficiary})


# --------------------------------------------------------------------------------------------------------------
# Join requests


@require_POST
def join_request_create(request):
    require(scoping.can_enrol(request.user))
    form = JoinRequestForm(request.POST)
    if form.is_valid():
        try:
            pathway, organisation, typed_name = people_services.join_token_read(
                form.cleaned_data["token"], user=request.user
            )
            people_services.join_request_create(
                pathway=pathway,
                organisation=organisation,
                by=request.user,
                typed_name=typed_name,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            if "message" not in getattr(error, "error_dict", {}):
                messages.error(request, " ".join(error.messages))
                return redirect("pathways:beneficiary_create")
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Votre demande est envoyée au ou à la référent·e du parcours. Vous verrez sa réponse dans vos "
                    "demandes."
                ),
            )
            return redirect("pathways:join_request_list")
    if "token" in form.errors:
        messages.error(request, _("La demande n'a pas pu être lue. Recommencez la saisie de la personne."))
        return redirect("pathways:beneficiary_create")
    # The message refused: shown again with its error and what was typed, to send once corrected.
    return render(request, "pathways/join_request_form.html", {"form": form})


@require_GET
def join_request_list(request):
    return _join_request_list_page(request)


def _join_request_list_page(request, *, decision_form=None, deciding=None):
    """The requests to answer and those sent; an answer refused is shown again on its request (`deciding`), with its
    errors on its fields and what was typed."""
    user = request.user
    to_answer = (
        JoinRequest.objects.for_user(user)
        .filter(pathway__referent=user)
        .select_related("organisation", "requested_by", "pathway__beneficiary", "decided_by")
        .order_by("-status", "-created_at")
    )
    # What my organisations asked: the person is named only once the request is accepted.
    sent = (
        JoinRequest.objects.for_user(user)
        .filter(organisation__in=scoping.org_ids(user))
        .select_related("organisation", "requested_by")
        .order_by("-created_at")
    )
    to_answer = paginate(request, to_answer)
    # The requests to answer name the person of the record (the requests sent, only the name typed).
    scoping.log_people_listed(
        request,
        (
            (
                join_request.pathway.beneficiary,
                (join_request.pathway.prescribing_organisation_id, join_request.pathway.opened_by_id),
            )
            for join_request in to_answer.object_list
        ),
    )
    return render(
        request,
        "pathways/join_request_list.html",
        {
            "to_answer": to_answer,
            "sent": sent[:50],
            "decision_form": JoinDecisionForm(),
            "refused_form": decision_form,
            "deciding": deciding,
        },
    )


@require_POST
def join_request_decide(request, pk):
    join_request = get_for_user_or_404(JoinRequest.objects.select_related("pathway__beneficiary"), request, pk=pk)
    require(join_request.pathway.referent_id == request.user.pk)
    form = JoinDecisionForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the answer and its access log row together
                people_services.join_request_decide(
                    join_request=join_request,
                    by=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    comment=form.cleaned_data["comment"],
                )
                # Opening (or not) the person's record to another organisation is a change of it.
                scoping.record_access(request, join_request.pathway.beneficiary)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if form.cleaned_data["decision"] == "accept":
                messages.success(
                    request,
                    _("%(org)s est associée au parcours et peut désormais le consulter.")
                    % {"org": join_request.organisation.name},
                )
            else:
                messages.success(request, _("La demande est refusée."))
            return redirect("pathways:join_request_list")
    return _join_request_list_page(request, decision_form=form, deciding=join_request.pk)
