"""Who reaches a session's attendance pages: the staff of its training body (404 for anyone else)."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core import params
from pathways import scoping
from pathways.models import Session


def staffed_session(request, pk):
    """A session whose attendance the user takes (staff of its training body); 404 for anyone else."""
    return get_object_or_404(
        scoping.staffed_sessions(
            Session.objects.select_related("training_action__training_body", "commune"), request.user
        ),
        pk=pk,
    )


def parse_day(value: str) -> datetime.date:
    """The day of a sheet's address; 404 when it is not one (`core.params.parse_day`)."""
    day = params.parse_day(value)
    if day is None:
        raise Http404(_("Cette date n'existe pas."))
    return day
