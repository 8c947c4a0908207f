"""A training body's offer: its training actions and their sessions, created and changed by its pedagogical and
organisation managers, read by its trainers. Another training body's actions are out of scope (404)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.forms import SessionForm, TrainingActionForm
from pathways.models import Organisation, Session, TrainingAction
from pathways.scoping import get_for_user_or_404, require
from pathways.services import offer as services

STATES = {"actives": True, "inactives": False, "toutes": None}


def _action(request, pk, *, manage=False) -> TrainingAction:
    """An action of one of the user's training bodies (404 otherwise); changing it takes a manager (403)."""
    action = get_for_user_or_404(
        TrainingAction.objects.select_related("training_body__region", "funder", "basin", "programme"), request, pk=pk
    )
    if manage:
        require(scoping.can_manage_offer(request.user, action.training_body_id))
    return action


def _require_offer_staff(user) -> None:
    if not scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES, kinds={Organisation.Kind.TRAINING_BODY}):
        raise PermissionDenied


@require_GET
def training_action_list(request):
    _require_offer_staff(request.user)
    state = request.GET.get("etat", "actives")
    actions = TrainingAction.objects.for_user(request.user).with_list_data().order_by("title", "pk")
    if STATES.get(state) is not None:
        actions = actions.filter(is_active=STATES[state])
    return render(
        request,
        "pathways/training_action_list.html",
        {
            "page": paginate(request, actions),
            "state": state if state in STATES else "toutes",
            "can_create": bool(scoping.offer_organisations(request.user)),
            "managed": {org.pk for org in scoping.offer_organisations(request.user)},
        },
    )


class _TrainingBodyChoice(forms.Form):
    training_body = forms.ModelChoiceField(
        label=gettext_lazy("Organisme de formation"), queryset=Organisation.objects.none(), empty_label=None
    )


@require_http_methods(["GET", "POST"])
def training_action_create(request):
    bodies = scoping.offer_organisations(request.user)
    require(bool(bodies))
    data = request.POST if request.method == "POST" else None
    chooser = _TrainingBodyChoice(data, initial={"training_body": bodies[0].pk}, prefix="of")
    chooser.fields["training_body"].queryset = Organisation.objects.filter(pk__in=[b.pk for b in bodies])
    body = bodies[0]
    if len(bodies) > 1 and data is not None and chooser.is_valid():
        body = chooser.cleaned_data["training_body"]
    form = TrainingActionForm(data, training_body=body, instance=TrainingAction(training_body=body))
    if data is not None and (len(bodies) == 1 or chooser.is_valid()) and form.is_valid():
        try:
            action = services.training_action_create(training_body=body, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'action de formation « %(title)s » est créée.") % {"title": action.title})
            return redirect(action)
    return render(
        request,
        "pathways/training_action_form.html",
        {"form": form, "chooser": chooser if len(bodies) > 1 else None, "action": None},
    )


@require_GET
def training_action_detail(request, pk):
    action = _action(request, pk)
    sessions = Session.objects.filter(training_action=action).with_list_data().order_by("-start_date", "pk")
    return render(
        request,
        "pathways/training_action_detail.html",
        {
            "action": action,
            "page": paginate(request, sessions),
            "can_manage": scoping.can_manage_offer(request.user, action.training_body_id),
        },
    )


@require_http_methods(["GET", "POST"])
def training_action_update(request, pk):
    action = _action(request, pk, manage=True)
    data = request.POST if request.method == "POST" else None
    form = TrainingActionForm(
        data, instance=TrainingAction.objects.get(pk=action.pk), training_body=action.training_body
    )
    if data is not None and form.is_valid():
        try:
            services.training_action_update(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'action de formation est enregistrée."))
            return redirect(action)
    return render(request, "pathways/training_action_form.html", {"form": form, "chooser": None, "action": action})


@require_POST
def training_action_deactivate(request, pk):
    action = _action(request, pk, manage=True)
    services.training_action_deactivate(action=action, by=request.user)
    messages.success(
        request,
        _("L'action « %(title)s » est désactivée : aucune nouvelle session n'y sera ouverte. Ses sessions continuent.")
        % {"title": action.title},
    )
    return redirect(action)


# --------------------------------------------------------------------------------------------------------------
# Sessions


@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    action = _action(request, pk, manage=True)
    if not action.is_active:
        messages.error(request, _("Cette action de formation est désactivée : réactivez-la pour y ouvrir une session."))
        return redirect(action)
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, action=action, instance=Session(training_action=action))
    if data is not None and form.is_valid():
        fields = dict(form.cleaned_data)
        trainers = list(fields.pop("trainers"))
        try:
            session = services.session_create(action=action, by=request.user, trainers=trainers, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La session est créée et son calendrier de demi-journées est prêt."))
            return redirect(session)
    return render(request, "pathways/session_form.html", {"form": form, "action": action, "session": None})


@require_http_methods(["GET", "POST"])
def session_update(request, pk):
    session = get_for_user_or_404(
        Session.objects.select_related("training_action__training_body__region", "commune").filter(
            training_action__in=TrainingAction.objects.for_user(request.user)
        ),
        request,
        pk=pk,
    )
    action = session.training_action
    require(scoping.can_manage_offer(request.user, action.training_body_id))
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, action=action, instance=session)
    if data is not None and form.is_valid():
        fields = dict(form.cleaned_data)
        trainers = list(fields.pop("trainers"))
        try:
            services.session_update(session=session, by=request.user, trainers=trainers, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La session est enregistrée et son calendrier mis à jour."))
            return redirect(session)
    return render(request, "pathways/session_form.html", {"form": form, "action": action, "session": session})
