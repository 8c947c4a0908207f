"""Feedback on the training (RÉVERSIBILITÉ): the facilitators write for the training body, its pedagogical and
organisation managers read and answer. Trainers of the body and everyone else: 404 (the exchange is not theirs)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_errors
from core.pagination import paginate
from pathways.scoping import get_for_user_or_404, require
from speaking_groups.forms.feedback import FeedbackForm, ReplyForm
from speaking_groups.models import FeedbackItem, FeedbackReply, SpeakingGroup
from speaking_groups.services import feedback as services


def _group(request, pk) -> SpeakingGroup:
    """The group, for those who read its feedback (404 for the group's other readers, e.g. the body's trainers)."""
    group = get_for_user_or_404(
        SpeakingGroup.objects.select_related("support_organisation", "training_body"), request, pk=pk
    )
    if not services.may_read(request.user, group):
        raise Http404
    return group


@require_GET
def feedback_list(request, pk):
    group = _group(request, pk)
    items = (
        FeedbackItem.objects.for_user(request.user)
        .filter(group=group)
        .select_related("written_by")
        .prefetch_related(Prefetch("replies", queryset=FeedbackReply.objects.select_related("written_by")))
        .order_by("-created_at", "-pk")
    )
    may_answer = services.may_answer(request.user, group)
    return render(
        request,
        "speaking_groups/feedback/feedback_list.html",
        {
            "group": group,
            "page": paginate(request, items),
            "may_write": services.may_write(request.user, group),
            "may_answer": may_answer,
            "reply_form": ReplyForm() if may_answer else None,
        },
    )


@require_http_methods(["GET", "POST"])
def feedback_create(request, pk):
    group = _group(request, pk)
    require(services.may_write(request.user, group))
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_send(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Votre retour est transmis à l'organisme de formation."))
            return redirect("speaking_groups:feedback_list", pk=group.pk)
    return render(request, "speaking_groups/feedback/feedback_form.html", {"group": group, "form": form})


@require_POST
def feedback_reply(request, pk):
    item = get_for_user_or_404(FeedbackItem.objects.select_related("group__training_body"), request, pk=pk)
    require(services.may_answer(request.user, item.group))
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_reply(item=item, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Votre réponse est transmise à la structure d'accompagnement."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("speaking_groups:feedback_list", pk=item.group_id)


urlpatterns = [
    path("<int:pk>/retours/", feedback_list, name="feedback_list"),
    path("<int:pk>/retours/nouveau/", feedback_create, name="feedback_create"),
    path("retours/<int:pk>/repondre/", feedback_reply, name="feedback_reply"),
]
