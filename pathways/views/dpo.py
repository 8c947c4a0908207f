"""The data-protection officer's pages about a person (issue 20, "Rights of the person"): the DPO is the one a person
writes to for their rights, so they find the person of their remit (`pathways.scoping.dpo_people`: the whole region
for the region's DPO, the people their organisation follows for an organisation's DPO) and answer from a restricted
page: the identity needed to answer, the rights block (notice and its PDF, objections, the right-of-access export
and its documents) and the link to who accessed the record. Nothing of the case (pathway, checklist, notes,
alerts): a DPO handles rights, not the case. Outside the remit: 404. Every read of the page and every request is
logged on behalf of the organisation the DPO answers for (`scoping.get_for_dpo_or_404`).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access_log
from accounts import rights as rights_documents
from accounts.models import RightsDocument
from pathways import rights, scoping
from pathways.forms import DpoPersonSearchForm
from pathways.models import Beneficiary

# A search shows at most this many people (by name): a longer list asks for a more precise name.
SEARCH_MAX = 30


@require_http_methods(["GET", "POST"])
def dpo_person_search(request):
    """A DPO looks for a person of their remit by name or number (a POST, so that no name lands in a URL); 403 for
    anyone who is no DPO. The people listed are logged, one row each, on behalf of the DPO's organisation."""
    scoping.require(scoping.is_dpo(request.user))
    form = DpoPersonSearchForm(request.POST if request.method == "POST" else None)
    people, more = [], False
    if form.is_bound and form.is_valid():
        found = list(
            Beneficiary.objects.filter(pk__in=scoping.dpo_people(request.user))
            .filter(form.people_filter())
            .select_related("commune")
            .order_by("last_name", "first_name", "pk")[: SEARCH_MAX + 1]
        )
        people, more = found[:SEARCH_MAX], len(found) > SEARCH_MAX
        acting = scoping.dpo_default_organisation(request.user)
        access_log.record_many(
            user=request.user,
            people=[(person, acting) for person in people],
            view_name=request.resolver_match.view_name,
        )
    return render(request, "pathways/dpo/person_search.html", {"form": form, "people": people, "more": more})


@require_GET
def dpo_person(request, pk):
    """The person's data-protection page."""
    beneficiary, acting = scoping.get_for_dpo_or_404(
        Beneficiary.objects.select_related("commune", "region"), request, pk=pk
    )
    context = rights.dpo_rights_page(request.user, beneficiary)
    context.update(
        {
            "beneficiary": beneficiary,
            "releases_notes": rights.dpo_releases_notes(beneficiary, acting),
        }
    )
    return render(request, "pathways/dpo/person.html", context)


@require_POST
def dpo_access_export_request(request, pk):
    """The right-of-access export (JSON and PDF, built by a worker), released by the DPO's organisation and
    downloaded by the DPO alone; the facilitators' notes only when that organisation is their structure
    (`rights.dpo_releases_notes`)."""
    beneficiary, acting = scoping.get_for_dpo_or_404(Beneficiary.objects.all(), request, pk=pk)
    released_by = next(m.organisation for m in scoping.active_memberships(request.user) if m.organisation_id == acting)
    rights_documents.access_export_request(
        beneficiary=beneficiary,
        by=request.user,
        language=rights.notice_language(request.POST.get("language")),
        released_by=released_by,
        include_confidential=rights.dpo_releases_notes(beneficiary, acting),
    )
    messages.success(
        request, _("L'export du droit d'accès est en préparation : il apparaît ci-dessous dès qu'il est prêt.")
    )
    return redirect("pathways:dpo_person", pk=beneficiary.pk)


@require_POST
def dpo_notice_pdf_request(request, pk):
    """The information notice as PDF (built by a worker) in the language chosen, to send to the person with the
    answer; downloaded by the DPO from their page."""
    beneficiary, _acting = scoping.get_for_dpo_or_404(Beneficiary.objects.all(), request, pk=pk)
    rights_documents.rights_document_request(
        beneficiary=beneficiary,
        kind=RightsDocument.Kind.NOTICE,
        format=RightsDocument.Format.PDF,
        language=rights.notice_language(request.POST.get("language")),
        by=request.user,
    )
    messages.success(request, _("La notice est en préparation : elle apparaît ci-dessous dès qu'elle est prête."))
    return redirect("pathways:dpo_person", pk=beneficiary.pk)
