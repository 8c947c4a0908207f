"""The commissions: the list, a basin's set-up, a commission's page, the month calendar of their meetings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from commissions import selectors
from commissions.forms.setup import CommissionForm
from commissions.models import Commission, managed_basin_ids
from commissions.services.commissions import commission_setup as setup_service
from commissions.services.meetings import next_date
from core.forms import apply_errors
from core.params import parse_id, parse_month
from pathways.models import Basin
from pathways.scoping import get_for_user_or_404


@require_GET
def commission_list(request):
    selectors.remember_delegation(request, request.user)
    return render(request, "commissions/commission_list.html", {"rows": selectors.commission_rows(request.user)})


@require_http_methods(["GET", "POST"])
def commission_setup(request, basin_pk):
    """Regional staff or the basin's coordinator set up the basin's commission (or change it)."""
    if basin_pk not in managed_basin_ids(request.user):
        raise Http404
    basin = Basin.objects.select_related("region").get(pk=basin_pk)
    commission = Commission.objects.filter(basin=basin).first()
    form = CommissionForm(request.POST if request.method == "POST" else None, instance=commission, basin=basin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commission = setup_service(
                basin=basin,
                by=request.user,
                organisations=data["organisations"],
                delegates=data["delegates"],
                cadence_weeks=data["cadence_weeks"],
                usual_place=data["usual_place"],
                video_link=data["video_link"],
                waiting_threshold_days=data["waiting_threshold_days"],
                name=data["name"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La commission est enregistrée."))
            return redirect(commission)
    return render(
        request, "commissions/commission_setup.html", {"basin": basin, "commission": commission, "form": form}
    )


@require_GET
def commission_detail(request, pk):
    commission = get_for_user_or_404(Commission.objects.select_related("basin"), request, pk=pk)
    context = selectors.commission_page(commission, request.user)
    context["next_date"] = next_date(commission) if context["manages"] else None
    return render(request, "commissions/commission_detail.html", context)


@require_GET
def meeting_calendar(request):
    """The month of the meetings of the commissions the user sees (`?mois=YYYY-MM`, the current month when absent or
    absurd), one commission only with `?commission=<id>` when the user sees it; for those who run a commission, the
    dates its cadence proposes, to plan."""
    month = parse_month(request.GET.get("mois")) or timezone.localdate().replace(day=1)
    context = selectors.meeting_calendar(request.user, month, commission_id=parse_id(request.GET.get("commission")))
    return render(request, "commissions/meeting_calendar.html", context)


urlpatterns = [
    path("", commission_list, name="commission_list"),
    path("bassins/<int:basin_pk>/", commission_setup, name="commission_setup"),
    path("<int:pk>/", commission_detail, name="commission_detail"),
    path("calendrier/", meeting_calendar, name="meeting_calendar"),
]
