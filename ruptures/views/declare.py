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
from ruptures import services
from ruptures.forms import RuptureForm
from ruptures.models import Rupture


@require_http_methods(["GET", "POST"])
def rupture_create(request, stage_pk):
    """Declare a rupture on a stage: those who record the stage's life (its training body's staff, the referent,
    the prescriber) may; everyone else who sees the pathway gets 403, the others 404."""
    stage = get_for_user_or_404(
        Stage.objects.select_related("pathway__beneficiary", "organisation", "programme"), request, pk=stage_pk
    )
    require(scoping.can_transition_stage(request.user, stage))
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
            return redirect(rupture.alert)
    if presumed is not None and not form.is_bound:
        form.initial.setdefault("identified_by", "trainer")
    if request.GET.get("identified_by") in Rupture.IdentifiedBy.values and not form.is_bound:
        form.initial["identified_by"] = request.GET["identified_by"]  # e.g. the person, from a hotline call
    return render(request, "ruptures/rupture_form.html", {"form": form, "stage": stage, "presumed": presumed})
