"""What every dashboard view shares: the period form read from the query string."""

from django.utils import timezone

from dashboards.forms import PeriodForm


def period_form(request) -> PeriodForm:
    """The period selector bound to the query string (the period parameters only; the others are the page's)."""
    return PeriodForm(request.GET, today=timezone.localdate())
