"""From a hotline call to the person's own signal (a drift, or a rupture declaration identified by the person)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pathways.scoping import get_for_user_or_404
from ruptures.models import Rupture
from speaking_groups.models import HotlineCall
from speaking_groups.services.signals import hotline_drift_signal

HOTLINE_PAGE = "speaking_groups:support_hotline"


@require_POST
def hotline_signal(request, pk):
    """`kind=drift`: open a drift signalled by the person (their agreement in `agreed`); `kind=rupture`: go to the
    rupture declaration of the call's stage, "identified by the person"."""
    call = get_for_user_or_404(HotlineCall.objects.select_related("stage"), request, pk=pk)
    kind = request.POST.get("kind")
    if kind == "rupture" and call.stage_id is not None:
        query = urlencode({"identified_by": Rupture.IdentifiedBy.PERSON})
        return redirect(f"{reverse('ruptures:rupture_create', args=[call.stage_id])}?{query}")
    if kind == "drift":
        try:
            hotline_drift_signal(call=call, by=request.user, agreed=request.POST.get("agreed") == "on")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Le décrochage est signalé à l'organisme de formation, comme repéré par la personne elle-même."),
            )
        return redirect(HOTLINE_PAGE)
    messages.error(request, _("Choisissez un signalement : décrochage ou rupture, pour un appel relié à une personne."))
    return redirect(HOTLINE_PAGE)


urlpatterns = [
    path("hotline/<int:pk>/signaler/", hotline_signal, name="hotline_signal"),
]
