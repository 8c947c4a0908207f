"""Reading the charter, signing it for an organisation, a signature's page and copy, withdrawing a signature."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from charter import selectors, services
from charter.copies import copy_filename, latest_copy, ready_copy
from charter.forms import ReasonForm, SignForm
from charter.models import CharterVersion, Signature
from core.documents import document_response
from core.forms import apply_errors
from pathways.models import Organisation
from pathways.scoping import get_for_user_or_404, require

# A signature page waiting for its copy asks again this often (seconds).
COPY_POLL_SECONDS = 3


@require_GET
def charter_current(request):
    """The charter in force in the reader's region (`?region=` for another one), in the reader's language, and
    where each of their organisations of that region stands."""
    page = selectors.charter_page(request.user, region_code=request.GET.get("region"))
    return render(request, "charter/charter.html", {"page": page})


@require_GET
def version_detail(request, region, number):
    """A published version of a region's charter (everyone logged in reads every version); a draft is its
    editors' only."""
    version = CharterVersion.objects.select_related("region").filter(region__code=region, number=number).first()
    if version is None:
        raise Http404
    if not version.is_published:
        if not services.can_publish(request.user, version.region_id):
            raise Http404
        return redirect("charter:draft_edit", pk=version.pk)
    current = CharterVersion.objects.current(version.region_id)
    return render(
        request,
        "charter/version_detail.html",
        {**selectors.version_text(version), "is_current": version == current},
    )


@require_GET
def version_detail_of_my_region(request, number):
    """The address of a version before the charter became regional (links in earlier notifications): the version of
    that number in the reader's region."""
    regions = [region.pk for region in selectors.reader_regions(request.user)]
    version = (
        CharterVersion.objects.published()
        .filter(region__in=regions, number=number)
        .select_related("region")
        .order_by("region__name")
        .first()
    )
    if version is None:
        raise Http404
    return redirect(version)


@require_http_methods(["GET", "POST"])
def sign(request, organisation_pk):
    """Sign the charter in force for an organisation: its legal representative may; its other members get 403,
    everyone else 404."""
    organisation = get_for_user_or_404(
        Organisation.objects.select_related("region__scheme_organisation"), request, pk=organisation_pk
    )
    require(services.can_sign(request.user, organisation))
    version = CharterVersion.objects.current(organisation.region_id)
    if version is None:
        raise Http404
    existing = Signature.objects.filter(version=version, organisation=organisation).first()
    if existing is not None:
        messages.info(
            request,
            _("%(organisation)s a déjà signé la version %(number)s de la charte.")
            % {"organisation": organisation.name, "number": version.number},
        )
        return redirect(existing)
    context = selectors.version_text(version)
    initial = {
        "signatory_name": request.user.get_full_name(),
        "version": version.number,
        "digest": context["digest"],
    }
    form = SignForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        read = CharterVersion.objects.filter(region=organisation.region_id, number=data["version"]).first()
        try:
            signature = services.charter_sign(
                organisation=organisation,
                by=request.user,
                signatory_name=data["signatory_name"],
                signatory_function=data["signatory_function"],
                consent=data["consent"],
                version=read,
                digest_seen=data["digest"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "La charte est signée au nom de %(organisation)s. La signature attend sa validation ; la copie "
                    "signée est en préparation."
                )
                % {"organisation": organisation.name},
            )
            return redirect(signature)
    return render(
        request,
        "charter/sign.html",
        {**context, "form": form, "organisation": organisation, "validator": services.validator_of(organisation)},
    )


def _signatures():
    return Signature.objects.with_history().select_related("signed_by").prefetch_related("copies")


@require_GET
def signature_detail(request, pk):
    """A signature, its history and its copy: the organisation's members and its region's staff."""
    signature = get_for_user_or_404(_signatures(), request, pk=pk)
    context = {
        "signature": signature,
        "events": signature.history(),
        "copy": latest_copy(signature),
        "ready": ready_copy(signature),
        "poll_seconds": COPY_POLL_SECONDS,
        "can_withdraw": services.can_sign(request.user, signature.organisation)
        and signature.status in services.WITHDRAWABLE,
        "can_decide": services.can_decide(request.user, signature) and signature.status == Signature.Status.PENDING,
        "current": CharterVersion.objects.current(signature.version.region_id),
        "scheme_organisation": signature.organisation.region.scheme_organisation,
    }
    if request.htmx:
        return render(request, "charter/includes/copy.html", context)
    return render(request, "charter/signature_detail.html", context)


@require_GET
def signature_download(request, pk):
    """The newest built copy (PDF) of a signature, for those who see the signature; 404 until one is built."""
    signature = get_for_user_or_404(_signatures(), request, pk=pk)
    copy = ready_copy(signature)
    if copy is None:
        raise Http404
    copy.signature = signature
    return document_response(copy, filename=copy_filename(copy))


@require_http_methods(["GET", "POST"])
def signature_withdraw(request, pk):
    """The organisation withdraws its signature, with a reason: its legal representative may; the others who see
    the signature get 403."""
    signature = get_for_user_or_404(_signatures(), request, pk=pk)
    require(services.can_sign(request.user, signature.organisation))
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label=_("Motif du retrait"),
        help_text=_("Il est conservé avec la signature et visible des chargé·es de mission de la région."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_withdraw(signature=signature, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La signature est retirée. Elle reste conservée, avec votre motif."))
            return redirect(signature)
    return reason_page(
        request,
        signature,
        form,
        title=_("Retirer la signature"),
        intro=_(
            "La structure ne sera plus signataire de la charte. Le retrait est enregistré et visible ; il ne peut pas "
            "être annulé. La structure pourra signer la prochaine version."
        ),
    )


def reason_page(request, signature, form, *, title, intro):
    """The page that asks why (a withdrawal, a refusal): both are final, so the button says so in red."""
    return render(
        request,
        "charter/reason_form.html",
        {"signature": signature, "form": form, "title": title, "intro": intro, "submit": title},
    )
