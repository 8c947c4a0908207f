"""Public pages (no login): checking a signed copy by its code, and the signatories of each basin."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from charter.forms import VerifyForm
from charter.models import CharterVersion, Signature, normalize_code
from charter.status import OrganisationStatus, organisation_statuses
from pathways.models import Basin, Organisation


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
    """Whether a signed copy is genuine and current: the organisation, the version and the dates only (no
    personal data of the signatory beyond their function). An unknown code answers 404."""
    signature = Signature.objects.with_history().filter(code=normalize_code(code)).first() if len(code) <= 20 else None
    if signature is None:
        return render(request, "charter/public/verify.html", {"code": code, "signature": None}, status=404)
    current = CharterVersion.objects.current()
    return render(
        request,
        "charter/public/verify.html",
        {
            "code": code,
            "signature": signature,
            "current": current,
            "status": signature.status,
            "valid": signature.is_valid(),
            "decision": signature.decision,
            "withdrawal": signature.withdrawal,
            "renewal": signature.renewal,
        },
    )


@login_not_required
@require_GET
def signatories(request):
    """The basins, with how many organisations have signed the charter in force."""
    basins = list(Basin.objects.select_related("region").order_by("region__name", "name"))
    serving = Organisation.objects.filter(is_active=True, basins__isnull=False).values_list("pk", "basins")
    statuses = organisation_statuses({pk for pk, _basin in serving})
    signed = {}
    for pk, basin_id in serving:
        if statuses[pk].status == OrganisationStatus.SIGNED:
            signed[basin_id] = signed.get(basin_id, 0) + 1
    for basin in basins:
        basin.signatories = signed.get(basin.pk, 0)
    return render(
        request,
        "charter/public/signatories.html",
        {"basins": basins, "current": CharterVersion.objects.current()},
    )


@login_not_required
@require_GET
def basin_signatories(request, code):
    """The organisations serving a basin that have signed the charter in force, so a trainee or a company can see
    who is committed."""
    basin = get_object_or_404(Basin.objects.select_related("region"), code=code)
    organisations = list(Organisation.objects.filter(is_active=True, basins=basin).order_by("kind", "name"))
    statuses = organisation_statuses(organisations)
    committed = [org for org in organisations if statuses[org.pk].status == OrganisationStatus.SIGNED]
    for org in committed:
        org.charter = statuses[org.pk]
    return render(
        request,
        "charter/public/basin_signatories.html",
        {"basin": basin, "organisations": committed, "current": CharterVersion.objects.current()},
    )
