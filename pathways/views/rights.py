"""The rights of the person, from their page: the information notice (printable page, hand-over), objections to a
sharing. The person is fetched through the scoping layer (`get_for_user_or_404`), which logs the access; writes go
through `accounts.services`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rights as rights_documents
from accounts import services as accounts_services
from accounts.models import RightsDocument, SharingObjection
from core.documents import document_response
from core.forms import apply_errors
from pathways import rights, scoping
from pathways.forms import NoticeHandoverForm, SharingObjectionForm
from pathways.models import Beneficiary, Membership
from pathways.scoping import get_for_user_or_404, require


@require_GET
def notice(request, pk):
    """The information notice, print-friendly, in the language asked for (`?langue=en`; French by default)."""
    beneficiary = get_for_user_or_404(Beneficiary.objects.select_related("region"), request, pk=pk)
    language = rights.notice_language(request.GET.get("langue"))
    context = rights.notice_context(beneficiary, language)
    context["can_manage"] = rights.can_manage_rights(request.user, beneficiary)
    context["handover_form"] = NoticeHandoverForm(initial={"language": language})
    # The notice itself in `language` (the template's {% language %} block), the page around it in the user's.
    return render(request, "pathways/rights/notice.html", context)


@require_POST
def notice_handover(request, pk):
    beneficiary = get_for_user_or_404(Beneficiary.objects, request, pk=pk)
    require(rights.can_manage_rights(request.user, beneficiary))
    form = NoticeHandoverForm(request.POST)
    if form.is_valid():
        accounts_services.notice_handover_record(
            beneficiary=beneficiary,
            by=request.user,
            method=form.cleaned_data["method"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("La remise de la notice d'information est enregistrée."))
    else:
        messages.error(request, _("Dites comment la notice a été remise."))
    return redirect(beneficiary)


@require_http_methods(["GET", "POST"])
def objection_create(request, pk):
    beneficiary = get_for_user_or_404(Beneficiary.objects.select_related("region"), request, pk=pk)
    require(rights.can_manage_rights(request.user, beneficiary))
    protected = rights.referent_organisations(beneficiary)
    form = SharingObjectionForm(
        request.POST if request.method == "POST" else None, beneficiary=beneficiary, protected=protected
    )
    if request.method == "POST" and form.is_valid():
        try:
            objection = accounts_services.sharing_objection_record(
                beneficiary=beneficiary,
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                protected_organisations=protected,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("L'opposition est enregistrée : %(organisation)s ne voit plus cette personne.")
                % {"organisation": objection.organisation},
            )
            return redirect(beneficiary)
    return render(request, "pathways/rights/objection_form.html", {"form": form, "beneficiary": beneficiary})


@require_POST
def objection_withdraw(request, pk):
    objection = get_for_user_or_404(
        SharingObjection.objects.select_related("beneficiary", "organisation"), request, pk=pk
    )
    require(rights.can_manage_rights(request.user, objection.beneficiary))
    accounts_services.sharing_objection_withdraw(objection=objection, by=request.user)
    messages.success(
        request,
        _("L'opposition est retirée : %(organisation)s peut de nouveau voir la personne si elle est concernée.")
        % {"organisation": objection.organisation},
    )
    return redirect(objection.beneficiary)


# --------------------------------------------------------------------------------------------------------------
# Documents built by a worker: the notice's PDF, the right-of-access export (JSON and PDF)


@require_POST
def notice_pdf_request(request, pk):
    """Whoever reads the notice may ask for its PDF (in the language chosen on the page)."""
    beneficiary = get_for_user_or_404(Beneficiary.objects, request, pk=pk)
    rights_documents.rights_document_request(
        beneficiary=beneficiary,
        kind=RightsDocument.Kind.NOTICE,
        format=RightsDocument.Format.PDF,
        language=rights.notice_language(request.POST.get("language")),
        by=request.user,
    )
    messages.success(request, _("La notice est en préparation : elle apparaît ci-dessous dès qu'elle est prête."))
    return redirect(beneficiary)


@require_POST
def access_export_request(request, pk):
    """The complete export of what the app holds about the person (JSON and PDF). The version released by a
    facilitator's structure holds its notes; no other does."""
    beneficiary = get_for_user_or_404(Beneficiary.objects, request, pk=pk)
    require(rights.can_request_access_export(request.user, beneficiary))
    acting = scoping.acting_organisation(request.user, beneficiary)
    facilitating = acting is not None and acting.pk in scoping.org_ids(
        request.user, roles={Membership.Role.FACILITATOR}
    )
    rights_documents.access_export_request(
        beneficiary=beneficiary,
        by=request.user,
        language=rights.notice_language(request.POST.get("language")),
        released_by=acting,
        include_confidential=facilitating,
    )
    messages.success(
        request, _("L'export du droit d'accès est en préparation : il apparaît ci-dessous dès qu'il est prêt.")
    )
    return redirect(beneficiary)


@require_GET
def rights_document_download(request, pk):
    """A notice's PDF for whoever sees the person; an access export for its requester only (404 for anyone else)."""
    document = get_for_user_or_404(RightsDocument.objects.select_related("beneficiary"), request, pk=pk)
    return document_response(
        document,
        filename=rights_documents.filename(document),
        content_type=rights_documents.CONTENT_TYPES[document.format],
    )
