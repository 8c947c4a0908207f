"""The alert inbox (live), an alert's page, acknowledging and acting, alert routing. What an alert page shows of its
source comes from the source's registered kind (`alerts.registry`): no branch per source here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import background
from alerts import services
from alerts.forms import AlertActionForm, AlertRoutingForm
from alerts.models import Alert, AlertRouting
from core.forms import apply_errors
from core.pagination import paginate
from notifications.models import Notification
from pathways import exports, scoping
from pathways.models import Organisation, Pathway
from pathways.scoping import get_for_user_or_404, require

# The live inbox asks for news this often (seconds); the issue asks for new alerts within 10 s.
POLL_SECONDS = 5


@require_GET
def alert_list(request):
    """The alert inbox: new alerts appear without reloading (htmx polls this view, which then answers the list
    fragment only; polling saves no session and writes no access log, so it is neither activity nor a read)."""
    alerts, status = alert_rows(request.user, request.GET)
    if response := exports.respond(request, "alertes", alerts):
        return response
    page = paginate(request, alerts)
    # The list names the person of each alert: one access log row each (not when polled: an htmx GET).
    scoping.log_people_listed(request, (entry for alert in page.object_list for entry in alert_entries(alert)))
    context = {"page": page, "status": status, "statuses": Alert.Status.choices, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "alerts/includes/alert_list.html", context)
    return render(request, "alerts/alert_list.html", context)


def alert_rows(user, params):
    """The inbox's alerts for `user` with the status tab of `params`, and that status: the page and its export."""
    alerts = Alert.objects.for_user(user).with_list_data()
    status = params.get("statut", "")
    if status in Alert.Status.values:
        alerts = alerts.filter(status=status)
    return alerts, status


def alert_entries(alert):
    """(person, organisations through which the inbox shows them) for the access log."""
    stage = alert.stage
    return [
        (stage.pathway.beneficiary, (alert.inbox_id, stage.organisation_id, stage.pathway.prescribing_organisation_id))
    ]


@background
@require_GET
def alert_badge(request):
    """htmx: the count of new alerts for the navigation badge."""
    return render(request, "alerts/includes/alert_badge.html", {"count": new_alert_count(request.user)})


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


def _alert(request, pk) -> Alert:
    return get_for_user_or_404(
        Alert.objects.with_list_data().select_related(
            "stage__pathway__referent",
            "stage__pathway__prescribing_organisation",
            "stage__pathway__prescribing_adviser",
            "stage__enrolment__session__training_action",
            "acknowledged_by",
        ),
        request,
        pk=pk,
    )


def _detail_page(request, alert: Alert, *, action_form=None, status=200):
    """The alert page. `full` for those who see the pathway (the partners who follow the person); the funder's
    regional officer, who reaches the alert only as its stage's funder, sees what it needs to act: the person, the
    stage, the kind, the date and the cause families, no free text and no note."""
    user = request.user
    full = Pathway.objects.for_user(user).filter(pk=alert.stage.pathway_id).exists()
    detail = alert.kind_spec.detail(request, alert, full)
    actions = alert.actions.select_related("by")
    context = {
        **detail.context,
        "alert": alert,
        "stage": alert.stage,
        "pathway": alert.stage.pathway,
        "full": full,
        "detail_template": detail.template,
        "actions": actions,
        "deliveries": (
            Notification.objects.filter(cause_key=f"alert:{alert.pk}")
            .select_related("recipient", "organisation")
            .order_by("recipient_key", "channel")
        ),
        "can_act": can_act(user, alert),
        "action_form": action_form or AlertActionForm(),
    }
    return render(request, "alerts/alert_detail.html", context, status=status)


@require_GET
def alert_detail(request, pk):
    return _detail_page(request, _alert(request, pk))


@require_POST
def alert_acknowledge(request, pk):
    alert = _alert(request, pk)
    require(can_act(request.user, alert))
    services.alert_acknowledge(alert=alert, by=request.user)
    messages.success(request, _("L'alerte est prise en compte."))
    return redirect(alert)


@require_POST
def alert_act(request, pk):
    """Record an action; a refused one shows the page again with the errors on their fields and the input kept."""
    alert = _alert(request, pk)
    require(can_act(request.user, alert))
    form = AlertActionForm(request.POST)
    if form.is_valid():
        try:
            services.alert_act(alert=alert, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'action est enregistrée."))
            return redirect(alert)
    return _detail_page(request, alert, action_form=form, status=400)


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
    return render(request, "alerts/routing_form.html", {"form": form, "organisation": organisation})
