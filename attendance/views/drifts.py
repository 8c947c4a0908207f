"""The watch list, presumed ruptures, a drift's reminders and decision."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attendance import services
from attendance.forms import DriftDecisionForm, FollowUpForm
from attendance.models import Drift, Mark
from core.forms import apply_errors
from core.pagination import paginate
from core.params import parse_id
from pathways import exports, scoping
from pathways.scoping import get_for_user_or_404

# --------------------------------------------------------------------------------------------------------------
# Watch list and drifts


def _drifts(user):
    return (
        Drift.objects.for_user(user)
        .live()
        .select_related("stage__pathway__beneficiary", "stage__enrolment__session__training_action")
        .annotate(attempt_count=Count("attempts"), last_attempt=Max("attempts__at"))
        .order_by("-status", "-risk", "opened_at")
    )


def watch_rows(user, params):
    """The watch list's drifts for `user`, of the session of `params` if any: the page and its export."""
    drifts = _drifts(user)
    session_id = parse_id(params.get("session"))
    if session_id is not None:
        drifts = drifts.filter(stage__enrolment__session_id=session_id)
    return drifts


def presumed_rows(user, params):
    """The presumed ruptures for `user`: the page and its export."""
    return _drifts(user).filter(status=Drift.Status.PRESUMED)


@require_GET
def watch_list(request):
    """People drifting in the user's sessions, presumed ruptures first, then by risk, each with why."""
    return _watch_page(request, watch_rows(request.user, request.GET), presumed_only=False)


@require_GET
def presumed_list(request):
    return _watch_page(request, presumed_rows(request.user, request.GET), presumed_only=True)


def drift_entries(drift):
    """(person, organisations through which the list shows them) for the access log."""
    return [(drift.stage.pathway.beneficiary, (drift.stage.organisation_id,))]


def _watch_page(request, drifts, *, presumed_only):
    """A page of drifting people: each named one is a read of their record (the access log)."""
    if response := exports.respond(request, "ruptures-presumees" if presumed_only else "veille", drifts):
        return response
    page = paginate(request, drifts)
    scoping.log_people_listed(request, (entry for drift in page.object_list for entry in drift_entries(drift)))
    return render(request, "attendance/watch_list.html", {"page": page, "presumed_only": presumed_only})


@require_GET
def drift_detail(request, pk):
    return _detail_page(request, _drift(request, pk))


def _drift(request, pk) -> Drift:
    return get_for_user_or_404(
        Drift.objects.select_related(
            "stage__pathway__beneficiary", "stage__pathway__referent", "stage__enrolment__session__training_action"
        ),
        request,
        pk=pk,
    )


def _detail_page(request, drift: Drift, *, follow_up_form=None, decision_form=None):
    """The drift's page; a form refused is shown again with its errors on its fields and what was typed."""
    recent = (
        Mark.objects.filter(stage=drift.stage, slot__date__gte=timezone.localdate() - datetime.timedelta(days=14))
        .select_related("slot")
        .order_by("-slot__date", "-slot__period")
    )
    return render(
        request,
        "attendance/drift_detail.html",
        {
            "drift": drift,
            "attempts": drift.attempts.select_related("by"),
            "recent_marks": recent,
            "follow_up_form": follow_up_form or FollowUpForm(),
            "decision_form": decision_form or DriftDecisionForm(),
        },
    )


@require_POST
def follow_up_create(request, pk):
    drift = _drift(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_record(drift=drift, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            drift.refresh_from_db()
            messages.success(request, _("La relance est enregistrée.") + " " + _describe_status(drift))
            return redirect(drift)
    return _detail_page(request, drift, follow_up_form=form)


def _describe_status(drift) -> str:
    if drift.status == Drift.Status.CLOSED:
        return _("Le décrochage est clos.")
    if drift.status == Drift.Status.PRESUMED:
        return _("C'est désormais une rupture présumée : confirmez-la ou écartez-la.")
    return ""


@require_POST
def drift_decide(request, pk):
    drift = _drift(request, pk)
    form = DriftDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.drift_decide(
                drift=drift,
                by=request.user,
                confirm=form.cleaned_data["decision"] == "confirm",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Votre décision est enregistrée."))
            return redirect("attendance:presumed_list")
    return _detail_page(request, drift, decision_form=form)
