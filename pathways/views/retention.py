"""A region's retention durations (issue 20), set by the region's data-protection officer: the DPO of the
organisation that runs the scheme in the region (`pathways.scoping.dpo_region_ids`, as for the whole region's access
log). DESIGN.md §1 gives the DPO the watch over retention; the region's officers and the other members of the region
read nothing here (403), anyone else gets 404.

The durations are what the nightly job applies (`accounts.retention.region_months`) and what the information
notice tells the region's people (`pathways.rights.notice_context`)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import retention
from accounts.forms import RetentionSettingsForm
from accounts.models import RetentionPolicy
from accounts.personal_data import Category
from accounts.services import retention_policies_set
from core.forms import apply_errors
from pathways import scoping
from pathways.models import Region
from pathways.scoping import require


def _region(request, pk) -> Region:
    """The region whose DPO the user is; 403 for another member of the region, 404 for anyone else."""
    if pk not in scoping.dpo_region_ids(request.user):
        require(pk not in scoping.region_ids(request.user))
        raise Http404
    return get_object_or_404(Region, pk=pk)


@require_http_methods(["GET", "POST"])
def retention_settings(request, pk):
    region = _region(request, pk)
    defaults = {category: retention.default_months(category) for category in Category.values}
    current = dict(
        region.retention_policies.filter(category__in=retention.region_categories()).values_list("category", "months")
    )
    months = defaults | current  # what `retention.region_months` gives the job and the notice, without asking again
    form = RetentionSettingsForm(request.POST if request.method == "POST" else None, current=current, defaults=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            changed = retention_policies_set(region=region, months=form.months(), by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if changed:
                messages.success(
                    request,
                    _(
                        "Les durées de conservation de la région %(region)s sont enregistrées. Elles s'appliquent dès "
                        "le prochain passage nocturne de l'anonymisation."
                    )
                    % {"region": region.name},
                )
            else:
                messages.info(request, _("Aucune durée n'a changé."))
            return redirect("pathways:retention_settings", pk=region.pk)
    return render(
        request,
        "pathways/retention_settings.html",
        {
            "region": region,
            "form": form,
            "rows": [
                {"field": form[category], "default": defaults[category], "current": months[category]}
                for category in retention.region_categories()
            ],
            "notice_days": settings.RETENTION_NOTICE_DAYS,
            "access_log_min_months": RetentionPolicy.ACCESS_LOG_MIN_MONTHS,
        },
    )
