"""Erasure where the law allows it: an administrator, or a DPO whose remit holds the person (the region's DPO, or the
DPO of an organisation that followed the person, unless she objected to it), anonymises a person's data at once
("anonymiser maintenant"), through the retention job's own path (`accounts.retention.erase`): refused while a
pathway is open, logged in the access log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import retention
from accounts.models import AccessLog, PersonRetention
from accounts.services import access_log_record
from pathways import scoping
from pathways.models import Beneficiary, Organisation


def _eraser_organisation(user, person: Beneficiary) -> Organisation | None:
    """The organisation for which `user` answers `person`'s rights as a DPO (`scoping.dpo_acting_organisation`: the
    region's DPO, or the DPO of an organisation that follows the person), None outside that remit: a person who
    objected to a sharing with one of the user's organisations is out of it, as on the DPO's other pages."""
    acting = scoping.dpo_acting_organisation(user, person)
    return Organisation.objects.filter(pk=acting).first() if acting is not None else None


@require_http_methods(["GET", "POST"])
def beneficiary_anonymise(request, pk):
    """The confirmation page, then the anonymisation. Outside scope 404; in scope without the right 403. The page
    names the person by number only: an administrator or a DPO does not otherwise read the person's name."""
    person = Beneficiary.objects.filter(pk=pk).first()
    organisation = _eraser_organisation(request.user, person) if person is not None else None
    if person is None or not (request.user.is_superuser or organisation is not None):
        scoping.get_for_user_or_404(Beneficiary.objects, request, pk=pk)  # 404 outside scope, logged inside
        scoping.require(False)
    view_name = request.resolver_match.view_name
    open_pathway = retention.has_open_pathway(person)
    if request.method == "POST":
        try:
            retention.erase(person=person, by=request.user, acting_organisation=organisation, view_name=view_name)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Les données de la personne sont anonymisées."))
        return redirect(reverse("pathways:beneficiary_anonymise", args=[person.pk]))
    access_log_record(
        user=request.user,
        beneficiary=person,
        view_name=view_name,
        acting_organisation=organisation,
        action=AccessLog.Action.READ,
    )
    record = PersonRetention.objects.filter(beneficiary=person).first()
    return render(
        request,
        "pathways/beneficiary_anonymise.html",
        {
            "beneficiary": person,
            "open_pathway": open_pathway,
            "anonymised_at": record.anonymised_at if record else None,
        },
    )
