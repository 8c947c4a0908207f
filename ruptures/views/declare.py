"""Declaring a rupture on a stage."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import apply_errors
from pathways import scoping
from pathways.models import Stage
from pathways.scoping import get_for_user_or_404, require
from ruptures import declarers, services
from ruptures.forms import RuptureForm
from ruptures.models import Rupture


@require_http_methods(["GET", "POST"])
def rupture_create(request, stage_pk):
    """Declare a rupture on a stage: those who record the stage's life (its training body's staff, the referent,
    the prescriber) may, and those a registered way lets declare (`ruptures.declarers`: a facilitator whose group
    runs on the stage's session, through their support structure); everyone else who sees the pathway gets 403,
    the others 404."""
    stage = get_for_user_or_404(
        Stage.objects.select_related("pathway__beneficiary", "organisation", "programme"), request, pk=stage_pk
    )
    staff = scoping.can_transition_stage(request.user, stage)
    through = None if staff else declarers.declaring_organisation(request.user, stage)
    require(staff or through is not None)
    form = RuptureForm(request.POST if request.method == "POST" else None, stage=stage)
    presumed = stage.drifts.filter(status="presumed_rupture").first()
    if request.method == "POST" and form.is_valid():
        try:
            rupture = services.rupture_declare(stage=stage, by=request.user, drift=presumed, **form.service_arguments())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("La rupture est déclarée : le prescripteur, le ou la référent·e et le financeur sont alertés."),
            )
            # Who declares through a registered way (a facilitator) follows the stage, not the partners' alert.
            return redirect(rupture.alert if staff else stage)
    if presumed is not None and not form.is_bound:
        form.initial.setdefault("identified_by", "trainer")
    if through is not None and not form.is_bound:
        form.initial.setdefault("identified_by", Rupture.IdentifiedBy.FACILITATOR)
    if request.GET.get("identified_by") in Rupture.IdentifiedBy.values and not form.is_bound:
        form.initial["identified_by"] = request.GET["identified_by"]  # e.g. the person, from a hotline call
    return render(request, "ruptures/rupture_form.html", {"form": form, "stage": stage, "presumed": presumed})
