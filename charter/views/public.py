"""Public pages (no login), each for one region: checking a signed copy by its code (against the signature's
region's charter), and the signatories of a region's basins."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from charter import selectors
from charter.forms import VerifyForm
from pathways.models import Basin, Region


@login_not_required
@require_GET
def verify_lookup(request):
    """Type the code printed on a copy."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("charter:verify", code=form.cleaned_data["code"])
    return render(request, "charter/public/verify_lookup.html", {"form": form})


@login_not_required
@require_GET
def verify(request, code):
    """Whether a signed copy is genuine and current in its region: the organisation, the region, the version and
    the dates only (no personal data of the signatory beyond their function). An unknown code answers 404."""
    found = selectors.verification(code)
    if found is None:
        return render(request, "charter/public/verify.html", {"code": code, "found": None}, status=404)
    return render(request, "charter/public/verify.html", {"code": code, "found": found})


@login_not_required
@require_GET
def signatories(request):
    """The regions, each with its own charter and signatories; with a single region, its page."""
    regions = selectors.public_regions()
    if len(regions) == 1:
        return redirect("charter:region_signatories", region=regions[0].code)
    return render(request, "charter/public/signatories.html", {"regions": regions})


@login_not_required
@require_GET
def region_signatories(request, region):
    """A region's basins, with how many organisations have signed the region's charter in force. The address of a
    basin's page before the charter became regional (`signataires/<basin code>/`) is sent to its new address."""
    found = Region.objects.select_related("scheme_organisation").filter(code=region).first()
    if found is None:
        basin = get_object_or_404(Basin.objects.select_related("region"), code=region)
        return redirect("charter:basin_signatories", region=basin.region.code, code=basin.code, permanent=True)
    return render(request, "charter/public/region_signatories.html", {"data": selectors.region_signatories(found)})


@login_not_required
@require_GET
def basin_signatories(request, region, code):
    """The organisations serving a basin of the region that have signed the region's charter in force."""
    basin = get_object_or_404(Basin.objects.select_related("region"), code=code, region__code=region)
    return render(request, "charter/public/basin_signatories.html", {"data": selectors.basin_signatories(basin)})
