"""Skills attestations from the alert page: request one (built by a worker), download it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.documents import document_response
from pathways.scoping import get_for_user_or_404, require
from ruptures import attestations
from ruptures.models import Rupture, SkillsAttestation


def _ruptures():
    return Rupture.objects.select_related("stage__pathway__beneficiary", "stage__organisation", "alert")


def _back_to(rupture: Rupture):
    return redirect(rupture.alert.get_absolute_url() + "#attestations")


@require_POST
def attestation_request(request, pk):
    """Ask for an attestation of the rupture behind alert `pk`: the referent and the stage's training body may;
    others who see the rupture get 403, the rest 404."""
    rupture = get_for_user_or_404(_ruptures(), request, alert__pk=pk)
    require(attestations.can_issue(request.user, rupture))
    form = attestations.AttestationForm(request.POST)
    if form.is_valid():
        try:
            attestations.attestation_request(rupture=rupture, by=request.user, skills=form.cleaned_data["skills"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("L'attestation de compétences est en préparation : actualisez la page dans un instant.")
            )
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return _back_to(rupture)


@require_GET
def attestation_download(request, pk):
    """The PDF of a ready attestation, for everyone who sees its rupture (404 for anyone else, or until ready)."""
    attestation = get_object_or_404(SkillsAttestation, pk=pk)
    rupture = get_for_user_or_404(_ruptures(), request, pk=attestation.rupture_id)
    attestation.rupture = rupture
    return document_response(attestation, filename=attestations.attestation_filename(attestation))
