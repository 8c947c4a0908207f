"""Declaring a rupture, the alert inbox (live), an alert's page, acknowledging and acting, alert routing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checklist.alerts import alert_risks
from core.forms import apply_errors
from core.pagination import paginate
from notifications.models import Notification
from pathways import scoping
from pathways.models import Organisation, Stage
from pathways.scoping import get_for_user_or_404, require
from ruptures import services
from ruptures.attestations import attestation_context
from ruptures.forms import AlertActionForm, AlertRoutingForm, RuptureForm
from ruptures.models import Alert, AlertRouting

# The live inbox asks for news this often (seconds); the issue asks for new alerts within 10 s.
POLL_SECONDS = 5


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
    return render(request, "ruptures/rupture_form.html", {"form": form, "stage": stage, "presumed": presumed})


def _alerts(user):
    return Alert.objects.for_user(user).select_related(
        "stage__pathway__beneficiary",
        "stage__organisation",
        "rupture",
        "rupture__declared_by",
        "inbox",
    )


@require_GET
def alert_list(request):
    """The alert inbox: new alerts appear without reloading (htmx polls this view, which then answers the list
    fragment only; polling saves no session and writes no access log, so it is neither activity nor a read)."""
    alerts = _alerts(request.user)
    status = request.GET.get("statut", "")
    if status in Alert.Status.values:
        alerts = alerts.filter(status=status)
    page = paginate(request, alerts)
    context = {"page": page, "status": status, "statuses": Alert.Status.choices, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "ruptures/includes/alert_list.html", context)
    return render(request, "ruptures/alert_list.html", context)


@require_GET
def alert_badge(request):
    """htmx: the count of new alerts for the navigation badge."""
    return render(request, "ruptures/includes/alert_badge.html", {"count": new_alert_count(request.user)})


def new_alert_count(user) -> int:
    return Alert.objects.for_user(user).filter(status=Alert.Status.NEW).count()


def can_act(user, alert: Alert) -> bool:
    """The inbox organisation's people, the referent and the prescribing adviser act on an alert."""
    pathway = alert.stage.pathway
    return (
        alert.inbox_id in scoping.org_ids(user, roles=scoping.PERSON_ROLES)
        or pathway.referent_id == user.pk
        or pathway.prescribing_adviser_id == user.pk
    )


@require_GET
def alert_detail(request, pk):
    alert = get_for_user_or_404(
        _alerts(request.user).select_related(
            "stage__pathway__referent",
            "stage__pathway__prescribing_organisation",
            "stage__pathway__prescribing_adviser",
            "stage__enrolment__session__training_action",
            "rupture__drift",
            "checklist_revision__checklist",
            "acknowledged_by",
        ),
        request,
        pk=pk,
    )
    deliveries = (
        Notification.objects.filter(cause_key=f"alert:{alert.pk}")
        .select_related("recipient", "organisation")
        .order_by("recipient_key", "channel")
    )
    context = {
        "alert": alert,
        "stage": alert.stage,
        "pathway": alert.stage.pathway,
        "actions": alert.actions.select_related("by"),
        "deliveries": deliveries,
        "can_act": can_act(request.user, alert),
        "action_form": AlertActionForm(),
    }
    rupture = alert.rupture
    if rupture is not None:
        context.update(
            rupture=rupture,
            causes=rupture.causes.all(),
            reminders=rupture.reminders.select_related("by"),
            can_follow_up=scoping.can_manage_pathway(request.user, alert.stage.pathway),
            **attestation_context(request, rupture),
        )
    else:
        context.update(alert_risks(request.user, alert.checklist_revision))
    return render(request, "ruptures/alert_detail.html", context)


@require_POST
def alert_acknowledge(request, pk):
    alert = get_for_user_or_404(_alerts(request.user), request, pk=pk)
    require(can_act(request.user, alert))
    services.alert_acknowledge(alert=alert, by=request.user)
    messages.success(request, _("L'alerte est prise en compte."))
    return redirect(alert)


@require_POST
def alert_act(request, pk):
    alert = get_for_user_or_404(_alerts(request.user), request, pk=pk)
    require(can_act(request.user, alert))
    form = AlertActionForm(request.POST)
    if form.is_valid():
        try:
            services.alert_act(alert=alert, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("L'action est enregistrée."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(alert)


@require_http_methods(["GET", "POST"])
def routing_update(request, pk):
    """An organisation manager chooses who in the organisation receives its alerts."""
    organisation = get_for_user_or_404(Organisation.objects.all(), request, pk=pk)
    require(scoping.can_manage_members(request.user, organisation))
    routing = AlertRouting.objects.filter(organisation=organisation).first() or AlertRouting(organisation=organisation)
    form = AlertRoutingForm(request.POST if request.method == "POST" else None, instance=routing)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("L'acheminement des alertes est enregistré."))
        return redirect("pathways:membership_list", pk=organisation.pk)
    return render(request, "ruptures/routing_form.html", {"form": form, "organisation": organisation})
